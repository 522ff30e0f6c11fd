'use server';
// Server actions: sign-in and sign-out, marks and favorites. They run on the server with the
// session cookie; the browser only ever sees their results.
import { redirect } from 'next/navigation';
import type { CustomerEraseData, Envelope, MessageFavoriteData, MessageMarkData, OperatorLoginResult } from '@op/contracts';
import type { OpClient } from '@op/contracts/node';
import { attempt, clearSession, opClient, readSession, signInHref, writeSession } from '@/lib/op-server';
import { safeNext } from '@/lib/safe-next';

export interface LoginState {
  error: string | null;
}

export async function signIn(_previous: LoginState, form: FormData): Promise<LoginState> {
  const rawUsername = form.get('username');
  const rawPassword = form.get('password');
  const username = typeof rawUsername === 'string' ? rawUsername.trim() : '';
  const password = typeof rawPassword === 'string' ? rawPassword : '';
  if (!username || !password) return { error: '请输入用户名和密码' };
  const client = await opClient();
  const result = await attempt(() => client.expect<OperatorLoginResult>('operatorLogin', { username, password }, { token: null }));
  if (!result.ok) {
    // 401 is the API's own `用户名或密码错误`; 429 says how long to wait. Shown as the API wrote them.
    return { error: result.message };
  }
  const { token, operator } = result.value.data!;
  await writeSession({ token, operatorId: operator.operatorId, username: operator.username, role: operator.role });
  // Back to the page that sent the browser here (a deep link opened while signed out).
  redirect(safeNext(form.get('next')) ?? '/');
}

/** How long sign-out waits for the API to revoke the token. */
const SIGN_OUT_WAIT_MS = 3_000;

export async function signOut(): Promise<void> {
  const session = await readSession();
  if (session) {
    // Revoke the token even if the cookie is about to go; a failure here must not keep anyone
    // signed in, nor keep them waiting: past SIGN_OUT_WAIT_MS the cookie goes all the same (the
    // token then lapses at its expiry, as one never revoked does).
    const client = await opClient(session.token);
    await attempt(() => client.expect<null>('operatorLogout', {}, { timeoutMs: SIGN_OUT_WAIT_MS }));
  }
  await clearSession();
  redirect('/login');
}

/**
 * `changedAt`: the server's time of the change, after which pages rendered earlier are stale
 * (FreshOnReturn). `signIn`: the session ended; where to sign in again and come back to the page.
 * `unsure`: no answer said whether the change was made (the API timed out, failed or could not
 * be reached): it may have been.
 */
export type ActionResult<T> = { ok: true; data: T; changedAt: number } | { ok: false; message: string; signIn?: string; unsure?: boolean };

async function act<T>(run: (op: OpClient) => Promise<Envelope<T>>): Promise<ActionResult<T>> {
  const session = await readSession();
  if (session) {
    const client = await opClient(session.token);
    const result = await attempt(() => run(client));
    if (result.ok) return { ok: true, data: result.value.data as T, changedAt: Date.now() };
    if (result.code >= 500) return { ok: false, message: `${result.message}（未能确认是否已保存，请稍后刷新页面查看）`, unsure: true };
    if (result.code !== 401) return { ok: false, message: result.message };
  }
  return { ok: false, message: '登录已过期，请重新登录', signIn: await signInHref(true) };
}

export async function addMark(messageId: string, mark: string): Promise<ActionResult<MessageMarkData>> {
  return act<MessageMarkData>((op) => op.messageMarkAdd({ messageId, mark }));
}

export async function removeMark(messageId: string, mark: string): Promise<ActionResult<MessageMarkData>> {
  return act<MessageMarkData>((op) => op.messageMarkRemove({ messageId, mark }));
}

export async function setFavorite(messageId: string, favorite: boolean): Promise<ActionResult<MessageFavoriteData>> {
  return act<MessageFavoriteData>((op) => (favorite ? op.messageFavoriteAdd({ messageId }) : op.messageFavoriteRemove({ messageId })));
}

export interface EraseState {
  error: string | null;
  done: CustomerEraseData | null;
  changedAt?: number;
}

/** Admins: erase a customer; the form makes them type the id twice, and the API checks it again. */
export async function eraseCustomer(_previous: EraseState, form: FormData): Promise<EraseState> {
  const field = (name: string) => {
    const value = form.get(name);
    return typeof value === 'string' ? value.trim() : '';
  };
  const customerId = field('customerId');
  const confirm = field('confirm');
  if (!customerId) return { error: '请输入客户 ID', done: null };
  if (confirm !== customerId) return { error: '两次输入的客户 ID 不一致', done: null };
  // Erasing a large customer takes minutes (docs/trust.md): no time limit on this call.
  const result = await act<CustomerEraseData>((op) => op.customerErase({ customerId, confirm }, { timeoutMs: null }));
  if (result.ok) return { error: null, done: result.data, changedAt: result.changedAt };
  if (result.signIn) redirect(result.signIn);
  return { error: result.message, done: null };
}
