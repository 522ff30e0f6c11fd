import type { ChatMessageListData } from '@op/contracts';
import { importRecord } from '@op/contracts/testing';
import { DataSource } from 'typeorm';
import { dataSourceOptions, migrate, openDataSource } from '../src/database/data-source';
import { dialectOf } from '../src/database/dialect';
import { dayNumber, DAY_MS } from '../src/database/message-days';
import { MIGRATIONS } from '../src/database/migrations';
import { MessagesBySecond1732500000043 } from '../src/database/migrations/1732500000043-messages-by-second';
import { ENTITIES } from '../src/entities';
import { MessageSequence } from '../src/modules/chat-message/message-sequence';
import { SearchIndexService } from '../src/modules/search-index/search-index.service';
import { ChatRepository } from '../src/modules/chats/chat.repository';
import { createTestDatabase, ENGINES, STORE_ENGINES } from './support/databases';
import { record } from './support/records';
import { statementsSent } from './support/statements';
import { startTestApp, type TestApp, type TestTenant } from './support/test-app';

/** Midnight UTC of a recent day: messages of the specs straddle day boundaries on purpose. */
const MIDNIGHT = Math.floor(Date.UTC(2026, 9, 1) / DAY_MS) * DAY_MS;

/** A text message's body. */
const text = (msg: string) => ({ type: 'txt' as const, msg });

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
    const expected = await storedIds('deep');
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

  /** The chat's message ids in chat order (create_time, then id), as the store holds them: the model pages are checked against. */
  async function storedIds(chatId: string): Promise<string[]> {
    const rows: Array<{ id: string }> = await t.dataSource.query(
      'SELECT CAST(id AS CHAR) AS id FROM messages WHERE tenant_id = ? AND chat_id = ? ORDER BY create_time, id',
      [a.tenantId, chatId],
    );
    return rows.map((row) => row.id);
  }

  /** The chat numbered throughout (every renumbering asked for done): each message's seq is its place, the chat row says so. */
  async function expectNumbered(chatId: string): Promise<string[]> {
    await t.app.get(MessageSequence).idle();
    const rows: Array<{ id: string; seq: number | string | null }> = await t.dataSource.query(
      'SELECT CAST(id AS CHAR) AS id, seq FROM messages WHERE tenant_id = ? AND chat_id = ? ORDER BY create_time, id',
      [a.tenantId, chatId],
    );
    const [chat]: Array<{ message_count: number | string; seq_upto: number | string; seq_last_id: string }> = await t.dataSource.query(
      'SELECT message_count, seq_upto, CAST(seq_last_id AS CHAR) AS seq_last_id FROM chats WHERE tenant_id = ? AND id = ?',
      [a.tenantId, chatId],
    );
    expect({ count: Number(chat.message_count), upto: Number(chat.seq_upto), last: chat.seq_last_id }).toEqual({
      count: rows.length,
      upto: rows.length,
      last: rows[rows.length - 1].id,
    });
    expect(rows.map((row) => (row.seq === null ? null : Number(row.seq)))).toEqual(rows.map((_, i) => i + 1));
    return rows.map((row) => row.id);
  }

  /** How many of the chat's first messages the chat row says carry their position. */
  async function numberedUpTo(chatId: string): Promise<number> {
    const [chat]: Array<{ seq_upto: number | string }> = await t.dataSource.query(
      'SELECT seq_upto FROM chats WHERE tenant_id = ? AND id = ?',
      [a.tenantId, chatId],
    );
    return Number(chat.seq_upto);
  }

  it('numbers messages imported in order as they are stored; one out of order shortens that to the days before it, and a read has the rest numbered again', async () => {
    // A hundred messages a day, three per millisecond: ties ordered by id.
    const records = Array.from({ length: 300 }, (_, i) =>
      record({
        chatId: 'seq',
        timestamp: MIDNIGHT + Math.floor(i / 100) * DAY_MS + Math.floor(i / 3),
        body: { type: 'txt', msg: `序${i}` },
      }),
    );
    const numberings = await statementsSent(
      t.dataSource,
      async () => {
        for (let i = 0; i < 300; i += 100) await t.importRecords(a.tenantId, records.slice(i, i + 100));
      },
      (sql) => /^\s*UPDATE chats SET seq_upto/i.test(sql),
    );
    expect(await numberedUpTo('seq')).toBe(300); // no read asked for anything
    // The numbering moved with each batch's count, in the chats' upsert (the second and third
    // batches found the chat as planned): no statement of its own.
    expect(numberings).toEqual([]);
    await expectNumbered('seq');
    // A late message between the 150th and 151st (after the three of 49 ms on the second day):
    // the first day stays numbered.
    await t.importRecords(a.tenantId, [record({ chatId: 'seq', timestamp: MIDNIGHT + DAY_MS + 49, body: { type: 'txt', msg: '迟到' } })]);
    expect(await numberedUpTo('seq')).toBe(100);
    // Read at once, while the renumbering the first read asks for runs: every page and position right.
    const expected = await storedIds('seq');
    for (const index of [0, 60, 149, 150, 151, 229, 300]) {
      const { envelope } = await list({ chatId: 'seq', aroundMessageId: expected[index], pageSize: 20 });
      const start = Math.floor(index / 20) * 20;
      expect({ index, startIndex: envelope.page!.startIndex, ids: envelope.data!.msg.map((m) => m.userMessageId) }).toEqual({
        index,
        startIndex: start,
        ids: expected.slice(start, start + 20),
      });
    }
    expect(await expectNumbered('seq')).toEqual(expected);
    await expectEveryPosition('seq', 301);
  });

  it('numbers routed messages (callbacks, Easemob exports) as they arrive, and after a late one once read', async () => {
    const send = async (i: number, timestamp: number) => {
      const line = importRecord({ msgId: `seqlive-${i}`, timestamp, from: 'u0001seqlive', to: 'kefu01', body: `第${i}条` });
      expect(await t.importer.importLines(a.tenantId, [JSON.stringify(line)])).toMatchObject({ imported: 1, failed: 0 });
    };
    for (let i = 0; i < 40; i++) await send(i, MIDNIGHT + 1_000 * i);
    const [chat]: Array<{ id: string }> = await t.dataSource.query('SELECT id FROM chats WHERE tenant_id = ? AND customer_id = ?', [
      a.tenantId,
      'u0001seqlive',
    ]);
    expect(await numberedUpTo(chat.id)).toBe(40);
    await send(40, MIDNIGHT + 9_500); // between the 10th and the 11th, all of one day: nothing stays numbered
    expect(await numberedUpTo(chat.id)).toBe(0);
    await send(41, MIDNIGHT + 60_000); // appended after unnumbered ones: counted, not numbered
    expect(await numberedUpTo(chat.id)).toBe(0);
    await list({ chatId: chat.id, pageNum: 1, pageSize: 10 });
    await expectNumbered(chat.id);
    await expectEveryPosition(chat.id, 42);
  });

  it('keeps the numbering right under concurrent writers out of order and readers', async () => {
    // A day of 500 messages, numbered as imported; then four writers store the next day at once,
    // each in time order but interleaved with the others, so most batches land inside what
    // another stored. Readers ask meanwhile for pages and positions in the first day, which
    // stays numbered throughout (a batch out of order ends the numbered part at its own day).
    const first = Array.from({ length: 500 }, (_, i) =>
      record({ chatId: 'busy', timestamp: MIDNIGHT + i * 10, body: { type: 'txt', msg: `先${i}` } }),
    );
    expect((await t.importRecords(a.tenantId, first)).failed).toBe(0);
    const firstIds = await expectNumbered('busy');
    const writers = Array.from({ length: 4 }, (_, w) =>
      Array.from({ length: 100 }, (_, i) =>
        record({ chatId: 'busy', timestamp: MIDNIGHT + DAY_MS + (i * 4 + w) * 10, body: { type: 'txt', msg: `忙${w}-${i}` } }),
      ),
    );
    let writing = true;
    let reads = 0;
    const reader = (async () => {
      while (writing) {
        const around = await list({ chatId: 'busy', aroundMessageId: firstIds[305], pageSize: 20 });
        const deep = await list({ chatId: 'busy', pageNum: 13, pageSize: 20 });
        expect([around.envelope.page!.startIndex, around.envelope.data!.msg.map((m) => m.userMessageId)]).toEqual([
          300,
          firstIds.slice(300, 320),
        ]);
        expect(deep.envelope.data!.msg.map((m) => m.userMessageId)).toEqual(firstIds.slice(240, 260));
        reads++;
      }
    })();
    await Promise.all(
      writers.map(async (records) => {
        for (let i = 0; i < records.length; i += 25) expect((await t.importRecords(a.tenantId, records.slice(i, i + 25))).failed).toBe(0);
      }),
    );
    writing = false;
    await reader;
    expect(reads).toBeGreaterThan(0);
    // The first day stayed numbered; the second is numbered again once a read asks.
    expect(await numberedUpTo('busy')).toBeGreaterThanOrEqual(500);
    await list({ chatId: 'busy', pageNum: 1, pageSize: 10 });
    const ids = await expectNumbered('busy');
    expect(ids).toHaveLength(900);
    expect(ids.slice(0, 500)).toEqual(firstIds);
    for (const index of [0, 201, 502, 777, 899]) {
      const { envelope } = await list({ chatId: 'busy', aroundMessageId: ids[index], pageSize: 50 });
      expect(envelope.data!.msg.map((m) => m.userMessageId)).toEqual(
        ids.slice(Math.floor(index / 50) * 50, Math.floor(index / 50) * 50 + 50),
      );
    }
  });

  it('reads a page of a chat numbered in part whole, while a message is appended (no row skipped)', async () => {
    // A chat whose numbering a late message cut back is read by counts and offsets; a message
    // appended between the chat's count and the page once shifted a page counted from the end by
    // one row, skipping one (and aroundMessageId served a page without its message).
    const base = MIDNIGHT + 3 * DAY_MS;
    const chatId = 'tail';
    const inOrder = Array.from({ length: 1500 }, (_, i) => record({ chatId, timestamp: base + i * 1000, body: text(`尾${i}`) }));
    expect((await t.importRecords(a.tenantId, inOrder)).failed).toBe(0);
    const pageSize = 20;
    const wrong: string[] = [];
    for (let attempt = 0; attempt < 12; attempt++) {
      await t.importRecords(a.tenantId, [record({ chatId, timestamp: base + (700 + attempt) * 1000 + 500, body: text(`迟${attempt}`) })]);
      const before = await storedIds(chatId);
      const lastPage = Math.ceil(before.length / pageSize);
      const target = before[(lastPage - 2) * pageSize];
      let done = false;
      const answers: Array<{ pageNum: number; target?: string; total: number; ids: string[] }> = [];
      const readers = [0, 1, 2, 3].map(async (r) => {
        for (let i = 0; !done || i < 2; i++) {
          const body = r === 3 ? { chatId, aroundMessageId: target, pageSize } : { chatId, pageNum: lastPage - ((r + i) % 2), pageSize };
          const { envelope } = await list(body);
          answers.push({
            pageNum: envelope.page!.page,
            ...(r === 3 ? { target } : {}),
            total: envelope.page!.total,
            ids: envelope.data!.msg.map((m) => m.userMessageId),
          });
        }
      });
      await new Promise((resolve) => setTimeout(resolve, 5));
      await t.importRecords(a.tenantId, [record({ chatId, timestamp: base + (2000 + attempt) * 1000, body: text(`新${attempt}`) })]);
      done = true;
      await Promise.all(readers);
      const after = await storedIds(chatId);
      const slice = (ids: string[], pageNum: number) => ids.slice((pageNum - 1) * pageSize, pageNum * pageSize);
      for (const answer of answers) {
        const as = (ids: string[]) =>
          answer.total === ids.length && JSON.stringify(answer.ids) === JSON.stringify(slice(ids, answer.pageNum));
        if (!(as(before) || as(after)) || (answer.target && !answer.ids.includes(answer.target)))
          wrong.push(`attempt ${attempt}, page ${answer.pageNum}${answer.target ? ' around' : ''}: total ${answer.total}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('reads a chat numbered in part on one state of the store: a message stored between its count and its page is in neither', async () => {
    const base = MIDNIGHT + 5 * DAY_MS;
    const chatId = 'between';
    // 45 messages in order, then one late: the chat is numbered in part, read by counts and offsets.
    const records = Array.from({ length: 45 }, (_, i) => record({ chatId, timestamp: base + i * 1000, body: text(`间${i}`) }));
    expect((await t.importRecords(a.tenantId, records)).failed).toBe(0);
    expect((await t.importRecords(a.tenantId, [record({ chatId, timestamp: base + 500, body: text('迟') })])).failed).toBe(0);
    const before = await storedIds(chatId);
    // Once the read has the chat's count (its numbering, read without a lock), a message is
    // appended, given time to be stored.
    await t.app.get(MessageSequence).idle();
    const chats = t.app.get(ChatRepository);
    const numbering = chats.numbering.bind(chats);
    const appended: { done?: Promise<unknown> } = {};
    const spy = jest.spyOn(chats, 'numbering').mockImplementation(async (...args) => {
      const found = await numbering(...args);
      const [, , chatIds, { lock }] = args;
      if (appended.done === undefined && lock === false && chatIds.includes(chatId)) {
        appended.done = t.importRecords(a.tenantId, [record({ chatId, timestamp: base + 100_000, body: text('新') })]);
        await new Promise((resolve) => setTimeout(resolve, 300));
      }
      return found;
    });
    // The last page, counted from the chat's end: an append in between would shift it by one.
    const { envelope } = await list({ chatId, pageNum: 3, pageSize: 20 });
    spy.mockRestore();
    await appended.done;
    expect((await storedIds(chatId)).length).toBe(47);
    expect({ total: envelope.page!.total, ids: envelope.data!.msg.map((m) => m.userMessageId) }).toEqual({
      total: 46,
      ids: before.slice(40),
    });
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

describe.each(ENGINES)('the messages-by-second migration on %s', (engine) => {
  /** The chat's messages whose time Mroonga's index (MariaDB's keyword index here) holds as the store does. */
  const mroongaCopies = async (source: DataSource) =>
    (
      await source.query(
        "SELECT 1 FROM message_search s JOIN messages m ON m.id = s.id WHERE m.chat_id = 'relaid' AND s.create_time = m.create_time",
      )
    ).length;

  it("re-lays messages stored with their milliseconds, so a chat's numbered pages follow the contract's order", async () => {
    const database = await createTestDatabase(engine);
    const env = { OP_MASTER_KEY: 'a5'.repeat(32) }; // both starts unseal the client's secret
    const first = await startTestApp(engine, env, { database });
    let second: TestApp | undefined;
    try {
      const tenant = await first.createTenant();
      // Ids rise down the file while the milliseconds of each second fall.
      const stamps = [1_900, 1_100, 1_500, 2_300, 2_001, 2_999, 3_000];
      await first.importRecords(
        tenant.tenantId,
        stamps.map((ms, i) => record({ chatId: 'relaid', msgId: `relaid-${i}`, timestamp: MIDNIGHT + ms, body: text(`${i}`) })),
      );
      await first.app.get(SearchIndexService).drain(); // Mroonga's copy, where the index is Mroonga
      await first.close();
      // The layout before: the millisecond in create_time, the chat numbered in (millisecond, id) order.
      const old = await openDataSource(database.config, ENTITIES);
      try {
        const runner = old.createQueryRunner();
        const migration = new MessagesBySecond1732500000043();
        await migration.down(runner);
        await runner.release();
        await old.query('DELETE FROM migrations WHERE name = ?', [migration.name]);
        if (engine === 'mariadb') expect(await mroongaCopies(old)).toBe(stamps.length);
        // A keyword-index rebuild's place, in the middle of a second.
        await old.query(
          "INSERT INTO search_rebuild (engine, scope, cursor_tenant, cursor_time, cursor_id, start_time, finish_time, update_time) VALUES ('old', ?, ?, ?, 1, 1, 1, 1)",
          [tenant.tenantId, tenant.tenantId, MIDNIGHT + 1_500],
        );
        const rows: Array<{ id: string; create_time: number | string }> = await old.query(
          "SELECT CAST(id AS CHAR) AS id, create_time FROM messages WHERE chat_id = 'relaid' ORDER BY create_time, id",
        );
        expect(rows.map((row) => Number(row.create_time) - MIDNIGHT)).toEqual([...stamps].sort((x, y) => x - y));
        for (const [i, row] of rows.entries()) await old.query('UPDATE messages SET seq = ? WHERE id = ?', [i + 1, BigInt(row.id)]);
        const last = rows[rows.length - 1];
        await old.query("UPDATE chats SET seq_upto = ?, seq_last_time = ?, seq_last_id = ? WHERE id = 'relaid'", [
          rows.length,
          Number(last.create_time),
          BigInt(last.id),
        ]);
      } finally {
        await old.destroy();
      }
      second = await startTestApp(engine, env, { database });
      const { client } = await second.addOperator(tenant, { role: 'admin' });
      const read = async (body: Record<string, unknown>) =>
        (await client.call<ChatMessageListData>('chatMessageList', { chatId: 'relaid', ...body })).envelope;
      const expected = ['0', '1', '2', '3', '4', '5', '6'];
      // Before the renumbering (the day counts) and after it (the positions), page by page.
      for (let pass = 0; pass < 2; pass++) {
        const pages = [];
        for (let pageNum = 1; pageNum <= 3; pageNum++) {
          const envelope = await read({ pageNum, pageSize: 3 });
          expect(envelope).toMatchObject({ code: 200 });
          pages.push(...envelope.data!.msg.map((m) => m.msg));
        }
        expect(pages).toEqual(expected);
        await second.app.get(MessageSequence).idle();
      }
      const [chat]: Array<{ seq_upto: number | string }> = await second.dataSource.query("SELECT seq_upto FROM chats WHERE id = 'relaid'");
      expect(Number(chat.seq_upto)).toBe(stamps.length);
      const stored: Array<{ create_time: number | string; create_ms: number | string }> = await second.dataSource.query(
        "SELECT create_time, create_ms FROM messages WHERE chat_id = 'relaid' ORDER BY id",
      );
      expect(stored.map((row) => Number(row.create_time) + Number(row.create_ms) - MIDNIGHT)).toEqual(stamps);
      expect(stored.every((row) => Number(row.create_time) % 1000 === 0)).toBe(true);
      const [rebuild]: Array<{ cursor_time: number | string }> = await second.dataSource.query(
        "SELECT cursor_time FROM search_rebuild WHERE engine = 'old'",
      );
      expect(Number(rebuild.cursor_time)).toBe(MIDNIGHT + 999); // before every row of that second
      if (engine === 'mariadb') expect(await mroongaCopies(second.dataSource)).toBe(stamps.length);
    } finally {
      await second?.close();
      await database.drop();
    }
  });
});
