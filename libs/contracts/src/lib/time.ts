/** One UTC day in milliseconds: retention days, search windows and the per-day message counts. */
export const DAY_MS = 86_400_000;
