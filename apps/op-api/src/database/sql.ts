/** `?, ?, …`: the placeholders of an `IN (…)` list of `n` values. */
export const placeholders = (n: number) => Array.from({ length: n }, () => '?').join(',');
