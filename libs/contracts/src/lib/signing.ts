export type SignMethod = 'hmac-sha256' | 'md5';
export const SIGN_METHODS: readonly SignMethod[] = ['hmac-sha256', 'md5'];
export const DEFAULT_SIGN_METHOD: SignMethod = 'hmac-sha256';

export type QueryPairs = Readonly<Record<string, string>> | ReadonlyArray<readonly [string, string]>;

/** Compares two strings by their UTF-8 bytes (code point order equals UTF-8 byte order). */
export function compareByBytes(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const ca = a.codePointAt(i) as number;
    const cb = b.codePointAt(j) as number;
    if (ca !== cb) return ca - cb;
    i += ca > 0xffff ? 2 : 1;
    j += cb > 0xffff ? 2 : 1;
  }
  // Equal so far: the one with code points left sorts last.
  return (i < a.length ? 1 : 0) - (j < b.length ? 1 : 0);
}

/**
 * The query part of the string to sign: every parameter but `sign`, sorted by name in byte
 * order, written `name=value` with decoded values and joined by `&`.
 */
export function canonicalQuery(query: QueryPairs): string {
  const pairs: Array<readonly [string, string]> = Array.isArray(query)
    ? [...(query as ReadonlyArray<readonly [string, string]>)]
    : Object.entries(query as Record<string, string>);
  return pairs
    .filter(([name]) => name !== 'sign')
    .sort(([a], [b]) => compareByBytes(a, b))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
}

export interface CanonicalInput {
  method: string;
  path: string;
  query: QueryPairs;
  /** The raw request body exactly as sent; empty when none. */
  body?: string;
}

/** `<METHOD>\n<path>\n<query>\n<body>`, the string both sign methods sign (docs/CONTRACT.md §1). */
export function canonicalString({ method, path, query, body = '' }: CanonicalInput): string {
  return [method.toUpperCase(), path, canonicalQuery(query), body].join('\n');
}
