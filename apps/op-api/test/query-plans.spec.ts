// 2.37's statements keep the index they were written for on skewed data (issue 14): one chat
// holding most of its tenant's messages, all on one day, beside hundreds of small chats. Every
// statement 2.37 sends for it (page 1, the last page, a page deep inside, aroundMessageId, marks
// and favorites) is run for real through HTTP, recorded as sent, and EXPLAINed with its own
// parameters after the engine's statistics were refreshed. Without the index hints MariaDB read
// page 1 of such a chat along idx_messages_tenant_time.
//
// The listings whose exact index depends on their filters (chatSearch without a keyword,
// auditList, markList) run on a tenant where one customer and one agent hold nine in ten of the
// chats and one action nearly all of the audit trail. Without their hints MariaDB counted the
// whale customer's chats along the primary key, and read the dominant action along the tenant's
// time index (a rare one along another index), among others: each case fails then.
import type { DataSource } from 'typeorm';
import { TimeFormatter } from '../src/common/util/time-format';
import { MessageSequence } from '../src/modules/chat-message/message-sequence';
import { ENGINES, type Engine } from './support/databases';
import { record } from './support/records';
import { statementsSent, type Statement } from './support/statements';
import { startTestApp, type TestApp, type TestOperator, type TestTenant } from './support/test-app';

const H = 3_600_000;
const BASE = Math.floor((Date.now() - 20 * 24 * H) / 1000) * 1000;
const LONG = 12_000;
const SMALL_CHATS = 400;
/** Chats inserted as rows (no messages): nine in ten of one customer, `whale`, and of one agent, `busy`. */
const SKEWED_CHATS = 3_000;
/** Audit records: all but one in 200 of one action, nine in ten of `busy`. */
const AUDIT_ROWS = 6_000;

/**
 * The indexes a 2.37 call may read through: primary keys (the chat row, the token and its
 * operator, messages by id, marks and favorites by key) and the chat's own indexes of messages
 * and marks. Anything else (the tenant's time index, an operator's favorites by time, a scan)
 * depends on statistics.
 */
const RIGHT = /: (PRIMARY|sqlite_autoindex_\w+_1|idx_messages_chat_page|idx_messages_chat_seq|idx_message_marks_chat)$/;

/** The table accesses of a plan, each as `table: index` (`table: FULL SCAN` when it reads the whole table). */
async function accesses(dataSource: DataSource, engine: Engine, { sql, params }: Statement): Promise<string[]> {
  if (engine === 'mariadb') {
    const rows: Array<{ table: string | null; key: string | null }> = await dataSource.query(`EXPLAIN ${sql}`, params);
    return rows.filter((row) => row.table !== null && !row.table.startsWith('<')).map((row) => `${row.table}: ${row.key ?? 'FULL SCAN'}`);
  }
  const rows: Array<{ detail: string }> = await dataSource.query(`EXPLAIN QUERY PLAN ${sql}`, params);
  return (
    rows
      // (`SEARCH mm EXISTS USING …`: a correlated EXISTS that stops at its first row.)
      .map((row) => /^(?:SEARCH|SCAN) (\w+)(?: EXISTS)?(?: USING (?:COVERING )?INDEX (\w+)| USING INTEGER PRIMARY KEY)?/.exec(row.detail))
      // Not tables: the page's 20 ids materialised as `p`, and the constant row of scalar subqueries.
      .filter((match): match is RegExpExecArray => match !== null && match[1] !== 'p' && match[1] !== 'CONSTANT')
      .map((match) => `${match[1]}: ${match[2] ?? (match[0].includes('PRIMARY KEY') ? 'PRIMARY' : 'FULL SCAN')}`)
  );
}

describe.each(ENGINES)('the plans of 2.37 on skewed data, on %s', (engine) => {
  let t: TestApp;
  let a: TestTenant;
  let agent: TestOperator;
  let busy: TestOperator;
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
    // chatSearch's and auditList's skew (issue 14, point 1): one customer and one agent holding
    // nine in ten of the tenant's chats, one action nearly all of its audit trail.
    busy = await t.addOperator(a, { username: 'plans-busy', role: 'agent' });
    for (let from = 0; from < SKEWED_CHATS; from += 500) {
      const rows = Array.from({ length: 500 }, (_, k) => {
        const i = from + k;
        const created = BASE + i * 60_000;
        return [
          a.tenantId,
          `w${String(i).padStart(4, '0')}`,
          i % 50 === 0 ? 1 : 5,
          i % 10 === 0 ? `c${i}` : 'whale',
          i % 10 === 9 ? null : busy.operatorId,
          created,
          i % 7 === 0 ? null : created + (i % 13) * H,
        ];
      });
      await t.dataSource.query(
        'INSERT INTO chats (tenant_id, id, status, customer_id, operator_id, create_time, last_message_time, message_count) VALUES ' +
          rows.map(() => '(?, ?, ?, ?, ?, ?, ?, 0)').join(', '),
        rows.flat(),
      );
    }
    for (let from = 0; from < AUDIT_ROWS; from += 500) {
      const rows = Array.from({ length: 500 }, (_, k) => {
        const i = from + k;
        return [
          i + 1,
          a.tenantId,
          i % 10 === 0 ? agent.operatorId : busy.operatorId,
          a.clientId,
          i % 200 === 0 ? 'customerErase' : 'chatMessageList',
          i % 100 === 0 ? 'long' : `w${String(i % SKEWED_CHATS).padStart(4, '0')}`,
          '{}',
          '127.0.0.1',
          BASE + i * 60_000,
        ];
      });
      await t.dataSource.query(
        'INSERT INTO audit_logs (id, tenant_id, operator_id, client_id, action, chat_id, target, ip, create_time) VALUES ' +
          rows.map(() => '(?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', '),
        rows.flat(),
      );
    }
    await t.dataSource.query(
      engine === 'mariadb' ? 'ANALYZE TABLE messages, chats, message_marks, message_favorites, operators, audit_logs' : 'ANALYZE',
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

  /**
   * The SELECTs and DELETEs one call sends (the guard's, the chat row, the page, marks,
   * favorites; those of repositories too), as sent: recorded where every statement passes, the
   * engine's query runner.
   */
  async function statementsOf(
    body: Record<string, unknown>,
    name = 'chatMessageList',
    caller: { client: TestTenant['client'] } = a,
  ): Promise<Statement[]> {
    // Not the background workers' (the keyword index's outbox and state, job leases,
    // heartbeats), which poll on their own and may run while a call is recorded.
    const keep = (sql: string) =>
      /^\s*(SELECT|DELETE)\b/i.test(sql) && !/\b(search_outbox|search_state|job_leases|replica_heartbeats)\b/.test(sql);
    const sent = await statementsSent(
      t.dataSource,
      async () => {
        if (name === 'auditExport') {
          // A file: read to its end, so every batch's statement is sent.
          const response = await caller.client.download(name, body);
          expect(response.status).toBe(200);
          expect((await response.text()).length).toBeGreaterThan(0);
        } else {
          const { status, envelope } = await caller.client.call(name, name === 'chatMessageList' ? { chatId: 'long', ...body } : body);
          expect({ status, message: envelope.message }).toEqual({ status: 200, message: '成功' });
        }
      },
      keep,
    );
    expect(sent.length).toBeGreaterThan(0);
    return sent;
  }

  const pages = [
    ['page 1', { pageNum: 1, pageSize: 20 }],
    ['the last page', { pageNum: LONG / 20, pageSize: 20 }],
    ['a page deep inside', { pageNum: LONG / 40 + 7, pageSize: 20 }],
    ['aroundMessageId', { aroundMessageId: 'middle', pageSize: 20 }],
    ['page 1 with needMark and needFavorite', { pageNum: 1, pageSize: 20, needMark: true, needFavorite: true }],
  ] as const;

  async function expectPlans(request: (typeof pages)[number][1], own: string): Promise<void> {
    const body = { ...request, ...('aroundMessageId' in request ? { aroundMessageId: middle } : {}) };
    const plans: string[] = [];
    const page: string[] = [];
    for (const statement of await statementsOf(body)) {
      const access = await accesses(t.dataSource, engine, statement);
      plans.push(...access);
      // The statement that reads the page's rows (the one with every column of the message).
      if (statement.sql.includes('m.qiniu_key')) page.push(...access);
    }
    expect(plans.length).toBeGreaterThan(0);
    const wrong = plans.filter((access) => !RIGHT.test(access));
    expect(wrong).toEqual([]);
    // The page itself walks the chat's own index: by position where the chat is numbered, else in time order.
    expect(page.some((access) => access.endsWith(own))).toBe(true);
    if (own === 'idx_messages_chat_page') expect(page.filter((access) => access.endsWith('idx_messages_chat_seq'))).toEqual([]);
    if ('needMark' in request) expect(plans.filter((access) => /^message_(marks|favorites):/.test(access))).toHaveLength(2);
  }

  // The long chat was imported in order, so every message carries its position: pages read by position.
  it.each(pages)('%s reads the chat along its own index and everything else by key, never by statistics', async (_name, request) => {
    await expectPlans(request, 'idx_messages_chat_seq');
  });

  it.each(pages)('%s in a chat not numbered (yet) reads along idx_messages_chat_page', async (_name, request) => {
    const sequence = t.app.get(MessageSequence);
    await t.dataSource.query("UPDATE chats SET seq_upto = 0, seq_last_time = 0, seq_last_id = 0 WHERE tenant_id = ? AND id = 'long'", [
      a.tenantId,
    ]);
    await expectPlans(request, 'idx_messages_chat_page');
    await sequence.idle(); // the read asked for the chat to be numbered again
    const [chat]: Array<{ seq_upto: number | string }> = await t.dataSource.query(
      "SELECT seq_upto FROM chats WHERE tenant_id = ? AND id = 'long'",
      [a.tenantId],
    );
    expect(Number(chat.seq_upto)).toBe(LONG);
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

  // Issue 14, point 1: the listings whose exact index depends on their filters name it, and the
  // calls that write marks and favorites (and the guard's lookups) read by key. `listing` picks
  // the statements under test: each of their table accesses is one of `own`; `ordered`, they
  // read in the result's order (no sort). Every other statement reads by key.
  type Who = 'admin' | 'agent' | 'busy';
  const at = (minutes: number) => new TimeFormatter(t.config.timezone).formatMs(BASE + minutes * 60_000);
  const chatsBy = (index: string) => new RegExp(`^(c: ${index}|mm: idx_message_marks_mark)$`);
  const auditBy = (index: string) => new RegExp(`^audit_logs: ${index}$`);
  // `own` may name the COUNT's index apart from the page's. (Every row has as many items as the
  // test takes: jest takes a missing last one for a `done` callback and waits for it.)
  const cases: Array<
    [
      title: string,
      name: string,
      body: () => Record<string, unknown>,
      who: Who,
      own: RegExp | { page: RegExp; count: RegExp },
      ordered: boolean,
    ]
  > = [
    ['chatSearch without filters', 'chatSearch', () => ({}), 'admin', chatsBy('idx_chats_tenant_last'), true],
    ['chatSearch by creation', 'chatSearch', () => ({ sort: 'createTime' }), 'admin', chatsBy('idx_chats_tenant_created'), true],
    [
      'chatSearch with a rare status',
      'chatSearch',
      () => ({ status: [1] }),
      'admin',
      { page: chatsBy('idx_chats_tenant_last'), count: chatsBy('idx_chats_tenant_customer') },
      true,
    ],
    ['chatSearch with a mark', 'chatSearch', () => ({ mark: 'VIP' }), 'admin', chatsBy('idx_chats_tenant_last'), true],
    [
      'chatSearch within last message times',
      'chatSearch',
      () => ({ lastMessageFrom: at(100), lastMessageTo: at(400) }),
      'admin',
      chatsBy('idx_chats_tenant_last'),
      true,
    ],
    [
      'chatSearch within creation times',
      'chatSearch',
      () => ({ createdFrom: at(100), createdTo: at(400) }),
      'admin',
      chatsBy('idx_chats_tenant_created'),
      false,
    ],
    [
      'chatSearch by creation within creation times',
      'chatSearch',
      () => ({ sort: 'createTime', createdFrom: at(100), createdTo: at(400) }),
      'admin',
      chatsBy('idx_chats_tenant_created'),
      true,
    ],
    [
      'chatSearch of the customer of most chats',
      'chatSearch',
      () => ({ customerId: 'whale' }),
      'admin',
      chatsBy('idx_chats_tenant_customer'),
      false,
    ],
    ['chatSearch of a small customer', 'chatSearch', () => ({ customerId: 'c10' }), 'admin', chatsBy('idx_chats_tenant_customer'), false],
    [
      'chatSearch of the customer of most chats, ended',
      'chatSearch',
      () => ({ customerId: 'whale', status: [5] }),
      'admin',
      chatsBy('idx_chats_tenant_customer'),
      false,
    ],
    [
      'chatSearch of the agent of most chats',
      'chatSearch',
      () => ({ operatorId: busy.operatorId }),
      'admin',
      chatsBy('idx_chats_tenant_operator_last'),
      true,
    ],
    [
      'chatSearch of the agent of most chats by creation',
      'chatSearch',
      () => ({ operatorId: busy.operatorId, sort: 'createTime' }),
      'admin',
      chatsBy('idx_chats_tenant_operator_created'),
      true,
    ],
    ['chatSearch of one chat', 'chatSearch', () => ({ chatId: 'w0005' }), 'admin', chatsBy('(PRIMARY|sqlite_autoindex_chats_1)'), false],
    ['chatSearch by the agent of most chats', 'chatSearch', () => ({}), 'busy', chatsBy('idx_chats_tenant_operator_last'), true],
    [
      'chatSearch by the agent of most chats, of the customer of most chats',
      'chatSearch',
      () => ({ customerId: 'whale' }),
      'busy',
      chatsBy('idx_chats_tenant_operator_customer'),
      false,
    ],
    [
      'chatSearch by the agent of most chats within creation times',
      'chatSearch',
      () => ({ createdFrom: at(100), createdTo: at(400) }),
      'busy',
      chatsBy('idx_chats_tenant_operator_created'),
      false,
    ],
    ['auditList without filters', 'auditList', () => ({}), 'admin', auditBy('idx_audit_logs_tenant_time'), true],
    [
      'auditList of a rare action',
      'auditList',
      () => ({ action: 'customerErase' }),
      'admin',
      auditBy('idx_audit_logs_tenant_action'),
      true,
    ],
    [
      'auditList of the dominant action',
      'auditList',
      () => ({ action: 'chatMessageList' }),
      'admin',
      auditBy('idx_audit_logs_tenant_action'),
      true,
    ],
    [
      'auditList of the agent of most records',
      'auditList',
      () => ({ operatorId: busy.operatorId }),
      'admin',
      auditBy('idx_audit_logs_tenant_operator'),
      true,
    ],
    [
      'auditList of an agent and an action',
      'auditList',
      () => ({ operatorId: agent.operatorId, action: 'customerErase' }),
      'admin',
      auditBy('idx_audit_logs_tenant_operator'),
      true,
    ],
    [
      'auditList of a chat',
      'auditList',
      () => ({ chatId: 'long', action: 'chatMessageList' }),
      'admin',
      auditBy('idx_audit_logs_tenant_chat'),
      true,
    ],
    ['auditList within times', 'auditList', () => ({ from: at(100), to: at(400) }), 'admin', auditBy('idx_audit_logs_tenant_time'), true],
    [
      'auditList of a rare action within times',
      'auditList',
      () => ({ action: 'customerErase', from: at(100), to: at(4000) }),
      'admin',
      auditBy('idx_audit_logs_tenant_action'),
      true,
    ],
    [
      'auditExport of a rare action',
      'auditExport',
      () => ({ action: 'customerErase', from: at(0), to: at(AUDIT_ROWS) }),
      'admin',
      auditBy('idx_audit_logs_tenant_action'),
      true,
    ],
    ['auditExport', 'auditExport', () => ({ from: at(0), to: at(AUDIT_ROWS) }), 'admin', auditBy('idx_audit_logs_tenant_time'), true],
    ['markList (admin)', 'markList', () => ({}), 'admin', /^mm: idx_message_marks_mark$/, false],
    ['markList (agent)', 'markList', () => ({}), 'busy', /^(c: idx_chats_tenant_operator_customer|mm: idx_message_marks_chat)$/, false],
  ];
  const callers = (): Record<Who, { client: TestTenant['client'] }> => ({ admin: a, agent, busy });
  /** The statements a case is about: the listing's (COUNT and page), not the guard's or the chat row's. */
  const LISTING = /FROM (chats c|audit_logs|message_marks mm)\s/;

  it.each(cases)('%s reads along the index its filters name', async (_title, name, body, who, indexes, ordered) => {
    let listed = 0;
    for (const statement of await statementsOf(body(), name, callers()[who])) {
      const plan = await accesses(t.dataSource, engine, statement);
      if (!LISTING.test(statement.sql)) {
        expect({ sql: statement.sql, wrong: plan.filter((access) => !RIGHT.test(access)) }).toEqual({ sql: statement.sql, wrong: [] });
        continue;
      }
      listed++;
      const own = indexes instanceof RegExp ? indexes : /^SELECT COUNT/.test(statement.sql) ? indexes.count : indexes.page;
      expect({ sql: statement.sql, plan: plan.filter((access) => !own.test(access)) }).toEqual({ sql: statement.sql, plan: [] });
      expect(plan.length).toBeGreaterThan(0);
      if (ordered && !/^SELECT COUNT/.test(statement.sql))
        expect({ sql: statement.sql, sorts: await sorts(t.dataSource, engine, statement) }).toEqual({ sql: statement.sql, sorts: false });
    }
    expect(listed).toBeGreaterThan(0);
  });

  it('messageMarkAdd/Remove and messageFavoriteAdd/Remove read and delete by key', async () => {
    let deletes = 0;
    for (const [name, body] of [
      ['messageMarkAdd', { messageId: middle, mark: '计划' }],
      ['messageMarkRemove', { messageId: middle, mark: '计划' }],
      ['messageFavoriteRemove', { messageId: middle }],
      ['messageFavoriteAdd', { messageId: middle }],
    ] as const) {
      for (const statement of await statementsOf(body, name)) {
        const plan = await accesses(t.dataSource, engine, statement);
        if (/^DELETE/.test(statement.sql)) {
          deletes++;
          expect(plan.length).toBeGreaterThan(0);
        }
        expect({ sql: statement.sql, wrong: plan.filter((access) => !RIGHT.test(access)) }).toEqual({ sql: statement.sql, wrong: [] });
      }
    }
    expect(deletes).toBe(2);
  });

  it('an import reads, locks and updates its chats, and numbers its messages, by key', async () => {
    // A tenant of a few chats and a batch that names them and many new ones: a planner that
    // judges the tenant's few rows cheaper to scan than the listed keys locks every one of them,
    // and the import's two lanes then wait on each other (an import ran 20 times slower so).
    const small = await t.createTenant();
    await t.importRecords(
      small.tenantId,
      Array.from({ length: 5 }, (_, i) => record({ chatId: `few${i}`, from: `u0001few${i}`, timestamp: BASE + i * H })),
    );
    await t.dataSource.query(engine === 'mariadb' ? 'ANALYZE TABLE chats, messages' : 'ANALYZE');
    // Those that name chats or messages by a list of their ids (not a customer's, nor an Easemob id).
    const byKey = (sql: string) => /\b(FROM|UPDATE) (chats|messages)\b/.test(sql) && /\bid IN \(/.test(sql);
    const statements = await statementsSent(
      t.dataSource,
      async () => {
        const result = await t.importRecords(
          small.tenantId,
          Array.from({ length: 400 }, (_, i) =>
            // Half the chats left open (claimed), half ended (released).
            record({
              chatId: `few${i % 200}`,
              from: `u0001few${i % 200}`,
              timestamp: BASE + 24 * H + i * 1_000,
              chatStatus: i % 2 ? 3 : 5,
            }),
          ),
        );
        expect(result).toMatchObject({ imported: 400, failed: 0 });
      },
      byKey,
    );
    // The numbering reads (plain and locking) and the claims of the open chats (chat_open, which
    // release() reads and deletes by key, has no index but its primary key).
    expect(statements.length).toBeGreaterThanOrEqual(4);
    for (const statement of statements) {
      const plan = await accesses(t.dataSource, engine, statement);
      const keyed = plan.filter((access) => /^(c|chats|messages): /.test(access));
      expect(keyed.length).toBeGreaterThan(0);
      expect({ sql: statement.sql, wrong: keyed.filter((access) => !RIGHT.test(access)) }).toEqual({ sql: statement.sql, wrong: [] });
    }
  });

  it("the signature guard looks its client and the operator's token up by key", async () => {
    t.clients.forget(a.clientId);
    const statements = await statementsOf({}, 'operatorList');
    const guard = statements.filter((statement) => /api_clients|operator_tokens/.test(statement.sql));
    expect(guard).toHaveLength(2);
    for (const statement of guard) {
      const plan = await accesses(t.dataSource, engine, statement);
      expect(plan.length).toBeGreaterThan(0);
      expect({ sql: statement.sql, wrong: plan.filter((access) => !RIGHT.test(access)) }).toEqual({ sql: statement.sql, wrong: [] });
    }
  });
});

/**
 * Whether the plan sorts its rows (a filesort or a temporary table; SQLite's temp B-tree) rather
 * than reading them in order.
 */
async function sorts(dataSource: DataSource, engine: Engine, { sql, params }: Statement): Promise<boolean> {
  if (engine === 'mariadb') {
    const rows: Array<{ Extra: string | null }> = await dataSource.query(`EXPLAIN ${sql}`, params);
    return rows.some((row) => /filesort|temporary/i.test(row.Extra ?? ''));
  }
  const rows: Array<{ detail: string }> = await dataSource.query(`EXPLAIN QUERY PLAN ${sql}`, params);
  // A sort of the ties only (`FOR LAST TERM OF ORDER BY`, formerly `RIGHT PART`) reads in the
  // index's order and stops after the page: SQLite's indexes end with the rowid, not the id that
  // breaks the ties of chats (and audit records) on their time, as InnoDB's end with the key.
  return rows.some((row) => row.detail.includes('TEMP B-TREE') && !/(LAST TERMS?|RIGHT PART) OF ORDER BY/.test(row.detail));
}
