import { randomBytes } from 'node:crypto';
import { ChatStatus } from '@op/contracts';
import { inTransaction } from '../src/database/transaction';
import { ChatRepository } from '../src/modules/chats/chat.repository';
import { CallbackIds } from '../src/modules/easemob/callback-ids.service';
import { STORE_ENGINES, type Engine } from './support/databases';
import { APPKEY, CALLBACK_SECRET, callbackBody, postCallback } from './support/easemob';
import { startTestApp, type TestApp, type TestTenant } from './support/test-app';

// Issue 13: concurrent callbacks share one transaction (group commit). Each still gets its
// own answer: a redelivery in the same batch is a duplicate, a forged callId in the same
// batch is refused alone, and what is answered 200 is stored once.
const REDIS_URL = process.env.OP_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

const setups: Array<{ name: string; engine: Engine; env: Record<string, string> }> = [
  ...STORE_ENGINES.map((engine) => ({ name: `${engine}, callIds in the database`, engine, env: {} })),
  {
    name: 'sqlite, callIds in Redis',
    engine: 'sqlite',
    env: { OP_REDIS_URL: REDIS_URL, OP_REDIS_PREFIX: `op-test-${process.pid}-${randomBytes(4).toString('hex')}:` },
  },
];

describe.each(setups)('group commit of concurrent callbacks ($name)', ({ engine, env }) => {
  let t: TestApp;
  let a: TestTenant;
  let agentId: string;

  beforeAll(async () => {
    // Journalling after a slow store is another spec's subject: here every store has time to finish.
    t = await startTestApp(engine, { ...env, OP_CALLBACK_GROUP_COMMIT: 'on' });
    a = await t.createTenant();
    await t.easemobApps.register(a.tenantId, APPKEY, CALLBACK_SECRET);
    await t.serviceAccounts.add(a.tenantId, 'kefu01');
    ({ operatorId: agentId } = await t.addOperator(a, { username: 'gc-agent', imUsername: 'gc-agent-im' }));
  });

  afterAll(async () => {
    await t?.close();
  });

  it('answers each of 120 concurrent callbacks for itself and stores each message once', async () => {
    const base = `${engine === 'sqlite' ? 31 : 32}${env.OP_REDIS_URL ? 1 : 0}`;
    const originals = Array.from({ length: 80 }, (_, i) =>
      callbackBody({
        from: `u0001group${i % 7}`,
        to: 'kefu01',
        msgId: `${base}${String(i).padStart(6, '0')}`,
        body: { type: 'txt', msg: `原文 ${i}` },
      }),
    );
    // 20 redeliveries (the same body) and 20 forgeries (the same callId, timestamp and security, other text).
    const redeliveries = originals.slice(0, 20).map((body) => ({ ...body }));
    const forgeries: Array<Record<string, unknown>> = originals
      .slice(20, 40)
      .map((body) => ({ ...body, payload: { bodies: [{ type: 'txt', msg: '伪造的内容' }], ext: {} } }));
    const all = [...originals, ...redeliveries, ...forgeries].sort(() => Math.random() - 0.5);
    const answers = await Promise.all(all.map(async (body) => ({ body, ...(await postCallback(t.baseUrl, body)) })));

    const byCallId = new Map<string, Array<{ status: number; result?: string; text: string }>>();
    for (const answer of answers) {
      const result = answer.status === 200 ? (JSON.parse(answer.text) as { data: { result: string } }).data.result : undefined;
      byCallId.set(answer.body.callId as string, [
        ...(byCallId.get(answer.body.callId as string) ?? []),
        { status: answer.status, result, text: answer.text },
      ]);
    }
    const results = answers.map((answer) =>
      answer.status === 200 ? (JSON.parse(answer.text) as { data: { result: string } }).data.result : answer.status,
    );
    process.stderr.write(
      `group commit (${engine}${env.OP_REDIS_URL ? ', Redis' : ''}): ${JSON.stringify(results.reduce<Record<string, number>>((m, r) => ({ ...m, [r]: (m[r] ?? 0) + 1 }), {}))}\n`,
    );
    const rows: Array<{ hx_msg_id: string; msg: string }> = await t.dataSource.query(
      'SELECT hx_msg_id, msg FROM messages WHERE tenant_id = ?',
      [a.tenantId],
    );
    const stored = new Map(rows.map((row) => [row.hx_msg_id, row.msg]));
    expect(rows.length).toBe(80);
    originals.forEach((body, i) => {
      const got = byCallId.get(body.callId as string)!;
      if (i < 20) {
        // Original and redelivery: one stored, the other a duplicate.
        expect(got.map((g) => g.result).sort()).toEqual(['duplicate', 'stored']);
        expect(stored.get(body.msg_id as string)).toBe(`原文 ${i}`);
      } else if (i < 40) {
        // Original and forgery: whichever came first is stored, the other refused, and the stored text is the accepted one's.
        expect(got.map((g) => g.status).sort()).toEqual([200, 401]);
        expect(got.find((g) => g.status === 401)!.text).toContain('callId 已被使用，内容与首次不同');
        expect(['伪造的内容', `原文 ${i}`]).toContain(stored.get(body.msg_id as string));
      } else {
        expect(got).toEqual([expect.objectContaining({ status: 200, result: 'stored' })]);
      }
    });
    // One open chat per customer, with the messages counted.
    const chats: Array<{ customer_id: string; message_count: number | string }> = await t.dataSource.query(
      'SELECT customer_id, message_count FROM chats WHERE tenant_id = ?',
      [a.tenantId],
    );
    expect(chats).toHaveLength(7);
    expect(chats.reduce((n, chat) => n + Number(chat.message_count), 0)).toBe(80);
  }, 60_000);

  it('settles claims of the same callIds sent at once in different orders, each new one claimed once', async () => {
    // Batches of one moment overlap (an original in one, its redelivery in the next) and name
    // their callIds in arrival order: two multi-row inserts of the same keys in different
    // orders deadlocked in InnoDB, and the whole batch was answered 500.
    const callIds = t.app.get(CallbackIds);
    const claimed: string[] = [];
    const unclaimed: string[] = [];
    for (let round = 0; round < 40; round++) {
      const ids = Array.from({ length: 12 }, (_, i) => `order-${round}-${i}`);
      const batches = Array.from({ length: 6 }, () => ids.filter(() => Math.random() < 0.6).sort(() => Math.random() - 0.5));
      const answers = await Promise.all(
        batches.map((batch) =>
          callIds.claimMany(
            a.tenantId,
            batch.map((callId) => ({ callId, fingerprint: `fp-${callId}` })),
          ),
        ),
      );
      answers.forEach((answer, i) => expect(answer).toEqual(batches[i].map(() => true)));
      const named = new Set(batches.flat());
      for (const id of ids) (named.has(id) ? claimed : unclaimed).push(id);
    }
    // Each claimed callId is known with its content (other content is refused); the rest are free.
    const probe = [...claimed, ...unclaimed].map((callId) => ({ callId, fingerprint: 'other content' }));
    expect(await callIds.claimMany(a.tenantId, probe)).toEqual([...claimed.map(() => false), ...unclaimed.map(() => true)]);
  }, 60_000);

  it("opens one chat for each new customer of a batch, accepted by the operator's reply at its time", async () => {
    // New customers' first messages open their chats together; an operator's reply accepts each.
    const customers = Array.from({ length: 24 }, (_, i) => `u0001opening${i}`);
    const bodies = customers.flatMap((customer, i) => [
      callbackBody({ from: customer, to: 'gc-agent-im' }),
      callbackBody({ from: customer, to: 'gc-agent-im' }),
      ...(i % 2 === 0 ? [callbackBody({ from: 'gc-agent-im', to: customer })] : []),
    ]);
    const answers = await Promise.all(bodies.sort(() => Math.random() - 0.5).map((body) => postCallback(t.baseUrl, body)));
    expect(answers.map((answer) => answer.status)).toEqual(bodies.map(() => 200));

    const chats: Array<{
      id: string;
      customer_id: string;
      status: number;
      operator_id: string | null;
      accept_time: string | number | null;
      message_count: number;
    }> = await t.dataSource.query(
      `SELECT id, customer_id, status, operator_id, accept_time, message_count FROM chats WHERE tenant_id = ? AND customer_id LIKE 'u0001opening%'`,
      [a.tenantId],
    );
    const claims: Array<{ customer_id: string; chat_id: string }> = await t.dataSource.query(
      `SELECT customer_id, chat_id FROM chat_open WHERE tenant_id = ? AND customer_id LIKE 'u0001opening%'`,
      [a.tenantId],
    );
    const stored: Array<{ chat_id: string; n: number | string }> = await t.dataSource.query(
      'SELECT chat_id, COUNT(*) AS n FROM messages WHERE tenant_id = ? GROUP BY chat_id',
      [a.tenantId],
    );
    const count = new Map(stored.map((row) => [row.chat_id, Number(row.n)]));
    expect(chats.map((chat) => chat.customer_id).sort()).toEqual([...customers].sort());
    expect(new Map(claims.map((claim) => [claim.customer_id, claim.chat_id]))).toEqual(
      new Map(chats.map((chat) => [chat.customer_id, chat.id])),
    );
    chats.forEach((chat) => {
      const i = customers.indexOf(chat.customer_id);
      const reply = bodies.find((body) => body.from === 'gc-agent-im' && body.to === chat.customer_id);
      expect({ customer: chat.customer_id, count: Number(chat.message_count), stored: count.get(chat.id) }).toEqual({
        customer: chat.customer_id,
        count: i % 2 === 0 ? 3 : 2,
        stored: i % 2 === 0 ? 3 : 2,
      });
      expect({
        customer: chat.customer_id,
        status: Number(chat.status),
        operator: chat.operator_id,
        accepted: chat.accept_time === null ? null : Number(chat.accept_time),
      }).toEqual({
        customer: chat.customer_id,
        status: reply ? ChatStatus.Chatting : ChatStatus.Waiting,
        operator: reply ? agentId : null,
        accepted: reply ? reply.timestamp : null,
      });
    });
  }, 60_000);

  /** Opens waiting chats for these customers (`customer@timeMs`) in one transaction, as a batch does. */
  const openChats = (...openings: string[]) =>
    inTransaction(t.dataSource, (manager) =>
      t.app.get(ChatRepository).openMany(
        manager,
        a.tenantId,
        openings.map((opening) => {
          const [customerId, timeMs] = opening.split('@');
          return { customerId, timeMs: Number(timeMs) };
        }),
        { status: ChatStatus.Waiting, operatorId: null },
      ),
    );

  it('joins the chat another writer opened for a customer after the batch read none', async () => {
    const first = await openChats('u0001raced@1000');
    // A batch that read before that chat opened opens it and another customer's together.
    const second = await openChats('u0001raced@2000', 'u0001unraced@2000');
    expect(second.get('u0001raced')).toMatchObject({ created: false, chat: { id: first.get('u0001raced')!.chat.id } });
    expect(second.get('u0001unraced')).toMatchObject({ created: true, chat: { customerId: 'u0001unraced', status: ChatStatus.Waiting } });
    const rows: Array<{ customer_id: string; id: string }> = await t.dataSource.query(
      `SELECT customer_id, id FROM chats WHERE tenant_id = ? AND customer_id IN ('u0001raced', 'u0001unraced') ORDER BY customer_id`,
      [a.tenantId],
    );
    expect(rows).toEqual([
      { customer_id: 'u0001raced', id: first.get('u0001raced')!.chat.id },
      { customer_id: 'u0001unraced', id: second.get('u0001unraced')!.chat.id },
    ]);
  });

  it('joins a chat claimed under a spelling the key takes for the same customer', async () => {
    // MariaDB's collation pads with spaces ('x' and 'x ' are one key); SQLite compares bytes.
    const same = engine !== 'sqlite';
    const earlier = await openChats('u0001padded @1000');
    const later = await openChats('u0001padded@2000');
    expect(later.get('u0001padded')!.created).toBe(!same);
    expect(later.get('u0001padded')!.chat.id === earlier.get('u0001padded ')!.chat.id).toBe(same);
    // Both spellings new in one batch.
    const both = await openChats('u0001twice@3000', 'u0001twice @3000', 'u0001twice@4000');
    expect(both.get('u0001twice')!.chat.id === both.get('u0001twice ')!.chat.id).toBe(same);
    const [{ n }]: Array<{ n: number | string }> = await t.dataSource.query(
      `SELECT COUNT(*) AS n FROM chats WHERE tenant_id = ? AND customer_id IN ('u0001twice', 'u0001twice ')`,
      [a.tenantId],
    );
    expect(Number(n)).toBe(same ? 1 : 2);
  });
});
