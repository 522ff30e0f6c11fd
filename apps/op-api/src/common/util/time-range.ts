import { OpError } from '../errors/op-error';
import { parseZonedTime, type TimeFormatter } from './time-format';

/** A request's time range in epoch milliseconds; `toMs` is the last millisecond of its second. */
export interface TimeRange {
  fromMs?: number;
  toMs?: number;
}

/**
 * Reads the `from`/`to` times of a request (`yyyy-MM-dd HH:mm:ss` in the configured zone),
 * each named as the request names it for the error: an unreadable time or a `from` after
 * `to` is a 400. A `to` time names a whole second: the range runs up to its last millisecond.
 */
export function parseTimeRange(
  time: TimeFormatter,
  from: [name: string, text: string | undefined],
  to: [name: string, text: string | undefined],
): TimeRange {
  const fromMs = from[1] === undefined ? undefined : parseTime(time, from[0], from[1]);
  const toMs = to[1] === undefined ? undefined : parseTime(time, to[0], to[1]);
  if (fromMs !== undefined && toMs !== undefined && fromMs > toMs) throw OpError.badRequest(`${from[0]} 不能晚于 ${to[0]}`);
  return { fromMs, toMs: toMs === undefined ? undefined : endOfSecond(toMs) };
}

/** The last millisecond of the second `ms` names (the API's times are whole seconds). */
export const endOfSecond = (ms: number) => ms + 999;

function parseTime(time: TimeFormatter, field: string, text: string): number {
  const ms = parseZonedTime(text, time);
  if (ms === null) throw OpError.badRequest(`${field} 不是有效的时间：${text}`);
  return ms;
}
