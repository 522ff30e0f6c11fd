// The search page keeps every filter in the URL query (bookmarkable); these turn the query
// into a chatSearch body and back. Browser-safe and pure.
import { CHAT_STATUS_CODES, type ChatSearchRequest } from '@op/contracts';

export type QueryValue = string | string[] | undefined;
export type Query = Record<string, QueryValue>;

export const SEARCH_PAGE_SIZE = 20;

function first(value: QueryValue): string | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  const trimmed = v?.trim();
  return trimmed ? trimmed : undefined;
}

/** One filter of a page URL, trimmed; undefined when absent or blank. */
export function queryValue(query: Query, key: string): string | undefined {
  return first(query[key]);
}

/** A filter time as the form shows it (`yyyy-MM-dd HH:mm[:ss]`); the URL may hold either separator. */
export function localTimeValue(query: Query, key: string): string {
  return (first(query[key]) ?? '').replace('T', ' ');
}

function all(value: QueryValue): string[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

/**
 * `2026-11-20 09:30`, `2026-11-20T09:30:15` or a bare date `2026-11-20` → `2026-11-20 09:30:00`,
 * … A range's end takes the last second of its minute (or of its day).
 */
export function toApiTime(value: string | undefined, end: boolean): string | undefined {
  if (!value) return undefined;
  const m = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2})(:\d{2})?)?$/.exec(value);
  if (!m) return value; // sent as typed: the API names the field if it is wrong
  if (m[2] === undefined) return `${m[1]} ${end ? '23:59:59' : '00:00:00'}`;
  return `${m[1]} ${m[2]}${m[3] ?? (end ? ':59' : ':00')}`;
}

/** True when the URL carries a field with nothing in it (as a GET form sends every field). */
export function hasEmptyFields(query: Query): boolean {
  return Object.values(query).some((value) => all(value).some((v) => v.trim() === ''));
}

export function pageNumOf(query: Query): number {
  const n = Number(first(query.page));
  return Number.isSafeInteger(n) && n >= 1 ? n : 1;
}

/** The chatSearch body for a page URL's query. */
export function searchRequestOf(query: Query): ChatSearchRequest {
  const status = all(query.status)
    .map(Number)
    .filter((n) => (CHAT_STATUS_CODES as readonly number[]).includes(n));
  const body: ChatSearchRequest = { pageNum: pageNumOf(query), pageSize: SEARCH_PAGE_SIZE };
  if (status.length > 0) body.status = status;
  const text = ['customerId', 'operatorId', 'chatId', 'mark', 'keyword'] as const;
  for (const key of text) {
    const v = first(query[key]);
    if (v !== undefined) body[key] = v;
  }
  const from = ['createdFrom', 'lastMessageFrom', 'messageTimeFrom'] as const;
  const to = ['createdTo', 'lastMessageTo', 'messageTimeTo'] as const;
  for (const key of from) {
    const v = toApiTime(first(query[key]), false);
    if (v !== undefined) body[key] = v;
  }
  for (const key of to) {
    const v = toApiTime(first(query[key]), true);
    if (v !== undefined) body[key] = v;
  }
  // Sent as given: the API names a value it does not know. Absent is its default, newest activity first.
  const sort = first(query.sort);
  if (sort !== undefined) body.sort = sort as ChatSearchRequest['sort'];
  return body;
}

/** The result orders of the search page: the URL's `sort` (none for the API's default) and its name. */
export const SORT_OPTIONS = [
  { value: '', label: '最近活动' },
  { value: 'createTime', label: '创建时间' },
] as const;

/** The query's fields other than `omit`, as name/value pairs for a GET form's hidden inputs. */
export function hiddenFields(query: Query, omit: readonly string[]): Array<[string, string]> {
  const fields: Array<[string, string]> = [];
  for (const [key, value] of Object.entries(query)) {
    if (omit.includes(key)) continue;
    for (const v of all(value)) if (v.trim() !== '') fields.push([key, v]);
  }
  return fields;
}

/** The same query with another page number, for paging links. */
export function withPage(query: Query, page: number): string {
  // Blank fields go by the same rule as hasEmptyFields, so its redirect lands on a clean URL.
  const params = new URLSearchParams(hiddenFields(query, ['page']));
  if (page > 1) params.set('page', String(page));
  const s = params.toString();
  return s ? `?${s}` : '?';
}

/** The last-activity presets of the search page: today, and the last 7 and 30 days. */
export const DATE_PRESETS = [
  { days: 1, label: '今天' },
  { days: 7, label: '最近 7 天' },
  { days: 30, label: '最近 30 天' },
] as const;

/** `yyyy-MM-dd` `days - 1` days before `today` (a `yyyy-MM-dd`), so the range holds `days` days. */
export function presetFrom(today: string, days: number): string {
  const [y, m, d] = today.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d - (days - 1))).toISOString().slice(0, 10);
}

/** The search URL with "last message since the preset's first day" and the other filters kept. */
export function withPreset(query: Query, today: string, days: number): string {
  const rest: Query = { ...query, lastMessageFrom: presetFrom(today, days) };
  delete rest.lastMessageTo;
  return withPage(rest, 1);
}
