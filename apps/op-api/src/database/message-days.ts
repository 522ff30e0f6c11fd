import { DAY_MS } from '@op/contracts';

export { DAY_MS };

/** The UTC day of an epoch-milliseconds time, as `chat_message_days.utc_day` counts it (the SQL twin: `Dialect.dayOf`). */
export function dayNumber(timeMs: number): number {
  return Math.floor(timeMs / DAY_MS);
}
