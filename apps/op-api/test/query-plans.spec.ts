// 2.37's statements keep the index they were written for on skewed data (issue 14): one chat
// holding most of its tenant's messages, all on one day, beside hundreds of small chats. Every
// statement 2.37 sends for it (page 1, the last page, a page deep inside, aroundMessageId, marks
// and favorites) is run for real through HTTP, recorded as sent, and EXPLAINed with its own
// parameters after the engine's statistics were refreshed. Without the index hints MariaDB read
// page 1 of such a chat along idx_messages_tenant_time.
import type { DataSource } from 'typeorm';
import { ENGINES, type Engine } from './support/databases';
import { record } from './support/records';
import { startTestApp, type TestApp, type TestOperator, type TestTenant } from './support/test-app';

const H = 3_600_000;
const BASE = Math.floor((Date.now() - 20 * 24 * H) / 1000) * 1000;
const LONG = 12_000;
const SMALL_CHATS = 400;

/**
 * The indexes a 2.37 call may read through: primary keys (the chat row, the token and its
 * operator, messages by id, marks and favorites by key) and the chat's own indexes of messages
 * and marks. Anything else (the tenant's time index, an operator's favorites by time, a scan)
 * depends on statistics.
 */
const RIGHT = /: (PRIMARY|sqlite_autoindex_\w+_1|idx_messages_chat_page|idx_message_marks_chat)$/;

interface Statement {
  sql: string;
  params: unknown[];
}

/** The table accesses of a plan, each as `table: index` (`table: FULL SCAN` when it reads the whole table). */
async function accesses(dataSource: DataSource, engine: Engine, { sql, params }: Statement): Promise<string[]> {
  if (engine === 'mariadb') {
    const rows: Array<{ table: string | null; key: string | null }> = await dataSource.query(`EXPLAIN ${sql}`, params);
    return rows.filter((row) => row.table !== null && !row.table.startsWith('<')).map((row) => `${row.table}: ${row.key ?? 'FULL SCAN'}`);
  }
  const rows: Array<{ detail: string }> = await dataSource.query(`EXPLAIN QUERY PLAN ${sql}`, params);
  return (
    rows
      .map((row) => /^(?:SEARCH|SCAN) (\w+)(?: USING (?:COVERING )?INDEX (\w+)| USING INTEGER PRIMARY KEY)?/.exec(row.detail))
      // Not tables: the page's 20 ids materialised as `p`, and the constant row of scalar subqueries.
      .filter((match): match is RegExpExecArray => match !== null && match[1] !== 'p' && match[1] !== 'CONSTANT')
      .map((match) => `${match[1]}: ${match[2] ?? (match[0].includes('PRIMARY KEY') ? 'PRIMARY' : 'FULL SCAN')}`)
  );
}

describe.each(ENGINES)('the plans of 2.37 on skewed data, on %s', (engine) => {
  let t: TestApp;
  let a: TestTenant;
  let agent: TestOperator;
  let middle: string;

  beforeAll(async () => {
    t = await startTestApp(engine);
    a = await t.createTenant();
    // The long chat: two thirds of the tenant's messages, every one on the same day.
    await t.importRecords(
      a.tenantId,
      Array.from({ length: LONG }, (_, i) =>
        record({ chatId: 'long', timestamp: BASE + 24 * H + i * 5_000, body: { type: 'txt', msg: `长会话 ${i}` } }),
      ),
    );
    await t.importRecords(
      a.tenantId,
      Array.from({ length: SMALL_CHATS * 15 }, (_, i) =>
        record({
          chatId: `s${i % SMALL_CHATS}`,
          timestamp: BASE + Math.floor((i / (SMALL_CHATS * 15)) * 17 * 24 * H),
          body: { type: 'txt', msg: `短 ${i}` },
        }),
      ),
    );
    // Every chat its own customer (the chat id), a tenth of them assigned to an agent: customerList's data.
    agent = await t.addOperator(a, { username: 'plans-agent', role: 'agent' });
    await t.dataSource.query('UPDATE chats SET customer_id = id WHERE tenant_id = ?', [a.tenantId]);
    await t.dataSource.query("UPDATE chats SET operator_id = ? WHERE tenant_id = ? AND id LIKE 's1%'", [agent.operatorId, a.tenantId]);
    await t.dataSource.query(
      engine === 'mariadb' ? 'ANALYZE TABLE messages, chats, message_marks, message_favorites, operators' : 'ANALYZE',
    );
    const { envelope } = await a.client.call<{ msg: Array<{ userMessageId: string }> }>('chatMessageList', {
      chatId: 'long',
      pageNum: LONG / 40,
      pageSize: 20,
    });
    middle = envelope.data!.msg[0].userMessageId;
    for (const [name, body] of [
      ['messageMarkAdd', { messageId: middle, mark: 'VIP' }],
      ['messageFavoriteAdd', { messageId: middle }],
    ] as const) {
      expect((await a.client.call(name, body)).envelope.message).toBe('成功');
    }
  }, 300_000);

  afterAll(async () => {
    await t?.close();
  });

  /** The SELECTs one 2.37 call sends (the guard's, the chat row, the page, marks, favorites), as sent. */
  async function statementsOf(
    body: Record<string, unknown>,
    name = 'chatMessageList',
    caller: { client: TestTenant['client'] } = a,
  ): Promise<Statement[]> {
    const sent: Statement[] = [];
    const query = t.dataSource.query.bind(t.dataSource);
    const spy = jest.spyOn(t.dataSource, 'query').mockImplementation((...args: Parameters<DataSource['query']>) => {
      const [sql, params] = args;
      if (/^\s*SELECT\b/i.test(sql)) sent.push({ sql, params: Array.isArray(params) ? params : [] });
      return query(...args);
    });
    try {
      const { status, envelope } = await caller.client.call(name, name === 'chatMessageList' ? { chatId: 'long', ...body } : body);
      expect({ status, message: envelope.message }).toEqual({ status: 200, message: '成功' });
    } finally {
      spy.mockRestore();
    }
    expect(sent.length).toBeGreaterThan(0);
    return sent;
  }

  it.each([
    ['page 1', { pageNum: 1, pageSize: 20 }],
    ['the last page', { pageNum: LONG / 20, pageSize: 20 }],
    ['a page deep inside', { pageNum: LONG / 40 + 7, pageSize: 20 }],
    ['aroundMessageId', { aroundMessageId: 'middle', pageSize: 20 }],
    ['page 1 with needMark and needFavorite', { pageNum: 1, pageSize: 20, needMark: true, needFavorite: true }],
  ])('%s reads the chat along idx_messages_chat_page and everything else by key, never by statistics', async (_name, request) => {
    const body = { ...request, ...('aroundMessageId' in request ? { aroundMessageId: middle } : {}) };
    const plans: string[] = [];
    for (const statement of await statementsOf(body)) plans.push(...(await accesses(t.dataSource, engine, statement)));
    expect(plans.length).toBeGreaterThan(0);
    const wrong = plans.filter((access) => !RIGHT.test(access));
    expect(wrong).toEqual([]);
    // The page itself (and the position of aroundMessageId) walk the chat's own index.
    expect(plans.some((access) => access.endsWith('idx_messages_chat_page'))).toBe(true);
    if ('needMark' in request) expect(plans.filter((access) => /^message_(marks|favorites):/.test(access))).toHaveLength(2);
  });

  it.each([
    ['chatDetail', { chatId: 'long' }, /^c: (PRIMARY|sqlite_autoindex_chats_1)$/],
    ['favoriteList', {}, /^f: idx_message_favorites_operator$/],
  ])('%s reads by key, and its own rows along their index', async (name, body, own) => {
    const plans: string[] = [];
    for (const statement of await statementsOf(body, name)) plans.push(...(await accesses(t.dataSource, engine, statement)));
    expect(plans.filter((access) => !RIGHT.test(access) && !own.test(access))).toEqual([]);
    expect(plans.some((access) => own.test(access))).toBe(true);
  });

  // Issue 15: the pickers' lookups. customerList walks the prefix's range of the customer index
  // keyed by tenant (an agent's: by tenant and operator) in customer order, so it stops after
  // `limit` customers: no sort, and never the tenant's chats one by one.
  it.each([
    ['operatorList (admin)', 'operatorList', {}, 'admin', /^o: uq_operators_tenant_username$/],
    ['operatorList (agent)', 'operatorList', {}, 'agent', /^o: (PRIMARY|sqlite_autoindex_operators_1)$/],
    ['customerList with a prefix (admin)', 'customerList', { prefix: 's1' }, 'admin', /^c: idx_chats_tenant_customer$/],
    ['customerList without a prefix (admin)', 'customerList', {}, 'admin', /^c: idx_chats_tenant_customer$/],
    ['customerList with a prefix (agent)', 'customerList', { prefix: 's1' }, 'agent', /^c: idx_chats_tenant_operator_customer$/],
    ['customerList without a prefix (agent)', 'customerList', {}, 'agent', /^c: idx_chats_tenant_operator_customer$/],
  ] as const)('%s reads along its index, in its order', async (_title, name, body, who, own) => {
    const plans: string[] = [];
    let sorted = false;
    for (const statement of await statementsOf(body, name, who === 'admin' ? a : agent)) {
      plans.push(...(await accesses(t.dataSource, engine, statement)));
      if (/^SELECT (o|c)\.(id|customer_id)/.test(statement.sql)) sorted = sorted || (await sorts(t.dataSource, engine, statement));
    }
    expect(plans.filter((access) => !RIGHT.test(access) && !own.test(access))).toEqual([]);
    expect(plans.some((access) => own.test(access))).toBe(true);
    expect(sorted).toBe(false);
  });
});

/** Whether the plan sorts its rows (a filesort or a temporary table; SQLite's temp B-tree) rather than reading them in order. */
async function sorts(dataSource: DataSource, engine: Engine, { sql, params }: Statement): Promise<boolean> {
  if (engine === 'mariadb') {
    const rows: Array<{ Extra: string | null }> = await dataSource.query(`EXPLAIN ${sql}`, params);
    return rows.some((row) => /filesort|temporary/i.test(row.Extra ?? ''));
  }
  const rows: Array<{ detail: string }> = await dataSource.query(`EXPLAIN QUERY PLAN ${sql}`, params);
  return rows.some((row) => row.detail.includes('TEMP B-TREE'));
}
