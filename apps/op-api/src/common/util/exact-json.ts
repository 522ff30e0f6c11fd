/**
 * JSON parsing that keeps integers a double cannot hold exactly (past 2^53: an int64 order id
 * in a message's `ext`) as their digits: `JSON.rawJSON` values, found through the reviver's
 * source text (Node 22+), which `JSON.stringify` writes back digit for digit, so the archive
 * stores and serves them as they were sent. Text without a number of 16 digits or more (an
 * Easemob msg_id is a string of 19) is parsed as `JSON.parse` parses it, at its speed: the
 * reviver's walk costs a callback several times its parse.
 */

/** What `JSON.rawJSON` makes: a frozen object `JSON.stringify` writes as its text. */
export interface RawJson {
  readonly rawJSON: string;
}

const json = JSON as JSON & { rawJSON?: (text: string) => RawJson; isRawJSON?: (value: unknown) => boolean };
/** A number of 16 digits or more (the shortest integer past 2^53) where a value starts; digits inside a string (an id) are not one. */
const LONG_NUMBER = /(?:^|[:,[])\s*-?\d{16}/;
const INTEGER = /^-?\d+$/;

export const isRawJson = (value: unknown): value is RawJson => json.isRawJSON?.(value) === true;

function exactIntegers(_key: string, value: unknown, context?: { source?: string }): unknown {
  if (typeof value !== 'number' || Number.isSafeInteger(value) || context?.source === undefined || !INTEGER.test(context.source))
    return value;
  return json.rawJSON!(context.source);
}

/** `JSON.parse` with every integer past 2^53 kept exact; null: plain parsing will do. */
function parseWithRaw(text: string): { value: unknown } | null {
  if (json.rawJSON === undefined || !LONG_NUMBER.test(text)) return null;
  try {
    return { value: JSON.parse(text, exactIntegers) };
  } catch (error) {
    // Nesting too deep for the reviver's walk: plain parsing reads it (or refuses it as it would).
    if (error instanceof RangeError) return null;
    throw error;
  }
}

/** Parses JSON keeping every integer past 2^53 exact: a stored `ext`. */
export function parseExact(text: string): unknown {
  return (parseWithRaw(text) ?? { value: JSON.parse(text) }).value;
}

/**
 * Parses a message as it arrives (a callback, an import line, a journal entry): integers past
 * 2^53 stay exact inside whatever an `ext` key holds, and are numbers everywhere else, as
 * `JSON.parse` makes them (the fields the service reads itself check their own ranges).
 */
export function parseKeepingExt(text: string): unknown {
  const parsed = parseWithRaw(text);
  if (parsed === null) return JSON.parse(text);
  const root = parsed.value;
  if (isRawJson(root)) return Number(root.rawJSON);
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const node = stack.pop();
    if (typeof node !== 'object' || node === null) continue;
    for (const key of Object.keys(node)) {
      const child: unknown = (node as Record<string, unknown>)[key];
      if (isRawJson(child)) {
        // defineProperty: a key `__proto__` is data here, as JSON.parse made it.
        Object.defineProperty(node, key, { value: Number(child.rawJSON), enumerable: true, writable: true, configurable: true });
      } else if (key !== 'ext' || Array.isArray(node) || typeof child !== 'object' || child === null || Array.isArray(child)) {
        stack.push(child);
      }
    }
  }
  return root;
}
