// The sharded deployment (issue 14): a MariaDB Spider front over two backends, laid out by
// `opctl shard:setup`. What the store specs cannot see from the API: where the rows are, what
// reaches each backend, the move of an existing store, and the command's refusals. The store
// specs themselves (2.37, marks, favorites, positions, ingest, tenancy, audit, search on Sphinx)
// run on this deployment too (STORE_ENGINES, SEARCH_SETUPS).
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChatMessageListData } from '@op/contracts';
import { OpClient } from '@op/contracts/node';
import { parseDatabaseUrl } from '../src/config/app-config';
import { runOpctl } from '../src/cli/opctl';
import { SHARDED_TABLES } from '../src/database/spider-shards';
import { MessageSequence } from '../src/modules/chat-message/message-sequence';
import { createTestDatabase, type TestDatabase } from './support/databases';
import { record, T0 } from './support/records';
import { acquireSpiderCluster, releaseSpiderCluster, rowsPerBackend, type SpiderCluster } from './support/spider';
import { mysqlQuery, startServer } from './support/processes';
import { startTestApp, type TestApp, type TestTenant } from './support/test-app';

const KEY = { OP_MASTER_KEY: '33'.repeat(32) };

async function chatPage(tenant: Pick<TestTenant, 'client'>, chatId: string, pageNum: number) {
  const answer = await tenant.client.call<ChatMessageListData>('chatMessageList', { chatId, pageNum, pageSize: 5, needMark: true });
  expect(answer.envelope.code).toBe(200);
  return { total: answer.envelope.page!.total, msg: answer.envelope.data!.msg };
}

describe('the message store sharded on MariaDB Spider (two backends)', () => {
  let t: TestApp;
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase('spider');
    t = await startTestApp('spider', {}, { database: db });
  }, 120_000);

  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('keeps the message tables on the backends, partitioned by tenant, and the rest on the front', async () => {
    const tables = await mysqlQuery<{ name: string; engine: string }>(
      db.url,
      'SELECT TABLE_NAME AS name, ENGINE AS engine FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()',
    );
    const engineOf = new Map(tables.map((row) => [row.name, row.engine.toUpperCase()]));
    for (const table of SHARDED_TABLES) expect([table, engineOf.get(table)]).toEqual([table, 'SPIDER']);
    for (const table of ['tenants', 'api_clients', 'operators', 'operator_tokens', 'migrations']) {
      expect([table, engineOf.get(table)]).toEqual([table, 'INNODB']);
    }
    const partitions = await mysqlQuery<{ n: number }>(
      db.url,
      "SELECT COUNT(*) AS n FROM information_schema.PARTITIONS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'messages'",
    );
    expect(Number(partitions[0].n)).toBe(2);
    for (const url of db.backendUrls!) {
      const migrations = await mysqlQuery<{ name: string }>(url, 'SELECT name FROM migrations');
      expect(migrations.length).toBeGreaterThan(10);
      const [messages] = await mysqlQuery<{ engine: string }>(
        url,
        "SELECT ENGINE AS engine FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'messages'",
      );
      expect(messages.engine).toBe('InnoDB');
    }
  });

  it("stores each tenant's rows on one backend, and tenants on both", async () => {
    const used = new Set<number>();
    for (let i = 0; i < 40 && used.size < 2; i++) {
      const tenant = await t.createTenant();
      const chatId = `shard-chat-${i}`;
      const result = await t.importRecords(
        tenant.tenantId,
        Array.from({ length: 12 }, (_, n) => record({ chatId, timestamp: T0 + n * 1000, msgId: `${9100000 + i * 100 + n}` })),
      );
      expect(result).toMatchObject({ imported: 12 });
      expect((await chatPage(tenant, chatId, 1)).msg).toHaveLength(5);
      for (const table of ['messages', 'chats', 'chat_message_days']) {
        const counts = await rowsPerBackend(db.backendUrls!, table, tenant.tenantId);
        expect(counts.filter((n) => n > 0)).toHaveLength(1);
        if (table === 'messages') {
          expect(counts.reduce((a, b) => a + b)).toBe(12);
          used.add(counts.findIndex((n) => n > 0));
        }
      }
      // The front answers for all of them.
      const [front] = await mysqlQuery<{ n: number }>(db.url, 'SELECT COUNT(*) AS n FROM messages WHERE tenant_id = ?', [tenant.tenantId]);
      expect(Number(front.n)).toBe(12);
    }
    expect([...used].sort()).toEqual([0, 1]);
  });

  it('imports a batch that adds to chats already stored and creates new ones', async () => {
    // One upsert of the chats' counts for the whole batch: the first chat exists, the rest are new.
    const tenant = await t.createTenant();
    const batch = (from: number, chats: number) =>
      Array.from({ length: 500 }, (_, i) =>
        record({ chatId: `bulk-${i % chats}`, timestamp: T0 + (from + i) * 1000, msgId: `${9700000 + from + i}` }),
      );
    expect(await t.importRecords(tenant.tenantId, batch(0, 1))).toMatchObject({ imported: 500 });
    expect(await t.importRecords(tenant.tenantId, batch(500, 50))).toMatchObject({ imported: 500 });
    const [bulk0] = await mysqlQuery<{ n: number }>(db.url, "SELECT message_count AS n FROM chats WHERE tenant_id = ? AND id = 'bulk-0'", [
      tenant.tenantId,
    ]);
    expect(Number(bulk0.n)).toBe(510);
    expect((await chatPage(tenant, 'bulk-7', 1)).total).toBe(10);
  });

  it("sends 2.37's page query whole (WHERE, ORDER BY, LIMIT) to the tenant's backend alone", async () => {
    const tenant = await t.createTenant();
    await t.importRecords(
      tenant.tenantId,
      Array.from({ length: 30 }, (_, n) => record({ chatId: 'pushdown', timestamp: T0 + n * 1000, msgId: `${9300000 + n}` })),
    );
    const home = (await rowsPerBackend(db.backendUrls!, 'messages', tenant.tenantId)).findIndex((n) => n > 0);
    /** The statements each backend received for this tenant's messages with an ORDER BY while `read` ran. */
    const pageQueriesDuring = async (read: () => Promise<void>) => {
      for (const url of db.backendUrls!) {
        await mysqlQuery(url, "SET GLOBAL log_output = 'TABLE'");
        await mysqlQuery(url, 'TRUNCATE mysql.general_log');
        await mysqlQuery(url, 'SET GLOBAL general_log = 1');
      }
      try {
        await read();
      } finally {
        for (const url of db.backendUrls!) await mysqlQuery(url, 'SET GLOBAL general_log = 0');
      }
      const received = await Promise.all(
        db.backendUrls!.map((url) =>
          mysqlQuery<{ text: string }>(
            url,
            "SELECT CONVERT(argument USING utf8mb4) AS text FROM mysql.general_log WHERE command_type = 'Query'",
          ),
        ),
      );
      expect(received[1 - home].map((row) => row.text).filter((text) => text.includes(tenant.tenantId))).toEqual([]);
      return received[home]
        .map((row) => row.text)
        .filter((text) => /from `[^`]+`\.`messages`/i.test(text) && text.includes(tenant.tenantId) && /order by/i.test(text));
    };
    const page3 = async () => {
      const page = await chatPage(tenant, 'pushdown', 3);
      expect(page.total).toBe(30);
      expect(page.msg).toHaveLength(5);
    };
    // Imported in order, the chat is numbered: the page is its range of positions.
    const numbered = await pageQueriesDuring(page3);
    expect(numbered.some((text) => /`?seq`?\s*>=\s*11\b/i.test(text) && /`?seq`?\s*<=\s*15\b/i.test(text))).toBe(true);
    // Not numbered, it is a walk of the chat's index with its LIMIT.
    await t.dataSource.query("UPDATE chats SET seq_upto = 0, seq_last_time = 0, seq_last_id = 0 WHERE tenant_id = ? AND id = 'pushdown'", [
      tenant.tenantId,
    ]);
    const unnumbered = await pageQueriesDuring(page3);
    expect(unnumbered.some((text) => /limit\s+10\s*,\s*5|limit\s+5\s+offset\s+10/i.test(text))).toBe(true);
    await t.app.get(MessageSequence).idle();
  });

  it('will not start on a front whose backend lacks a migration the front has', async () => {
    const backend = db.backendUrls![1];
    const [last] = await mysqlQuery<{ id: number; timestamp: string; name: string }>(
      backend,
      'SELECT * FROM migrations ORDER BY id DESC LIMIT 1',
    );
    await mysqlQuery(backend, 'DELETE FROM migrations WHERE id = ?', [last.id]);
    try {
      // The built API, as a deployment starts it: it stops, saying why.
      const dataDir = mkdtempSync(join(tmpdir(), 'op-shards-'));
      try {
        await expect(startServer({ OP_DATABASE_URL: db.url, OP_DATA_DIR: dataDir, ...KEY })).rejects.toThrow(
          `the shards are behind this version (backend 2 lacks ${last.name}): run \`opctl shard:setup --backends …\` first`,
        );
      } finally {
        rmSync(dataDir, { recursive: true, force: true });
      }
    } finally {
      await mysqlQuery(backend, 'INSERT INTO migrations (id, timestamp, name) VALUES (?, ?, ?)', [last.id, last.timestamp, last.name]);
    }
    const again = await startTestApp('spider', {}, { database: db });
    await again.close();
  });

  it('answers 503 with Retry-After, never 500, for the tenants of a backend that is down; /readyz lists it and stays ready; then recovers', async () => {
    const cluster = await acquireSpiderCluster();
    try {
      const tenant = await t.createTenant();
      const records = Array.from({ length: 3 }, (_, n) =>
        record({ chatId: 'backend-down', timestamp: T0 + n * 1000, msgId: `${9300000 + n}` }),
      );
      expect(await t.importRecords(tenant.tenantId, records)).toMatchObject({ imported: 3 });
      const backend = (await rowsPerBackend(db.backendUrls!, 'messages', tenant.tenantId)).findIndex((n) => n > 0);
      const readyz = async () => {
        const response = await fetch(`${t.baseUrl}/readyz`);
        const body = (await response.json()) as { data: { details: { shards?: unknown } } | null };
        return { status: response.status, shards: body.data?.details.shards };
      };
      await cluster.backends[backend].stop();
      try {
        for (const [name, body] of [
          ['chatMessageList', { chatId: 'backend-down' }],
          ['chatSearch', { keyword: 'message' }],
        ] as const) {
          const answer = await tenant.client.call(name, body);
          expect([name, answer.status]).toEqual([name, 503]);
          expect(answer.retryAfterSeconds).toBeGreaterThan(0);
        }
        // Ready still: the other backend's tenants are served, and a balancer must not take them away too.
        const ready = await readyz();
        expect(ready.status).toBe(200);
        expect(ready.shards).toEqual({
          status: 'up',
          backends: [1, 2].map((n) => ({ backend: n, state: n === backend + 1 ? 'down' : 'up' })),
          message: `分片后端 ${backend + 1} 不可用：其上租户的调用返回 503`,
        });
      } finally {
        await cluster.backends[backend].start();
      }
      const page = await tenant.client.call<ChatMessageListData>('chatMessageList', { chatId: 'backend-down' });
      expect([page.status, page.envelope.data?.msg.length]).toEqual([200, 3]);
      expect((await readyz()).shards).toMatchObject({ message: '全部分片后端可用' });
    } finally {
      await releaseSpiderCluster();
    }
  });
});

describe('opctl shard:setup', () => {
  let cluster: SpiderCluster;

  beforeAll(async () => {
    cluster = await acquireSpiderCluster();
  }, 120_000);

  afterAll(async () => {
    await releaseSpiderCluster();
  });

  it('moves a store that already holds messages onto the backends, and runs again with nothing to do', async () => {
    const name = `op_move_${process.pid}`;
    const url = `${cluster.front.url}/${name}`;
    const backendUrls = cluster.backends.map((backend) => `${backend.url}/${name}`);
    const unsharded: TestDatabase = { engine: 'mariadb', url, config: parseDatabaseUrl(url, process.cwd()), drop: async () => undefined };
    try {
      let t = await startTestApp('mariadb', KEY, { database: unsharded });
      const tenant = await t.createTenant();
      await t.importRecords(
        tenant.tenantId,
        Array.from({ length: 23 }, (_, n) => record({ chatId: 'before', timestamp: T0 + n * 1000, msgId: `${9500000 + n}` })),
      );
      const page = await chatPage(tenant, 'before', 1);
      const mark = await tenant.client.call('messageMarkAdd', { messageId: page.msg[0].userMessageId, mark: '投诉' });
      expect(mark.envelope.code).toBe(200);
      const before = [await chatPage(tenant, 'before', 1), await chatPage(tenant, 'before', 5)];
      await t.close();

      const report = (await runOpctl(['shard:setup', '--backends', backendUrls.join(',')], { ...KEY, OP_DATABASE_URL: url })) as {
        sharded: { table: string; movedRows: number }[];
        alreadySharded: string[];
        migrated: string[][];
      };
      expect(report.sharded).toEqual(
        expect.arrayContaining([
          { table: 'messages', movedRows: 23 },
          { table: 'message_marks', movedRows: 1 },
        ]),
      );
      expect(report.sharded).toHaveLength(SHARDED_TABLES.length);
      const counts = await rowsPerBackend(backendUrls, 'messages', tenant.tenantId);
      expect(counts.filter((n) => n > 0)).toEqual([23]);

      t = await startTestApp('mariadb', KEY, { database: unsharded });
      try {
        const reopened = {
          client: new OpClient({ baseUrl: t.baseUrl, clientId: tenant.clientId, secret: tenant.secret, token: tenant.token }),
        };
        expect([await chatPage(reopened, 'before', 1), await chatPage(reopened, 'before', 5)]).toEqual(before);
      } finally {
        await t.close();
      }

      const again = (await runOpctl(['shard:setup', '--backends', backendUrls.join(',')], {
        ...KEY,
        OP_DATABASE_URL: url,
      })) as typeof report;
      expect(again).toMatchObject({ sharded: [], alreadySharded: [...SHARDED_TABLES], migrated: [[], []] });
      // The same backends in another order would look for each tenant on the other one.
      const places = cluster.backends.map((backend) => `127.0.0.1:${backend.port}/${name}`);
      await expect(
        runOpctl(['shard:setup', '--backends', [...backendUrls].reverse().join(',')], { ...KEY, OP_DATABASE_URL: url }),
      ).rejects.toThrow(`--backends 与已分片时的后端不同（原为 ${places.join(', ')}，须同样的后端、同样的顺序）`);
      expect((await rowsPerBackend(backendUrls, 'messages', tenant.tenantId)).filter((n) => n > 0)).toEqual([23]);
    } finally {
      await cluster.dropDatabase(name);
    }
  });

  it('refuses a front without Spider, a single backend, a backend twice and a backslash, saying why', async () => {
    const plain = await createTestDatabase('mariadb');
    try {
      const backends = cluster.backends.map((backend) => `${backend.url}/op_refused`).join(',');
      await expect(runOpctl(['shard:setup', '--backends', backends], { ...KEY, OP_DATABASE_URL: plain.url })).rejects.toThrow(
        "前端数据库未启用 Spider 存储引擎（在前端执行 INSTALL SONAME 'ha_spider'）",
      );
      // Refused before the front's database is opened, which would have created it.
      const server = plain.url.replace(/\/[^/]+$/, '');
      const database = plain.url.slice(server.length + 1);
      expect(await mysqlQuery(server, 'SELECT schema_name FROM information_schema.schemata WHERE schema_name = ?', [database])).toEqual([]);
      await expect(
        runOpctl(['shard:setup', '--backends', `${cluster.backends[0].url}/op_refused`], {
          ...KEY,
          OP_DATABASE_URL: `${cluster.front.url}/op_refused`,
        }),
      ).rejects.toThrow('--backends 至少需要两个后端');
      await expect(runOpctl(['shard:setup'], { ...KEY, OP_DATABASE_URL: plain.url })).rejects.toThrow('--backends 不能为空');
      const front = { ...KEY, OP_DATABASE_URL: `${cluster.front.url}/op_refused` };
      const one = `${cluster.backends[0].url}/op_refused`;
      await expect(runOpctl(['shard:setup', '--backends', `${one},${one}`], front)).rejects.toThrow('--backends 中有重复的后端');
      await expect(
        runOpctl(['shard:setup', '--backends', `${one},mysql://root:a%5Cb@127.0.0.1:${cluster.backends[1].port}/op_refused`], front),
      ).rejects.toThrow('--backends 第 2 个地址不能包含反斜杠（\\）');
      // Refused before the front was opened: no database made there, no SQLite file anywhere.
      const made = await mysqlQuery<{ name: string }>(
        cluster.front.url,
        "SELECT schema_name AS name FROM information_schema.schemata WHERE schema_name = 'op_refused'",
      );
      expect(made).toEqual([]);
      const folder = mkdtempSync(join(tmpdir(), 'op-shard-refused-'));
      try {
        await expect(
          runOpctl(['shard:setup', '--backends', backends], { ...KEY, OP_DATABASE_URL: `sqlite:${join(folder, 'op.sqlite')}` }),
        ).rejects.toThrow('shard:setup 需要 OP_DATABASE_URL 指向 Spider 前端（mysql://）');
        expect(readdirSync(folder)).toEqual([]);
      } finally {
        rmSync(folder, { recursive: true, force: true });
      }
    } finally {
      await plain.drop();
      await cluster.dropDatabase('op_refused');
    }
  });
});
