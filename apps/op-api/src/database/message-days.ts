/** A UTC day, as `chat_message_days.day` counts it. */
export const DAY_MS = 86_400_000;

export function dayNumber(timeMs: number): number {
  return Math.floor(timeMs / DAY_MS);
}

/**
 * The same day number in SQL, rounding down as `dayNumber` does for times before 1970 too:
 * MySQL divides exactly, SQLite truncates integer division toward zero (and divides a REAL
 * exactly, hence the cast).
 */
export function dayOf(column: string, mysql: boolean): string {
  if (mysql) return `FLOOR(${column} / ${DAY_MS})`;
  const ms = `CAST(${column} AS INTEGER)`;
  return `(${ms} / ${DAY_MS} - (${ms} % ${DAY_MS} < 0))`;
}
