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

/** Keys whose object is stored as the sender sent it: a message's ext, a custom message's customExts. */
const STORED_AS_SENT = new Set(['ext', 'customExts', 'v2:customExts']);

/**
 * Whether `node[key]` goes into the stored ext as sent, so its integers past 2^53 stay exact: an
 * object under one of {@link STORED_AS_SENT}, or any body of a message but its first (`bodies`:
 * those past the first are kept whole in `ext.opMoreBodies`; the first is the one the service reads).
 */
function storedAsSent(node: object, key: string, child: unknown, nodeKey: string | undefined): boolean {
  if (Array.isArray(node)) return nodeKey === 'bodies' && key !== '0';
  return STORED_AS_SENT.has(key) && typeof child === 'object' && child !== null && !Array.isArray(child) && !isRawJson(child);
}

/**
 * Parses a message as it arrives (a callback, an import line, a journal entry): integers past
 * 2^53 stay exact in whatever it stores as sent (its ext, a custom message's customExts, bodies
 * past the first), and are numbers everywhere else, as `JSON.parse` makes them (the fields the
 * service reads itself check their own ranges).
 */
export function parseKeepingExt(text: string): unknown {
  const parsed = parseWithRaw(text);
  if (parsed === null) return JSON.parse(text);
  const root = parsed.value;
  if (isRawJson(root)) return Number(root.rawJSON);
  const stack: Array<{ node: unknown; key?: string }> = [{ node: root }];
  while (stack.length > 0) {
    const { node, key: nodeKey } = stack.pop()!;
    if (typeof node !== 'object' || node === null) continue;
    for (const key of Object.keys(node)) {
      const child: unknown = (node as Record<string, unknown>)[key];
      if (storedAsSent(node, key, child, nodeKey)) continue;
      if (isRawJson(child)) {
        // defineProperty: a key `__proto__` is data here, as JSON.parse made it.
        Object.defineProperty(node, key, { value: Number(child.rawJSON), enumerable: true, writable: true, configurable: true });
      } else {
        stack.push({ node: child, key });
      }
    }
  }
  return root;
}
