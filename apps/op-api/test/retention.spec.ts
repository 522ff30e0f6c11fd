import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DAY_MS as DAY } from '@op/contracts';
import { SearchIndexService } from '../src/modules/search-index/search-index.service';
import { STORE_ENGINES } from './support/databases';
import { OPCTL, runNode } from './support/processes';
import { record } from './support/records';
import { startTestApp, type TestApp, type TestTenant } from './support/test-app';

beforeAll(() => {
  if (!existsSync(OPCTL)) throw new Error('apps/op-api/dist is missing: run `npm test` (it builds first) or `npm run build`');
});

describe.each(STORE_ENGINES)('retention on %s', (engine) => {
  let t: TestApp;
  let a: TestTenant;
  let b: TestTenant;
  let dataDir: string;

  const opctl = async (...args: string[]) => {
    const run = await runNode(OPCTL, args, { OP_DATABASE_URL: t.database.url, OP_DATA_DIR: dataDir });
    expect(run.stdout.trim().split('\n')).toHaveLength(1);
    return { code: run.code, json: JSON.parse(run.stdout) as Record<string, unknown> };
  };
  const count = async (sql: string, params: unknown[]) =>
    Number((await t.dataSource.query<Array<{ n: number | string }>>(sql, params))[0].n);
  /** Old audit records, as the trail would hold them after months (made by the test itself). */
  const oldAudit = async (tenant: TestTenant, n: number, ageDays: number) => {
    for (let i = 0; i < n; i++) {
      await t.dataSource.query(
        'INSERT INTO audit_logs (id, tenant_id, operator_id, client_id, action, chat_id, target, ip, create_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
        [
          BigInt(9_000_000_000 + Math.floor(Math.random() * 1e9)),
          tenant.tenantId,
          tenant.operatorId,
          tenant.clientId,
          'chatMessageList',
          'c',
          '{"chatId":"c"}',
          '127.0.0.1',
          Date.now() - ageDays * DAY - i,
        ],
      );
    }
  };

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'op-retention-'));
    t = await startTestApp(engine, { OP_RETENTION_SCHEDULE: 'off' });
    a = await t.createTenant();
    b = await t.createTenant();
  });

  afterAll(async () => {
    await t?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('sets a policy per tenant with opctl and refuses bad flags', async () => {
    expect(await opctl('retention:set', '--tenant', a.tenantId, '--message-days', '30', '--audit-days', '10')).toEqual({
      code: 0,
      json: { tenantId: a.tenantId, messageDays: 30, auditDays: 10 },
    });
    expect((await opctl('retention:set', '--tenant', b.tenantId, '--message-days', '0')).json).toEqual({
      tenantId: b.tenantId,
      messageDays: null,
      auditDays: null,
    });
    const bad = await opctl('retention:set', '--tenant', a.tenantId, '--message-days', 'ten');
    expect(bad).toMatchObject({ code: 1, json: { error: { code: 400, message: '--message-days 必须是非负整数' } } });
    expect((await opctl('retention:set', '--tenant', 'nope')).json).toEqual({
      error: { code: 404, message: '--tenant nope 对应的租户不存在' },
    });
    expect((await opctl('retention:set', '--tenant', a.tenantId, '--audit-days', '99999')).json).toEqual({
      error: { code: 400, message: '--audit-days 不能大于 36500' },
    });
  });

  it('deletes whole chats whose last message is older than the policy, with marks, favorites and index entries, and old audit records', async () => {
    const now = Date.now();
    // An old chat (last message 40 days ago) of 2,500 messages: three statements' worth; a chat
    // that began 40 days ago but spoke yesterday; tenant b's old chat (no limit there).
    await t.importRecords(
      a.tenantId,
      Array.from({ length: 2500 }, (_, i) =>
        record({ chatId: 'old', timestamp: now - 45 * DAY + i * 1000, body: { type: 'txt', msg: `过期的消息 ${i}` } }),
      ),
    );
    await t.importRecords(a.tenantId, [
      record({ chatId: 'alive', timestamp: now - 40 * DAY, body: { type: 'txt', msg: '很久以前开始' } }),
      record({ chatId: 'alive', timestamp: now - DAY, body: { type: 'txt', msg: '昨天还在说话' } }),
    ]);
    await t.importRecords(b.tenantId, [record({ chatId: 'old', timestamp: now - 400 * DAY, body: { type: 'txt', msg: '过期的消息 b' } })]);
    const old = (await a.client.chatMessageList({ chatId: 'old', pageSize: 3 })).data.msg;
    await a.client.messageMarkAdd({ messageId: old[0].userMessageId, mark: '过期' });
    await a.client.messageFavoriteAdd({ messageId: old[1].userMessageId });
    await t.app.get(SearchIndexService).drain();
    expect((await a.client.chatSearch({ keyword: '过期的消息' })).data.chats.map((c) => c.chatId)).toEqual(['old']);
    await oldAudit(a, 1200, 20);
    await oldAudit(b, 5, 20);
    const recentAudit = (await count('SELECT COUNT(*) AS n FROM audit_logs WHERE tenant_id = ?', [a.tenantId])) - 1200;

    const run = await opctl('retention:run');
    expect(run.code).toBe(0);
    expect(run.json).toEqual({
      tenants: expect.arrayContaining([
        { tenantId: a.tenantId, chats: 1, messages: 2500, auditRecords: 1200 },
        { tenantId: b.tenantId, chats: 0, messages: 0, auditRecords: 0 },
      ]),
    });
    expect((run.json.tenants as unknown[]).length).toBe(2);

    expect((await a.client.call('chatDetail', { chatId: 'old' })).status).toBe(404);
    expect((await a.client.chatMessageList({ chatId: 'alive' })).data.msg.map((m) => m.msg)).toEqual(['很久以前开始', '昨天还在说话']);
    expect((await b.client.chatMessageList({ chatId: 'old' })).data.msg).toHaveLength(1);
    for (const table of ['messages', 'message_marks', 'message_favorites', 'chat_message_days']) {
      expect(await count(`SELECT COUNT(*) AS n FROM ${table} WHERE tenant_id = ? AND chat_id = 'old'`, [a.tenantId])).toBe(0);
    }
    await t.app.get(SearchIndexService).drain();
    expect((await a.client.chatSearch({ keyword: '过期的消息' })).data.chats).toEqual([]);
    expect((await b.client.chatSearch({ keyword: '过期的消息' })).data.chats.map((c) => c.chatId)).toEqual(['old']);
    expect((await t.app.get(SearchIndexService).verify(a.tenantId, 5)).ok).toBe(true);
    expect(await count('SELECT COUNT(*) AS n FROM audit_logs WHERE tenant_id = ?', [a.tenantId])).toBeGreaterThanOrEqual(recentAudit);
    expect(await count('SELECT COUNT(*) AS n FROM audit_logs WHERE tenant_id = ? AND create_time < ?', [a.tenantId, now - 10 * DAY])).toBe(
      0,
    );
    // B's five old records stay (its policy keeps audit forever); its calls above add records of
    // their own, written by the audit buffer about a second later, so only the old are counted.
    expect(await count('SELECT COUNT(*) AS n FROM audit_logs WHERE tenant_id = ? AND create_time < ?', [b.tenantId, now - 10 * DAY])).toBe(
      5,
    );

    // A second run finds nothing; one tenant can be named, a tenant without a policy gets zeros.
    expect((await opctl('retention:run', '--tenant', a.tenantId)).json).toEqual({
      tenants: [{ tenantId: a.tenantId, chats: 0, messages: 0, auditRecords: 0 }],
    });
    const c = await t.createTenant();
    expect((await opctl('retention:run', '--tenant', c.tenantId)).json).toEqual({
      tenants: [{ tenantId: c.tenantId, chats: 0, messages: 0, auditRecords: 0 }],
    });
  });

  it('does not let a reconciliation of old hours bring back what retention deleted', async () => {
    const d = await t.createTenant();
    await t.operators.create({ tenantId: d.tenantId, username: 'kefu-r', role: 'agent', imUsername: 'kefu-r' });
    // Lines of Easemob's own export: no chat id, routed to sessions like callbacks.
    const exported = (msgId: string, customer: string, ageDays: number, msg: string) => {
      const { chatId: _chatId, ...line } = record({
        chatId: '-',
        msgId,
        from: customer,
        to: 'kefu-r',
        timestamp: Date.now() - ageDays * DAY,
        body: { type: 'txt', msg },
      });
      return line;
    };
    const old = [exported('r-old-1', 'u-gone', 40, '四十天前'), exported('r-old-2', 'u-gone', 40, '四十天前 2')];
    expect(await t.importRecords(d.tenantId, old)).toMatchObject({ imported: 2, expired: 0 });
    expect((await opctl('retention:set', '--tenant', d.tenantId, '--message-days', '30')).json).toMatchObject({ messageDays: 30 });
    expect((await opctl('retention:run', '--tenant', d.tenantId)).json).toEqual({
      tenants: [{ tenantId: d.tenantId, chats: 1, messages: 2, auditRecords: 0 }],
    });

    // u-live talks today: its open chat takes a lost message of 40 days ago; u-new's 10-day-old one is kept.
    expect(await t.importRecords(d.tenantId, [exported('r-live-1', 'u-live', 0.01, '今天')])).toMatchObject({ imported: 1 });
    const again = await t.importRecords(d.tenantId, [
      ...old,
      exported('r-live-0', 'u-live', 40, '补回的旧消息'),
      exported('r-new-1', 'u-new', 10, '十天前'),
    ]);
    expect(again).toMatchObject({ imported: 2, duplicates: 0, expired: 2, failed: 0 });
    const chats = async (customerId: string) =>
      (await d.client.chatSearch({ customerId })).data.chats.map((chat) => [chat.customerId, chat.messageCount]);
    expect(await chats('u-gone')).toEqual([]);
    expect(await chats('u-live')).toEqual([['u-live', 2]]);
    expect(await chats('u-new')).toEqual([['u-new', 1]]);
    // Nothing came back for the next run to delete.
    expect((await opctl('retention:run', '--tenant', d.tenantId)).json).toEqual({
      tenants: [{ tenantId: d.tenantId, chats: 0, messages: 0, auditRecords: 0 }],
    });
  });

  it('runs in one process at a time: opctl answers 409 while another holds the run, and runs once it is free', async () => {
    const e = await t.createTenant();
    await t.importRecords(e.tenantId, [record({ chatId: 'late', timestamp: Date.now() - 40 * DAY, body: { type: 'txt', msg: '该删了' } })]);
    expect((await opctl('retention:set', '--tenant', e.tenantId, '--message-days', '30')).json).toMatchObject({ messageDays: 30 });
    // The lease row as an API process on another machine writes it in the middle of its run.
    await t.dataSource.query('DELETE FROM job_leases WHERE name = ?', ['retention']);
    await t.dataSource.query('INSERT INTO job_leases (name, owner, lease_until) VALUES (?, ?, ?)', [
      'retention',
      'other-host:4242:0a0b0c0d',
      Date.now() + 60_000,
    ]);
    const busy = await opctl('retention:run', '--tenant', e.tenantId);
    expect(busy.code).not.toBe(0);
    expect(busy.json).toEqual({ error: { code: 409, message: '另一个进程正在执行保留策略（retention:run），请稍后再试' } });
    expect((await e.client.call('chatDetail', { chatId: 'late' })).status).toBe(200);
    // That process died: its lease runs out and the next run goes ahead.
    await t.dataSource.query('UPDATE job_leases SET lease_until = ? WHERE name = ?', [Date.now() - 1, 'retention']);
    expect((await opctl('retention:run', '--tenant', e.tenantId)).json).toEqual({
      tenants: [{ tenantId: e.tenantId, chats: 1, messages: 1, auditRecords: 0 }],
    });
    expect((await e.client.call('chatDetail', { chatId: 'late' })).status).toBe(404);
    // And a finished run frees it at once.
    const [lease]: Array<{ lease_until: number | string }> = await t.dataSource.query('SELECT lease_until FROM job_leases WHERE name = ?', [
      'retention',
    ]);
    expect(Number(lease.lease_until)).toBe(0);
  });

  it('runs inside the API on OP_RETENTION_SCHEDULE', async () => {
    const scheduled = await startTestApp(engine, { OP_RETENTION_SCHEDULE: '* * * * * *' }, { database: t.database });
    try {
      await t.importRecords(b.tenantId, [
        record({ chatId: 'stale', timestamp: Date.now() - 3 * DAY, body: { type: 'txt', msg: '两天前就该删' } }),
      ]);
      expect((await opctl('retention:set', '--tenant', b.tenantId, '--message-days', '2')).json).toMatchObject({ messageDays: 2 });
      const deadline = Date.now() + 30_000;
      while ((await b.client.call('chatDetail', { chatId: 'stale' })).status !== 404) {
        if (Date.now() > deadline) throw new Error('the scheduled retention run did not delete the stale chat');
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      const policy: Array<{ last_run_time: number | string | null }> = await t.dataSource.query(
        'SELECT last_run_time FROM retention_policies WHERE tenant_id = ?',
        [b.tenantId],
      );
      expect(Number(policy[0].last_run_time)).toBeGreaterThan(0);
    } finally {
      await scheduled.close();
    }
  });
});
