import type { ChatMessageListData } from '@op/contracts';
import { importRecord } from '@op/contracts/testing';
import { DataSource } from 'typeorm';
import { dataSourceOptions, migrate, openDataSource } from '../src/database/data-source';
import { dialectOf } from '../src/database/dialect';
import { dayNumber, DAY_MS } from '../src/database/message-days';
import { MIGRATIONS } from '../src/database/migrations';
import { ENTITIES } from '../src/entities';
import { createTestDatabase, ENGINES, STORE_ENGINES } from './support/databases';
import { record } from './support/records';
import { startTestApp, type TestApp, type TestTenant } from './support/test-app';

/** Midnight UTC of a recent day: messages of the specs straddle day boundaries on purpose. */
const MIDNIGHT = Math.floor(Date.UTC(2026, 9, 1) / DAY_MS) * DAY_MS;

/** A deterministic shuffle, so a failure can be replayed. */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let state = seed;
  for (let i = out.length - 1; i > 0; i--) {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    const j = state % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** Message times over four days, with ties and messages at the very first and last ms of a day. */
function timesOverDays(count: number): number[] {
  return Array.from({ length: count }, (_, i) => {
    const day = i % 4;
    const edge = i % 9 === 0 ? 0 : i % 9 === 1 ? DAY_MS - 1 : (i * 7_919_000) % DAY_MS;
    return MIDNIGHT + day * DAY_MS + (i % 5 === 0 ? 3_600_000 : edge); // every fifth shares one time
  });
}

describe.each(STORE_ENGINES)('2.37 aroundMessageId finds the page of any message on %s', (engine) => {
  let t: TestApp;
  let a: TestTenant;
  const list = (body: Record<string, unknown>) => a.client.call<ChatMessageListData>('chatMessageList', body);

  /** Every message of the chat in page order, read page by page as a caller would. */
  async function allIds(chatId: string): Promise<string[]> {
    const ids: string[] = [];
    for (let pageNum = 1; ; pageNum++) {
      const { envelope } = await list({ chatId, pageNum, pageSize: 50 });
      ids.push(...envelope.data!.msg.map((m) => m.userMessageId));
      if (!envelope.page!.next) return ids;
    }
  }

  async function expectEveryPosition(chatId: string, expected: number): Promise<void> {
    const ids = await allIds(chatId);
    expect(ids).toHaveLength(expected);
    for (const [index, id] of ids.entries()) {
      const { status, envelope } = await list({ chatId, aroundMessageId: id, pageSize: 7 });
      expect(status).toBe(200);
      expect(envelope.page).toMatchObject({ page: Math.floor(index / 7) + 1, startIndex: Math.floor(index / 7) * 7, total: expected });
      expect(envelope.data!.msg.map((m) => m.userMessageId)).toEqual(ids.slice(Math.floor(index / 7) * 7, Math.floor(index / 7) * 7 + 7));
    }
  }

  beforeAll(async () => {
    t = await startTestApp(engine);
    a = await t.createTenant();
  });

  afterAll(async () => {
    await t?.close();
  });

  it('for messages imported out of order in several batches, over several days', async () => {
    const records = timesOverDays(60).map((timestamp, i) => record({ chatId: 'days', timestamp, body: { type: 'txt', msg: `第${i}条` } }));
    const order = shuffled(records, 7);
    for (const batch of [order.slice(0, 25), order.slice(25, 26), order.slice(26)]) {
      expect((await t.importRecords(a.tenantId, batch)).failed).toBe(0);
    }
    // A repeated import stores nothing and counts nothing twice.
    await t.importRecords(a.tenantId, order.slice(0, 10));
    await expectEveryPosition('days', 60);
  });

  it('for messages routed one at a time as callbacks are, late ones for earlier days included', async () => {
    // Live callbacks must carry a fresh timestamp (a 300 s window), so days of them come
    // through the same router from Easemob's own export, one line at a time.
    const times = shuffled(timesOverDays(30), 11);
    for (const [i, timestamp] of times.entries()) {
      const line = importRecord({ msgId: `live-${i}`, timestamp, from: 'u0001live', to: 'kefu01', body: `第${i}条` });
      expect(await t.importer.importLines(a.tenantId, [JSON.stringify(line)])).toMatchObject({ imported: 1, failed: 0 });
    }
    const [chat]: Array<{ id: string }> = await t.dataSource.query('SELECT id FROM chats WHERE tenant_id = ? AND customer_id = ?', [
      a.tenantId,
      'u0001live',
    ]);
    await expectEveryPosition(chat.id, 30);
  });

  it('serves every page of a long chat in order, deep pages starting from their day', async () => {
    const records = timesOverDays(700).map((timestamp, i) => record({ chatId: 'deep', timestamp, body: { type: 'txt', msg: `深${i}` } }));
    for (let i = 0; i < records.length; i += 250) await t.importRecords(a.tenantId, shuffled(records, 3).slice(i, i + 250));
    const oracle: Array<{ id: string }> = await t.dataSource.query(
      'SELECT CAST(id AS CHAR) AS id FROM messages WHERE tenant_id = ? AND chat_id = ? ORDER BY create_time, id',
      [a.tenantId, 'deep'],
    );
    const expected = oracle.map((row) => row.id);
    expect(expected).toHaveLength(700);
    const pages = async () => {
      for (const pageSize of [50, 7]) {
        for (let pageNum = 1; (pageNum - 1) * pageSize < 700; pageNum += pageSize === 7 ? 9 : 1) {
          const { envelope } = await list({ chatId: 'deep', pageNum, pageSize });
          expect({ pageNum, pageSize, ids: envelope.data!.msg.map((m) => m.userMessageId) }).toEqual({
            pageNum,
            pageSize,
            ids: expected.slice((pageNum - 1) * pageSize, pageNum * pageSize),
          });
        }
      }
    };
    const positions = async () => {
      for (const index of [0, 250, 351, 699]) {
        const { envelope } = await list({ chatId: 'deep', aroundMessageId: expected[index], pageSize: 20 });
        expect({ index, startIndex: envelope.page!.startIndex }).toEqual({ index, startIndex: Math.floor(index / 20) * 20 });
      }
    };
    await pages();
    await positions();
    // Day counts that do not add up (messages stored by a process older than them) are not
    // trusted: the same pages and positions, found the long way. Likewise with none at all.
    const [first]: Array<{ utc_day: number | string }> = await t.dataSource.query(
      'SELECT MIN(utc_day) AS utc_day FROM chat_message_days WHERE tenant_id = ? AND chat_id = ?',
      [a.tenantId, 'deep'],
    );
    await t.dataSource.query(
      'UPDATE chat_message_days SET message_count = message_count - 3 WHERE tenant_id = ? AND chat_id = ? AND utc_day = ?',
      [a.tenantId, 'deep', first.utc_day],
    );
    await pages();
    await positions();
    await t.dataSource.query('DELETE FROM chat_message_days WHERE tenant_id = ? AND chat_id = ?', [a.tenantId, 'deep']);
    await pages();
    await positions();
  });

  it('computes the same day in SQL as in code, before 1970 and at day edges', async () => {
    for (const time of [0, 1, DAY_MS - 1, DAY_MS, -1, -DAY_MS, -DAY_MS - 1, MIDNIGHT + DAY_MS - 1, 4_102_444_800_000]) {
      const [row]: Array<{ d: number | string }> = await t.dataSource.query(
        `SELECT ${dialectOf(t.dataSource).dayOf('v')} AS d FROM (SELECT ? AS v) x`,
        [time],
      );
      expect({ time, day: Number(row.d) }).toEqual({ time, day: dayNumber(time) });
    }
  });
});

describe.each(ENGINES)('the chat_message_days migration on %s', (engine) => {
  it('counts the messages stored before it, per chat and day', async () => {
    const database = await createTestDatabase(engine);
    await (await openDataSource(database.config, ENTITIES)).destroy(); // creates the MariaDB database
    const before = await new DataSource({
      ...dataSourceOptions(database.config, ENTITIES),
      migrations: MIGRATIONS.slice(0, 4),
    }).initialize();
    try {
      await migrate(before);
      const times = timesOverDays(20);
      for (const [i, time] of times.entries()) {
        await before.query('INSERT INTO messages (id, tenant_id, chat_id, hx_msg_id, type, create_time) VALUES (?, ?, ?, ?, ?, ?)', [
          1000 + i,
          't1',
          i % 2 === 0 ? 'even' : 'odd',
          `hx${i}`,
          'txt',
          time,
        ]);
      }
    } finally {
      await before.destroy();
    }
    const after = await new DataSource(dataSourceOptions(database.config, ENTITIES)).initialize();
    try {
      expect(await migrate(after)).toEqual(MIGRATIONS.slice(4).map((migration) => new migration().name));
      const rows: Array<{ chat_id: string; utc_day: number | string; message_count: number | string }> = await after.query(
        'SELECT chat_id, utc_day, message_count FROM chat_message_days ORDER BY chat_id, utc_day',
      );
      const expected = new Map<string, number>();
      timesOverDays(20).forEach((time, i) => {
        const key = `${i % 2 === 0 ? 'even' : 'odd'} ${dayNumber(time)}`;
        expected.set(key, (expected.get(key) ?? 0) + 1);
      });
      expect(rows.map((r) => [`${r.chat_id} ${Number(r.utc_day)}`, Number(r.message_count)])).toEqual(
        [...expected].sort(([x], [y]) => (x < y ? -1 : 1)),
      );
    } finally {
      await after.destroy();
      await database.drop();
    }
  });
});
