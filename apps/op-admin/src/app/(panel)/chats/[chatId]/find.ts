import 'server-only';
// Where "find in this chat" stands, asked of `chatMessageSearch`: the matches are numbered in
// chat order, so match n is page n of size 1, and a message's number is found by counting
// the matches up to its second.
import type { ChatMessage, ChatMessageSearchRequest, SearchWindow } from '@op/contracts';
import type { FindPosition } from '@/lib/find-in-chat';
import { withOp, type OpResult, type Session } from '@/lib/op-server';

export interface FindResult extends FindPosition {
  /** The current match's message. */
  currentId: string | null;
  /** The message times the server searched; null when it searched the whole chat. */
  window: SearchWindow | null;
}

/** The matches of one second are read this many at a time to place a message among them. */
const SECOND_PAGE_SIZE = 100;
const SECOND_PAGES = 10;

type Search = (body: Omit<ChatMessageSearchRequest, 'chatId' | 'keyword'>) => ReturnType<typeof searchOnce>;

function searchOnce(session: Session, body: ChatMessageSearchRequest) {
  return withOp(session, (op) => op.chatMessageSearch(body));
}

function searcher(session: Session, chatId: string, keyword: string): Search {
  return (body) => searchOnce(session, { chatId, keyword, ...body });
}

/** Match number `hit` is current (the last one when fewer match). */
export async function findByNumber(session: Session, chatId: string, keyword: string, hit: number): Promise<OpResult<FindResult>> {
  const search = searcher(session, chatId, keyword);
  let result = await search({ pageNum: hit, pageSize: 1 });
  if (!result.ok) return result;
  const total = result.value.page?.total ?? 0;
  if (total > 0 && hit > total) {
    result = await search({ pageNum: total, pageSize: 1 });
    if (!result.ok) return result;
  }
  const window = result.value.data?.window ?? null;
  if (total === 0) return { ok: true, value: { total, current: null, before: 0, currentId: null, window } };
  const number = Math.min(hit, total);
  const currentId = result.value.data?.hits[0]?.userMessageId ?? null;
  // A match the index still lists but the message no longer holds is skipped: none is current.
  return { ok: true, value: { total, current: currentId ? number : null, before: currentId ? number - 1 : number, currentId, window } };
}

/**
 * The chat opened at `message` (a search hit): it is the current match when it holds the
 * keyword, else "next" goes to the first match after it. Its number is the count of matches
 * up to its second, less those of its second, plus its place among them (chat order is
 * message time, then id).
 */
export async function findAt(
  session: Session,
  chatId: string,
  keyword: string,
  message: Pick<ChatMessage, 'userMessageId' | 'createTime'> | null,
): Promise<OpResult<FindResult>> {
  const search = searcher(session, chatId, keyword);
  const all = await search({ pageNum: 1, pageSize: 1 });
  if (!all.ok) return all;
  const total = all.value.page?.total ?? 0;
  const window = all.value.data?.window ?? null;
  const none: FindResult = { total, current: null, before: 0, currentId: null, window };
  if (total === 0 || message === null) return { ok: true, value: none };
  // Count within the window the server chose (the scan's, while an index is built) so the
  // numbers agree with the total. Times of one zone and format compare as strings.
  const from = window?.from ?? undefined;
  const second = message.createTime;
  if (from !== undefined && second < from) return { ok: true, value: none };
  if (window?.to && second > window.to) return { ok: true, value: { ...none, before: total } };

  const upTo = await search({ messageTimeFrom: from, messageTimeTo: second, pageSize: 1 });
  if (!upTo.ok) return upTo;
  let inSecond = 0;
  let place = -1;
  for (let pageNum = 1; pageNum <= SECOND_PAGES && place < 0; pageNum++) {
    const same = await search({ messageTimeFrom: second, messageTimeTo: second, pageNum, pageSize: SECOND_PAGE_SIZE });
    if (!same.ok) return same;
    inSecond = same.value.page?.total ?? 0;
    const at = (same.value.data?.hits ?? []).findIndex((hit) => hit.userMessageId === message.userMessageId);
    if (at >= 0) place = (pageNum - 1) * SECOND_PAGE_SIZE + at;
    if (!same.value.page?.next) break;
  }
  const before = Math.max(0, (upTo.value.page?.total ?? 0) - inSecond);
  if (place < 0) return { ok: true, value: { ...none, before } };
  return { ok: true, value: { total, current: before + place + 1, before: before + place, currentId: message.userMessageId, window } };
}
