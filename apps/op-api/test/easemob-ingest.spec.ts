import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, gzipSync } from 'node:zlib';
import { OpClient } from '@op/contracts/node';
import { importRecord } from '@op/contracts/testing';
import { compareChatOrder, type ChatCreateResult, type ChatInfo, type ChatMessage, type ChatMessageListData } from '@op/contracts';
import { STORE_ENGINES } from './support/databases';
import { untilWaiting } from './support/lock-waits';
import { APPKEY, CALLBACK_SECRET, callbackBody, postCallback } from './support/easemob';
import { MessageIds } from '../src/modules/chat-message/message-ids';
import { MessageStore } from '../src/modules/chat-message/message-store.service';
import { MessageRouter } from '../src/modules/easemob/message-router.service';
import { EasemobCallbackService } from '../src/modules/easemob/easemob-callback.service';
import { decodeLine, encodeEntry } from '../src/modules/easemob/spool-journal';
import { startTestApp, type TestApp, type TestTenant } from './support/test-app';
import { TimeFormatter } from '../src/common/util/time-format';

const AGENT_IM = 'kefu01';
/** Callbacks carry the time they are sent (the server refuses one more than 300 s away): two minutes ago, per test. */
let RECENT = Date.now() - 120_000;
beforeEach(() => {
  RECENT = Date.now() - 120_000;
});
const ROBOT_IM = 'robot01';

/** Runs `task` over `items` with at most `limit` in flight. */
async function pool<T>(items: T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) await task(items[next++]);
    }),
  );
}

describe.each(STORE_ENGINES)('Easemob callbacks, routing and the chat lifecycle on %s', (engine) => {
  let t: TestApp;
  let a: TestTenant;
  let agentId: string;
  let agent: OpClient;

  const detailOfCustomer = async (customerId: string): Promise<ChatInfo[]> => {
    const rows: Array<{ id: string }> = await t.dataSource.query(
      'SELECT id FROM chats WHERE tenant_id = ? AND customer_id = ? ORDER BY create_time, id',
      [a.tenantId, customerId],
    );
    return Promise.all(rows.map(async (row) => (await a.client.call<ChatInfo>('chatDetail', { chatId: row.id })).envelope.data!));
  };
  const messagesOf = async (chatId: string, pageSize = 100): Promise<ChatMessage[]> =>
    (await a.client.call<ChatMessageListData>('chatMessageList', { chatId, pageSize })).envelope.data!.msg;
  const messageCount = async () => {
    const rows: Array<{ n: number | string }> = await t.dataSource.query('SELECT COUNT(*) AS n FROM messages WHERE tenant_id = ?', [
      a.tenantId,
    ]);
    return Number(rows[0].n);
  };
  const deliver = async (options: Parameters<typeof callbackBody>[0]) => {
    const result = await postCallback(t.baseUrl, callbackBody(options));
    expect(result.status).toBe(200);
    return JSON.parse(result.text) as { code: number; data: { result: string } };
  };

  beforeAll(async () => {
    t = await startTestApp(engine);
    a = await t.createTenant();
    await t.easemobApps.register(a.tenantId, APPKEY, CALLBACK_SECRET);
    await t.serviceAccounts.add(a.tenantId, ROBOT_IM);
    ({ operatorId: agentId, client: agent } = await t.addOperator(a, { username: 'agent1', imUsername: AGENT_IM }));
  });

  afterAll(async () => {
    await t?.close();
  });

  it('stores every documented body type, field by field, in the customer’s new waiting chat', async () => {
    const customer = 'u0001everytype';
    const bodies: Array<Record<string, unknown>> = [
      { type: 'txt', msg: '你好，我想退款' },
      {
        type: 'img',
        url: 'https://a1.easemob.com/f/img',
        filename: 'p.jpg',
        secret: 'si',
        file_length: 100,
        size: { width: 480, height: 720 },
      },
      { type: 'audio', url: 'https://a1.easemob.com/f/aud', filename: 'a.amr', secret: 'sa', length: 4, file_length: 200 },
      {
        type: 'video',
        url: 'https://a1.easemob.com/f/vid',
        filename: 'v.mp4',
        secret: 'sv',
        thumb: 'https://a1.easemob.com/t/vid',
        thumb_secret: 'tv',
        length: 12,
        file_length: 3000,
      },
      { type: 'loc', addr: '北京市朝阳区', lat: '39.9', lng: '116.4' },
      { type: 'file', url: 'https://a1.easemob.com/f/file', filename: 'f.pdf', secret: 'sf', file_length: 400 },
      { type: 'cmd', action: 'inputting' },
      { type: 'custom', customEvent: 'gift', 'v2:customExts': { n: '1' } },
    ];
    for (const [i, body] of bodies.entries()) {
      expect((await deliver({ from: customer, to: AGENT_IM, body, timestamp: RECENT + i * 1000, ext: { seq: i } })).data.result).toBe(
        'stored',
      );
    }
    const [chat] = await detailOfCustomer(customer);
    expect(chat).toMatchObject({
      status: '等待接待',
      statusCode: 1,
      customerId: customer,
      operatorId: null,
      messageCount: 8,
      acceptTime: null,
      endTime: null,
    });
    expect(chat.chatId).toMatch(/^u0001[0-9a-f]{32}$/);
    const messages = await messagesOf(chat.chatId);
    expect(messages.map((m) => m.type)).toEqual(['txt', 'img', 'audio', 'video', 'loc', 'file', 'cmd', 'custom']);
    const none = {
      msg: null,
      url: null,
      filename: null,
      thumb: null,
      secret: null,
      thumb_secret: null,
      length: null,
      file_length: null,
      addr: null,
      lat: null,
      lng: null,
      getUrl: null,
    };
    expect(messages[0]).toMatchObject({
      ...none,
      form: customer,
      to: AGENT_IM,
      msg: '你好，我想退款',
      createTime: new TimeFormatter('Asia/Shanghai').formatMs(RECENT),
      ext: { seq: 0 },
    });
    expect(messages[1]).toMatchObject({ ...none, url: 'https://a1.easemob.com/f/img', filename: 'p.jpg', secret: 'si', file_length: 100 });
    expect(messages[2]).toMatchObject({
      ...none,
      url: 'https://a1.easemob.com/f/aud',
      filename: 'a.amr',
      secret: 'sa',
      length: 4,
      file_length: 200,
    });
    expect(messages[3]).toMatchObject({
      ...none,
      url: 'https://a1.easemob.com/f/vid',
      filename: 'v.mp4',
      secret: 'sv',
      thumb: 'https://a1.easemob.com/t/vid',
      thumb_secret: 'tv',
      length: 12,
      file_length: 3000,
    });
    expect(messages[4]).toMatchObject({ ...none, addr: '北京市朝阳区', lat: 39.9, lng: 116.4 });
    expect(messages[5]).toMatchObject({ ...none, url: 'https://a1.easemob.com/f/file', filename: 'f.pdf', secret: 'sf', file_length: 400 });
    expect(messages[6]).toMatchObject({ ...none, msg: 'inputting' });
    expect(messages[7]).toMatchObject({ ...none, msg: 'gift', ext: { seq: 7, customExts: { n: '1' } } });
    expect(messages.every((m) => /^\d+$/.test(m.hxMsgId!))).toBe(true);
  });

  it('keeps integers past 2^53 in ext digit for digit, from a callback, an import line and the journal to 2.37', async () => {
    const customer = 'u0001bigints';
    // An int64 order id, a negative one just past 2^53 and one inside an array; a double and a small integer beside them.
    const EXACT = '{"orderId":12345678901234567890,"nested":{"id":-9007199254740993,"list":[9007199254740993,1.5,42]}}';
    const withExact = (json: string) => json.replace('"ext":{}', `"ext":${EXACT}`);
    const callback = callbackBody({ from: customer, to: AGENT_IM, timestamp: RECENT, body: { type: 'txt', msg: '回调' } });
    expect((await postCallback(t.baseUrl, undefined, withExact(JSON.stringify(callback)))).status).toBe(200);
    const line = JSON.stringify(
      importRecord({ msgId: 'bigint-import', timestamp: RECENT + 1, from: customer, to: AGENT_IM, body: '导入' }),
    );
    expect(await t.importer.importLines(a.tenantId, [withExact(line)])).toMatchObject({ imported: 1, failed: 0 });
    // A journal entry as the spool writes it, read back and written again as the drain does.
    const journalled = callbackBody({ from: customer, to: AGENT_IM, timestamp: RECENT + 2, body: { type: 'txt', msg: '暂存' } });
    const json = JSON.stringify({ t: Date.now(), tenant: a.tenantId, callId: journalled.callId, body: '-' }).replace(
      '"body":"-"',
      `"body":${withExact(JSON.stringify(journalled))}`,
    );
    const entry = decodeLine(`${crc32(json).toString(16).padStart(8, '0')} ${json}`)!;
    expect(encodeEntry(entry).toString()).toContain(EXACT);
    expect(await t.app.get(EasemobCallbackService).storeSpooled([entry])).toEqual([{ ok: true, value: 'stored' }]);

    const [chat] = await detailOfCustomer(customer);
    const request = a.client.signedRequest('chatMessageList', { chatId: chat.chatId });
    const response = await fetch(request.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: request.body });
    const text = await response.text();
    // Each message's ext as sent, in the answer's own text (a JSON.parse of it would round them again).
    expect(text.split(EXACT)).toHaveLength(4);
    expect((JSON.parse(text) as { data: ChatMessageListData }).data.msg.map((m) => m.msg)).toEqual(['回调', '导入', '暂存']);
  });

  it("keeps integers past 2^53 exact in a custom message's customExts and in bodies past the first, and takes a timestamp sent as digits", async () => {
    const customer = 'u0001bigbodies';
    const BIG = '12345678901234567891';
    const custom = callbackBody({ from: customer, to: AGENT_IM, timestamp: RECENT + 10, body: { type: 'custom', customEvent: 'gift' } });
    const customJson = JSON.stringify(custom).replace('"customEvent":"gift"', `"customEvent":"gift","customExts":{"orderId":${BIG}}`);
    expect((await postCallback(t.baseUrl, undefined, customJson)).status).toBe(200);
    const twoBodies = callbackBody({ from: customer, to: AGENT_IM, timestamp: RECENT + 11, body: { type: 'txt', msg: '两段' } });
    const twoJson = JSON.stringify(twoBodies).replace(
      '"bodies":[{"type":"txt","msg":"两段"}]',
      `"bodies":[{"type":"txt","msg":"两段"},{"type":"txt","msg":"第二段","n":${BIG}}]`,
    );
    expect((await postCallback(t.baseUrl, undefined, twoJson)).status).toBe(200);
    // Signed over the digits as sent: authenticated, so stored, not refused after the signature passed.
    const digits = callbackBody({
      from: customer,
      to: AGENT_IM,
      timestamp: String(Date.now()) as unknown as number,
      body: { type: 'txt', msg: '字符串时间' },
    });
    const answered = await postCallback(t.baseUrl, digits);
    expect([answered.status, JSON.parse(answered.text).data]).toEqual([200, { result: 'stored' }]);

    const [chat] = await detailOfCustomer(customer);
    const request = a.client.signedRequest('chatMessageList', { chatId: chat.chatId });
    const response = await fetch(request.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: request.body });
    const text = await response.text();
    // In the answer's own text: a JSON.parse of it would round them again.
    expect(text).toContain(`"customExts":{"orderId":${BIG}}`);
    expect(text).toContain(`"n":${BIG}`);
    const listed = (JSON.parse(text) as { data: ChatMessageListData }).data.msg;
    expect(listed.map((m) => m.msg)).toEqual(['gift', '两段', '字符串时间']);
    expect(listed[2].createTime).toBe(new TimeFormatter('Asia/Shanghai').formatMs(Number(digits.timestamp)));
  });

  it('stores a callback at the size limits (65,535 bytes of text, 65,503 of ext), past the 64 KiB of other requests', async () => {
    const customer = 'u0001longest';
    const msg = '退'.repeat(21_845);
    const ext = { note: 'x'.repeat(65_492) };
    expect([Buffer.byteLength(msg), Buffer.byteLength(JSON.stringify(ext))]).toEqual([65_535, 65_503]);
    const body = callbackBody({ from: customer, to: AGENT_IM, body: { type: 'txt', msg }, ext });
    expect(Buffer.byteLength(JSON.stringify(body))).toBeGreaterThan(128 * 1024);
    const accepted = await postCallback(t.baseUrl, body);
    expect([accepted.status, JSON.parse(accepted.text).data]).toEqual([200, { result: 'stored' }]);
    const [chat] = await detailOfCustomer(customer);
    const [stored] = await messagesOf(chat.chatId);
    // Compared whole, reported short (a diff of 128 KiB of text helps nobody).
    expect({ msg: stored.msg === msg, ext: JSON.stringify(stored.ext) === JSON.stringify(ext), keys: Object.keys(stored.ext) }).toEqual({
      msg: true,
      ext: true,
      keys: ['note'],
    });
    // Past what one message can be (an export line's 1 MiB), a callback is still refused, naming its own limit.
    const huge = callbackBody({ from: customer, to: AGENT_IM, ext: { note: 'x'.repeat(1024 * 1024) } });
    const refused = await postCallback(t.baseUrl, huge);
    expect(refused.status).toBe(413);
    expect(JSON.parse(refused.text)).toMatchObject({ code: 413, message: '请求体不能超过 1024 KiB' });
  });

  it('refuses bad callbacks with the right status, stores nothing, and keeps serving', async () => {
    const before = await messageCount();
    const good = callbackBody({ from: 'u0001bad', to: AGENT_IM });
    expect((await postCallback(t.baseUrl, { ...good, security: '0'.repeat(32) })).status).toBe(401);
    expect((await postCallback(t.baseUrl, callbackBody({ from: 'u0001bad', to: AGENT_IM, secret: 'wrong' }))).status).toBe(401);
    expect((await postCallback(t.baseUrl, callbackBody({ from: 'u0001bad', to: AGENT_IM, appkey: 'nobody#app' }))).status).toBe(401);
    expect((await postCallback(t.baseUrl, { ...good, timestamp: Number(good.timestamp) + 1 })).status).toBe(401);
    expect((await postCallback(t.baseUrl, null, '{"callId": "x", ')).status).toBe(400);
    expect((await postCallback(t.baseUrl, { ...good, msg_id: undefined })).status).toBe(400);
    expect((await postCallback(t.baseUrl, { ...good, payload: { ext: {} } })).status).toBe(400);
    expect((await postCallback(t.baseUrl, { ...good, payload: { bodies: [] } })).status).toBe(400);
    const rejected = await postCallback(t.baseUrl, { ...good, payload: { bodies: [{ type: 'txt', msg: 1 }] } });
    expect(rejected.status).toBe(400);
    expect(JSON.parse(rejected.text)).toMatchObject({ code: 400, message: 'payload.bodies[0].msg 必须是字符串', data: null });
    expect(rejected.text.length).toBeLessThan(1000);
    expect(await messageCount()).toBe(before);
    expect(await detailOfCustomer('u0001bad')).toEqual([]);
    expect((await postCallback(t.baseUrl, good)).status).toBe(200);
    expect(await messageCount()).toBe(before + 1);
  });

  it('takes a callback whatever media type its sender names, at /hx/callback/ too; refuses a charset it cannot read', async () => {
    // Easemob promises a UTF-8 JSON body, not a Content-Type; `security` authenticates it.
    const sent = async (contentType: string | null, path = '/hx/callback', body = callbackBody({ from: 'u0001types', to: AGENT_IM })) => {
      const response = await fetch(`${t.baseUrl}${path}`, {
        method: 'POST',
        headers: contentType === null ? {} : { 'content-type': contentType },
        body: new Blob([JSON.stringify(body)]), // no type: fetch adds no Content-Type of its own
      });
      return [response.status, ((await response.json()) as { message: string }).message];
    };
    const before = await messageCount();
    expect(await sent('text/plain; charset=UTF-8')).toEqual([200, '成功']);
    expect(await sent('text/plain')).toEqual([200, '成功']);
    expect(await sent(null)).toEqual([200, '成功']);
    expect(await sent('application/json', '/hx/callback/')).toEqual([200, '成功']);
    expect(await messageCount()).toBe(before + 4);
    expect(await sent('text/plain; charset=GBK')).toEqual([415, '请求体必须是 UTF-8 编码的 JSON（charset=gbk 不支持）']);
    expect(await messageCount()).toBe(before + 4);
    const unsigned = { ...callbackBody({ from: 'u0001types', to: AGENT_IM }), appkey: undefined };
    expect(await sent('application/json', '/hx/callback', unsigned)).toEqual([401, 'appkey 不能为空']);
    const fraction = callbackBody({ from: 'u0001types', to: AGENT_IM, timestamp: Date.now() + 0.5 });
    expect(await sent('application/json', '/hx/callback', fraction)).toEqual([401, 'timestamp 必须是毫秒时间戳（正整数）']);
    const get = await fetch(`${t.baseUrl}/hx/callback`);
    expect([get.status, ((await get.json()) as { message: string }).message]).toEqual([404, '接口 /hx/callback 只支持 POST 请求']);
  });

  it('acknowledges unknown events without storing them', async () => {
    const before = await messageCount();
    expect((await deliver({ from: 'u0001evt', to: AGENT_IM, eventType: 'state_change' })).data.result).toBe('ignored');
    expect((await deliver({ from: 'u0001evt', to: AGENT_IM, chatType: 'read_ack' })).data.result).toBe('ignored');
    expect(await messageCount()).toBe(before);
  });

  it('stores 50 concurrent deliveries of one message exactly once', async () => {
    const body = callbackBody({ from: 'u0001storm', to: AGENT_IM, body: { type: 'txt', msg: '只存一次' } });
    const results = await Promise.all(Array.from({ length: 50 }, () => postCallback(t.baseUrl, body)));
    expect(results.map((r) => r.status)).toEqual(Array(50).fill(200));
    expect(results.filter((r) => r.text.includes('"stored"'))).toHaveLength(1);
    const chats = await detailOfCustomer('u0001storm');
    expect(chats).toHaveLength(1);
    expect(chats[0].messageCount).toBe(1);
    expect((await messagesOf(chats[0].chatId)).map((m) => m.msg)).toEqual(['只存一次']);
  });

  it('reads back 1,000 messages delivered in random order, twice each, complete and in order', async () => {
    const customer = 'u0001shuffle';
    const bodies = Array.from({ length: 1000 }, (_, i) =>
      callbackBody({
        from: i % 3 === 0 ? AGENT_IM : customer,
        to: i % 3 === 0 ? customer : AGENT_IM,
        timestamp: RECENT + i * 100,
        msgId: `77${String(i).padStart(6, '0')}`,
        body: { type: 'txt', msg: `#${i}` },
      }),
    );
    const deliveries = [...bodies, ...bodies].sort(() => Math.random() - 0.5);
    await pool(deliveries, 16, async (body) => {
      const { status } = await postCallback(t.baseUrl, body);
      expect(status).toBe(200);
    });
    const chats = await detailOfCustomer(customer);
    expect(chats).toHaveLength(1);
    expect(chats[0]).toMatchObject({ messageCount: 1000, statusCode: 3, operatorId: agentId });
    const seen: ChatMessage[] = [];
    for (let pageNum = 1; pageNum <= 10; pageNum++) {
      const { envelope } = await a.client.call<ChatMessageListData>('chatMessageList', { chatId: chats[0].chatId, pageNum, pageSize: 100 });
      seen.push(...envelope.data!.msg);
    }
    // Each once, in docs/CONTRACT.md §3's order: by the second each was sent in (ten to a second
    // here), then by id, which within one second is the order they were stored in.
    const number = (m: ChatMessage) => Number(m.msg!.slice(1));
    expect(seen.map(number).sort((x, y) => x - y)).toEqual(bodies.map((_, i) => i));
    const second = (i: number) => Math.floor((RECENT + i * 100) / 1000);
    expect(seen.map((m) => second(number(m)))).toEqual(bodies.map((_, i) => second(i)));
    expect([...seen].sort(compareChatOrder)).toEqual(seen);
  });

  it('routes: operator replies accept a waiting chat; a service account is staff; after the end a new chat opens', async () => {
    const customer = 'u0001route';
    await deliver({ from: customer, to: ROBOT_IM, timestamp: RECENT });
    await deliver({ from: ROBOT_IM, to: customer, timestamp: RECENT + 1000 });
    let [chat] = await detailOfCustomer(customer);
    expect(chat).toMatchObject({ statusCode: 1, operatorId: null, messageCount: 2 });
    await deliver({ from: AGENT_IM, to: customer, timestamp: RECENT + 2000 });
    [chat] = await detailOfCustomer(customer);
    expect(chat).toMatchObject({ statusCode: 3, status: '聊天中', operatorId: agentId, acceptTime: expect.any(String), messageCount: 3 });

    expect((await a.client.call('chatStatusUpdate', { chatId: chat.chatId, status: 5 })).envelope).toMatchObject({
      code: 200,
      data: { statusCode: 5, endTime: expect.any(String) },
    });
    await deliver({ from: customer, to: AGENT_IM, timestamp: RECENT + 100_000, body: { type: 'txt', msg: '我又来了' } });
    const chats = await detailOfCustomer(customer);
    expect(chats).toHaveLength(2);
    expect(chats[1]).toMatchObject({ statusCode: 1, operatorId: null, messageCount: 1 });
    expect(chats[1].chatId).not.toBe(chat.chatId);
    expect((await messagesOf(chats[1].chatId)).map((m) => m.msg)).toEqual(['我又来了']);
  });

  it('routes group messages by group_id', async () => {
    const extra = { group_id: '1008611' };
    await deliver({ from: 'u0001g1', to: '1008611', chatType: 'groupchat', extra });
    await deliver({ from: 'u0001g2', to: '1008611', chatType: 'groupchat', extra });
    await deliver({ from: AGENT_IM, to: '1008611', chatType: 'groupchat', extra });
    const chats = await detailOfCustomer('1008611');
    expect(chats).toHaveLength(1);
    expect(chats[0]).toMatchObject({ messageCount: 3, statusCode: 3, operatorId: agentId });
  });

  it('keeps a recalled message, flagged, whether the recall comes after or before it', async () => {
    const first = callbackBody({ from: 'u0001recall', to: AGENT_IM, msgId: '5550001', body: { type: 'txt', msg: '说错了' } });
    await postCallback(t.baseUrl, first);
    const recall = (recallId: string) => deliver({ from: 'u0001recall', to: AGENT_IM, chatType: 'recall', extra: { recall_id: recallId } });
    expect((await recall('5550001')).data.result).toBe('recalled');
    expect((await recall('5550002')).data.result).toBe('recalled');
    await postCallback(
      t.baseUrl,
      callbackBody({ from: 'u0001recall', to: AGENT_IM, msgId: '5550002', body: { type: 'txt', msg: '也撤回' } }),
    );
    await deliver({ from: 'u0001recall', to: AGENT_IM, msgId: '5550003', body: { type: 'txt', msg: '正常' } });
    // A sender's own ext.recalled is its data, not a recall: kept under another name.
    const own = { from: 'u0001recall', to: AGENT_IM, body: { type: 'txt', msg: '自带 recalled' }, ext: { recalled: true, k: 'v' } };
    await deliver({ ...own, msgId: '5550004', timestamp: Date.now() + 2_000 });
    await deliver({ ...own, msgId: '5550005', timestamp: Date.now() + 2_001 });
    expect((await recall('5550005')).data.result).toBe('recalled');
    const [chat] = await detailOfCustomer('u0001recall');
    const messages = await messagesOf(chat.chatId);
    expect(messages.map((m) => [m.msg, m.ext])).toEqual([
      ['说错了', { recalled: true }],
      ['也撤回', { recalled: true }],
      ['正常', {}],
      ['自带 recalled', { k: 'v', opSenderRecalled: true }],
      ['自带 recalled', { k: 'v', opSenderRecalled: true, recalled: true }],
    ]);
    expect(chat.messageCount).toBe(5);
  });

  it('keeps every body of a message: the first as the message, any further ones in ext.opMoreBodies', async () => {
    const body = callbackBody({
      from: 'u0001bodies',
      to: AGENT_IM,
      timestamp: RECENT,
      body: { type: 'txt', msg: '第一段' },
      ext: { k: 1 },
    });
    const second = { type: 'img', url: 'https://a1.easemob.com/f/second', filename: 'b.jpg' };
    (body.payload as { bodies: unknown[] }).bodies.push(second);
    expect((await postCallback(t.baseUrl, body)).status).toBe(200);
    const [chat] = await detailOfCustomer('u0001bodies');
    const [message] = await messagesOf(chat.chatId);
    expect([message.type, message.msg, message.ext]).toEqual(['txt', '第一段', { k: 1, opMoreBodies: [second] }]);
    // Bodies too long to keep beside the sender's ext: the ext is kept, and they are counted.
    const long = callbackBody({
      from: 'u0001bodies',
      to: AGENT_IM,
      timestamp: RECENT + 1,
      body: { type: 'txt', msg: '第二条' },
      ext: { k: 2 },
    });
    (long.payload as { bodies: unknown[] }).bodies.push({ type: 'txt', msg: 'x'.repeat(70_000) });
    expect((await postCallback(t.baseUrl, long)).status).toBe(200);
    const [, cut] = await messagesOf(chat.chatId);
    expect([cut.msg, cut.ext]).toEqual(['第二条', { k: 2, opMoreBodiesCut: { bodies: 1, bytes: expect.any(Number) } }]);
  });

  it('backfills from Easemob’s own export into the same sessions, storing nothing twice', async () => {
    const customer = 'u0001backfill';
    const live = callbackBody({ from: customer, to: AGENT_IM, msgId: '8880001', timestamp: RECENT, body: { type: 'txt', msg: '实时' } });
    await postCallback(t.baseUrl, live);
    const exported = (msgId: string, timestamp: number, msg: string, from = customer, to = AGENT_IM) =>
      JSON.stringify(importRecord({ msgId, timestamp, from, to, body: msg }));
    const folder = mkdtempSync(join(tmpdir(), 'op-backfill-'));
    try {
      const file = join(folder, '2023111500.gz');
      writeFileSync(
        file,
        gzipSync(
          [
            exported('8880000', RECENT - 1000, '补回的第一条'),
            exported('8880001', RECENT, '实时'),
            exported('8880002', RECENT + 1000, '补回的回复', AGENT_IM, customer),
          ].join('\n'),
        ),
      );
      expect(await t.importer.importFile(a.tenantId, file)).toEqual({ imported: 2, duplicates: 1, expired: 0, failed: 0, errors: [] });
      expect(await t.importer.importFile(a.tenantId, file)).toEqual({ imported: 0, duplicates: 3, expired: 0, failed: 0, errors: [] });
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
    const chats = await detailOfCustomer(customer);
    expect(chats).toHaveLength(1);
    expect(chats[0]).toMatchObject({ messageCount: 3, statusCode: 3, operatorId: agentId });
    expect((await messagesOf(chats[0].chatId)).map((m) => m.msg)).toEqual(['补回的第一条', '实时', '补回的回复']);
  });

  it('imports messages at their size limits whole, in sessions and routed, and a session of thousands in one go', async () => {
    // Text and ext near 64 KiB each, full of characters the SQL escapes: a batch of them is tens of
    // MiB, past MariaDB's 16 MiB max_allowed_packet, which failed the whole import with a 500.
    const text = (n: number) => `${n} "引号" \\ ${'退款'.repeat(10_500)}`;
    const ext = (n: number) => ({ n, note: 'x"\\'.repeat(12_000) });
    const session = 'u0001big-session';
    const customer = 'u0001big-routed';
    // `count` records from `at` on, in `chatId` (or routed, without one), at the size limits or small.
    const lines = (prefix: string, count: number, at: number, chatId: string | undefined, from: string, big: boolean) =>
      Array.from({ length: count }, (_, i) =>
        importRecord({
          chatId,
          msgId: `${prefix}-${i}`,
          timestamp: at + i,
          from,
          to: AGENT_IM,
          body: big ? text(i) : `小 ${i}`,
          ...(big ? { ext: ext(i) } : {}),
        }),
      );
    const records = [
      ...lines('big-s', 120, RECENT - 600_000, session, session, true),
      ...lines('small-s', 1_500, RECENT - 500_000, session, session, false),
      ...lines('big-r', 120, RECENT - 400_000, undefined, customer, true),
    ];
    const none = { expired: 0, failed: 0, errors: [] };
    expect(await t.importRecords(a.tenantId, records)).toEqual({ imported: 1_740, duplicates: 0, ...none });
    expect(await t.importRecords(a.tenantId, records)).toEqual({ imported: 0, duplicates: 1_740, ...none });

    const page = async (chatId: string, pageNum: number) =>
      (await a.client.call<ChatMessageListData>('chatMessageList', { chatId, pageNum, pageSize: 100 })).envelope.data!;
    const first = await page(session, 1);
    expect((await a.client.call<ChatInfo>('chatDetail', { chatId: session })).envelope.data!.messageCount).toBe(1_620);
    expect(first.msg[0]).toMatchObject({ hxMsgId: 'big-s-0', msg: text(0), ext: ext(0) });
    expect(first.msg[99]).toMatchObject({ hxMsgId: 'big-s-99', msg: text(99), ext: ext(99) });
    expect((await page(session, 17)).msg.at(-1)).toMatchObject({ hxMsgId: 'small-s-1499', msg: '小 1499' });
    const [routed] = await detailOfCustomer(customer);
    expect(routed.messageCount).toBe(120);
    expect((await page(routed.chatId, 2)).msg.at(-1)).toMatchObject({ hxMsgId: 'big-r-119', msg: text(119), ext: ext(119) });
  });

  it('brings a message Easemob’s export holds back into the ended session it was sent in, not the open one', async () => {
    const customer = 'u0001session';
    const HOUR = 3_600_000;
    const now = Date.now();
    // A session from three hours ago to two, ended; the customer's open chat began just now.
    const earlier = (msgId: string, timestamp: number) =>
      importRecord({ chatId: 'u0001sessionearlier', msgId, timestamp, from: customer, to: AGENT_IM, body: msgId, chatStatus: 5 });
    await t.importRecords(a.tenantId, [earlier('s-1', now - 3 * HOUR), earlier('s-2', now - 2 * HOUR)]);
    await deliver({ from: customer, to: AGENT_IM, body: { type: 'txt', msg: 'live' } });
    const routed = (msgId: string, timestamp: number) => importRecord({ msgId, timestamp, from: customer, to: AGENT_IM, body: msgId });
    // Lost on their way in, brought back by the export: one sent during that session, one between the two.
    const lines = [routed('r-1', now - 2.5 * HOUR), routed('r-2', now - HOUR)];
    expect(await t.importRecords(a.tenantId, lines)).toMatchObject({ imported: 2, duplicates: 0, failed: 0 });
    expect(await t.importRecords(a.tenantId, lines)).toMatchObject({ imported: 0, duplicates: 2, failed: 0 });

    const chats = await detailOfCustomer(customer);
    expect(chats.map((c) => [c.chatId === 'u0001sessionearlier', c.statusCode, c.messageCount])).toEqual([
      [true, 5, 3],
      [false, 1, 2],
    ]);
    expect((await messagesOf('u0001sessionearlier')).map((m) => m.msg)).toEqual(['s-1', 'r-1', 's-2']);
    expect((await messagesOf(chats[1].chatId)).map((m) => m.msg)).toEqual(['r-2', 'live']);
  });

  it('brings a session’s lost first message back into that session, ended since, and moves its start back', async () => {
    const customer = 'u0001lostfirst';
    const HOUR = 3_600_000;
    const now = Date.now();
    const session = (chatId: string, msgId: string, timestamp: number) =>
      importRecord({ chatId, msgId, timestamp, from: customer, to: AGENT_IM, body: msgId, chatStatus: 5 });
    // Two sessions, both ended: five to four hours ago, and two to one.
    await t.importRecords(a.tenantId, [
      session('u0001lostfirstone', 'one-1', now - 5 * HOUR),
      session('u0001lostfirstone', 'one-2', now - 4 * HOUR),
      session('u0001lostfirsttwo', 'two-1', now - 2 * HOUR),
      session('u0001lostfirsttwo', 'two-2', now - HOUR),
    ]);
    // The messages that opened each of them never arrived; the export brings them back.
    const routed = (msgId: string, timestamp: number) => importRecord({ msgId, timestamp, from: customer, to: AGENT_IM, body: msgId });
    // One more from two days before: too long before any session to have opened one of them.
    const lines = [routed('lost-1', now - 6 * HOUR), routed('lost-2', now - 3 * HOUR), routed('far', now - 53 * HOUR)];
    expect(await t.importRecords(a.tenantId, lines)).toMatchObject({ imported: 3, duplicates: 0, failed: 0 });

    // Each lost first message joined the session it began, which stays ended and now starts with
    // it; the far one opened a chat of its own, as any message with no session to join does.
    const chats = await detailOfCustomer(customer);
    expect(
      chats.map((c) => [
        c.chatId === 'u0001lostfirstone' || c.chatId === 'u0001lostfirsttwo' ? c.chatId : 'new',
        c.statusCode,
        c.messageCount,
      ]),
    ).toEqual([
      ['new', 1, 1],
      ['u0001lostfirstone', 5, 3],
      ['u0001lostfirsttwo', 5, 3],
    ]);
    const format = new TimeFormatter('Asia/Shanghai');
    expect(chats.map((c) => c.createTime)).toEqual([
      format.formatMs(now - 53 * HOUR),
      format.formatMs(now - 6 * HOUR),
      format.formatMs(now - 3 * HOUR),
    ]);
    expect((await messagesOf('u0001lostfirstone')).map((m) => m.msg)).toEqual(['lost-1', 'one-1', 'one-2']);
    expect((await messagesOf('u0001lostfirsttwo')).map((m) => m.msg)).toEqual(['lost-2', 'two-1', 'two-2']);
  });

  it('takes a chat an import ended without an end time as ending at its last message', async () => {
    const customer = 'u0001noendtime';
    const HOUR = 3_600_000;
    const now = Date.now();
    // A §5 session with no chatStatus is ended (5) with no end time; another session after it.
    const session = (chatId: string, msgId: string, timestamp: number, chatStatus?: number) =>
      importRecord({ chatId, msgId, timestamp, from: customer, to: AGENT_IM, body: msgId, ...(chatStatus ? { chatStatus } : {}) });
    await t.importRecords(a.tenantId, [
      session('u0001noendone', 'ne-1', now - 10 * HOUR),
      session('u0001noendone', 'ne-2', now - 8 * HOUR),
      session('u0001noendtwo', 'ne-3', now - 4 * HOUR, 5),
    ]);
    const routed = importRecord({ msgId: 'ne-lost', timestamp: now - 9 * HOUR, from: customer, to: AGENT_IM, body: 'ne-lost' });
    expect(await t.importRecords(a.tenantId, [routed])).toMatchObject({ imported: 1 });
    expect((await messagesOf('u0001noendone')).map((m) => m.msg)).toEqual(['ne-1', 'ne-lost', 'ne-2']);
    expect((await detailOfCustomer(customer)).map((c) => [c.chatId, c.messageCount])).toEqual([
      ['u0001noendone', 3],
      ['u0001noendtwo', 1],
    ]);
  });

  it('stores a journalled callback in the chat it was sent in when that chat ended before the drain', async () => {
    const customer = 'u0001journalled';
    await deliver({ from: customer, to: AGENT_IM, timestamp: RECENT, body: { type: 'txt', msg: '在吗' } });
    const [chat] = await detailOfCustomer(customer);
    // The next one reached a process whose database was away: journalled, not stored yet.
    const body = callbackBody({ from: customer, to: AGENT_IM, timestamp: RECENT + 1000, body: { type: 'txt', msg: '暂存的消息' } });
    const journalled = { t: Date.now(), tenant: a.tenantId, callId: String(body.callId), body };
    // The agent ended the chat before the drain ran.
    expect((await a.client.call('chatStatusUpdate', { chatId: chat.chatId, status: 5 })).envelope.code).toBe(200);
    expect(await t.app.get(EasemobCallbackService).storeSpooled([journalled])).toEqual([{ ok: true, value: 'stored' }]);

    const chats = await detailOfCustomer(customer);
    expect(chats.map((c) => [c.chatId, c.statusCode, c.messageCount])).toEqual([[chat.chatId, 5, 2]]);
    expect((await messagesOf(chat.chatId)).map((m) => m.msg)).toEqual(['在吗', '暂存的消息']);
    // A message the customer sends now opens the next chat, as always.
    await deliver({ from: customer, to: AGENT_IM, body: { type: 'txt', msg: '还在吗' } });
    expect((await detailOfCustomer(customer)).map((c) => [c.statusCode, c.messageCount])).toEqual([
      [5, 2],
      [1, 1],
    ]);
  });

  it('lets live messages join a chat an import left open, and open a new one once an import ends it', async () => {
    const customer = 'u0001imported';
    const line = (msgId: string, chatStatus: number) =>
      importRecord({ chatId: 'u0001importedchat', msgId, timestamp: RECENT, from: customer, to: AGENT_IM, body: msgId, chatStatus });
    await t.importRecords(a.tenantId, [line('imp-1', 3)]);
    await deliver({ from: customer, to: AGENT_IM, body: { type: 'txt', msg: 'live-1' } });
    let chats = await detailOfCustomer(customer);
    expect(chats.map((c) => [c.chatId, c.messageCount, c.statusCode])).toEqual([['u0001importedchat', 2, 3]]);
    await t.importRecords(a.tenantId, [line('imp-2', 5)]);
    await deliver({ from: customer, to: AGENT_IM, body: { type: 'txt', msg: 'live-2' } });
    chats = await detailOfCustomer(customer);
    expect(chats).toHaveLength(2);
    const [ended, fresh] = [chats.find((c) => c.chatId === 'u0001importedchat'), chats.find((c) => c.chatId !== 'u0001importedchat')];
    expect(ended).toMatchObject({ statusCode: 5, endTime: expect.any(String), messageCount: 3 });
    expect(fresh).toMatchObject({ statusCode: 1, messageCount: 1 });
  });

  it('keeps a file’s order between records that name their session and routed ones', async () => {
    const customer = 'u0001mixedfile';
    const session = (msgId: string, timestamp: number, chatStatus: number) =>
      JSON.stringify(importRecord({ chatId: 'u0001mixedchat', msgId, timestamp, from: customer, to: AGENT_IM, body: msgId, chatStatus }));
    const routed = (msgId: string, timestamp: number) =>
      JSON.stringify(importRecord({ msgId, timestamp, from: customer, to: AGENT_IM, body: msgId }));
    const result = await t.importer.importLines(a.tenantId, [
      session('mixed-1', RECENT, 3),
      routed('mixed-2', RECENT + 1),
      routed('mixed-3', RECENT + 2),
      session('mixed-4', RECENT + 3, 5),
      routed('mixed-5', RECENT + 4),
    ]);
    expect(result).toMatchObject({ imported: 5, failed: 0 });
    // The routed ones before the session's end join it; the one after opens the customer's next chat.
    const chats = await detailOfCustomer(customer);
    const ended = chats.find((c) => c.chatId === 'u0001mixedchat');
    const next = chats.find((c) => c.chatId !== 'u0001mixedchat');
    expect(chats).toHaveLength(2);
    expect(ended).toMatchObject({ statusCode: 5, messageCount: 4 });
    expect((await messagesOf(ended!.chatId)).map((m) => m.msg)).toEqual(['mixed-1', 'mixed-2', 'mixed-3', 'mixed-4']);
    expect(next).toMatchObject({ statusCode: 1, messageCount: 1 });
  });

  // SQLite has one writer: no transaction waits on another's row there.
  if (engine !== 'sqlite') {
    it('takes a chat’s row before writing its messages, as a purge does, so the two never wait on each other', async () => {
      const chatId = 'u0001lockorder';
      const record = (msgId: string, timestamp: number) =>
        JSON.stringify(importRecord({ chatId, msgId, timestamp, from: 'u0001lockcustomer', to: AGENT_IM, body: msgId, chatStatus: 5 }));
      expect(await t.importer.importLines(a.tenantId, [record('lock-1', RECENT)])).toMatchObject({ imported: 1 });

      // Another transaction holds the chat's row, as customerErase and retention do while they delete.
      const holder = t.dataSource.createQueryRunner();
      await holder.connect();
      await holder.startTransaction();
      let importing: Promise<unknown> | undefined;
      try {
        await holder.query('SELECT id FROM chats WHERE tenant_id = ? AND id = ? FOR UPDATE', [a.tenantId, chatId]);
        importing = t.importer.importLines(a.tenantId, [record('lock-2', RECENT + 1)]);
        // What the import's connection waits in (a statement running for 300 ms is waiting) is
        // the one that takes the chat's row, not one sent after its messages were written (which
        // a purge's delete would wait on in turn).
        let waiting: string | undefined;
        for (let tries = 0; waiting === undefined && tries < 200; tries++) {
          const rows: Array<{ info: string }> = await holder.query(
            // The keyword feeder's writes (message_search, on a connection of their own) aside:
            // one of long messages can run past 300 ms on a busy machine.
            "SELECT INFO AS info FROM information_schema.PROCESSLIST WHERE DB = DATABASE() AND COMMAND = 'Query' AND TIME_MS > 300 AND ID <> CONNECTION_ID() AND INFO NOT LIKE '%message_search%'",
          );
          waiting = rows[0]?.info;
          if (waiting === undefined) await new Promise((resolve) => setTimeout(resolve, 25));
        }
        expect(waiting).toMatch(/^SELECT .* FROM chats c .*WHERE .* FOR UPDATE$/s);
      } finally {
        await holder.rollbackTransaction();
        await holder.release();
      }
      expect(await importing).toMatchObject({ imported: 1, failed: 0 });
      expect((await messagesOf(chatId)).map((m) => m.msg)).toEqual(['lock-1', 'lock-2']);
      expect((await a.client.call<ChatInfo>('chatDetail', { chatId })).envelope.data).toMatchObject({ messageCount: 2, statusCode: 5 });
    });
    it('lets a record another writer stored first change nothing, when that writer commits while the import waits on it', async () => {
      const line = (chatId: string, msgId: string, chatStatus: number) =>
        JSON.stringify(
          importRecord({ chatId, msgId, timestamp: RECENT, from: `${chatId}-customer`, to: AGENT_IM, body: msgId, chatStatus }),
        );
      expect(await t.importer.importLines(a.tenantId, [line('u0001racechat', 'race-1', 5)])).toMatchObject({ imported: 1 });
      /** Imports `records` while another writer holds a copy of race-1's row under `msgId`, committed once the import waits on it. */
      const importRacing = async (records: string[], msgId: string) => {
        const holder = t.dataSource.createQueryRunner();
        await holder.connect();
        await holder.startTransaction();
        let importing: Promise<unknown> | undefined;
        try {
          await holder.query(
            'INSERT INTO messages (id, tenant_id, chat_id, hx_msg_id, from_user, to_user, type, msg, create_time, ext) ' +
              'SELECT ?, tenant_id, chat_id, ?, from_user, to_user, type, msg, create_time, ext FROM messages WHERE tenant_id = ? AND hx_msg_id = ?',
            [`900000000000000000${msgId.slice(-1)}`, msgId, a.tenantId, 'race-1'],
          );
          importing = t.importer.importLines(a.tenantId, records);
          // The import read the record as new (the other writer's row is not committed) and waits to write it.
          await untilWaiting(t.dataSource, 'INSERT IGNORE INTO messages%');
          await holder.commitTransaction();
        } finally {
          if (holder.isTransactionActive) await holder.rollbackTransaction();
          await holder.release();
        }
        return importing;
      };
      // The file says the ended chat is chatting again…
      expect(await importRacing([line('u0001racechat', 'race-2', 3)], 'race-2')).toMatchObject({ imported: 0, duplicates: 1, failed: 0 });
      expect((await a.client.call<ChatInfo>('chatDetail', { chatId: 'u0001racechat' })).envelope.data).toMatchObject({ statusCode: 5 });
      // …and puts a record in a chat of its own.
      expect(await importRacing([line('u0001raceempty', 'race-3', 3)], 'race-3')).toMatchObject({ imported: 0, duplicates: 1, failed: 0 });
      expect((await a.client.call<ChatInfo>('chatDetail', { chatId: 'u0001raceempty' })).envelope.code).toBe(404);
      // A batch that stored some of its records: those act (race-5 deletes the chat), the one
      // lost does not (race-4, later in the file, would have it chatting), and the chat is counted
      // again from its rows.
      expect(await importRacing([line('u0001racechat', 'race-5', 6), line('u0001racechat', 'race-4', 3)], 'race-4')).toMatchObject({
        imported: 1,
        duplicates: 1,
        failed: 0,
      });
      const [{ n }]: Array<{ n: number | string }> = await t.dataSource.query(
        "SELECT COUNT(*) AS n FROM messages WHERE tenant_id = ? AND chat_id = 'u0001racechat'",
        [a.tenantId],
      );
      expect((await a.client.call<ChatInfo>('chatDetail', { chatId: 'u0001racechat' })).envelope.data).toMatchObject({
        statusCode: 6,
        messageCount: Number(n),
      });
      expect(Number(n)).toBe(5); // race-1, the other writer's copies of it (race-2, race-3, race-4), race-5
    });
  }

  it('draws the ids of imported and live messages from one generator, so they never collide', () => {
    // Two Snowflakes with one worker id hand out the same id in the same millisecond, and the
    // messages insert-ignore would drop the second row without a word.
    const idsOf = (service: unknown) => (service as { ids: MessageIds }).ids;
    expect(idsOf(t.app.get(MessageStore))).toBeInstanceOf(MessageIds);
    expect(idsOf(t.app.get(MessageRouter))).toBe(idsOf(t.app.get(MessageStore)));
  });

  describe('lifecycle endpoints', () => {
    it('chatCreate returns the open chat or makes one; chatAssign transfers; chatDetail reads it', async () => {
      const created = await a.client.call<ChatCreateResult>('chatCreate', { customerId: 'u0001life' });
      expect(created.envelope.data).toMatchObject({
        created: true,
        statusCode: 1,
        status: '等待接待',
        customerId: 'u0001life',
        operatorId: null,
        messageCount: 0,
        lastMessageTime: null,
      });
      const again = await a.client.call<ChatCreateResult>('chatCreate', { customerId: 'u0001life', operatorId: agentId });
      expect(again.envelope.data).toMatchObject({ created: false, chatId: created.envelope.data!.chatId, statusCode: 1 });
      const direct = await a.client.call<ChatCreateResult>('chatCreate', { customerId: 'u0001life2', operatorId: agentId });
      expect(direct.envelope.data).toMatchObject({ created: true, statusCode: 3, operatorId: agentId, acceptTime: expect.any(String) });

      const chatId = created.envelope.data!.chatId;
      expect((await a.client.call<ChatInfo>('chatAssign', { chatId, operatorId: agentId })).envelope.data).toMatchObject({
        chatId,
        operatorId: agentId,
      });
      expect((await a.client.call<ChatInfo>('chatAssign', { chatId, operatorId: a.operatorId })).envelope.data).toMatchObject({
        operatorId: a.operatorId,
      });
      expect((await a.client.call('chatAssign', { chatId, operatorId: 'nobody' })).envelope).toMatchObject({
        code: 404,
        message: 'operatorId nobody 不存在',
      });
      expect((await a.client.call('chatDetail', { chatId: 'u0001none' })).envelope).toMatchObject({ code: 404 });
      expect((await a.client.call('chatCreate', { customerId: '' })).envelope).toMatchObject({
        code: 400,
        message: 'customerId 长度必须在 1 到 128 个字符之间',
      });
      // Found by the hostile-input suite: an optional field sent as null is "not given", never a 500.
      expect(
        (await a.client.call<ChatCreateResult>('chatCreate', { customerId: 'u0001life', operatorId: null })).envelope.data,
      ).toMatchObject({ created: false, chatId });
      expect((await a.client.call('chatCreate', { customerId: null })).envelope).toMatchObject({
        code: 400,
        message: 'customerId 不能为空',
      });
    });

    it('allows the legal status moves only, naming both statuses otherwise', async () => {
      const { chatId } = (await a.client.call<ChatCreateResult>('chatCreate', { customerId: 'u0001moves' })).envelope.data!;
      const move = (status: number | string) => a.client.call<ChatInfo>('chatStatusUpdate', { chatId, status });
      expect((await move(30)).envelope).toMatchObject({ code: 400, message: 'status 不能从 1（等待接待）变为 30（挂起）' });
      expect((await move(3)).envelope.data).toMatchObject({ statusCode: 3, acceptTime: expect.any(String) });
      expect((await move(3)).envelope).toMatchObject({ code: 400, message: 'status 不能从 3（聊天中）变为 3（聊天中）' });
      expect((await move('30')).envelope.data).toMatchObject({ statusCode: 30, status: '挂起' });
      expect((await move(1)).envelope).toMatchObject({ code: 400, message: 'status 不能从 30（挂起）变为 1（等待接待）' });
      expect((await move(3)).envelope.data).toMatchObject({ statusCode: 3 });
      expect((await move(5)).envelope.data).toMatchObject({ statusCode: 5, endTime: expect.any(String) });
      expect((await move(3)).envelope).toMatchObject({ code: 400, message: 'status 不能从 5（已结束）变为 3（聊天中）' });
      expect((await move(6)).envelope.data).toMatchObject({ statusCode: 6, status: '用户删除' });
      expect((await move(6)).envelope).toMatchObject({ code: 400, message: 'status 不能从 6（用户删除）变为 6（用户删除）' });
      expect((await move(4)).envelope).toMatchObject({ code: 400, message: 'status 只能是 1、3、5、6 或 30' });
      // Ended: the customer's next chat is a new one.
      expect((await a.client.call<ChatCreateResult>('chatCreate', { customerId: 'u0001moves' })).envelope.data).toMatchObject({
        created: true,
      });
    });

    it("keeps an agent to their own chats and unassigned ones; another tenant's chat is not found", async () => {
      const { chatId } = (await a.client.call<ChatCreateResult>('chatCreate', { customerId: 'u0001mine', operatorId: a.operatorId }))
        .envelope.data!;
      expect((await agent.call('chatDetail', { chatId })).envelope).toMatchObject({ code: 403 });
      expect((await agent.call('chatStatusUpdate', { chatId, status: 5 })).envelope).toMatchObject({ code: 403 });
      const open = (await agent.call<ChatCreateResult>('chatCreate', { customerId: 'u0001open' })).envelope.data!;
      expect((await agent.call('chatAssign', { chatId: open.chatId, operatorId: a.operatorId })).envelope).toMatchObject({
        code: 403,
        message: '坐席只能把会话分配给自己',
      });
      expect((await agent.call<ChatInfo>('chatAssign', { chatId: open.chatId, operatorId: agentId })).envelope.data).toMatchObject({
        operatorId: agentId,
      });
      const other = await t.createTenant();
      expect((await other.client.call('chatDetail', { chatId })).envelope).toMatchObject({
        code: 404,
        message: `chatId ${chatId} 对应的会话不存在`,
      });
      expect((await other.client.call('chatStatusUpdate', { chatId, status: 5 })).envelope).toMatchObject({ code: 404 });
    });
  });
});
