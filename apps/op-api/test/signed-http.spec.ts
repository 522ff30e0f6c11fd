import { Agent, request as httpRequest } from 'node:http';
import { gzipSync } from 'node:zlib';
import { OpClient, signRequest } from '@op/contracts/node';
import type { ChatMessageListData, Envelope } from '@op/contracts';
import { ENGINES } from './support/databases';
import { record } from './support/records';
import { startTestApp, type TestApp, type TestTenant } from './support/test-app';

const CHAT = 'u0001signed';

async function post(url: string, body: string, contentType = 'application/json'): Promise<{ status: number; envelope: Envelope<unknown> }> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': contentType }, body });
  return { status: response.status, envelope: (await response.json()) as Envelope<unknown> };
}

/**
 * Sends `body` to `target` (a path, or a whole URL as the request line's target) over node:http,
 * with exactly these headers (no Content-Type unless given; `chunked` streams the body).
 */
function send(
  baseUrl: string,
  target: string,
  body: Buffer | string,
  headers: Record<string, string>,
  options: { method?: string; chunked?: boolean } = {},
): Promise<{ status: number; envelope: Envelope<unknown> }> {
  const { port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const bytes = Buffer.from(body);
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        method: options.method ?? 'POST',
        path: target,
        headers: options.chunked ? { ...headers, 'transfer-encoding': 'chunked' } : { ...headers, 'content-length': String(bytes.length) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode!, envelope: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Envelope<unknown> }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    if (bytes.length > 0) req.write(bytes);
    req.end();
  });
}

/** Asserts the §2 error envelope: same HTTP status and code, null data, a foot, no internals. */
function expectError(result: { status: number; envelope: Envelope<unknown> }, code: number, message: string | RegExp): void {
  expect(result.status).toBe(code);
  expect(result.envelope).toEqual({
    code,
    message: expect.stringMatching(typeof message === 'string' ? `^${message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$` : message),
    data: null,
    foot: { operationTime: expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/), servicePhone: '400800400', host: 'test-host' },
  });
  expect(result.envelope.message).not.toMatch(/\bat \S+:\d+|SELECT|INSERT|\/work\/|node_modules|Error:/);
}

describe.each(ENGINES)('signed HTTP end to end on %s', (engine) => {
  let t: TestApp;
  let a: TestTenant;
  let b: TestTenant;

  beforeAll(async () => {
    t = await startTestApp(engine);
    a = await t.createTenant();
    b = await t.createTenant();
    await t.importRecords(a.tenantId, [record({ chatId: CHAT, body: { type: 'txt', msg: '你好' } })]);
  });

  afterAll(async () => {
    await t?.close();
  });

  it('serves a signed call with the whole envelope', async () => {
    const { status, envelope } = await a.client.call<ChatMessageListData>('chatMessageList', { chatId: CHAT });
    expect(status).toBe(200);
    expect(Object.keys(envelope)).toEqual(['code', 'message', 'data', 'page', 'foot']);
    expect(envelope).toMatchObject({
      code: 200,
      message: '成功',
      data: { status: '已结束', chatId: CHAT, msg: [expect.objectContaining({ msg: '你好', type: 'txt' })] },
      page: { total: 1, page: 1, pageSize: 20, count: 1, next: false, startIndex: 0 },
      foot: { servicePhone: '400800400', host: 'test-host' },
    });
    expect(Object.keys(envelope.data!)).toEqual(['status', 'msg', 'chatId']);
  });

  it('serves a legacy md5 client', async () => {
    const legacy = await t.createTenant({ signMethod: 'md5' });
    await t.importRecords(legacy.tenantId, [record({ chatId: CHAT })]);
    const request = legacy.client.signedRequest('chatMessageList', { chatId: CHAT });
    expect(request.query.sign).toMatch(/^[0-9a-f]{32}$/);
    expect((await post(request.url, request.body)).status).toBe(200);
    // An HMAC-shaped sign over the same request is not accepted for an md5 client.
    const hmac = new OpClient({ baseUrl: t.baseUrl, clientId: legacy.clientId, secret: legacy.secret, token: legacy.token });
    expectError(await hmac.call('chatMessageList', { chatId: CHAT }), 401, 'sign 错误');
  });

  describe('400', () => {
    it('apiVersion missing or other than 01', async () => {
      const request = a.client.signedRequest('chatMessageList', { chatId: CHAT });
      expectError(await post(request.url.replace('apiVersion=01', 'apiVersion=02'), request.body), 400, 'apiVersion 只支持 01');
      expectError(await post(request.url.replace('apiVersion=01&', ''), request.body), 400, 'apiVersion 不能为空');
    });

    it('a doubled query parameter', async () => {
      const request = a.client.signedRequest('chatMessageList', { chatId: CHAT });
      expectError(await post(`${request.url}&client=${b.clientId}`, request.body), 400, '参数 client 重复');
    });

    it('malformed JSON and an empty body', async () => {
      const request = a.client.signedRequest('chatMessageList', undefined);
      expectError(await post(request.url, '{"chatId": "u0001'), 400, '请求体不是有效的 JSON');
      expectError(await post(request.url, ''), 400, 'chatId 不能为空');
    });

    it('keeps a keep-alive connection open after malformed JSON (its body was read whole), not after a body past the limit', async () => {
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      const { port } = new URL(t.baseUrl);
      const signed = a.client.signedRequest('chatMessageList', { chatId: CHAT });
      const url = new URL(signed.url);
      const exchange = (body: string) =>
        new Promise<{ status: number; connection: string | undefined; reused: boolean }>((resolve, reject) => {
          const req = httpRequest(
            {
              agent,
              host: '127.0.0.1',
              port,
              method: 'POST',
              path: url.pathname + url.search,
              headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) },
            },
            (res) => {
              res.resume();
              res.on('end', () => resolve({ status: res.statusCode!, connection: res.headers.connection, reused: req.reusedSocket }));
            },
          );
          req.on('error', reject);
          req.end(body);
        });
      try {
        const refused = await exchange('{"chatId": "u0001');
        expect(refused.status).toBe(400);
        expect(refused.connection).not.toBe('close');
        // The same socket again: the refusal did not cost the client its connection.
        expect(await exchange(signed.body)).toMatchObject({ status: 200, reused: true });
        // Past the limit the body is not read: the server may not read the rest as a new request, so it closes.
        const large = `{"chatId":"${'x'.repeat(2 * 1024 * 1024)}"}`;
        expect(await exchange(large)).toMatchObject({ status: 413, connection: 'close' });
      } finally {
        agent.destroy();
      }
    });

    it('a bad field, named in the message', async () => {
      expectError(await a.client.call('chatMessageList', { chatId: CHAT, pageSize: 101 }), 400, 'pageSize 不能大于 100');
      expectError(await a.client.call('chatMessageList', { chatId: 42 }), 400, 'chatId 必须是字符串');
      expectError(await a.client.call('chatMessageList', { pageNum: 1 }), 400, 'chatId 不能为空');
      expectError(await a.client.call('chatMessageList', { chatId: CHAT, needFavorite: 'maybe' }), 400, 'needFavorite 必须是布尔值');
    });
  });

  describe('401', () => {
    it('a missing or wrong sign, or a sign made with another secret', async () => {
      const request = a.client.signedRequest('chatMessageList', { chatId: CHAT });
      expectError(await post(request.url.replace(/&sign=[0-9a-f]+/, ''), request.body), 401, 'sign 不能为空');
      expectError(await post(request.url.replace(/sign=[0-9a-f]+/, `sign=${'0'.repeat(64)}`), request.body), 401, 'sign 错误');
      expectError(await post(request.url.replace(/sign=[0-9a-f]+/, 'sign=abc'), request.body), 401, 'sign 格式错误');
      const forged = new OpClient({ baseUrl: t.baseUrl, clientId: a.clientId, secret: b.secret, token: a.token });
      expectError(await forged.call('chatMessageList', { chatId: CHAT }), 401, 'sign 错误');
    });

    it('a tampered body, query or path with the old sign', async () => {
      const request = a.client.signedRequest('chatMessageList', { chatId: CHAT });
      expectError(await post(request.url, JSON.stringify({ chatId: CHAT, pageSize: 2 })), 401, 'sign 错误');
      expectError(await post(request.url, request.body.replace('{', '{ ')), 401, 'sign 错误');
      expectError(await post(request.url.replace(`token=${a.token}`, `token=${b.token}`), request.body), 401, 'sign 错误');
      const otherPath = request.url.replace('/chatMessageList?', '/chatMessageList2?');
      expect((await post(otherPath, request.body)).status).toBe(404);
    });

    it('an unknown client', async () => {
      const stranger = new OpClient({ baseUrl: t.baseUrl, clientId: 'f'.repeat(32), secret: a.secret, token: a.token });
      expectError(await stranger.call('chatMessageList', { chatId: CHAT }), 401, 'client 无效');
    });

    it('a client whose stored sign method is none the API knows (set by hand): 401, not a 500 on every call', async () => {
      const odd = await t.clients.create(a.tenantId);
      await t.dataSource.query("UPDATE api_clients SET sign_method = 'sha1' WHERE id = ?", [odd.clientId]);
      const client = new OpClient({ baseUrl: t.baseUrl, clientId: odd.clientId, secret: odd.secret, token: a.token });
      expectError(await client.call('chatMessageList', { chatId: CHAT }), 401, 'client 无效');
    });

    it('a timestamp more than 300 s away, either way, or not a number', async () => {
      const now = Math.floor(Date.now() / 1000);
      expectError(
        await a.client.call('chatMessageList', { chatId: CHAT }, { timestamp: now - 400 }),
        401,
        'timestamp 与服务器时间相差超过 300 秒',
      );
      expectError(
        await a.client.call('chatMessageList', { chatId: CHAT }, { timestamp: now + 400 }),
        401,
        'timestamp 与服务器时间相差超过 300 秒',
      );
      expect((await a.client.call('chatMessageList', { chatId: CHAT }, { timestamp: now - 250 })).status).toBe(200);
      const request = a.client.signedRequest('chatMessageList', { chatId: CHAT });
      expectError(await post(request.url.replace(/timestamp=\d+/, 'timestamp=soon'), request.body), 401, 'timestamp 必须是 Unix 秒数');
    });

    it('a replayed nonce, while a fresh nonce passes', async () => {
      const first = await a.client.call('chatMessageList', { chatId: CHAT }, { nonce: 'n-replay-1' });
      expect(first.status).toBe(200);
      expectError(await a.client.call('chatMessageList', { chatId: CHAT }, { nonce: 'n-replay-1' }), 401, 'nonce 已使用，请求被视为重放');
      // The exact captured request, byte for byte.
      const captured = a.client.signedRequest('chatMessageList', { chatId: CHAT }, { nonce: 'n-replay-2' });
      expect((await post(captured.url, captured.body)).status).toBe(200);
      expectError(await post(captured.url, captured.body), 401, 'nonce 已使用，请求被视为重放');
      // A nonce is per client: another client may use the same one.
      expect((await b.client.call('chatMessageList', { chatId: 'u0001none' }, { nonce: 'n-replay-1' })).status).toBe(404);
    });

    it('a missing, unknown, expired or revoked token', async () => {
      expectError(await a.client.call('chatMessageList', { chatId: CHAT }, { token: null }), 401, 'token 不能为空');
      expectError(await a.client.call('chatMessageList', { chatId: CHAT }, { token: `o0001${'0'.repeat(32)}` }), 401, 'token 无效或已过期');

      const expiring = await t.tokens.issue(a.operatorId, 60);
      expect((await a.client.call('chatMessageList', { chatId: CHAT }, { token: expiring.token })).status).toBe(200);
      await t.dataSource.query('UPDATE operator_tokens SET expire_time = ? WHERE expire_time = ?', [
        Date.now() - 1000,
        expiring.expiresAtMs,
      ]);
      expectError(await a.client.call('chatMessageList', { chatId: CHAT }, { token: expiring.token }), 401, 'token 无效或已过期');

      const revoked = await t.tokens.issue(a.operatorId, 3600);
      await t.tokens.revoke(revoked.token);
      expectError(await a.client.call('chatMessageList', { chatId: CHAT }, { token: revoked.token }), 401, 'token 无效或已过期');
    });

    it('stores tokens and client secrets so that the database alone reveals neither', async () => {
      const tokens: Array<{ token_hash: string }> = await t.dataSource.query('SELECT token_hash FROM operator_tokens');
      expect(tokens.map((row) => row.token_hash)).not.toContain(a.token);
      expect(tokens.every((row) => /^[0-9a-f]{64}$/.test(row.token_hash))).toBe(true);
      const secrets: Array<{ secret_sealed: string }> = await t.dataSource.query('SELECT secret_sealed FROM api_clients');
      expect(secrets.some((row) => row.secret_sealed.includes(a.secret))).toBe(false);
    });
  });

  it('403: an operator token of another tenant than the client', async () => {
    expectError(await a.client.call('chatMessageList', { chatId: CHAT }, { token: b.token }), 403, 'token 与 client 不属于同一租户');
  });

  describe('honest clients with ordinary tools', () => {
    /** A signed request line's target for `path` and the raw `body`, signed as sent. */
    const signedTarget = (path: string, body: Buffer | string) => {
      const query = { apiVersion: '01', client: a.clientId, timestamp: String(Math.floor(Date.now() / 1000)), token: a.token };
      const sign = signRequest({ method: 'POST', path, query, body: Buffer.from(body).toString('utf8') }, a.secret, a.signMethod);
      return `${path}?${new URLSearchParams({ ...query, sign }).toString()}`;
    };
    const json = { 'content-type': 'application/json' };
    const page = (answer: { status: number; envelope: Envelope<unknown> }) => [
      answer.status,
      (answer.envelope.data as ChatMessageListData | null)?.chatId,
    ];

    it('a request line naming the whole URL (through a proxy), signed over its path', async () => {
      const body = JSON.stringify({ chatId: CHAT });
      const target = `${t.baseUrl}${signedTarget('/op/v2/chatMessageList', body)}`;
      expect(page(await send(t.baseUrl, target, body, json))).toEqual([200, CHAT]);
    });

    it('a path with a slash at its end, signed as sent', async () => {
      const body = JSON.stringify({ chatId: CHAT });
      expect(page(await send(t.baseUrl, signedTarget('/op/v2/chatMessageList/', body), body, json))).toEqual([200, CHAT]);
    });

    it('a UTF-8 byte order mark before the JSON', async () => {
      const body = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify({ chatId: CHAT }))]);
      expect(page(await send(t.baseUrl, signedTarget('/op/v2/chatMessageList', body), body, json))).toEqual([200, CHAT]);
    });

    it('a chunked body without a Content-Type: no body when empty, 415 when it holds anything', async () => {
      const empty = await send(t.baseUrl, signedTarget('/op/v2/markList', ''), '', {}, { chunked: true });
      expect([empty.status, empty.envelope.code]).toEqual([200, 200]);
      // Nor is an empty body labelled text/plain, as some HTTP libraries send a POST without one.
      const plain = await send(t.baseUrl, signedTarget('/op/v2/markList', ''), '', { 'content-type': 'text/plain; charset=utf-8' });
      expect([plain.status, plain.envelope.code]).toEqual([200, 200]);
      const body = JSON.stringify({ chatId: CHAT });
      expectError(
        await send(t.baseUrl, signedTarget('/op/v2/chatMessageList', body), body, {}, { chunked: true }),
        415,
        '请求体必须是 JSON（Content-Type: application/json）',
      );
    });

    it('a compressed body: 415 naming Content-Encoding', async () => {
      const body = gzipSync(JSON.stringify({ chatId: CHAT }));
      expectError(
        await send(t.baseUrl, signedTarget('/op/v2/chatMessageList', body), body, { ...json, 'content-encoding': 'gzip' }),
        415,
        '请求体不能压缩（Content-Encoding: gzip 不支持），请发送未压缩的 JSON',
      );
    });

    it('a base64 nonce with a bare +, which a query string reads as a space: told so', async () => {
      const body = JSON.stringify({ chatId: CHAT });
      const target = `${signedTarget('/op/v2/chatMessageList', body)}&nonce=k9+Zq/Xw8Rt2mLp0==`;
      expectError(
        await send(t.baseUrl, target, body, json),
        401,
        'nonce 必须是 1 到 64 个可见 ASCII 字符（查询串中的 + 表示空格，+ 须写作 %2B）',
      );
    });

    it('a JSON body that is not an object, null and a deep array too, on every signed route', async () => {
      const deepArray = `${'['.repeat(40)}1${']'.repeat(40)}`;
      for (const path of ['/op/v2/chatMessageList', '/op/v2/markList', '/op/v2/operatorLogout']) {
        for (const body of ['[]', '"x"', '1', 'null', deepArray]) {
          expectError(await send(t.baseUrl, signedTarget(path, body), body, json), 400, '请求体必须是 JSON 对象');
        }
      }
      // The token survived the logouts refused above.
      expect((await a.client.call('chatMessageList', { chatId: CHAT })).status).toBe(200);
    });
  });

  describe('404, 413 and 415', () => {
    it('an unknown route, signed or not, and another method', async () => {
      expectError(await a.client.call('chatMessageLis', { chatId: CHAT }), 404, '接口不存在');
      expectError(await post(`${t.baseUrl}/nowhere`, '{}'), 404, '接口不存在');
      const get = await fetch(`${t.baseUrl}/op/v2/chatMessageList`);
      expectError(
        { status: get.status, envelope: (await get.json()) as Envelope<unknown> },
        404,
        '接口 /op/v2/chatMessageList 只支持 POST 请求',
      );
      const nowhere = await fetch(`${t.baseUrl}/op/v2/nowhere`);
      expectError({ status: nowhere.status, envelope: (await nowhere.json()) as Envelope<unknown> }, 404, '接口不存在');
      // Paths a router reads as patterns are only paths here.
      for (const path of ['/:a(', '/*/*', '/op/v2/:x((a+)+)']) {
        const odd = await send(t.baseUrl, path, '', {}, { method: 'GET' });
        expectError(odd, 404, '接口不存在');
      }
      const slashed = await fetch(`${t.baseUrl}/op/v2/chatMessageList/`);
      expectError(
        { status: slashed.status, envelope: (await slashed.json()) as Envelope<unknown> },
        404,
        '接口 /op/v2/chatMessageList 只支持 POST 请求',
      );
    });

    it('a body over 64 KiB', async () => {
      const request = a.client.signedRequest('chatMessageList', { chatId: CHAT, padding: 'x'.repeat(70 * 1024) });
      expectError(await post(request.url, request.body), 413, '请求体不能超过 64 KiB');
    });

    it('a body that is not JSON', async () => {
      const request = a.client.signedRequest('chatMessageList', { chatId: CHAT });
      expectError(await post(request.url, request.body, 'text/plain'), 415, '请求体必须是 JSON（Content-Type: application/json）');
      expectError(
        await post(request.url, 'chatId=u1', 'application/x-www-form-urlencoded'),
        415,
        '请求体必须是 JSON（Content-Type: application/json）',
      );
    });
  });
});
