import type { QueryRunner } from 'typeorm';
import { APPKEY, CALLBACK_SECRET, callbackBody, postCallback } from './support/easemob';
import { exportRecord } from './support/fake-easemob';
import { untilWaiting } from './support/lock-waits';
import { startTestApp, type TestApp, type TestTenant } from './support/test-app';

// A recall and the message it recalls, stored at the same time by two transactions: whichever
// commits first, the message ends up flagged recalled. (MariaDB: each transaction reads its own
// snapshot, so the message's store may not see a recall committed after it began, nor the
// recall a message not yet committed. On SQLite one writer at a time: its reads are current.)
// Each callback its own transaction, none journalled: the stores wait as long as the spec holds.
describe('a recall racing the store of its message (mariadb)', () => {
  let t: TestApp;
  let a: TestTenant;

  beforeAll(async () => {
    t = await startTestApp('mariadb', { OP_CALLBACK_GROUP_COMMIT: 'off', OP_SPOOL_AFTER_MS: '30000' });
    a = await t.createTenant();
    await t.easemobApps.register(a.tenantId, APPKEY, CALLBACK_SECRET);
    await t.serviceAccounts.add(a.tenantId, 'kefu01');
  });

  afterAll(async () => {
    await t?.close();
  });

  const message = (customer: string, msgId: string, msg: string) =>
    postCallback(t.baseUrl, callbackBody({ from: customer, to: 'kefu01', msgId, body: { type: 'txt', msg } }));
  const recall = (customer: string, msgId: string) =>
    postCallback(t.baseUrl, callbackBody({ from: customer, to: 'kefu01', chatType: 'recall', extra: { recall_id: msgId } }));
  const flags = async (customer: string) =>
    (
      await t.dataSource.query<Array<{ hx_msg_id: string; ext: string | null }>>(
        'SELECT hx_msg_id, ext FROM messages WHERE tenant_id = ? AND from_user = ? ORDER BY create_time, id',
        [a.tenantId, customer],
      )
    ).map((row) => [row.hx_msg_id, (JSON.parse(row.ext ?? '{}') as { recalled?: boolean }).recalled === true]);

  /**
   * Holds rows (as another writer would) while `during` starts callbacks that wait on them, then
   * lets them go. `during` hands its pending answers back wrapped: awaited here, they would wait on the held rows.
   */
  async function whileHeld<T>(lockSql: string, params: unknown[], during: () => Promise<T>): Promise<T> {
    const holder: QueryRunner = t.dataSource.createQueryRunner();
    await holder.connect();
    await holder.startTransaction();
    try {
      await holder.query(lockSql, params);
      return await during();
    } finally {
      if (holder.isTransactionActive) await holder.rollbackTransaction();
      await holder.release();
    }
  }

  const chatOf = async (customer: string): Promise<string> =>
    (
      await t.dataSource.query<Array<{ id: string }>>('SELECT id FROM chats WHERE tenant_id = ? AND customer_id = ?', [
        a.tenantId,
        customer,
      ])
    )[0].id;
  const recallsOf = async (hxMsgId: string) =>
    Number(
      (
        await t.dataSource.query<Array<{ n: number | string }>>(
          'SELECT COUNT(*) AS n FROM message_recalls WHERE tenant_id = ? AND hx_msg_id = ?',
          [a.tenantId, hxMsgId],
        )
      )[0].n,
    );

  it('a recall committed while its message waits to be stored flags it (a callback)', async () => {
    const customer = 'u0001recallrace1';
    expect((await message(customer, '7710000', '开始')).status).toBe(200);
    const chat = await chatOf(customer);
    // The message's store reads no recall, then waits for the chat's row...
    const { store } = await whileHeld('SELECT id FROM chats WHERE tenant_id = ? AND id = ? FOR UPDATE', [a.tenantId, chat], async () => {
      const pending = message(customer, '7710001', '说错了');
      await untilWaiting(t.dataSource, '%chats%');
      // ...while its recall is stored and committed.
      expect((await recall(customer, '7710001')).status).toBe(200);
      expect(await recallsOf('7710001')).toBe(1);
      return { store: pending };
    });
    expect((await store).status).toBe(200);
    expect(await flags(customer)).toEqual([
      ['7710000', false],
      ['7710001', true],
    ]);
  });

  it('a recall committed while a batch of messages waits to be stored flags the one it recalls (an import)', async () => {
    const customer = 'u0001recallrace3';
    expect((await message(customer, '7730000', '开始')).status).toBe(200);
    const chat = await chatOf(customer);
    const ids = ['7730001', '7730002', '7730003'];
    const lines = ids.map((id, i) => JSON.stringify(exportRecord(id, Date.now() + i, customer, 'kefu01', `说错了 ${i}`)));
    const { imported } = await whileHeld('SELECT id FROM chats WHERE tenant_id = ? AND id = ? FOR UPDATE', [a.tenantId, chat], async () => {
      const pending = t.importer.importLines(a.tenantId, lines);
      await untilWaiting(t.dataSource, '%chats%');
      expect((await recall(customer, ids[1])).status).toBe(200);
      expect(await recallsOf(ids[1])).toBe(1);
      return { imported: pending };
    });
    expect(await imported).toMatchObject({ imported: 3, failed: 0 });
    expect(await flags(customer)).toEqual([
      ['7730000', false],
      ['7730001', false],
      ['7730002', true],
      ['7730003', false],
    ]);
  });

  it('a recall that arrives while its message is written but not yet committed flags it', async () => {
    const customer = 'u0001recallrace9';
    expect((await message(customer, '7790000', '开始')).status).toBe(200);
    const chat = await chatOf(customer);
    // The message is inserted, then its store waits for the chat's counts per day...
    const { answers } = await whileHeld(
      'SELECT message_count FROM chat_message_days WHERE tenant_id = ? AND chat_id = ? FOR UPDATE',
      [a.tenantId, chat],
      async () => {
        const store = message(customer, '7790001', '说错了');
        await untilWaiting(t.dataSource, '%INTO chat_message_days%');
        // ...while its recall arrives (and finds no committed message): it waits, on the store's look for recalls.
        const recalled = recall(customer, '7790001');
        await untilWaiting(t.dataSource, '%INTO message_recalls%');
        return { answers: Promise.all([store, recalled]) };
      },
    );
    expect((await answers).map((answer) => answer.status)).toEqual([200, 200]);
    expect(await flags(customer)).toEqual([
      ['7790000', false],
      ['7790001', true],
    ]);
  });
});
