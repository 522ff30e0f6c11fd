// "Find in this chat" on the session page keeps its whole state in the URL (the keyword, the
// current match, the page shown), so a reload or a shared link shows the same thing. These
// build those URLs and step between matches. Browser-safe and pure.
import { countText } from './format';

/** Where a find stands: how many messages match and which one is current. */
export interface FindPosition {
  total: number;
  /** The current match, 1-based in chat order; null when none is (opened at a message that does not match). */
  current: number | null;
  /** With no current match: how many matches come before the place the chat was opened at. */
  before: number;
}

/**
 * The match numbers "next" and "previous" go to. As in a browser's find bar they wrap: after
 * the last comes the first, before the first the last; the count shows where one is.
 */
export function stepTargets(position: FindPosition): { next: number; previous: number } | null {
  const { total, current } = position;
  if (total <= 0) return null;
  if (current !== null) return { next: (current % total) + 1, previous: current === 1 ? total : current - 1 };
  const before = Math.min(Math.max(position.before, 0), total);
  return { next: before < total ? before + 1 : 1, previous: before > 0 ? before : total };
}

/** "第 3 / 57 处", or "共 57 处" when no match is current. */
export function findCountText(position: FindPosition): string {
  return position.current === null
    ? `共 ${countText(position.total)} 处`
    : `第 ${countText(position.current)} / ${countText(position.total)} 处`;
}

/** A positive match number from the URL, or undefined. */
export function parseHit(raw: string | undefined): number | undefined {
  if (raw === undefined || !/^[1-9]\d{0,15}$/.test(raw)) return undefined;
  const n = Number(raw);
  return Number.isSafeInteger(n) ? n : undefined;
}

export interface ChatLocation {
  keyword?: string;
  /** The current match number. */
  hit?: number;
  /** A message to open the chat at (a search hit). */
  around?: string;
  page?: number;
}

/** The session page URL for a chat and a find state; empty parts are left out. */
export function chatHref(chatId: string, location: ChatLocation = {}): string {
  const params = new URLSearchParams();
  if (location.around) params.set('around', location.around);
  if (location.keyword) params.set('keyword', location.keyword);
  if (location.hit !== undefined) params.set('hit', String(location.hit));
  if (location.page !== undefined) params.set('page', String(location.page));
  const query = params.toString();
  return `/chats/${encodeURIComponent(chatId)}${query ? `?${query}` : ''}`;
}
