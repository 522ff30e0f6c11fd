import { isRawJson, parseWithExactIntegers } from '@op/contracts';

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
  const parsed = parseWithExactIntegers(text);
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
