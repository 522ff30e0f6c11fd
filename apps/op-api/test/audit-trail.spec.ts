// The audit trail: every 2.37 read, search and mark/favorite change recorded with who, client,
// target, time and ip; auditList's filters and paging; OP_AUDIT=off; the flush at shutdown.
import type { AuditListData } from '@op/contracts';
import { AuditLog } from '../src/modules/audit/audit-log.service';
import { record } from './support/records';
import { startTestApp, type TestApp, type TestTenant } from './support/test-app';
import { STORE_ENGINES } from './support/databases';
import {
  RECENT,
  startTwoTenants,
  list,
  markAdd,
  markRemove,
  favAdd,
  favRemove,
  type Operator,
  type TwoTenants,
} from './support/two-tenants';

describe.each(STORE_ENGINES)('the audit trail on %s', (engine) => {
  let world: TwoTenants;
  let t: TestApp;
  let a: TestTenant;
  let agent1: Operator;
  let ids: Record<string, string[]>;

  beforeAll(async () => {
    world = await startTwoTenants(engine);
    ({ t, a, agent1, ids } = world);
  });

  afterAll(async () => {
    await world?.t.close();
  });

  const audit = async (body: Record<string, unknown>) => {
    await t.app.get(AuditLog).flush();
    const { status, envelope } = await a.client.call<AuditListData>('auditList', { pageSize: 100, ...body });
    expect(status).toBe(200);
    return envelope;
  };

  it('records every 2.37 read, search and mark/favorite change with who, client, target, time and ip', async () => {
    const startedAt = Date.now();
    await list(agent1, { chatId: 'c1', pageNum: 2, pageSize: 10 });
    await agent1.client.call('chatSearch', { keyword: '审计', status: [5] });
    await markAdd(agent1, ids.c1[1], '审计');
    await markRemove(agent1, ids.c1[1], '审计');
    await favAdd(agent1, ids.c1[1]);
    await favRemove(agent1, ids.c1[1]);
    const { data } = await audit({ operatorId: agent1.operatorId });
    const recent = data!.records.slice(0, 6);
    expect(recent.map((r) => r.action)).toEqual([
      'messageFavoriteRemove',
      'messageFavoriteAdd',
      'messageMarkRemove',
      'messageMarkAdd',
      'chatSearch',
      'chatMessageList',
    ]);
    for (const r of recent) {
      expect(r).toMatchObject({ operatorId: agent1.operatorId, clientId: a.clientId, ip: '127.0.0.1' });
      expect(Object.keys(r)).toEqual(['time', 'operatorId', 'clientId', 'action', 'chatId', 'target', 'ip']);
      expect(r.time >= new Date(startedAt - 1000).toISOString().slice(0, 10)).toBe(true);
    }
    // docs/CONTRACT.md §6: the target is an object, the chat is its own field (null for a search).
    const targets = recent.map((r) => r.target);
    expect(recent.map((r) => r.chatId)).toEqual(['c1', 'c1', 'c1', 'c1', null, 'c1']);
    expect(targets[5]).toEqual({ chatId: 'c1', pageNum: 2, pageSize: 10 });
    expect(targets[4]).toEqual({ keyword: '审计', status: [5] });
    expect(targets[3]).toEqual({ chatId: 'c1', messageId: ids.c1[1], mark: '审计' });
    expect(targets[0]).toEqual({ chatId: 'c1', messageId: ids.c1[1] });
    // The chat is stored once, in chat_id: the stored target JSON does not repeat it.
    const stored: Array<{ target: string }> = await t.dataSource.query(
      "SELECT target FROM audit_logs WHERE tenant_id = ? AND chat_id = 'c1' AND action IN ('chatMessageList', 'messageMarkAdd', 'messageFavoriteAdd')",
      [a.tenantId],
    );
    expect(stored.length).toBeGreaterThan(0);
    for (const { target } of stored) expect(JSON.parse(target)).not.toHaveProperty('chatId');
  });

  it('filters by action, chat, operator and time, and pages', async () => {
    const reads = await audit({ action: 'chatMessageList', chatId: 'c1', operatorId: agent1.operatorId });
    expect(reads.data!.records.length).toBeGreaterThan(0);
    expect(reads.data!.records.every((r) => r.action === 'chatMessageList' && r.chatId === 'c1' && r.target.chatId === 'c1')).toBe(true);
    const all = await audit({});
    expect(all.page!.total).toBeGreaterThanOrEqual(10);
    const paged = await audit({ pageSize: 5, pageNum: 2 });
    expect(paged.data!.records).toEqual(all.data!.records.slice(5, 10));
    expect(paged.page).toMatchObject({ total: all.page!.total, page: 2, pageSize: 5, count: 5 });
    expect((await audit({ from: '2000-01-01 00:00:00', to: '2000-12-31 23:59:59' })).data!.records).toEqual([]);
    const newest = all.data!.records[0].time;
    expect((await audit({ from: newest, to: newest })).data!.records.length).toBeGreaterThan(0);
    expect((await audit({ action: 'messageMarkAdd', chatId: 'c2' })).data!.records.every((r) => r.action === 'messageMarkAdd')).toBe(true);
  });

  it('refuses a bad filter with a sentence naming it', async () => {
    for (const [body, message] of [
      [
        { action: 'delete' },
        'action 只能是 chatMessageList、chatSearch、chatMessageSearch、messageMarkAdd、messageMarkRemove、messageFavoriteAdd、messageFavoriteRemove、chatExport、customerErase、auditExport',
      ],
      [{ from: 'yesterday' }, 'from 必须是 yyyy-MM-dd HH:mm:ss 格式的时间'],
      [{ from: '2026-02-01 00:00:00', to: '2026-01-01 00:00:00' }, 'from 不能晚于 to'],
    ] as const) {
      const { status, envelope } = await a.client.call('auditList', body);
      expect({ status, message: envelope.message }).toEqual({ status: 400, message });
    }
  });

  it('records nothing with OP_AUDIT=off', async () => {
    const quiet = await startTestApp(engine, { OP_AUDIT: 'off' });
    try {
      const tenant = await quiet.createTenant();
      await quiet.importRecords(tenant.tenantId, [record({ chatId: 'q', timestamp: RECENT })]);
      await tenant.client.expect('chatMessageList', { chatId: 'q' });
      await tenant.client.expect('chatSearch', { keyword: 'message' });
      const { data, page } = await tenant.client.auditList();
      expect({ records: data.records, total: page.total }).toEqual({ records: [], total: 0 });
    } finally {
      await quiet.close();
    }
  });

  it('writes what is buffered when the app shuts down', async () => {
    const other = await startTestApp(engine);
    const tenant = await other.createTenant();
    const log = other.app.get(AuditLog);
    const written: unknown[][] = [];
    const query = other.dataSource.query.bind(other.dataSource);
    jest.spyOn(other.dataSource, 'query').mockImplementation(async (sql: string, params?: Parameters<typeof query>[1]) => {
      if (sql.startsWith('INSERT INTO audit_logs')) written.push((params ?? []) as unknown[]);
      return query(sql, params);
    });
    // Recorded just before close: only the shutdown flush can have written it.
    const context = {
      tenantId: tenant.tenantId,
      clientId: tenant.clientId,
      operator: { id: tenant.operatorId, tenantId: tenant.tenantId, role: 'admin' as const },
      token: null,
      ip: '10.0.0.1',
    };
    log.record(context, 'chatSearch', { keyword: 'shutdown' });
    await other.close();
    expect(written.flat()).toContain(JSON.stringify({ keyword: 'shutdown' }));
  });
});
