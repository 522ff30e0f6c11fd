import 'server-only';
// Every Op API call of the panel goes through here, on the server: the client secret comes
// from the environment and never reaches a browser bundle.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import { cookies, headers } from 'next/headers';
import { redirect } from 'next/navigation';
import type { OperatorRole } from '@op/contracts';
import { OpApiError, OpClient } from '@op/contracts/node';
import { withFieldLabels } from './format';
import { safeNext, signInPath } from './safe-next';

/** Set by serve.js from the connection (never by the browser); the API trusts it from the panel's client only. */
const USER_IP_HEADER = 'x-op-user-ip';

export const SESSION_COOKIE = 'op_admin_session';
const SESSION_SECONDS = 12 * 3600;

export interface Session {
  token: string;
  operatorId: string;
  username: string;
  role: OperatorRole;
}

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

/** The browser's address as serve.js saw it, passed to the API with every call. */
async function userIp(): Promise<Record<string, string>> {
  const ip = (await headers()).get(USER_IP_HEADER);
  return ip && isIP(ip) ? { [USER_IP_HEADER]: ip } : {};
}

/** How long the panel waits for one API call (OP_ADMIN_API_TIMEOUT_MS, 15 s). */
const API_TIMEOUT_MS = Number(process.env.OP_ADMIN_API_TIMEOUT_MS) > 0 ? Number(process.env.OP_ADMIN_API_TIMEOUT_MS) : 15_000;

export async function opClient(token?: string): Promise<OpClient> {
  return new OpClient({
    baseUrl: process.env.OP_ADMIN_API_URL ?? 'http://127.0.0.1:3000',
    clientId: env('OP_ADMIN_CLIENT_ID'),
    secret: env('OP_ADMIN_CLIENT_SECRET'),
    token,
    headers: await userIp(),
    // A hung API (frozen, or its database waiting on a lock) answers the page with a message, not never.
    timeoutMs: API_TIMEOUT_MS,
  });
}

/**
 * The session cookie is `<payload>.<mac>`: HMAC-SHA256 under a key derived from the panel's
 * client secret, so a browser can neither forge a session nor change its role (rotating the
 * client secret signs everyone out).
 */
function sessionMac(payload: string): Buffer {
  const key = createHmac('sha256', env('OP_ADMIN_CLIENT_SECRET')).update('op-admin-session-v1').digest();
  return createHmac('sha256', key).update(payload).digest();
}

function isSession(value: unknown): value is Session {
  const s = value as Partial<Session> | null;
  return (
    typeof s === 'object' &&
    s !== null &&
    typeof s.token === 'string' &&
    /^o0001[0-9a-f]{32}$/.test(s.token) &&
    typeof s.operatorId === 'string' &&
    s.operatorId.length <= 64 &&
    typeof s.username === 'string' &&
    s.username.length <= 64 &&
    (s.role === 'agent' || s.role === 'admin')
  );
}

export async function readSession(): Promise<Session | null> {
  const raw = (await cookies()).get(SESSION_COOKIE)?.value;
  const dot = raw?.lastIndexOf('.') ?? -1;
  if (!raw || dot < 1) return null;
  const payload = raw.slice(0, dot);
  const mac = Buffer.from(raw.slice(dot + 1), 'base64url');
  const expected = sessionMac(payload);
  if (mac.length !== expected.length || !timingSafeEqual(mac, expected)) return null;
  try {
    const session: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    return isSession(session) ? session : null;
  } catch {
    return null;
  }
}

/** The page this request is for, as serve.js recorded it; without Next's own `_rsc` parameter. */
async function requestedPath(): Promise<string | null> {
  const raw = (await headers()).get('x-op-url');
  if (!raw) return null;
  const url = new URL(raw, 'http://panel.invalid');
  url.searchParams.delete('_rsc');
  return safeNext(`${url.pathname}${url.search}`);
}

/** The sign-in page, bringing the browser back to the page it asked for (or acted on) afterwards. */
export async function signInHref(expired: boolean): Promise<string> {
  return signInPath(await requestedPath(), expired);
}

/** The signed-in operator, or a redirect to sign-in (and back here afterwards). */
export async function requireSession(): Promise<Session> {
  const session = await readSession();
  if (!session) redirect(await signInHref(false));
  return session;
}

/**
 * Whether the session cookie is `Secure`: always with OP_ADMIN_SECURE_COOKIE=true, else when the
 * browser reached the panel over HTTPS (a proxy in front says so in X-Forwarded-Proto). A false
 * claim over plain HTTP only keeps that browser's own cookie from being stored.
 */
async function secureCookie(): Promise<boolean> {
  if (process.env.OP_ADMIN_SECURE_COOKIE === 'true') return true;
  const proto = (await headers()).get('x-forwarded-proto');
  return proto?.split(',', 1)[0].trim().toLowerCase() === 'https';
}

export async function writeSession(session: Session): Promise<void> {
  const payload = Buffer.from(JSON.stringify(session)).toString('base64url');
  (await cookies()).set(SESSION_COOKIE, `${payload}.${sessionMac(payload).toString('base64url')}`, {
    httpOnly: true,
    sameSite: 'lax',
    path: '/',
    secure: await secureCookie(),
    maxAge: SESSION_SECONDS,
  });
}

export async function clearSession(): Promise<void> {
  (await cookies()).delete(SESSION_COOKIE);
}

export type OpResult<T> = { ok: true; value: T } | { ok: false; code: number; message: string };

/**
 * Runs calls with the session's token. 401 (expired or revoked) sends the browser back to
 * sign-in; other API errors come back as the envelope's code and message, never a stack.
 */
export async function withOp<T>(session: Pick<Session, 'token'>, run: (op: OpClient) => Promise<T>): Promise<OpResult<T>> {
  const client = await opClient(session.token);
  const result = await attempt(() => run(client));
  if (!result.ok && result.code === 401) redirect(await signInHref(true));
  return result;
}

export async function attempt<T>(run: () => Promise<T>): Promise<OpResult<T>> {
  try {
    return { ok: true, value: await run() };
  } catch (error) {
    if (error instanceof OpApiError) return { ok: false, code: error.code, message: withFieldLabels(error.message) };
    if (error instanceof Error && error.name === 'TimeoutError')
      return { ok: false, code: 504, message: 'Op API 没有及时响应，请稍后再试' };
    console.error('Op API call failed', error);
    return { ok: false, code: 503, message: '无法连接 Op API，请稍后再试' };
  }
}

/** The panel server's clock, for FreshOnReturn's renderedAt (a page's render reads it once, before its reads). */
export function serverClock(): number {
  return Date.now();
}
