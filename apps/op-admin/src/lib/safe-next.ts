/** Any origin: addresses are resolved against it only to see whether they leave it. */
const PANEL = 'http://panel.invalid';

/** A control character, a space or a backslash. */
const strayInPath = (char: string) => char <= ' ' || char === '\x7f' || char === '\\';

/**
 * Where sign-in may send a browser back to: a path of this panel (`/chats/u1?around=2`), as a
 * browser would resolve it, never another site (`//evil.example`, `/\evil.example`, or
 * `/<TAB>/evil.example`, which browsers read as `//evil.example` since they drop tabs and line
 * breaks from an address) nor the sign-in page itself.
 */
export function safeNext(value: unknown): string | null {
  // Control characters, spaces and backslashes have no place in a path the panel wrote (it
  // encodes them); browsers drop or reinterpret them.
  if (typeof value !== 'string' || value.length > 2048 || !value.startsWith('/') || [...value].some(strayInPath)) return null;
  let url: URL;
  try {
    url = new URL(value, PANEL);
  } catch {
    return null;
  }
  if (url.origin !== PANEL) return null;
  const path = `${url.pathname}${url.search}${url.hash}`;
  return /^\/login(?:[/?#]|$)/.test(path) ? null : path;
}

/** The sign-in page (saying the session ended, when `expired`), and back to `next` afterwards. */
export function signInPath(next: string | null, expired: boolean): string {
  const params = new URLSearchParams();
  if (expired) params.set('expired', '1');
  const back = next === null ? null : safeNext(next);
  if (back && back !== '/') params.set('next', back);
  const query = params.toString();
  return query ? `/login?${query}` : '/login';
}
