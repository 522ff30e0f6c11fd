import { createHmac } from 'node:crypto';
import { connect } from 'node:net';
import { signRequest } from '@op/contracts/node';
import type { ChatMessageListData, Envelope } from '@op/contracts';
import { ENGINES } from './support/databases';
import { APPKEY, CALLBACK_SECRET, callbackBody, postCallback } from './support/easemob';
import { record, T0 } from './support/records';
import { startTestApp, type TestApp, type TestTenant } from './support/test-app';

// Issue 12, findings 5 and 7: hostile JSON and edge requests, each answered with the
// contract's envelope and never a 500; verified callbacks and import lines are stored.
// Hand-picked cases; hostile-input-generated.spec.ts generates thousands more.

/** `depth` nested objects, innermost `{}`: `{"a":{"a":…}}`. */
const nestedObjects = (depth: number) => '{"a":'.repeat(depth - 1) + '{}' + '}'.repeat(depth - 1);
/** `depth` nested arrays, innermost `[]`. */
const nestedArrays = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

/**
 * Sends bytes as they are and returns the status line and body of the answer. `halfClose`
 * ends the sending side at once (a request the server refuses before routing); otherwise it
 * stays open until the server, told `Connection: close`, closes after its answer.
 */
function rawHttp(port: number, request: string, halfClose = true): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let data = '';
    socket.on('data', (chunk) => (data += chunk.toString('utf8')));
    socket.on('error', reject);
    socket.on('close', () => {
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(data)?.[1] ?? 0);
      resolve({ status, body: data.slice(data.indexOf('\r\n\r\n') + 4) });
    });
    if (halfClose) socket.end(request);
    else socket.write(request);
  });
}

describe.each(ENGINES)('hostile JSON and edge requests on %s', (engine) => {
  let t: TestApp;
  let a: TestTenant;
  const chatId = 'u0001edges';

  const messageCount = async () => {
    const rows: Array<{ n: number | string }> = await t.dataSource.query('SELECT COUNT(*) AS n FROM messages WHERE tenant_id = ?', [
      a.tenantId,
    ]);
    return Number(rows[0].n);
  };
  /** Sends a body exactly as given, signed over those bytes. */
  /** Sends `raw` signed over its bytes as docs/CONTRACT.md §1 says (a Buffer: bytes that need not be UTF-8). */
  const signedRaw = async (name: string, raw: string | Buffer, contentType = 'application/json') => {
    const request = a.client.signedRequest(name, null, { nonce: null });
    const url = new URL(request.url);
    const query = Object.fromEntries([...url.searchParams].filter(([key]) => key !== 'sign'));
    const sign =
      typeof raw === 'string'
        ? signRequest({ method: 'POST', path: url.pathname, query, body: raw }, a.secret, 'hmac-sha256')
        : createHmac('sha256', a.secret)
            .update(
              `POST\n${url.pathname}\n${Object.keys(query)
                .sort()
                .map((key) => `${key}=${query[key]}`)
                .join('&')}\n`,
            )
            .update(raw)
            .digest('hex');
    url.searchParams.set('sign', sign);
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': contentType }, body: raw });
    return { status: response.status, envelope: (await response.json()) as Envelope<unknown> };
  };
  const port = () => Number(new URL(t.baseUrl).port);

  beforeAll(async () => {
    t = await startTestApp(engine);
    a = await t.createTenant();
    await t.easemobApps.register(a.tenantId, APPKEY, CALLBACK_SECRET);
    await t.importRecords(a.tenantId, [record({ chatId, timestamp: T0, body: { type: 'txt', msg: '你好' } })]);
  });

  afterAll(async () => {
    await t?.close();
  });

  describe('a verified callback is stored whatever its ext holds', () => {
    it('keeps __proto__, constructor and prototype keys as data', async () => {
      const body = callbackBody({ from: 'u0001proto', to: 'kefu01', body: { type: 'txt', msg: '原型' } });
      const raw = JSON.stringify(body).replace(
        '"ext":{}',
        '"ext":{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},"prototype":1}',
      );
      const answer = await postCallback(t.baseUrl, null, raw);
      expect([answer.status, answer.text]).toEqual([200, expect.stringContaining('"stored"')]);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      const rows: Array<{ ext: string }> = await t.dataSource.query('SELECT ext FROM messages WHERE tenant_id = ? AND hx_msg_id = ?', [
        a.tenantId,
        body.msg_id,
      ]);
      expect(rows[0].ext).toBe('{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},"prototype":1}');
    });

    it('takes an empty array as no ext (an empty map as PHP writes it), and refuses any other array', async () => {
      const empty = callbackBody({ from: 'u0001phpext', to: 'kefu01', body: { type: 'txt', msg: 'PHP' } });
      const answer = await postCallback(t.baseUrl, null, JSON.stringify(empty).replace('"ext":{}', '"ext":[]'));
      expect([answer.status, answer.text]).toEqual([200, expect.stringContaining('"stored"')]);
      const [row]: Array<{ chat_id: string }> = await t.dataSource.query(
        'SELECT chat_id FROM messages WHERE tenant_id = ? AND hx_msg_id = ?',
        [a.tenantId, empty.msg_id],
      );
      const page = await a.client.call<ChatMessageListData>('chatMessageList', { chatId: row.chat_id });
      expect(page.envelope.data!.msg.map((m) => [m.msg, m.ext])).toEqual([['PHP', {}]]);
      const listed = callbackBody({ from: 'u0001phpext', to: 'kefu01', body: { type: 'txt', msg: 'PHP 2' } });
      const refused = await postCallback(t.baseUrl, null, JSON.stringify(listed).replace('"ext":{}', '"ext":[1]'));
      expect([refused.status, JSON.parse(refused.text).message]).toEqual([400, 'payload.ext 必须是对象']);
    });

    it('stores one nested 5,000 deep, its ext cut at 32 levels and the cut recorded', async () => {
      const body = callbackBody({ from: 'u0001deep', to: 'kefu01', body: { type: 'txt', msg: '很深' } });
      const raw = JSON.stringify(body).replace('"ext":{}', `"ext":{"keep":1,"deep":${nestedObjects(5000)}}`);
      const answer = await postCallback(t.baseUrl, null, raw);
      expect([answer.status, answer.text]).toEqual([200, expect.stringContaining('"stored"')]);
      const rows: Array<{ ext: string; chat_id: string }> = await t.dataSource.query(
        'SELECT ext, chat_id FROM messages WHERE tenant_id = ? AND hx_msg_id = ?',
        [a.tenantId, body.msg_id],
      );
      const ext = JSON.parse(rows[0].ext) as { keep: number; deep: unknown; opCut: { maxDepth: number; paths: string[] } };
      expect(ext.keep).toBe(1);
      expect(ext.opCut).toEqual({ maxDepth: 32, paths: [`deep${'.a'.repeat(30)}`] });
      // The chat still reads: no stored value can overflow the serialiser.
      const page = await a.client.call<ChatMessageListData>('chatMessageList', { chatId: rows[0].chat_id });
      expect(page.status).toBe(200);
      expect(page.envelope.data!.msg[0].ext).toMatchObject({ keep: 1, opCut: { maxDepth: 32 } });
    });

    it('refuses a length its column cannot hold with 400 naming the field, not 500', async () => {
      const body = callbackBody({ from: 'u0001long', to: 'kefu01', body: { type: 'audio', url: 'https://x/a', length: 3_000_000_000 } });
      const answer = await postCallback(t.baseUrl, body);
      expect(answer.status).toBe(400);
      expect(JSON.parse(answer.text)).toMatchObject({ code: 400, message: 'payload.bodies[0].length 不能大于 2147483647' });
    });
  });

  describe('an import line', () => {
    it('never stops the rest: a deep line is stored with its cut, a bad line is counted by number', async () => {
      const before = await messageCount();
      const line = (msgId: string, ext: string, body = '{"type":"txt","msg":"导入"}') =>
        `{"chatId":"u0001deepimport","msg_id":"${msgId}","timestamp":${T0},"from":"c1","to":"k1","payload":{"bodies":[${body}],"ext":${ext}}}`;
      const result = await t.importer.importLines(a.tenantId, [
        line('imp-deep-1', '{}'),
        line('imp-deep-2', `{"x":${nestedArrays(10_000)}}`),
        '{"chatId":',
        line('imp-deep-4', '{}', '{"type":"audio","length":3000000000}'),
        line('imp-deep-5', '{"__proto__":{"a":1}}'),
      ]);
      expect(result).toEqual({
        imported: 3,
        duplicates: 0,
        expired: 0,
        failed: 2,
        errors: [
          { line: 3, message: '不是有效的 JSON' },
          { line: 4, message: 'payload.bodies[0].length 不能大于 2147483647' },
        ],
      });
      expect(await messageCount()).toBe(before + 3);
      const rows: Array<{ ext: string }> = await t.dataSource.query('SELECT ext FROM messages WHERE tenant_id = ? AND hx_msg_id = ?', [
        a.tenantId,
        'imp-deep-2',
      ]);
      expect(JSON.parse(rows[0].ext)).toMatchObject({ opCut: { maxDepth: 32, paths: [`x${'[0]'.repeat(30)}`] } });
    });

    it('stores a line whose ext outgrows its column, the cut recorded, and imports the rest', async () => {
      const big = { notes: 'x'.repeat(70_000) };
      const result = await t.importer.importLines(a.tenantId, [
        JSON.stringify(record({ chatId: 'u0001bigext', msgId: 'big-1', ext: big })),
        JSON.stringify(record({ chatId: 'u0001bigext', msgId: 'big-2' })),
      ]);
      expect(result).toEqual({ imported: 2, duplicates: 0, expired: 0, failed: 0, errors: [] });
      const rows: Array<{ ext: string }> = await t.dataSource.query('SELECT ext FROM messages WHERE tenant_id = ? AND hx_msg_id = ?', [
        a.tenantId,
        'big-1',
      ]);
      expect(JSON.parse(rows[0].ext)).toEqual({ opCut: { maxBytes: 65_503, bytes: 70_012 } });
    });
  });

  describe('a recall of a message whose ext fills its column', () => {
    // The archive adds `"recalled":true` to the ext. On MariaDB that outgrew the column (65,535
    // bytes): a recall after the message failed with 500 (and was lost), one before it cut the
    // ext to JSON that no longer parsed (served as {}). A sender's ext keeps room for the flag.
    const ROOM = 65_503;
    const extOf = (bytes: number) => ({ p: 'y'.repeat(bytes - '{"p":""}'.length) });
    const line = (msgId: string, ext: object) =>
      JSON.stringify({
        msg_id: msgId,
        timestamp: Date.now(),
        from: 'u0001full',
        to: 'kefu01',
        chat_type: 'chat',
        payload: { bodies: [{ type: 'txt', msg: msgId }], ext },
      });
    const recall = (msgId: string) =>
      postCallback(t.baseUrl, callbackBody({ from: 'u0001full', to: 'kefu01', chatType: 'recall', extra: { recall_id: msgId } }));
    /** The message's ext as 2.37 serves it. */
    const served = async (msgId: string) => {
      const [row]: Array<{ chat_id: string }> = await t.dataSource.query(
        'SELECT chat_id FROM messages WHERE tenant_id = ? AND hx_msg_id = ?',
        [a.tenantId, msgId],
      );
      const page = await a.client.call<ChatMessageListData>('chatMessageList', { chatId: row.chat_id, pageSize: 100 });
      return page.envelope.data!.msg.find((m) => m.msg === msgId)!.ext;
    };

    it('keeps the whole ext and the flag, the recall after the message or before it', async () => {
      expect(await t.importer.importLines(a.tenantId, [line('8810001', extOf(ROOM))])).toMatchObject({ imported: 1, failed: 0 });
      expect((await recall('8810001')).status).toBe(200);
      expect(await served('8810001')).toEqual({ ...extOf(ROOM), recalled: true });

      expect((await recall('8810002')).status).toBe(200);
      expect(await t.importer.importLines(a.tenantId, [line('8810002', extOf(ROOM))])).toMatchObject({ imported: 1, failed: 0 });
      expect(await served('8810002')).toEqual({ ...extOf(ROOM), recalled: true });
    });

    it('cuts an ext past that room on arrival, saying so, and a recall after or before it is kept', async () => {
      await t.importer.importLines(a.tenantId, [line('8810003', extOf(ROOM + 1))]);
      expect(await served('8810003')).toEqual({ opCut: { maxBytes: ROOM, bytes: ROOM + 1 } });
      // At the column's own size: the recall after the message was a 500 on MariaDB.
      await t.importer.importLines(a.tenantId, [line('8810005', extOf(65_530))]);
      expect((await recall('8810005')).status).toBe(200);
      expect(await served('8810005')).toEqual({ opCut: { maxBytes: ROOM, bytes: 65_530 }, recalled: true });
      // ...and the one before it left {} there.
      expect((await recall('8810006')).status).toBe(200);
      await t.importer.importLines(a.tenantId, [line('8810006', extOf(65_530))]);
      expect(await served('8810006')).toEqual({ opCut: { maxBytes: ROOM, bytes: 65_530 }, recalled: true });
    });

    it('flags an ext stored whole before the room was kept, saying it was cut', async () => {
      await t.importer.importLines(a.tenantId, [line('8810004', {})]);
      await t.dataSource.query('UPDATE messages SET ext = ? WHERE tenant_id = ? AND hx_msg_id = ?', [
        JSON.stringify(extOf(65_535)),
        a.tenantId,
        '8810004',
      ]);
      expect((await recall('8810004')).status).toBe(200);
      expect(await served('8810004')).toEqual({ opCut: { maxBytes: ROOM, bytes: 65_551 }, recalled: true });
    });
  });

  describe('an id with white space at either end', () => {
    // MariaDB's utf8mb4_bin pads with spaces: `u0001pad ` was the chat `u0001pad` there (its
    // messages shown in both, its search hits lost) and a chat of its own on SQLite. Such an id
    // is refused on every engine; one with white space inside is an id like any other.
    it('is a bad import line naming the field; the chat it would have joined is unchanged', async () => {
      const result = await t.importer.importLines(a.tenantId, [
        JSON.stringify(record({ chatId: 'u0001pad', msgId: 'pad-1', body: { type: 'txt', msg: '一' } })),
        JSON.stringify(record({ chatId: 'u0001pad ', msgId: 'pad-2', body: { type: 'txt', msg: '二' } })),
        JSON.stringify(record({ chatId: 'u0001pad', msgId: 'pad-3 ', body: { type: 'txt', msg: '三' } })),
        JSON.stringify(record({ chatId: 'u0001pad', msgId: 'pad-4', from: 'u0001customer\u3000' })),
        JSON.stringify(record({ chatId: 'u0001 pad', msgId: 'pad-5', body: { type: 'txt', msg: '五' } })),
      ]);
      expect(result).toEqual({
        imported: 2,
        duplicates: 0,
        expired: 0,
        failed: 3,
        errors: [
          { line: 2, message: 'chatId 首尾不能有空白字符' },
          { line: 3, message: 'msg_id 首尾不能有空白字符' },
          { line: 4, message: 'from 首尾不能有空白字符' },
        ],
      });
      const texts = async (id: string) =>
        (await a.client.call<ChatMessageListData>('chatMessageList', { chatId: id })).envelope.data!.msg.map((m) => m.msg);
      expect(await texts('u0001pad')).toEqual(['一']);
      expect(await texts('u0001 pad')).toEqual(['五']);
    });

    it('in a verified callback is 400 naming the field, and nothing is stored', async () => {
      const before = await messageCount();
      const body = callbackBody({ from: 'u0001pad ', to: 'kefu01', body: { type: 'txt', msg: '回调' } });
      const answer = await postCallback(t.baseUrl, body);
      expect([answer.status, JSON.parse(answer.text).message]).toEqual([400, 'from 首尾不能有空白字符']);
      expect(await messageCount()).toBe(before);
    });

    it.each([
      ['chatMessageList', { chatId: 'u0001pad ' }, 'chatId 首尾不能有空白字符'],
      ['chatDetail', { chatId: '\tu0001pad' }, 'chatId 首尾不能有空白字符'],
      ['chatSearch', { chatId: 'u0001pad\u3000' }, 'chatId 首尾不能有空白字符'],
      ['chatSearch', { customerId: 'u0001customer ' }, 'customerId 首尾不能有空白字符'],
      ['chatCreate', { customerId: ' u0001customer' }, 'customerId 首尾不能有空白字符'],
      ['customerErase', { customerId: 'u0001customer ', confirm: 'u0001customer ' }, 'customerId 首尾不能有空白字符'],
      ['chatAssign', { chatId: 'u0001pad', operatorId: 'op1 ' }, 'operatorId 首尾不能有空白字符'],
      ['chatSearch', { operatorId: ' op1' }, 'operatorId 首尾不能有空白字符'],
    ])('%s %j is 400 naming the field', async (name, body, message) => {
      const { status, envelope } = await a.client.call(name, body);
      expect([status, envelope.message]).toEqual([400, message]);
    });
  });

  describe('a signed /op/v2 body', () => {
    it('nested 10,000 deep is 400 naming the field', async () => {
      const { status, envelope } = await signedRaw('chatMessageList', `{"chatId":"${chatId}","pageNum":${nestedArrays(10_000)}}`);
      expect([status, envelope.code, envelope.message]).toEqual([400, 400, 'pageNum 嵌套过深：请求体最多 32 层']);
    });

    it('holding a __proto__ key is 400 naming it, not "not JSON"', async () => {
      const { status, envelope } = await signedRaw('chatMessageList', `{"chatId":"${chatId}","__proto__":{"needMark":true}}`);
      expect([status, envelope.message]).toEqual([400, '请求体不能含有键 __proto__']);
    });

    it('sent with the absolute form of its address is checked as well (400, not 500)', async () => {
      // HTTP/1.1 lets a request line name the whole URL (RFC 9112 §3.2.2); the router routes it,
      // and the guard checks a sign over its path, as the contract's <path> is.
      const request = a.client.signedRequest('chatMessageList', null, { nonce: null });
      const url = new URL(request.url);
      const absolute = `http://${url.host}${url.pathname}`;
      const query = Object.fromEntries([...url.searchParams].filter(([key]) => key !== 'sign'));
      const deep = (raw: string) => {
        const sign = signRequest({ method: 'POST', path: url.pathname, query, body: raw }, a.secret, 'hmac-sha256');
        const target = `${absolute}?${new URLSearchParams({ ...query, sign }).toString()}`;
        return `POST ${target} HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(raw)}\r\nConnection: close\r\n\r\n${raw}`;
      };
      const nested = await rawHttp(port(), deep(`{"chatId":"${chatId}","pageNum":${nestedArrays(10_000)}}`), false);
      expect([nested.status, JSON.parse(nested.body).message]).toEqual([400, 'pageNum 嵌套过深：请求体最多 32 层']);
      const proto = await rawHttp(port(), deep(`{"chatId":"${chatId}","__proto__":{"needMark":true}}`), false);
      expect([proto.status, JSON.parse(proto.body).message]).toEqual([400, '请求体不能含有键 __proto__']);
      const fine = await rawHttp(port(), deep(`{"chatId":"${chatId}"}`), false);
      expect([fine.status, fine.body]).toEqual([200, expect.stringContaining(`"chatId":"${chatId}"`)]);
    });

    it('not UTF-8 is 400, not read with U+FFFD in place of its bytes', async () => {
      const raw = Buffer.concat([Buffer.from('{"chatId":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]);
      const { status, envelope } = await signedRaw('chatMessageList', raw);
      expect([status, envelope.message]).toEqual([400, '请求体不是有效的 UTF-8']);
      // The same check passes UTF-8 whatever its characters, signed over its bytes.
      expect((await signedRaw('chatMessageList', Buffer.from(`{"chatId":"${chatId}"}`))).status).toBe(200);
      // A verified callback is data to keep (its security covers no byte of it): stored, the
      // bad byte as U+FFFD, as reconciliation would store the same message.
      const callback = callbackBody({ from: 'u0001bytes', to: 'kefu01', body: { type: 'txt', msg: 'BAD' } });
      const [before, after] = JSON.stringify(callback).split('BAD');
      const response = await fetch(`${t.baseUrl}/hx/callback`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: Buffer.concat([Buffer.from(before), Buffer.from([0xff]), Buffer.from(after)]),
      });
      expect(response.status).toBe(200);
      const stored: Array<{ msg: string }> = await t.dataSource.query('SELECT msg FROM messages WHERE tenant_id = ? AND hx_msg_id = ?', [
        a.tenantId,
        callback.msg_id,
      ]);
      expect(stored.map((row) => row.msg)).toEqual(['\uFFFD']);
    });

    it('holding half of a surrogate pair is 400 naming the field: no database could store it as sent', async () => {
      const lone = await signedRaw('chatCreate', '{"customerId":"\\ud800lone"}');
      expect([lone.status, lone.envelope.message]).toEqual([400, 'customerId 含有无效的 Unicode 字符（不成对的代理项）']);
      const key = await signedRaw('chatMessageList', `{"chatId":"${chatId}","x\\udc00":1}`);
      expect([key.status, key.envelope.message]).toEqual([400, '请求体 含有无效的 Unicode 字符（不成对的代理项）']);
      // A whole pair (an emoji written as escapes) is a character like any other.
      const pair = await signedRaw('chatMessageList', '{"chatId":"u0001\\ud83d\\ude00"}');
      expect([pair.status, pair.envelope.message]).toEqual([404, 'chatId u0001😀 对应的会话不存在']);
    });

    it('longer than its column in characters is 400 naming the field, a variation selector counted as the database counts it', async () => {
      // 130 characters that class-validator's Length took for 65: created on SQLite, refused by MariaDB's varchar(128).
      const long = await a.client.call('chatCreate', { customerId: '客\uFE0F'.repeat(65) });
      expect([long.status, long.envelope.message]).toEqual([400, 'customerId 长度必须在 1 到 128 个字符之间']);
      const fits = await a.client.call('chatCreate', { customerId: '客\uFE0F'.repeat(64) });
      expect([fits.status, (fits.envelope.data as { customerId?: string } | null)?.customerId]).toEqual([200, '客\uFE0F'.repeat(64)]);
    });

    it('empty, with Content-Type application/json, is no body (signed as the empty string)', async () => {
      const empty = await signedRaw('markList', '');
      expect([empty.status, empty.envelope.code]).toEqual([200, 200]);
      expect((await signedRaw('chatMessageList', '')).envelope.message).toBe('chatId 不能为空');
    });

    it('in a charset we do not decode is 415', async () => {
      const { status, envelope } = await signedRaw('chatMessageList', `{"chatId":"${chatId}"}`, 'application/json; charset=gbk');
      expect([status, envelope.code, envelope.message]).toEqual([415, 415, '请求体必须是 UTF-8 编码的 JSON（charset=gbk 不支持）']);
      expect((await signedRaw('chatMessageList', `{"chatId":"${chatId}"}`, 'application/json; charset=UTF-8')).status).toBe(200);
    });
  });

  describe('requests that fail before routing answer the envelope', () => {
    it('a bad URL', async () => {
      const response = await fetch(`${t.baseUrl}/op/v2/%ZZ`, { method: 'POST' });
      const envelope = (await response.json()) as Envelope<unknown>;
      expect([response.status, envelope]).toEqual([
        400,
        expect.objectContaining({ code: 400, message: '请求地址无效', data: null, foot: expect.any(Object) }),
      ]);
    });

    it('a 70 KB query string', async () => {
      const { status, body } = await rawHttp(
        port(),
        `POST /op/v2/chatMessageList?x=${'a'.repeat(70_000)} HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n`,
      );
      expect(status).toBe(400);
      expect(JSON.parse(body)).toMatchObject({ code: 400, message: '请求行或请求头过长', data: null, foot: expect.any(Object) });
    });

    it('a garbage request line', async () => {
      const { status, body } = await rawHttp(port(), 'HELLO THERE\r\n\r\n');
      expect(status).toBe(400);
      expect(JSON.parse(body)).toMatchObject({ code: 400, message: '请求格式无效', data: null });
      expect(body).not.toMatch(/fastify|Fastify|FST_/);
    });
  });

  describe('2.37 bounds', () => {
    it('an aroundMessageId past the 64-bit range is 404, as any id not in the chat', async () => {
      const { status, envelope } = await a.client.call('chatMessageList', { chatId, aroundMessageId: '9999999999999999999' });
      expect([status, envelope.message]).toEqual([404, `aroundMessageId 9999999999999999999 不是会话 ${chatId} 中的消息`]);
    });

    it('a pageNum whose startIndex would lose precision is 400', async () => {
      const { status, envelope } = await a.client.call('chatMessageList', { chatId, pageNum: 2 ** 52, pageSize: 100 });
      expect([status, envelope.message]).toEqual([400, 'pageNum 不能大于 1000000000']);
      const last = await a.client.call('chatMessageList', { chatId, pageNum: 1_000_000_000, pageSize: 100 });
      expect(last.envelope.page).toMatchObject({ page: 1_000_000_000, startIndex: 99_999_999_900 });
    });
  });
});
