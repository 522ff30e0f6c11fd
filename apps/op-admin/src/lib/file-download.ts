import 'server-only';
import { OpApiError, type OpClient } from '@op/contracts/node';
import { withFieldLabels } from './format';
import { opClient, readSession } from './op-server';
import { signInPath } from './safe-next';

const PAGE_HEADERS = { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' };

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The page a download belongs to (`/chats/<id>` for its export, `/audit` for the log's), by its own address. */
const pageOf = (request: Request) => new URL(request.url).pathname.replace(/\/export$/, '') || '/';

/** Where the failure page leads back to, in words. */
const backText = (page: string) => (page.startsWith('/audit') ? '返回审计日志' : page.startsWith('/chats/') ? '返回会话' : '返回会话搜索');

/**
 * A short Chinese page for a download that could not be made: the API's message in the words of
 * the panel's forms (as every page shows it, withFieldLabels), escaped, and a way back to the
 * page the download was asked from.
 */
function failure(request: Request, status: number, message: string): Response {
  const page = pageOf(request);
  return new Response(
    `<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>无法导出</title><h1>无法导出</h1><p data-testid="download-error">${escapeHtml(withFieldLabels(message))}</p>` +
      `<p><a href="${escapeHtml(page)}">${backText(page)}</a></p></html>`,
    { status, headers: PAGE_HEADERS },
  );
}

/**
 * To sign-in, then back to the page the download belongs to (`/chats/<id>` for its export), as
 * pages send a browser: a relative address. One made absolute from the request's own URL named
 * the server's address (`http://localhost:3001/login`), not the one the browser used behind a
 * proxy or a real host name, and sign-in there set a cookie for another origin.
 */
function toSignIn(request: Request, expired: boolean): Response {
  return new Response(null, { status: 303, headers: { location: signInPath(pageOf(request), expired), 'cache-control': 'no-store' } });
}

/**
 * Relays a file answer of the API (chatExport, auditExport) to the browser as it streams in,
 * with its name; `inline` shows it in the tab (the print view) instead of saving it.
 */
export async function relayFile(request: Request, call: (op: OpClient) => Promise<Response>, inline = false): Promise<Response> {
  const session = await readSession();
  if (!session) return toSignIn(request, false);
  let answer: Response;
  try {
    answer = await call(await opClient(session.token));
  } catch (error) {
    if (error instanceof OpApiError) {
      if (error.code === 401) return toSignIn(request, true);
      return failure(request, error.code, error.message);
    }
    console.error('Op API download failed', error);
    return failure(request, 503, '无法连接 Op API，请稍后再试');
  }
  const disposition = answer.headers.get('content-disposition') ?? 'attachment';
  return new Response(answer.body, {
    status: 200,
    headers: {
      'content-type': answer.headers.get('content-type') ?? 'application/octet-stream',
      'content-disposition': inline ? disposition.replace(/^attachment/, 'inline') : disposition,
      'cache-control': 'no-store',
    },
  });
}
