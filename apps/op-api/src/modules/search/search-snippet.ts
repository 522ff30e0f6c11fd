export const SNIPPET_LENGTH = 60;

const asciiLower = (text: string) => text.replace(/[A-Z]/g, (c) => c.toLowerCase());

/** Every non-overlapping occurrence of `keyword` in `text`, as [start, end), case folded. */
export function findMatches(text: string, keyword: string): Array<[number, number]> {
  const tryFold = (fold: (s: string) => string): Array<[number, number]> => {
    const haystack = fold(text);
    const needle = fold(keyword);
    // A fold that changes lengths would shift offsets: not usable.
    if (haystack.length !== text.length || needle.length !== keyword.length || needle.length === 0) return [];
    const found: Array<[number, number]> = [];
    for (let at = haystack.indexOf(needle); at !== -1; at = haystack.indexOf(needle, at + needle.length)) {
      found.push([at, at + needle.length]);
    }
    return found;
  };
  // Full Unicode folding (as MariaDB's LOWER) where it keeps lengths; ASCII (as SQLite's) otherwise.
  const full = tryFold((s) => s.toLowerCase());
  return full.length > 0 ? full : tryFold(asciiLower);
}

const isLowSurrogate = (code: number) => code >= 0xdc00 && code <= 0xdfff;
const isHighSurrogate = (code: number) => code >= 0xd800 && code <= 0xdbff;

/**
 * About {@link SNIPPET_LENGTH} UTF-16 units of `text` centred on the first match, never
 * splitting a surrogate pair, with every match inside it as [start, end) of the snippet.
 */
export function buildSnippet(text: string, keyword: string): { snippet: string; offsets: Array<[number, number]> } {
  const matches = findMatches(text, keyword);
  if (matches.length === 0) return { snippet: text.slice(0, SNIPPET_LENGTH), offsets: [] };
  const [first, firstEnd] = matches[0];
  const width = Math.max(SNIPPET_LENGTH, firstEnd - first);
  let start = Math.max(0, first - Math.floor((width - (firstEnd - first)) / 2));
  let end = Math.min(text.length, start + width);
  start = Math.max(0, end - width);
  if (start > 0 && isLowSurrogate(text.charCodeAt(start))) start--;
  if (end < text.length && isHighSurrogate(text.charCodeAt(end - 1))) end++;
  const offsets = matches.filter(([s, e]) => s >= start && e <= end).map(([s, e]): [number, number] => [s - start, e - start]);
  return { snippet: text.slice(start, end), offsets };
}
