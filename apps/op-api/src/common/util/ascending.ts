/**
 * Ascending order of two strings (by UTF-16 code units, whatever the locale) or two bigints: one
 * order for every writer that locks rows in key order, and a tie-breaker for sorts.
 */
export function ascending<T extends string | bigint>(a: T, b: T): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
