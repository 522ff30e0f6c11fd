import 'server-only';
// Every Op API call of the panel goes through here, on the server: the client secret comes
// from the environment and never reaches a browser bundle.
import { cookies } from 'next/headers';
import { redirect } from 'next/navigation';
import type { OperatorRole } from '@op/contracts';
import { OpApiError, OpClient } from '@op/contracts/node';

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

export function opClient(token?: string): OpClient {
  return new OpClient({
    baseUrl: process.env.OP_ADMIN_API_URL ?? 'http://127.0.0.1:3000',
    clientId: env('OP_ADMIN_CLIENT_ID'),
    secret: env('OP_ADMIN_CLIENT_SECRET'),
    token,
  });
}

export async function readSession(): Promise<Session | null> {
  const raw = (await cookies()).get(SESSION_COOKIE)?.value;
  if (!raw) return null;
  try {
    const session = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as Session;
    return typeof session.token === 'string' && session.token ? session : null;
  } catch {
    return null;
  }
}

/** The signed-in operator, or a redirect to sign-in. */
export async function requireSession(): Promise<Session> {
  const session = await readSession();
  if (!session) redirect('/login');
  return session;
}

export async function writeSession(session: Session): Promise<void> {
  (await cookies()).set(SESSION_COOKIE, Buffer.from(JSON.stringify(session)).toString('base64url'), {
    httpOnly: true,
    sameSite: 'lax',
    path: '/',
    secure: process.env.OP_ADMIN_SECURE_COOKIE === 'true',
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
export async function withOp<T>(session: Session, run: (op: OpClient) => Promise<T>): Promise<OpResult<T>> {
  const result = await attempt(() => run(opClient(session.token)));
  if (!result.ok && result.code === 401) redirect('/login?expired=1');
  return result;
}

export async function attempt<T>(run: () => Promise<T>): Promise<OpResult<T>> {
  try {
    return { ok: true, value: await run() };
  } catch (error) {
    if (error instanceof OpApiError) return { ok: false, code: error.code, message: error.message };
    console.error('Op API call failed', error);
    return { ok: false, code: 503, message: '无法连接 Op API，请稍后再试' };
  }
}
