/** `items` in consecutive slices of at most `size` (the last may be shorter); none when empty. */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let at = 0; at < items.length; at += size) out.push(items.slice(at, at + size));
  return out;
}

/**
 * `items` in consecutive slices of at most `size` items whose `bytes` add up to `budget` at most
 * (an item larger than the budget alone is a slice of its own); none when empty.
 */
export function chunksWithin<T>(items: readonly T[], size: number, budget: number, bytes: (item: T) => number): T[][] {
  const out: T[][] = [];
  let slice: T[] = [];
  let used = 0;
  for (const item of items) {
    const cost = bytes(item);
    if (slice.length > 0 && (slice.length >= size || used + cost > budget)) {
      out.push(slice);
      slice = [];
      used = 0;
    }
    slice.push(item);
    used += cost;
  }
  if (slice.length > 0) out.push(slice);
  return out;
}
