import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChatMessageSearchData, ChatSearchData } from '@op/contracts';
import { OpClient } from '@op/contracts/node';
import type { RowDataPacket } from 'mysql2';
import { ScanEngine } from '../src/modules/search-index/engines/scan.engine';
import { SearchIndexService } from '../src/modules/search-index/search-index.service';
import { attributeHash } from '../src/modules/search-index/search-tokens';
import { createTestDatabase, SEARCH_SETUPS, STORE_ENGINES } from './support/databases';
import { PrivateSphinx } from './support/private-sphinx';
import { mysqlQuery, OPCTL, runNode } from './support/processes';
import { record } from './support/records';
import { startSearchApp, startTestApp, type TestApp, type TestTenant } from './support/test-app';

const H = 3_600_000;
const BASE = Math.floor((Date.now() - 3 * 24 * H) / 1000) * 1000;

/** Twelve chats of five messages; chats 0, 3, 6 and 9 say 退款 once each. */
const history = () =>
  Array.from({ length: 60 }, (_, i) =>
    record({
      chatId: `chat-${i % 12}`,
      timestamp: BASE + i * H,
      body: { type: 'txt', msg: (i % 12) % 3 === 0 && i < 12 ? `第${i}条：我要退款` : `第${i}条消息` },
    }),
  );

/** Whether the index is built (its searches no longer the scan's) within 10 s. */
async function untilIndexed(index: SearchIndexService): Promise<boolean> {
  for (let i = 0; i < 200 && !index.indexed; i++) await new Promise((resolve) => setTimeout(resolve, 50));
  return index.indexed;
}

beforeAll(() => {
  if (!existsSync(OPCTL)) throw new Error('apps/op-api/dist is missing: run `npm test` (it builds first) or `npm run build`');
});

describe.each(SEARCH_SETUPS.filter((setup) => setup.search !== 'scan'))('the $name index: verify, rebuild, readiness, metrics', (setup) => {
  let t: TestApp;
  let tenant: TestTenant;
  let dataDir: string;
  const opctl = async (...args: string[]) => {
    const run = await runNode(OPCTL, args, { OP_DATABASE_URL: t.database.url, OP_DATA_DIR: dataDir, ...t.env });
    expect(run.stdout.trim().split('\n')).toHaveLength(1);
    return { code: run.code, json: JSON.parse(run.stdout) as Record<string, unknown>, stderr: run.stderr };
  };
  const refundChats = async () => {
    const { envelope } = await tenant.client.call<ChatSearchData>('chatSearch', { keyword: '退款', pageSize: 100 });
    return { chats: envelope.data!.chats.map((chat) => chat.chatId), window: envelope.data!.window };
  };

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'op-cli-'));
    t = await startSearchApp(setup);
    tenant = await t.createTenant();
    await t.importRecords(tenant.tenantId, history());
    await t.app.get(SearchIndexService).drain();
  });

  afterAll(async () => {
    await t?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('search:verify samples by count, not by time: messages dated 2100 and 9999, and days mostly of pictures, do not take the draws', async () => {
    // 2 of 7,000 messages were checked: random points over 2026-9999 nearly all fell after the last of 2026.
    const spread = await t.createTenant();
    const picture = { type: 'img', url: 'https://a1.easemob.com/x/chatfiles/1', filename: 'a.jpg' };
    await t.importRecords(spread.tenantId, [
      // Nine pictures to a text message: the day counts count them all, the sample takes text.
      ...Array.from({ length: 300 }, (_, i) =>
        record({ chatId: `day-${i % 10}`, timestamp: BASE + i * 1000, body: i % 10 === 0 ? { type: 'txt', msg: `第${i}条` } : picture }),
      ),
      record({ chatId: 'far', timestamp: Date.UTC(2100, 0, 1), body: { type: 'txt', msg: '很久以后' } }),
      record({ chatId: 'far', timestamp: Date.UTC(9999, 11, 29), body: { type: 'txt', msg: '更久以后' } }),
    ]);
    const index = t.app.get(SearchIndexService);
    await index.drain();
    const report = await index.verify(spread.tenantId, 30);
    expect(report).toMatchObject({ ok: true, tenants: [{ stored: 32, missing: 0 }] });
    expect(report.tenants[0].checked).toBeGreaterThanOrEqual(24);
  });

  it('search:verify finds the index whole, says what differs once it is not, and search:rebuild mends it', async () => {
    expect(await refundChats()).toEqual({ chats: ['chat-9', 'chat-6', 'chat-3', 'chat-0'], window: null });
    const whole = await opctl('search:verify', '--tenant', tenant.tenantId, '--sample', '20');
    expect(whole.code).toBe(0);
    expect(whole.json).toMatchObject({
      engine: setup.search,
      ok: true,
      tenants: [{ tenantId: tenant.tenantId, stored: 60, indexed: 60, queued: 0, checked: 20, missing: 0 }],
      missing: [],
    });

    // The index loses the tenant (a lost disk, a bad restore): searches miss, verify says so.
    const index = t.app.get(SearchIndexService);
    await (index as unknown as { engine: { remove(tenantId: string): Promise<void> } }).engine.remove(tenant.tenantId);
    expect((await refundChats()).chats).toEqual([]);
    const broken = await opctl('search:verify', '--tenant', tenant.tenantId, '--sample', '5');
    expect(broken.code).toBe(1);
    expect(broken.json).toMatchObject({ ok: false, tenants: [{ stored: 60, indexed: 0, checked: 5, missing: 5 }] });
    expect((broken.json.missing as unknown[]).length).toBe(5);

    const rebuilt = await opctl('search:rebuild', '--tenant', tenant.tenantId);
    expect(rebuilt).toMatchObject({ code: 0, json: { engine: setup.search, scope: tenant.tenantId, indexed: 60, total: 60 } });
    expect(rebuilt.stderr).toMatch(/search:rebuild .*60\/60/);
    expect((await refundChats()).chats).toEqual(['chat-9', 'chat-6', 'chat-3', 'chat-0']);
    expect((await opctl('search:verify', '--tenant', tenant.tenantId)).json).toMatchObject({ ok: true });
    expect(await opctl('search:rebuild', '--tenant', 'no-such-tenant')).toMatchObject({ code: 1, json: { error: { code: 404 } } });
  });

  it('keeps the engine the database uses when opctl runs with other settings, and empties no index', async () => {
    // A command run with a mistyped or stale OP_SEARCH_ENGINE once switched the database to it,
    // emptying the index it left, even when it then refused.
    const active = async () =>
      (await t.dataSource.query<Array<{ engine: string }>>('SELECT engine FROM search_state WHERE active = 1')).map((r) => r.engine);
    const settings: Array<Record<string, string>> = [
      { OP_SEARCH_ENGINE: 'scan' },
      { OP_SEARCH_ENGINE: 'sphinx', OP_SPHINX_SHARDS: '127.0.0.1:9' },
    ];
    for (const env of settings) {
      const run = await runNode(OPCTL, ['search:verify', '--tenant', tenant.tenantId], {
        OP_DATABASE_URL: t.database.url,
        OP_DATA_DIR: dataDir,
        ...t.env,
        ...env,
      });
      expect({ env, code: run.code, json: JSON.parse(run.stdout) as unknown }).toMatchObject({
        env,
        code: 0,
        json: { engine: setup.search, ok: true, tenants: [{ stored: 60, indexed: 60 }] },
      });
      expect(await active()).toEqual([setup.search]);
    }
    expect(await refundChats()).toEqual({ chats: ['chat-9', 'chat-6', 'chat-3', 'chat-0'], window: null });
  });

  /** A tenant of 2,500 messages (one 退款, in bulk-0) whose rebuild stopped after 1,000, as a killed process leaves it. */
  async function halfRebuiltTenant(): Promise<TestTenant> {
    const index = t.app.get(SearchIndexService);
    const other = await t.createTenant();
    await t.importRecords(
      other.tenantId,
      Array.from({ length: 2_500 }, (_, i) =>
        record({
          chatId: `bulk-${i % 50}`,
          timestamp: BASE + i * 1000,
          body: { type: 'txt', msg: i === 2_400 ? '最后才索引的退款' : `批量消息 ${i}` },
        }),
      ),
    );
    await index.drain();
    const stop = new Error('interrupted');
    await expect(
      index.rebuild(other.tenantId, ({ done }) => {
        if (done >= 1_000) throw stop;
      }),
    ).rejects.toBe(stop);
    return other;
  }

  it('resumes an interrupted rebuild where it stopped, answering from the scan until it is done', async () => {
    const index = t.app.get(SearchIndexService);
    const other = await halfRebuiltTenant();
    // Half built: the tenant's keyword searches fall back to the exact scan, which says its window.
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    const during = await other.client.chatSearch({ keyword: '退款' });
    expect(during.data.chats.map((c) => c.chatId)).toEqual(['bulk-0']);
    expect(during.data.window).not.toBeNull();
    // Another tenant is still served by the index.
    expect((await refundChats()).window).toBeNull();
    // search:verify said ok here: the index held what it had been given, but searches used the scan.
    expect(await index.verify(other.tenantId, 0)).toMatchObject({ ok: false, tenants: [{ rebuilding: true }] });

    const seen: number[] = [];
    const resumed = await index.rebuild(other.tenantId, ({ done }) => seen.push(done));
    expect(seen[0]).toBe(1_000);
    expect(resumed).toEqual({ done: 2_500, total: 2_500 });
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    const after = await other.client.chatSearch({ keyword: '退款' });
    expect(after.data).toMatchObject({ chats: [{ chatId: 'bulk-0', hits: [{ snippet: '最后才索引的退款' }] }], window: null });
    expect(await index.verify(other.tenantId, 0)).toMatchObject({ ok: true, tenants: [{ rebuilding: false }] });
  });

  it('resumes by itself a rebuild whose process stopped, once its cursor has not moved for two minutes', async () => {
    // An `opctl search:rebuild --tenant` stopped by Ctrl-C left the tenant on the windowed scan for good.
    const other = await halfRebuiltTenant();
    const window = async () => (await other.client.chatSearch({ keyword: '退款' })).data.window;
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    expect(await window()).not.toBeNull();
    // Two minutes later, as the process holding the feeder's lease sees it.
    await t.dataSource.query('UPDATE search_rebuild SET update_time = update_time - 120000 WHERE scope = ?', [other.tenantId]);
    let answered = await window();
    for (let i = 0; i < 100 && answered !== null; i++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      answered = await window();
    }
    expect(answered).toBeNull();
    const [row] = await t.dataSource.query<Array<{ done: number | string; finish_time: unknown }>>(
      'SELECT done, finish_time FROM search_rebuild WHERE scope = ?',
      [other.tenantId],
    );
    expect([Number(row.done), row.finish_time]).toEqual([2_500, expect.anything()]);
  });

  it('answers about hundreds of chats at once, whatever an engine allows in one query', async () => {
    const wide = await t.createTenant();
    await t.importRecords(
      wide.tenantId,
      Array.from({ length: 400 }, (_, i) =>
        record({
          chatId: `w-${i}`,
          timestamp: BASE + i * 1000,
          body: { type: 'txt', msg: i % 2 === 0 ? `宽查询退款 ${i}` : `宽查询 ${i}` },
        }),
      ),
    );
    const index = t.app.get(SearchIndexService);
    await index.drain();
    const { engine } = await index.reader(wide.tenantId);
    const query = { tenantId: wide.tenantId, normal: '退款', fromMs: null, toMs: null };
    const all = Array.from({ length: 400 }, (_, i) => `w-${i}`);
    const even = all.filter((_, i) => i % 2 === 0);
    // The engine itself, and through the service (chats "too big" for the store read).
    expect([...(await engine.chatsWithMatch(query, all.slice(0, 150)))].sort()).toEqual(even.slice(0, 75).sort());
    const refs = all.map((id) => ({ id, messageCount: 100_000 }));
    expect([...(await index.chatsWithMatch(engine, query, refs, true))].sort()).toEqual([...even].sort());
    const hits = await index.hits(engine, query, refs, 3, 'desc', true);
    expect(hits.map((h) => h.chatId).sort()).toEqual([...even].sort());
  });

  it('indexes a batch of messages at their size limit (tens of MiB, past a server packet), every one', async () => {
    const long = await t.createTenant();
    const chats = Array.from({ length: 120 }, (_, i) => `long-${i}`);
    await t.importRecords(
      long.tenantId,
      chats.map((chatId, i) =>
        record({ chatId, timestamp: BASE + i * 1000, body: { type: 'txt', msg: `${i} "引号" \\ ${'退款'.repeat(10_500)}` } }),
      ),
    );
    // And the one message whose index entry is the longest the store lets in: 65,534 bytes of
    // ﷺ (U+FDFA, 18 characters once normalised), 393,192 characters to index, then `ab`.
    await t.importRecords(long.tenantId, [
      record({ chatId: 'widest', timestamp: BASE + 200_000, body: { type: 'txt', msg: `${'\uFDFA'.repeat(21_844)}ab` } }),
    ]);
    const index = t.app.get(SearchIndexService);
    await index.drain(120_000);
    const { engine } = await index.reader(long.tenantId);
    expect(await engine.count(long.tenantId)).toBe(121);
    const query = { tenantId: long.tenantId, normal: '引号', fromMs: null, toMs: null };
    expect([...(await engine.chatsWithMatch(query, chats))].sort()).toEqual([...chats].sort());
    expect([...(await engine.chatsWithMatch({ ...query, normal: 'ab' }, ['widest', ...chats]))]).toEqual(['widest']);
  });

  it('forgets messages deleted from the store, in their transaction or through the outbox', async () => {
    const gone = await t.createTenant();
    await t.importRecords(gone.tenantId, [
      record({ chatId: 'keep', timestamp: BASE, body: { type: 'txt', msg: '留下的退款记录' } }),
      record({ chatId: 'erase', timestamp: BASE + 1000, body: { type: 'txt', msg: '要删除的退款记录' } }),
    ]);
    const index = t.app.get(SearchIndexService);
    await index.drain();
    const rows: Array<{ id: string }> = await t.dataSource.query(
      "SELECT CAST(id AS CHAR) AS id FROM messages WHERE tenant_id = ? AND chat_id = 'erase'",
      [gone.tenantId],
    );
    await t.dataSource.transaction(async (manager) => {
      await index.deleted(
        manager,
        gone.tenantId,
        rows.map((row) => row.id),
      );
      await manager.query("DELETE FROM messages WHERE tenant_id = ? AND chat_id = 'erase'", [gone.tenantId]);
    });
    await index.drain();
    const { engine } = await index.reader(gone.tenantId);
    expect(await engine.count(gone.tenantId)).toBe(1);
    expect(await engine.chatsWithMatch({ tenantId: gone.tenantId, normal: '退款', fromMs: null, toMs: null }, ['keep', 'erase'])).toEqual(
      new Set(['keep']),
    );
  });

  it('shows the index in /metrics: lag, outbox depth, size and readiness', async () => {
    const text = await (await fetch(`${t.baseUrl}/metrics`)).text();
    expect(text).toMatch(new RegExp(`^op_search_index_ready\\{engine="${setup.search}"\\} 1$`, 'm'));
    expect(text).toMatch(new RegExp(`^op_search_outbox_depth\\{engine="${setup.search}"\\} 0$`, 'm'));
    expect(text).toMatch(new RegExp(`^op_search_index_lag_seconds\\{engine="${setup.search}"\\} 0$`, 'm'));
    const bytes = /^op_search_index_bytes\{engine="[a-z0-9]+"\} (\d+)$/m.exec(text);
    expect(Number(bytes?.[1])).toBeGreaterThan(0);
  });
});

describe.each(SEARCH_SETUPS.filter((setup) => setup.search !== 'scan'))(
  'an API that starts on messages its $name index does not hold',
  (setup) => {
    it('builds the index in the background and answers from the scan until then', async () => {
      const database = await createTestDatabase(setup.engine);
      const sphinx = setup.search === 'sphinx' ? await PrivateSphinx.create(2) : null;
      try {
        // Messages stored while no index was kept (OP_SEARCH_ENGINE=scan).
        const key = { OP_MASTER_KEY: '42'.repeat(32) }; // both processes unseal the client secret
        const before = await startTestApp(setup.engine, { ...key, OP_SEARCH_ENGINE: 'scan' }, { database });
        const tenant = await before.createTenant();
        await before.importRecords(tenant.tenantId, [
          record({ chatId: 'recent', timestamp: BASE, body: { type: 'txt', msg: '最近的退款' } }),
          record({ chatId: 'old', timestamp: BASE - 400 * 24 * H, body: { type: 'txt', msg: '一年多前的退款' } }),
        ]);
        await before.close();

        const after = await startTestApp(setup.engine, { ...key, OP_SEARCH_ENGINE: setup.search, ...(sphinx?.env ?? {}) }, { database });
        try {
          const client = new OpClient({ baseUrl: after.baseUrl, clientId: tenant.clientId, secret: tenant.secret, token: tenant.token });
          const index = after.app.get(SearchIndexService);
          // Whatever the background build has reached, the answer is exact for what was searched.
          const first = await client.chatSearch({ keyword: '退款' });
          if (first.data.window !== null) expect(first.data.chats.map((c) => c.chatId)).toEqual(['recent']);
          else expect(first.data.chats.map((c) => c.chatId)).toEqual(['recent', 'old']);
          expect(await untilIndexed(index)).toBe(true);
          await new Promise((resolve) => setTimeout(resolve, 2_100));
          const built = await client.chatSearch({ keyword: '退款' });
          expect(built.data).toMatchObject({ chats: [{ chatId: 'recent' }, { chatId: 'old' }], window: null });
        } finally {
          await after.close();
        }
      } finally {
        await database.drop();
        await sphinx?.destroy();
      }
    });
  },
);

describe.each(SEARCH_SETUPS.filter((setup) => setup.search === 'mroonga' || setup.search === 'fts5'))(
  'a $name index the API no longer uses',
  (setup) => {
    it('keeps no text once another engine is active (erasure and retention reach only the active one), and is rebuilt on return', async () => {
      const database = await createTestDatabase(setup.engine);
      try {
        const key = { OP_MASTER_KEY: '42'.repeat(32) };
        const first = await startTestApp(setup.engine, { ...key, OP_SEARCH_ENGINE: setup.search }, { database });
        const tenant = await first.createTenant();
        await first.importRecords(tenant.tenantId, [record({ chatId: 'c1', timestamp: BASE, body: { type: 'txt', msg: '我要退款' } })]);
        await first.app.get(SearchIndexService).drain();
        await first.close();

        const other = await startTestApp(setup.engine, { ...key, OP_SEARCH_ENGINE: 'scan' }, { database });
        try {
          const left: Array<{ n: number | string }> = await other.dataSource.query(
            setup.engine === 'sqlite'
              ? 'SELECT COUNT(*) AS n FROM message_search'
              : "SELECT COUNT(*) AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'message_search'",
          );
          expect(Number(left[0].n)).toBe(0);
        } finally {
          await other.close();
        }

        const back = await startTestApp(setup.engine, { ...key, OP_SEARCH_ENGINE: setup.search }, { database });
        try {
          const index = back.app.get(SearchIndexService);
          expect(await untilIndexed(index)).toBe(true);
          const client = new OpClient({ baseUrl: back.baseUrl, clientId: tenant.clientId, secret: tenant.secret, token: tenant.token });
          expect((await client.chatSearch({ keyword: '退款' })).data).toMatchObject({ chats: [{ chatId: 'c1' }], window: null });
        } finally {
          await back.close();
        }
      } finally {
        await database.drop();
      }
    });
  },
);

describe.each(SEARCH_SETUPS.filter((setup) => setup.search === 'mroonga'))('a $name index of an older layout', (setup) => {
  it('is replaced when the API starts, rebuilt in the background, and then answers for the whole history', async () => {
    const database = await createTestDatabase(setup.engine);
    try {
      const key = { OP_MASTER_KEY: '42'.repeat(32) };
      const before = await startTestApp(setup.engine, { ...key, OP_SEARCH_ENGINE: 'mroonga' }, { database });
      const tenant = await before.createTenant();
      await before.importRecords(tenant.tenantId, [
        record({ chatId: 'recent', timestamp: BASE, body: { type: 'txt', msg: '最近的退款' } }),
        record({ chatId: 'old', timestamp: BASE - 400 * 24 * H, body: { type: 'txt', msg: '一年多前的退款' } }),
      ]);
      await before.app.get(SearchIndexService).drain();
      // The table as it was before the day words.
      await before.dataSource.query('ALTER TABLE message_search DROP INDEX ft_message_search_dw, DROP COLUMN dw');
      // And a rebuild into it left unfinished, its cursor past every tenant: resuming it would index nothing.
      await before.dataSource.query(
        "INSERT INTO search_rebuild (engine, scope, cursor_tenant, done, total, start_time) VALUES ('mroonga', '*', 'zzzz', 0, 2, ?)",
        [Date.now()],
      );
      await before.close();

      const after = await startTestApp(setup.engine, { ...key, OP_SEARCH_ENGINE: 'mroonga' }, { database });
      try {
        const client = new OpClient({ baseUrl: after.baseUrl, clientId: tenant.clientId, secret: tenant.secret, token: tenant.token });
        const index = after.app.get(SearchIndexService);
        expect(await untilIndexed(index)).toBe(true);
        await new Promise((resolve) => setTimeout(resolve, 2_100));
        const built = await client.chatSearch({ keyword: '退款' });
        expect(built.data).toMatchObject({ chats: [{ chatId: 'recent' }, { chatId: 'old' }], window: null });
        const columns: Array<{ name: string }> = await after.dataSource.query(
          "SELECT COLUMN_NAME AS name FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'message_search' AND COLUMN_NAME = 'dw'",
        );
        expect(columns).toHaveLength(1);
      } finally {
        await after.close();
      }
    } finally {
      await database.drop();
    }
  });
});

describe('a Mroonga index whose write lock another process holds a while', () => {
  it('holds no message back: the batch waits whole for the next turn, then is indexed', async () => {
    // A lock not had in time failed every write alike; split down to single messages, each was
    // held back for a minute as if the engine refused it.
    const t = await startSearchApp(SEARCH_SETUPS.find((setup) => setup.name === 'mariadb + mroonga')!);
    const mysql = await import('mysql2/promise');
    const holder = await mysql.createConnection(t.database.url);
    const lock = "CONCAT('op_message_search_', MD5(DATABASE()))";
    try {
      const index = t.app.get(SearchIndexService);
      await index.stopBackground();
      const tenant = await t.createTenant();
      const [[{ got }]] = await holder.query<Array<RowDataPacket & { got: number }>>(`SELECT GET_LOCK(${lock}, 0) AS got`);
      expect(got).toBe(1);
      await t.importRecords(tenant.tenantId, history().slice(0, 2));
      await expect(index.feedOnce()).rejects.toMatchObject({ code: 'OP_SEARCH_WRITE_LOCK_TIMEOUT' });
      expect(await t.dataSource.query('SELECT message_id FROM search_outbox WHERE attempts > 0')).toEqual([]);
      await holder.query(`SELECT RELEASE_LOCK(${lock})`);
      expect(await index.feedOnce()).toBe(2);
      const { engine } = await index.reader(tenant.tenantId);
      expect(await engine.count(tenant.tenantId)).toBe(2);
    } finally {
      await holder.end();
      await t.close();
    }
  });
});

describe('opctl on a database no API has opened yet', () => {
  it('activates no keyword engine: the API chooses by its own settings and indexes what opctl stored', async () => {
    // opctl run first with other settings (here the scan) chose for the API, which keeps what is active.
    const database = await createTestDatabase('mariadb');
    const dataDir = mkdtempSync(join(tmpdir(), 'op-cli-'));
    let t: TestApp | undefined;
    try {
      const env = { OP_DATABASE_URL: database.url, OP_DATA_DIR: dataDir, OP_SEARCH_ENGINE: 'scan' };
      const tenantId = (JSON.parse((await runNode(OPCTL, ['tenant:create', '--name', 'first'], env)).stdout) as { tenantId: string })
        .tenantId;
      const file = join(dataDir, 'history.jsonl');
      writeFileSync(
        file,
        history()
          .map((r) => JSON.stringify(r))
          .join('\n'),
      );
      expect((await runNode(OPCTL, ['import', '--tenant', tenantId, '--file', file], env)).code).toBe(0);
      expect(await mysqlQuery(database.url, 'SELECT engine FROM search_state WHERE active = 1')).toEqual([]);
      const verify = await runNode(OPCTL, ['search:verify'], env);
      expect([verify.code, JSON.parse(verify.stdout)]).toEqual([
        1,
        { error: { code: 409, message: '这个数据库还没有启用关键词引擎（API 首次启动时按它的设置选定）：请先启动一次 API，再运行此命令' } },
      ]);

      t = await startTestApp('mariadb', { OP_SEARCH_SMALL_TENANT: '0' }, { database });
      expect(await mysqlQuery(database.url, 'SELECT engine FROM search_state WHERE active = 1')).toEqual([{ engine: 'mroonga' }]);
      const index = t.app.get(SearchIndexService);
      expect(await untilIndexed(index)).toBe(true);
      const { engine } = await index.reader(tenantId);
      expect([engine.name, await engine.count(tenantId)]).toEqual(['mroonga', 60]);
    } finally {
      await t?.close();
      await database.drop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('opctl search:sphinx-config', () => {
  it('prints the sphinx.conf of one node of the tier, with the distributed index over the others', async () => {
    const run = await runNode(
      OPCTL,
      [
        'search:sphinx-config',
        '--node',
        '10.0.0.1:9306:9312',
        '--nodes',
        '10.0.0.1:9306:9312,10.0.0.2:9306:9312',
        '--data-dir',
        '/var/lib/manticore',
      ],
      {},
    );
    expect(run.code).toBe(0);
    const { config } = JSON.parse(run.stdout) as { config: string };
    expect(config).toContain('index op_messages');
    expect(config).toContain('listen = 10.0.0.1:9306:mysql41');
    expect(config).toContain('agent = 10.0.0.2:9312:op_messages');
    expect(config).not.toContain('agent = 10.0.0.1');
    expect(config).toContain('binlog_flush = 1');
  });

  it('refuses what would make another config than the one asked for, naming the flag', async () => {
    const node = '10.0.0.1:9306:9312';
    const refused = async (flags: Record<string, string>) => {
      const args = Object.entries({ node, nodes: node, 'data-dir': '/var/lib/manticore', ...flags }).flatMap(([flag, value]) => [
        `--${flag}`,
        value,
      ]);
      const run = await runNode(OPCTL, ['search:sphinx-config', ...args], {});
      expect([flags, run.code]).toEqual([flags, 1]);
      return (JSON.parse(run.stdout) as { error: { code: number; message: string } }).error;
    };
    const badNode = '--node 的节点 x 无效（应为 host:sqlPort:apiPort，两个端口不同，均在 1-65535 之间）';
    expect(await refused({ node: 'x', nodes: 'x' })).toEqual({ code: 400, message: badNode });
    expect((await refused({ node: '10.0.0.1:99999:9312' })).message).toMatch(/^--node 的节点 10.0.0.1:99999:9312 无效/);
    expect((await refused({ node: '10.0.0.1:9306:9306' })).message).toMatch(/^--node 的节点 .* 无效/);
    expect((await refused({ nodes: `${node},${node}` })).message).toBe('--nodes 中有重复的节点');
    expect((await refused({ 'mem-limit': '256M\nlisten = 0.0.0.0:9306' })).message).toBe('--mem-limit 必须是大小，如 256M、2G');
    // A line break in the folder wrote lines of the caller's choosing into the config.
    for (const dir of ['/var/lib/m\n  listen = 0.0.0.0:9306:mysql41', '/var/lib/m#x', '/var/lib/m\\']) {
      expect(await refused({ 'data-dir': dir })).toEqual({ code: 400, message: '--data-dir 不能包含换行等控制字符、# 或结尾的 \\' });
    }
  });
});

describe('the Sphinx tier with a shard down', () => {
  let sphinx: PrivateSphinx;
  let t: TestApp;

  beforeAll(async () => {
    sphinx = await PrivateSphinx.create(2);
    t = await startTestApp('mariadb', { ...sphinx.env, OP_SEARCH_SMALL_TENANT: '0' });
  });

  afterAll(async () => {
    await t?.close();
    await sphinx?.destroy();
  });

  /** A tenant whose messages live on shard `shard` (node 0 is also the reader, which reaches node 1 as an agent). */
  async function tenantOn(shard: bigint): Promise<TestTenant> {
    for (let i = 0; i < 40; i++) {
      const candidate = await t.createTenant();
      if (BigInt(attributeHash(candidate.tenantId)) % 2n === shard) return candidate;
    }
    throw new Error(`no tenant hashed to shard ${shard} in 40 tries`);
  }

  it("refuses a search of the down node's tenants (503 naming the index), serves every other tenant, and answers whole once it is back", async () => {
    const [onNode1, onNode0] = [await tenantOn(1n), await tenantOn(0n)];
    for (const tenant of [onNode1, onNode0]) await t.importRecords(tenant.tenantId, history());
    await t.app.get(SearchIndexService).drain();
    const search = (tenant: TestTenant) => tenant.client.call<ChatSearchData>('chatSearch', { keyword: '退款', pageSize: 100 });
    const find = (tenant: TestTenant) =>
      tenant.client.call<ChatMessageSearchData>('chatMessageSearch', { chatId: 'chat-0', keyword: '退款' });
    const served = async (tenant: TestTenant) => {
      const [chats, found] = [await search(tenant), await find(tenant)];
      return [chats.status, chats.envelope.data?.chats.length, found.status, found.envelope.page?.total];
    };
    expect([await served(onNode1), await served(onNode0)]).toEqual([
      [200, 4, 200, 1],
      [200, 4, 200, 1],
    ]);
    for (const down of [1, 0]) {
      await sphinx.stopNode(down);
      try {
        // Node 1 down: the reader answered from node 0 alone, as if complete (nothing found, 200);
        // then any node down refused every tenant's search. Node 0 (the reader) down: node 1's
        // tenants are read from their own shard.
        const [lost, kept] = down === 1 ? [onNode1, onNode0] : [onNode0, onNode1];
        for (const answer of [await search(lost), await find(lost)]) {
          expect([down, answer.status, answer.envelope.message]).toEqual([down, 503, '关键词索引暂不可用（有分片无法连接），请稍后重试']);
          expect(answer.retryAfterSeconds).toBe(5);
        }
        expect([down, await served(kept)]).toEqual([down, [200, 4, 200, 1]]);
      } finally {
        await sphinx.startNode(down);
      }
    }
    expect([await served(onNode1), await served(onNode0)]).toEqual([
      [200, 4, 200, 1],
      [200, 4, 200, 1],
    ]);
  });

  it('waits once for a reader that takes connections and never answers, then reads each tenant from its shard a while', async () => {
    // A node behind a dead route or a hung searchd: each read waited out the connect timeout (5 s).
    const accepted: Socket[] = [];
    const silent = createServer((socket) => accepted.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const reader = `127.0.0.1:${(silent.address() as AddressInfo).port}`;
    const other = await startTestApp('mariadb', { ...sphinx.env, OP_SEARCH_SMALL_TENANT: '0', OP_SPHINX_SEARCH: reader });
    try {
      const tenant = await other.createTenant();
      await other.importRecords(tenant.tenantId, history());
      await other.app.get(SearchIndexService).drain();
      const answers = [];
      for (let i = 0; i < 3; i++) {
        const chats = await tenant.client.call<ChatSearchData>('chatSearch', { keyword: '退款', pageSize: 100 });
        answers.push([chats.status, chats.envelope.data?.chats.length]);
      }
      expect(answers).toEqual([
        [200, 4],
        [200, 4],
        [200, 4],
      ]);
      expect(accepted.length).toBe(1);
    } finally {
      await other.close();
      for (const socket of accepted) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it("refuses search:verify and search:rebuild run without the tier's settings, which checked the scan and said all was well", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'op-cli-'));
    try {
      const env = Object.fromEntries(Object.entries(t.env).filter(([name]) => !/^OP_(SPHINX_|SEARCH_ENGINE)/.test(name)));
      for (const command of ['search:verify', 'search:rebuild']) {
        const run = await runNode(OPCTL, [command], { OP_DATABASE_URL: t.database.url, OP_DATA_DIR: dataDir, ...env });
        expect([command, run.code]).toEqual([command, 1]);
        expect(run.stdout).toContain('当前关键词引擎 sphinx 在此进程中不可用');
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('a Sphinx tier that refuses one message (its packet limit left at 8M)', () => {
  let sphinx: PrivateSphinx;
  let t: TestApp;

  beforeAll(async () => {
    sphinx = await PrivateSphinx.create(1, { maxPacketSize: '8M' });
    t = await startTestApp('mariadb', { ...sphinx.env, OP_SEARCH_SMALL_TENANT: '0' });
  });

  afterAll(async () => {
    await t?.close();
    await sphinx?.destroy();
  });

  it('holds that message back, still finds it, indexes every other one, and says so in /metrics and search:verify', async () => {
    // The feeder retried the batch holding it forever: no message after it, of any tenant, was indexed.
    const tenant = await t.createTenant();
    const widest = record({ chatId: 'widest', timestamp: BASE - H, body: { type: 'txt', msg: `${'\uFDFA'.repeat(21_844)}ab` } });
    await t.importRecords(tenant.tenantId, [widest, ...history()]);
    const index = t.app.get(SearchIndexService);
    await index.drain(60_000);
    const other = await t.createTenant();
    await t.importRecords(other.tenantId, history());
    await index.drain(60_000);

    const { engine } = await index.reader(tenant.tenantId);
    expect(engine.name).toBe('sphinx');
    expect([await engine.count(tenant.tenantId), await engine.count(other.tenantId)]).toEqual([60, 60]);
    for (const client of [tenant.client, other.client]) {
      const { envelope } = await client.call<ChatSearchData>('chatSearch', { keyword: '退款', pageSize: 100 });
      expect(envelope.data!.chats.map((chat) => chat.chatId)).toEqual(['chat-9', 'chat-6', 'chat-3', 'chat-0']);
    }
    const held = await tenant.client.call<ChatSearchData>('chatSearch', { keyword: 'AB', pageSize: 100 });
    expect(held.envelope.data!.chats.map((chat) => chat.chatId)).toEqual(['widest']);

    const text = await (await fetch(`${t.baseUrl}/metrics`)).text();
    expect(text).toMatch(/^op_search_index_held_back\{engine="sphinx"\} 1$/m);
    expect(text).toMatch(/^op_search_index_lag_seconds\{engine="sphinx"\} 0$/m);
    const dataDir = mkdtempSync(join(tmpdir(), 'op-cli-'));
    try {
      const run = await runNode(OPCTL, ['search:verify', '--tenant', tenant.tenantId, '--sample', '0'], {
        OP_DATABASE_URL: t.database.url,
        OP_DATA_DIR: dataDir,
        ...t.env,
      });
      expect([run.code, JSON.parse(run.stdout)]).toMatchObject([
        1,
        { engine: 'sphinx', ok: false, tenants: [{ tenantId: tenant.tenantId, stored: 61, indexed: 60, queued: 1, held: 1 }] },
      ]);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe.each(STORE_ENGINES)('the scan on %s', (engine) => {
  it('reads short texts by thousands and long ones a hundred at a time, whatever came before, finding every match', async () => {
    const t = await startTestApp(engine);
    try {
      const tenant = await t.createTenant();
      // 110 messages of 60,000 characters, 6,000 short ones, then 120 long ones again; one match in 10 of each.
      const long = (i: number) => ({ type: 'txt' as const, msg: `${i % 10 === 0 ? '退款' : ''}${'a'.repeat(60_000)}` });
      await t.importRecords(tenant.tenantId, [
        ...Array.from({ length: 110 }, (_, i) => record({ chatId: `long-${i}`, timestamp: BASE + i, body: long(i) })),
        ...Array.from({ length: 6_000 }, (_, i) =>
          record({
            chatId: `short-${i % 600}`,
            timestamp: BASE + 1_000 + i,
            body: { type: 'txt', msg: i % 10 === 0 ? `退款 ${i}` : `你好 ${i}` },
          }),
        ),
        ...Array.from({ length: 120 }, (_, i) => record({ chatId: `late-${i}`, timestamp: BASE + 10_000 + i, body: long(i) })),
      ]);
      // The characters of text each query of messages brought into the process.
      const read: number[] = [];
      const query = t.dataSource.query.bind(t.dataSource);
      const spy = jest.spyOn(t.dataSource, 'query').mockImplementation(async (sql: string, ...rest: unknown[]) => {
        const rows = await query<Array<{ msg?: string | null }>>(sql, ...(rest as [unknown[]]));
        if (sql.includes('FROM messages')) read.push(rows.reduce((n, row) => n + (row.msg?.length ?? 0), 0));
        return rows;
      });
      const found = await new ScanEngine(t.dataSource).matchingChats(
        { tenantId: tenant.tenantId, normal: '退款', fromMs: null, toMs: null },
        10_000,
      );
      spy.mockRestore();
      const expected = [
        ...Array.from({ length: 11 }, (_, i) => `long-${i * 10}`),
        ...Array.from({ length: 60 }, (_, i) => `short-${i * 10}`),
        ...Array.from({ length: 12 }, (_, i) => `late-${i * 10}`),
      ];
      expect({ complete: found.complete, chats: [...found.chatIds].sort() }).toEqual({ complete: true, chats: expected.sort() });
      // Sized by the rows before, the read after the short ones took all 120 long ones (7.2 M characters).
      expect(Math.max(...read)).toBeLessThanOrEqual(100 * 60_002);
      expect(read.length).toBeLessThan(20);
    } finally {
      await t.close();
    }
  }, 180_000);
});
