import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { OpClient } from './op-client';

/** A local HTTP server that answers as `handler` does, for the describe block it is called in. */
function stubServer(handler: RequestListener): { url: () => string } {
  const server = createServer(handler);
  let baseUrl = '';
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  return { url: () => baseUrl };
}

describe('OpClient timeoutMs', () => {
  // An API that takes the request and never answers (frozen, or waiting on its database).
  const stub = stubServer(() => undefined);

  it('rejects with a TimeoutError once the time has passed, when one is set', async () => {
    const client = new OpClient({ baseUrl: stub.url(), clientId: 'c1', secret: 's3cr3t', timeoutMs: 300 });
    const started = Date.now();
    await expect(client.call('markList', {})).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
  });

  it('waits as long as the server takes without one', async () => {
    const client = new OpClient({ baseUrl: stub.url(), clientId: 'c1', secret: 's3cr3t' });
    const outcome = await Promise.race([
      client.call('markList', {}).then(
        () => 'answered',
        () => 'rejected',
      ),
      new Promise((resolve) => setTimeout(() => resolve('still waiting'), 800)),
    ]);
    expect(outcome).toBe('still waiting');
  });
});

describe('OpClient on answers that are no envelope', () => {
  const elsewhere: string[] = [];
  // What a gateway in front of the API answers when the API is down or slow.
  const stub = stubServer((request, response) => {
    if (request.url?.includes('chatSearch')) {
      response.writeHead(502, { 'content-type': 'text/html' }).end('<html><body>502 Bad Gateway</body></html>');
    } else if (request.url?.includes('favoriteList')) {
      response.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>请先登录门户</body></html>');
    } else if (request.url?.includes('chatDetail')) {
      // A gateway's own JSON, with a numeric code of its own.
      response.writeHead(504, { 'content-type': 'application/json' }).end('{"code":1001,"msg":"upstream timeout"}');
    } else if (request.url?.includes('chatMessageList')) {
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"code":0,"msg":"ok","data":{"stolen":true}}');
    } else if (request.url?.includes('auditExport')) {
      response.writeHead(200, { 'content-type': 'text/html' }).end('<html>login portal</html>');
    } else if (request.url?.includes('chatLifecycle')) {
      // A redirect to another origin: following it sent the signed query, token included, there.
      elsewhere.push(request.url);
      response.writeHead(307, { location: `${stub.url()}/elsewhere${request.url.slice(request.url.indexOf('?'))}` }).end();
    } else if (request.url?.startsWith('/elsewhere')) {
      elsewhere.push(request.url);
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"code":200,"message":"成功","data":{"stolen":true},"foot":{}}');
    } else if (request.url?.includes('markList')) {
      response.writeHead(503, { 'content-type': 'application/json', 'retry-after': '7' }).end('{"message":"overloaded"}');
    } else {
      response.writeHead(504).end();
    }
  });

  it('throws OpApiError with the HTTP status (and Retry-After), not a SyntaxError', async () => {
    const client = new OpClient({ baseUrl: stub.url(), clientId: 'c1', secret: 's3cr3t' });
    await expect(client.chatSearch({})).rejects.toMatchObject({
      name: 'OpApiError',
      code: 502,
      message: 'Op API 返回了无法识别的应答（HTTP 502）',
      retryAfterSeconds: null,
    });
    await expect(client.markList()).rejects.toMatchObject({ name: 'OpApiError', code: 503, retryAfterSeconds: 7 });
    await expect(client.call('customerList', {})).rejects.toMatchObject({ name: 'OpApiError', code: 504 });
    // A portal's 200 page is no success: a bad gateway, not code 200.
    await expect(client.favoriteList({})).rejects.toMatchObject({
      name: 'OpApiError',
      code: 502,
      message: 'Op API 返回了无法识别的应答（HTTP 200）',
    });
    await expect(client.chatExport({ chatId: 'c', format: 'csv' })).rejects.toMatchObject({ name: 'OpApiError', code: 504 });
  });

  it('takes only the Op envelope for one: a JSON with a code of its own is the HTTP status, a 2xx one a bad gateway', async () => {
    const client = new OpClient({ baseUrl: stub.url(), clientId: 'c1', secret: 's3cr3t' });
    await expect(client.chatDetail({ chatId: 'c' })).rejects.toMatchObject({ name: 'OpApiError', code: 504 });
    await expect(client.chatMessageList({ chatId: 'c' })).rejects.toMatchObject({
      name: 'OpApiError',
      code: 502,
      message: 'Op API 返回了无法识别的应答（HTTP 200）',
    });
  });

  it('follows no redirect: the signed query (the token) goes nowhere else, and what answers there is not taken', async () => {
    const client = new OpClient({ baseUrl: stub.url(), clientId: 'c1', secret: 's3cr3t', token: 'TOKEN-xyz' });
    await expect(client.call('chatLifecycle', {})).rejects.toMatchObject({
      name: 'OpApiError',
      code: 502,
      message: 'Op API 返回了重定向（HTTP 307），未跟随：请检查 baseUrl',
    });
    expect(elsewhere).toEqual([expect.stringMatching(/^\/op\/v2\/chatLifecycle\?/)]);
  });

  it('refuses a file answer of a media type the endpoint does not serve (a portal page)', async () => {
    const client = new OpClient({ baseUrl: stub.url(), clientId: 'c1', secret: 's3cr3t' });
    await expect(client.auditExport({ from: '2026-01-01 00:00:00', to: '2026-01-02 00:00:00' })).rejects.toMatchObject({
      name: 'OpApiError',
      code: 502,
      message: 'Op API 的 auditExport 返回了意外的内容类型（text/html）',
    });
  });
});

describe('OpClient holds a success to what its method promises', () => {
  const success = (data: unknown, page?: unknown) =>
    JSON.stringify({ code: 200, message: '成功', data, ...(page ? { page } : {}), foot: {} });

  const stub = stubServer((request, response) => {
    if (request.url?.includes('chatDetail') || request.url?.includes('auditExport')) {
      // A proxy that passed an error status with a body of success: whose answer is it?
      response.writeHead(500, { 'content-type': 'application/json' }).end(success({ chatId: 'c' }));
    } else if (request.url?.includes('chatMessageList')) {
      // The API's own text of a message whose ext holds an int64 order id.
      const message = '{"userMessageId":"1","ext":{"orderId":9007199254740993,"big":12345678901234567890,"small":42}}';
      const page = '{"total":1,"page":1,"pageSize":20,"count":1,"next":false,"startIndex":0}';
      const body = `{"code":200,"message":"成功","data":{"status":"已结束","msg":[${message}],"chatId":"c"},"page":${page},"foot":{}}`;
      response.writeHead(200, { 'content-type': 'application/json' }).end(body);
    } else if (request.url?.includes('chatExport')) {
      // A portal's login page: HTML, which chatExport serves only when html is asked for.
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<html>login</html>');
    } else if (request.url?.includes('chatMessageSearch')) {
      // An older server or a gateway that drops the page of a paged endpoint.
      response.writeHead(200, { 'content-type': 'application/json' }).end(success({ messages: [] }));
    } else {
      const page = { total: 0, page: 1, pageSize: 20, count: 0, next: false, startIndex: 0 };
      response.writeHead(200, { 'content-type': 'application/json' }).end(success({ chats: [] }, page));
    }
  });

  it('a file of the format asked for: an HTML page is no CSV or JSON lines export', async () => {
    const client = new OpClient({ baseUrl: stub.url(), clientId: 'c1', secret: 's3cr3t' });
    for (const format of ['csv', 'jsonl'] as const) {
      await expect(client.chatExport({ chatId: 'c', format })).rejects.toMatchObject({
        name: 'OpApiError',
        code: 502,
        message: 'Op API 的 chatExport 返回了意外的内容类型（text/html）',
      });
    }
    const html = await client.chatExport({ chatId: 'c', format: 'html' });
    expect([html.status, await html.text()]).toEqual([200, '<html>login</html>']);
  });

  it("a paged endpoint's page: an envelope without one is a bad gateway, not a success missing what its type says", async () => {
    const client = new OpClient({ baseUrl: stub.url(), clientId: 'c1', secret: 's3cr3t' });
    await expect(client.chatMessageSearch({ chatId: 'c', keyword: '退款' })).rejects.toMatchObject({
      name: 'OpApiError',
      code: 502,
      message: 'Op API 的 chatMessageSearch 应答缺少分页信息（page）',
    });
    expect((await client.chatSearch({})).page).toEqual({ total: 0, page: 1, pageSize: 20, count: 0, next: false, startIndex: 0 });
  });

  it('keeps integers past 2^53 in ext exact, as the API sent them (JSON.stringify writes them back digit for digit)', async () => {
    const client = new OpClient({ baseUrl: stub.url(), clientId: 'c1', secret: 's3cr3t' });
    const { data } = await client.chatMessageList({ chatId: 'c' });
    const ext = data.msg[0].ext;
    expect(JSON.stringify(ext)).toBe('{"orderId":9007199254740993,"big":12345678901234567890,"small":42}');
    expect(BigInt((ext.orderId as { rawJSON: string }).rawJSON)).toBe(9007199254740993n);
    expect(ext.small).toBe(42);
  });

  it('takes a success only with HTTP 200: code 200 under HTTP 500 is a bad gateway', async () => {
    const client = new OpClient({ baseUrl: stub.url(), clientId: 'c1', secret: 's3cr3t' });
    await expect(client.chatDetail({ chatId: 'c' })).rejects.toMatchObject({
      name: 'OpApiError',
      code: 502,
      message: 'Op API 的应答 code 200 与 HTTP 500 不符',
    });
    // A file endpoint too: its error answers are envelopes, and this one says success.
    await expect(client.auditExport({ from: '2026-12-01 00:00:00', to: '2026-12-02 00:00:00' })).rejects.toMatchObject({
      name: 'OpApiError',
      code: 502,
      message: 'Op API 的应答 code 200 与 HTTP 500 不符',
    });
  });
});

describe('OpClient keeps its secret', () => {
  it('out of what logging or serialising it prints', () => {
    const client = new OpClient({ baseUrl: 'http://127.0.0.1:9//', clientId: 'c1', secret: 'SUPERSECRET-0123', token: 'TOKEN-xyz' });
    for (const shown of [inspect(client, { depth: 5, showHidden: true }), JSON.stringify(client), String(Object.values(client))]) {
      expect(shown).not.toContain('SUPERSECRET');
      expect(shown).not.toContain('TOKEN-xyz');
    }
    // And the base URL's trailing slashes, all of them, go.
    expect(client.signedRequest('markList', {}).url).toMatch(/^http:\/\/127\.0\.0\.1:9\/op\/v2\/markList\?/);
  });
});
