import { randomBytes } from 'node:crypto';
import type { ChatMessageListData } from '@op/contracts';
import { STORE_ENGINES, type Engine } from './support/databases';
import { APPKEY, CALLBACK_SECRET, callbackBody, postCallback } from './support/easemob';
import { startTestApp, type TestApp, type TestTenant } from './support/test-app';

// Issue 12, finding 1: Easemob's `security` covers callId, secret and timestamp, not the
// content. Whoever saw one callback could resend its callId/timestamp/security with any
// message, recall or sender, forever. Now the timestamp must be fresh and a callId, once
// accepted, carries only the content it first carried.
const REDIS_URL = process.env.OP_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const AGENT_IM = 'kefu-replay';

const setups: Array<{ name: string; engine: Engine; env: Record<string, string> }> = [
  ...STORE_ENGINES.map((engine) => ({ name: `${engine}, callIds in the database`, engine, env: {} })),
  {
    name: 'sqlite, callIds in Redis',
    engine: 'sqlite',
    env: { OP_REDIS_URL: REDIS_URL, OP_REDIS_PREFIX: `op-test-${process.pid}-${randomBytes(4).toString('hex')}:` },
  },
];

describe.each(setups)('Easemob callbacks cannot be replayed or forged ($name)', ({ engine, env }) => {
  let t: TestApp;
  let a: TestTenant;

  const stored = async (hxMsgId: string) => {
    const rows: Array<{ n: number | string }> = await t.dataSource.query(
      'SELECT COUNT(*) AS n FROM messages WHERE tenant_id = ? AND hx_msg_id = ?',
      [a.tenantId, hxMsgId],
    );
    return Number(rows[0].n);
  };
  const chatsOf = async (customerId: string) => {
    const rows: Array<{ id: string; operator_id: string | null }> = await t.dataSource.query(
      'SELECT id, operator_id FROM chats WHERE tenant_id = ? AND customer_id = ?',
      [a.tenantId, customerId],
    );
    return rows;
  };
  const expectRefused = async (body: unknown, message: string) => {
    const answer = await postCallback(t.baseUrl, body);
    expect([answer.status, JSON.parse(answer.text)]).toEqual([401, expect.objectContaining({ code: 401, message, data: null })]);
  };

  beforeAll(async () => {
    t = await startTestApp(engine, env);
    a = await t.createTenant();
    await t.easemobApps.register(a.tenantId, APPKEY, CALLBACK_SECRET);
    await t.operators.create({ tenantId: a.tenantId, username: 'replay-agent', role: 'agent', imUsername: AGENT_IM });
  });

  afterAll(async () => {
    await t?.close();
  });

  it('refuses a timestamp outside the window, stale or in the future, and stores nothing', async () => {
    await expectRefused(
      callbackBody({ from: 'u0001old', to: AGENT_IM, msgId: 'old-1', timestamp: 1_000_000_000_000 }),
      'timestamp 与服务器时间相差超过 300 秒',
    );
    await expectRefused(
      callbackBody({ from: 'u0001old', to: AGENT_IM, msgId: 'old-2', timestamp: Date.now() - 301_000 }),
      'timestamp 与服务器时间相差超过 300 秒',
    );
    await expectRefused(
      callbackBody({ from: 'u0001old', to: AGENT_IM, msgId: 'old-3', timestamp: Date.now() + 301_000 }),
      'timestamp 与服务器时间相差超过 300 秒',
    );
    expect(await stored('old-1')).toBe(0);
    expect(await chatsOf('u0001old')).toEqual([]);
    const fresh = await postCallback(
      t.baseUrl,
      callbackBody({ from: 'u0001old', to: AGENT_IM, msgId: 'old-4', timestamp: Date.now() - 290_000 }),
    );
    expect(fresh.status).toBe(200);
  });

  it('answers a true redelivery "duplicate" and refuses the same callId with another message', async () => {
    const genuine = callbackBody({ from: 'u0001seen', to: AGENT_IM, msgId: 'seen-1', body: { type: 'txt', msg: '真的' } });
    expect(JSON.parse((await postCallback(t.baseUrl, genuine)).text)).toMatchObject({ data: { result: 'stored' } });
    expect(JSON.parse((await postCallback(t.baseUrl, genuine)).text)).toMatchObject({ data: { result: 'duplicate' } });

    // Same callId, timestamp and security: a valid signature over different content.
    const message = 'callId 已被使用，内容与首次不同：视为重放或伪造';
    await expectRefused({ ...genuine, msg_id: 'forged-1', payload: { bodies: [{ type: 'txt', msg: '假的' }], ext: {} } }, message);
    await expectRefused({ ...genuine, payload: { bodies: [{ type: 'txt', msg: '改过的' }], ext: {} } }, message);
    expect(await stored('forged-1')).toBe(0);
    const page = await a.client.call<ChatMessageListData>('chatMessageList', { chatId: (await chatsOf('u0001seen'))[0].id });
    expect(page.envelope.data!.msg.map((m) => m.msg)).toEqual(['真的']);
  });

  it('refuses a forged recall made from a seen callback', async () => {
    const genuine = callbackBody({ from: 'u0001recallme', to: AGENT_IM, msgId: 'keep-1', body: { type: 'txt', msg: '留着' } });
    expect((await postCallback(t.baseUrl, genuine)).status).toBe(200);
    await expectRefused({ ...genuine, chat_type: 'recall', recall_id: 'keep-1' }, 'callId 已被使用，内容与首次不同：视为重放或伪造');
    const rows: Array<{ ext: string }> = await t.dataSource.query('SELECT ext FROM messages WHERE tenant_id = ? AND hx_msg_id = ?', [
      a.tenantId,
      'keep-1',
    ]);
    expect(JSON.parse(rows[0].ext)).toEqual({});
  });

  it("refuses a forged agent's message that would open and assign a chat", async () => {
    const genuine = callbackBody({ from: 'u0001victim', to: 'u0001other', msgId: 'victim-1' });
    expect((await postCallback(t.baseUrl, genuine)).status).toBe(200);
    await expectRefused(
      { ...genuine, from: AGENT_IM, to: 'u0001target', msg_id: 'victim-2' },
      'callId 已被使用，内容与首次不同：视为重放或伪造',
    );
    expect(await chatsOf('u0001target')).toEqual([]);
  });

  it('lets a callId refused for bad content through once its genuine content arrives', async () => {
    // A 400 (bad field) claims nothing: Easemob's retry of the same callback is stored.
    const genuine = callbackBody({ from: 'u0001retry', to: AGENT_IM, msgId: 'retry-1' });
    expect((await postCallback(t.baseUrl, { ...genuine, payload: { bodies: [] } })).status).toBe(400);
    expect(JSON.parse((await postCallback(t.baseUrl, genuine)).text)).toMatchObject({ data: { result: 'stored' } });
  });
});

describe('the callback window is configurable', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp('sqlite', { OP_CALLBACK_WINDOW_SECONDS: '60' });
    const a = await t.createTenant();
    await t.easemobApps.register(a.tenantId, APPKEY, CALLBACK_SECRET);
  });

  afterAll(async () => {
    await t?.close();
  });

  it('refuses a callback 90 s old under a 60 s window', async () => {
    const answer = await postCallback(t.baseUrl, callbackBody({ from: 'u0001w', to: 'kefu', timestamp: Date.now() - 90_000 }));
    expect([answer.status, JSON.parse(answer.text).message]).toEqual([401, 'timestamp 与服务器时间相差超过 60 秒']);
    expect((await postCallback(t.baseUrl, callbackBody({ from: 'u0001w', to: 'kefu', timestamp: Date.now() - 30_000 }))).status).toBe(200);
  });
});
