import { ChatStatus } from '@op/contracts';
import { CallbackSpool } from '../src/modules/easemob/callback-spool.service';
import { APPKEY, CALLBACK_SECRET, callbackBody, postCallback } from './support/easemob';
import { untilWaiting } from './support/lock-waits';
import { startTestApp, type TestApp, type TestTenant } from './support/test-app';

// A chat ended while a callback of its customer was being stored: the callback had read the
// chat as open (its snapshot) and then waited for the chat's row. It must not add the message
// to the ended chat; it routes again and opens the customer's next chat. (MariaDB: on SQLite a
// writer takes the database's write lock before it reads, so its reads are never stale.)
describe('a callback whose chat ends while it waits (mariadb)', () => {
  let t: TestApp;
  let a: TestTenant;

  beforeAll(async () => {
    t = await startTestApp('mariadb', { OP_CALLBACK_GROUP_COMMIT: 'on' });
    a = await t.createTenant();
    await t.easemobApps.register(a.tenantId, APPKEY, CALLBACK_SECRET);
    await t.serviceAccounts.add(a.tenantId, 'kefu01');
  });

  afterAll(async () => {
    await t?.close();
  });

  const chatsOf = (customer: string): Promise<Array<{ id: string; status: number; message_count: number }>> =>
    t.dataSource.query('SELECT id, status, message_count FROM chats WHERE tenant_id = ? AND customer_id = ? ORDER BY create_time, id', [
      a.tenantId,
      customer,
    ]);

  it.each([1, 5])('%i callback(s) at once land in the next chat, none in the ended one', async (count) => {
    const customer = `u0001ended${count}`;
    const first = await postCallback(t.baseUrl, callbackBody({ from: customer, to: 'kefu01', body: { type: 'txt', msg: '开始' } }));
    expect(first.status).toBe(200);
    const [open] = await chatsOf(customer);

    // Another writer holds the chat's row (an operator ending it)...
    const ender = t.dataSource.createQueryRunner();
    await ender.connect();
    await ender.startTransaction();
    try {
      await ender.query('SELECT id FROM chats WHERE tenant_id = ? AND id = ? FOR UPDATE', [a.tenantId, open.id]);
      // ...while callbacks of the customer read the chat as open and wait for that row.
      const sent = Promise.all(
        Array.from({ length: count }, (_, i) =>
          postCallback(t.baseUrl, callbackBody({ from: customer, to: 'kefu01', body: { type: 'txt', msg: `等待中 ${i}` } })),
        ),
      );
      // Until they wait on it: else this would not be the race.
      await untilWaiting(t.dataSource, '%chats%');
      // The chat ends as chatStatusUpdate ends it: final status, end time, the customer's claim freed.
      await ender.query('UPDATE chats SET status = ?, end_time = ? WHERE tenant_id = ? AND id = ?', [
        ChatStatus.Ended,
        Date.now(),
        a.tenantId,
        open.id,
      ]);
      await ender.query('DELETE FROM chat_open WHERE tenant_id = ? AND customer_id = ?', [a.tenantId, customer]);
      await ender.commitTransaction();
      expect((await sent).map((answer) => answer.status)).toEqual(Array(count).fill(200));
    } finally {
      if (ender.isTransactionActive) await ender.rollbackTransaction();
      await ender.release();
    }

    // A callback whose store kept meeting a transient error (here: the batch and the lone
    // callback racing to open the customer's next chat, on a loaded machine) past its retries is
    // journalled and answered 200: it is stored when the journal drains, through the same routing.
    const spool = t.app.get(CallbackSpool);
    for (let i = 0; i < 400 && spool.status().entries > 0; i++) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(spool.status().entries).toBe(0);
    const chats = await chatsOf(customer);
    expect(chats).toEqual([
      { id: open.id, status: ChatStatus.Ended, message_count: 1 },
      { id: expect.any(String), status: ChatStatus.Waiting, message_count: count },
    ]);
    const placed: Array<{ chat_id: string; n: number | string }> = await t.dataSource.query(
      'SELECT chat_id, COUNT(*) AS n FROM messages WHERE tenant_id = ? AND from_user = ? GROUP BY chat_id',
      [a.tenantId, customer],
    );
    expect(new Map(placed.map((row) => [row.chat_id, Number(row.n)]))).toEqual(
      new Map([
        [open.id, 1],
        [chats[1].id, count],
      ]),
    );
  });
});
