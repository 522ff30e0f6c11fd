/**
 * JSON parsing that keeps integers a double cannot hold exactly (past 2^53: an int64 order id
 * in a message's `ext`) as their digits: `JSON.rawJSON` values, found through the reviver's
 * source text (Node 22+, current browsers), which `JSON.stringify` writes back digit for digit.
 * The API stores and serves them so; {@link OpClient} reads its answers so. Text without a
 * number of 16 digits or more (an Easemob msg_id is a string of 19) is parsed as `JSON.parse`
 * parses it, at its speed: the reviver's walk costs several times the parse. Where the runtime
 * has no `JSON.rawJSON` (Node 20), such integers are rounded as `JSON.parse` rounds them.
 */

/** What `JSON.rawJSON` makes: a frozen object `JSON.stringify` writes as its text; `BigInt(value.rawJSON)` reads it. */
export interface RawJson {
  readonly rawJSON: string;
}

const json = JSON as JSON & { rawJSON?: (text: string) => RawJson; isRawJSON?: (value: unknown) => boolean };
/** A number of 16 digits or more (the shortest integer past 2^53) where a value starts; digits inside a string (an id) are not one. */
const LONG_NUMBER = /(?:^|[:,[])\s*-?\d{16}/;
const INTEGER = /^-?\d+$/;

/** Whether a parsed value is an exact integer (a `JSON.rawJSON` value). */
export const isRawJson = (value: unknown): value is RawJson => json.isRawJSON?.(value) === true;

function exactIntegers(_key: string, value: unknown, context?: { source?: string }): unknown {
  if (typeof value !== 'number' || Number.isSafeInteger(value) || context?.source === undefined || !INTEGER.test(context.source))
    return value;
  return json.rawJSON!(context.source);
}

/** `JSON.parse` with every integer past 2^53 kept exact; null when plain `JSON.parse` gives the same. */
export function parseWithExactIntegers(text: string): { value: unknown } | null {
  if (json.rawJSON === undefined || !LONG_NUMBER.test(text)) return null;
  try {
    return { value: JSON.parse(text, exactIntegers) };
  } catch (error) {
    // Nesting too deep for the reviver's walk: plain parsing reads it (or refuses it as it would).
    if (error instanceof RangeError) return null;
    throw error;
  }
}

/** Parses JSON keeping every integer past 2^53 exact (see {@link RawJson}). */
export function parseExact(text: string): unknown {
  return (parseWithExactIntegers(text) ?? { value: JSON.parse(text) }).value;
}
