import { findKeyword } from '@op/contracts';

export const SNIPPET_LENGTH = 60;

const isLowSurrogate = (code: number) => code >= 0xdc00 && code <= 0xdfff;
const isHighSurrogate = (code: number) => code >= 0xd800 && code <= 0xdbff;

/**
 * About {@link SNIPPET_LENGTH} UTF-16 units of `text` centred on the first match, never
 * splitting a surrogate pair, with every match inside it as [start, end) of the snippet.
 * Matches follow the contracts' keyword semantics (`findKeyword`).
 */
export function buildSnippet(text: string, keyword: string): { snippet: string; offsets: Array<[number, number]> } {
  const matches = findKeyword(text, keyword);
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
