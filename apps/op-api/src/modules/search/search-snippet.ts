import { findKeyword } from '@op/contracts';

export const SNIPPET_LENGTH = 60;

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
const isLowSurrogate = (code: number) => code >= 0xdc00 && code <= 0xdfff;
/** U+1F1E6-U+1F1FF: two of them make a flag. */
const isRegionalLetter = (code: number | undefined) => code !== undefined && code >= 0x1f1e6 && code <= 0x1f1ff;
/** How far either side of an edge the text is read to find its grapheme: more than any real cluster. */
const CLUSTER_REACH = 64;

/**
 * A snippet's edge moved off the middle of a grapheme: to its start (`outward` false, for a start)
 * or its end (an end). A character with its accents, an emoji of several code points (a family,
 * a flag's two regional letters, which re-paired with the next flag's) stays whole.
 */
function graphemeEdge(text: string, index: number, outward: boolean): number {
  if (index <= 0 || index >= text.length) return index;
  let from = Math.max(0, index - CLUSTER_REACH);
  if (isLowSurrogate(text.charCodeAt(from))) from--;
  // Regional letters pair from the start of their run (24 flags in a row): read from there.
  while (from >= 2 && isRegionalLetter(text.codePointAt(from - 2))) from -= 2;
  const cluster = graphemes.segment(text.slice(from, index + CLUSTER_REACH)).containing(index - from)!;
  const clusterStart = from + cluster.index;
  if (clusterStart === index) return index;
  return outward ? clusterStart + cluster.segment.length : clusterStart;
}

/**
 * About {@link SNIPPET_LENGTH} UTF-16 units of `text` centred on the first match, never
 * splitting a grapheme (a surrogate pair, a character with its accents, an emoji sequence), with
 * every match inside it as [start, end) of the snippet. Matches follow the contracts' keyword
 * semantics (`findKeyword`).
 */
export function buildSnippet(text: string, keyword: string): { snippet: string; offsets: Array<[number, number]> } {
  const matches = findKeyword(text, keyword);
  if (matches.length === 0) return { snippet: text.slice(0, graphemeEdge(text, SNIPPET_LENGTH, true)), offsets: [] };
  const [first, firstEnd] = matches[0];
  const width = Math.max(SNIPPET_LENGTH, firstEnd - first);
  const right = Math.min(text.length, Math.max(0, first - Math.floor((width - (firstEnd - first)) / 2)) + width);
  const start = graphemeEdge(text, Math.max(0, right - width), false);
  const end = graphemeEdge(text, right, true);
  const offsets = matches.filter(([s, e]) => s >= start && e <= end).map(([s, e]): [number, number] => [s - start, e - start]);
  return { snippet: text.slice(start, end), offsets };
}
