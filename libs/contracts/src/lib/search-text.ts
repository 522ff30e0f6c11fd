/**
 * What a keyword matches, defined once for every search engine, the reference scan, the API's
 * snippets and the panel's highlighting.
 *
 * A keyword matches a text message when its normalised form is a substring of the message's
 * normalised form (one message at a time: a keyword split across two messages is no match).
 * Normalising works unit by unit, a unit being one code point with the combining marks that
 * follow it: each unit becomes `NFKC(unit)` in lower case (JavaScript's `toLowerCase`), with
 * final sigma folded to σ. So full-width and half-width forms match each other (`ＯＫ` = `ok`,
 * `，` = `,`), Latin, Greek and Cyrillic letters match in any case, a precomposed `é` matches
 * `e` + U+0301, compatibility characters match what they stand for (`㈱` contains `株`), and
 * every other character, punctuation, space, digit or emoji included, matches only itself.
 * Lone surrogates count as U+FFFD, which is how the databases store them.
 */

/** Runs that need no per-unit work: ASCII (lower-cased) and CJK Unified Ideographs (unchanged). */
// eslint-disable-next-line no-control-regex -- ASCII control characters are plain text here
const PLAIN = /^[\u0000-\u007f\u4e00-\u9fff]*$/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const unitCache = new Map<string, string>();
const pointCache = new Map<number, string>();
const markCache = new Map<number, boolean>();
const CACHE_LIMIT = 50_000;
const MARK = /^\p{M}$/u;

function normalizeUnit(unit: string): string {
  let normal = unitCache.get(unit);
  if (normal === undefined) {
    normal = unit.normalize('NFKC').toLowerCase().replace(/ς/g, 'σ');
    if (unitCache.size >= CACHE_LIMIT) unitCache.clear();
    unitCache.set(unit, normal);
  }
  return normal;
}

/** One code point with no mark after it: ASCII and CJK Unified Ideographs need no lookup. */
function normalizePoint(point: number, char: string): string {
  if (point < 0x80) return point >= 0x41 && point <= 0x5a ? String.fromCharCode(point + 32) : char;
  if (point >= 0x4e00 && point <= 0x9fff) return char;
  let normal = pointCache.get(point);
  if (normal === undefined) {
    normal = normalizeUnit(char);
    if (pointCache.size >= CACHE_LIMIT) pointCache.clear();
    pointCache.set(point, normal);
  }
  return normal;
}

function isMark(point: number): boolean {
  if (point < 0x300 || (point >= 0x4e00 && point <= 0x9fff)) return false;
  let mark = markCache.get(point);
  if (mark === undefined) {
    mark = MARK.test(String.fromCodePoint(point));
    if (markCache.size >= CACHE_LIMIT) markCache.clear();
    markCache.set(point, mark);
  }
  return mark;
}

/**
 * Calls `visit` with each unit of `text` (a code point and the marks after it): its normalised
 * form and where it starts and ends in `text`, in UTF-16 units.
 */
function eachUnit(text: string, visit: (normal: string, start: number, end: number) => void): void {
  for (let i = 0; i < text.length;) {
    const point = text.codePointAt(i)!;
    const width = point > 0xffff ? 2 : 1;
    let end = i + width;
    while (end < text.length) {
      const next = text.codePointAt(end)!;
      if (!isMark(next)) break;
      end += next > 0xffff ? 2 : 1;
    }
    visit(end === i + width ? normalizePoint(point, text.slice(i, end)) : normalizeUnit(text.slice(i, end)), i, end);
    i = end;
  }
}

/** `text` with lone surrogates replaced by U+FFFD. */
export function wellFormed(text: string): string {
  return text.replace(LONE_SURROGATE, '\ufffd');
}

const HAS_SURROGATE = /[\ud800-\udfff]/;

/** The normalised form of `text` (see the top of this file). */
export function normalizeSearchText(text: string): string {
  if (PLAIN.test(text)) return text.toLowerCase();
  let out = '';
  eachUnit(HAS_SURROGATE.test(text) ? wellFormed(text) : text, (normal) => {
    out += normal;
  });
  return out;
}

/**
 * The normalised form of `text` with, for each of its UTF-16 units, where the unit of the
 * original it came from starts and ends (UTF-16 offsets): what maps a match back to the text.
 */
export function normalizeWithOffsets(text: string): { normal: string; start: number[]; end: number[] } {
  if (PLAIN.test(text)) {
    const offsets = Array.from({ length: text.length }, (_, i) => i);
    return { normal: text.toLowerCase(), start: offsets, end: offsets.map((i) => i + 1) };
  }
  const source = wellFormed(text);
  let normal = '';
  const start: number[] = [];
  const end: number[] = [];
  eachUnit(source, (unit, from, to) => {
    normal += unit;
    for (let i = 0; i < unit.length; i++) {
      start.push(from);
      end.push(to);
    }
  });
  return { normal, start, end };
}

/** Whether `text` contains the keyword whose normalised form is `normalKeyword`. */
export function containsKeyword(text: string, normalKeyword: string): boolean {
  return normalKeyword !== '' && normalizeSearchText(text).includes(normalKeyword);
}

/**
 * Every non-overlapping match of `keyword` in `text`, left to right, as [start, end) in
 * UTF-16 units of `text`; a match that begins or ends inside a unit of the text covers the
 * whole unit.
 */
export function findKeyword(text: string, keyword: string): Array<[number, number]> {
  const needle = normalizeSearchText(keyword);
  if (needle === '') return [];
  const { normal, start, end } = normalizeWithOffsets(text);
  const found: Array<[number, number]> = [];
  for (let at = normal.indexOf(needle); at !== -1; at = normal.indexOf(needle, at + needle.length)) {
    const range: [number, number] = [start[at], end[at + needle.length - 1]];
    // Two matches inside one unit of the text (`ﬀ` holds two `f`) are one range of it.
    if (found.length === 0 || range[0] >= found[found.length - 1][1]) found.push(range);
  }
  return found;
}
