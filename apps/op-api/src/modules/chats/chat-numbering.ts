import { DAY_MS, storedSecond } from '../../database/message-days';
import type { ChatEntity } from './chat.entity';
import { ascending } from '../../common/util/ascending';
import { groupBy } from '../../common/util/group-by';

/** Where a message sits in its chat's order: (create_time, id), the time a whole second ({@link storedSecond}). */
export interface ChatKey {
  timeMs: number;
  id: bigint;
}

export const keyOf = (timeMs: number | string, id: string | number | bigint): ChatKey => ({ timeMs: Number(timeMs), id: BigInt(id) });

/** The key before every message: where a chat none of whose messages is numbered "ends". */
export const NO_KEY: ChatKey = { timeMs: 0, id: 0n };

/** The key after every message of UTC day `day` and before the next day's: the numbered part may end there. */
export const endOfDay = (day: number): ChatKey => ({ timeMs: (day + 1) * DAY_MS - 1, id: 2n ** 63n - 1n });

export function compareKeys(a: ChatKey, b: ChatKey): number {
  if (a.timeMs !== b.timeMs) return a.timeMs < b.timeMs ? -1 : 1;
  return ascending(a.id, b.id);
}

/**
 * What a chat row says of its messages' positions: its count, and how many of its first messages
 * (`upto`, in chat order) carry their 1-based position in `messages.seq`: those up to `last`
 * (the last of them, or the end of a day, {@link endOfDay}). Past `upto` a `seq` may be missing or stale (a message arrived out of order, a purge):
 * readers trust a seq only at or before `last`.
 */
export interface Numbering {
  count: number;
  upto: number;
  last: ChatKey;
}

export const numberingOf = (chat: Pick<ChatEntity, 'messageCount' | 'seqUpto' | 'seqLastTime' | 'seqLastId'>): Numbering => ({
  count: Number(chat.messageCount),
  upto: Number(chat.seqUpto),
  last: keyOf(chat.seqLastTime, chat.seqLastId),
});

/** A chat with no message, as one that does not exist yet is. */
export const UNNUMBERED: Numbering = { count: 0, upto: 0, last: NO_KEY };

/** Positions planned for messages appended to a chat, and the chat's numbering after them. */
export interface AppendPlan {
  /** The numbering read before, which the chat's update requires unchanged. */
  before: Numbering;
  seqs: Map<string, number>;
  upto: number;
  last: ChatKey;
}

export interface NewKey {
  id: string;
  createTimeMs: number;
}

/** New messages in chat order, each with its key: its time as it is stored ({@link storedSecond}) and its id. */
export const sortedKeys = (messages: readonly NewKey[]) =>
  messages.map((m) => ({ id: m.id, key: keyOf(storedSecond(m.createTimeMs), m.id) })).sort((a, b) => compareKeys(a.key, b.key));

/**
 * The positions of messages about to be appended to a chat whose numbering (as read, maybe
 * before a concurrent writer's commit) covers all of it, when they all come after its last
 * message; else null. ChatRepository.addMessages applies the plan only if the chat's row still
 * says what was read; otherwise the writer settles under the chat's lock (MessageSequence.settle).
 */
export function planAppend(before: Numbering, messages: readonly NewKey[]): AppendPlan | null {
  if (messages.length === 0 || before.upto !== before.count) return null;
  const sorted = sortedKeys(messages);
  if (before.upto > 0 && compareKeys(sorted[0].key, before.last) <= 0) return null;
  const seqs = new Map(sorted.map((m, i) => [m.id, before.upto + i + 1]));
  return { before, seqs, upto: before.upto + sorted.length, last: sorted[sorted.length - 1].key };
}

/** The first (smallest) key of these messages. */
export const firstKey = (messages: readonly NewKey[]): ChatKey => sortedKeys(messages)[0].key;

/** These messages by their chat, each chat's in the order given. */
export function byChat<T extends { chatId: string }>(messages: readonly T[]): Map<string, T[]> {
  return groupBy(messages, (message) => message.chatId);
}
