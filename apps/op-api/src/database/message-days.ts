import { DAY_MS } from '@op/contracts';

export { DAY_MS };

/**
 * The time a message is stored and ordered by (`messages.create_time`): the whole second of its
 * epoch-milliseconds time. docs/CONTRACT.md §3 orders a chat's messages by `createTime`, which shows
 * the second, then by `userMessageId`; a chat in (create_time, id) order is that order. The
 * millisecond is kept beside it, in `messages.create_ms` ({@link millisecondOf}).
 */
export function storedSecond(timeMs: number): number {
  return timeMs - (timeMs % 1000);
}

/** What {@link storedSecond} leaves out: `messages.create_ms`, 0–999. */
export function millisecondOf(timeMs: number): number {
  return timeMs % 1000;
}

/** The UTC day of an epoch-milliseconds time, as `chat_message_days.utc_day` counts it (the SQL twin: `Dialect.dayOf`). */
export function dayNumber(timeMs: number): number {
  return Math.floor(timeMs / DAY_MS);
}
