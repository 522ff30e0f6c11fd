/** `items` in consecutive slices of at most `size` (the last may be shorter); none when empty. */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let at = 0; at < items.length; at += size) out.push(items.slice(at, at + size));
  return out;
}

/**
 * `items`, each made into `as(item)` only as its slice is reached, in consecutive slices of at
 * most `size` whose `bytes` add up to `budget` at most (one past the budget alone is a slice of
 * its own). Lazy: only the slice being used is held, however large what the items make.
 */
export function* chunksWithin<T, R>(
  items: Iterable<T>,
  as: (item: T) => R,
  size: number,
  budget: number,
  bytes: (made: R) => number,
): Generator<R[]> {
  let slice: R[] = [];
  let used = 0;
  for (const item of items) {
    const made = as(item);
    const cost = bytes(made);
    if (slice.length > 0 && (slice.length >= size || used + cost > budget)) {
      yield slice;
      slice = [];
      used = 0;
    }
    slice.push(made);
    used += cost;
  }
  if (slice.length > 0) yield slice;
}
