// Issue 13, point 3: `opctl easemob:gaps` for admins over the Op API. Hours are reconciled
// through the real path against the fake Easemob (one ok, one failed, one partial, one empty,
// one never run, one still running as the service records a run it has begun); easemobGaps
// then names exactly the hours not archived completely, in the API's zone (UTC here, so that
// Easemob's Beijing hours visibly move), for the caller's tenant only, and for admins only.
import type { EasemobGap, EasemobGapsData } from '@op/contracts';
import type { OpClient } from '@op/contracts/node';
import { ENGINES } from './support/databases';
import { APPKEY, CALLBACK_SECRET } from './support/easemob';
import { exportRecord, FakeEasemob } from './support/fake-easemob';
import { startTestApp, type TestApp, type TestOperator, type TestTenant } from './support/test-app';
import { ReconcileService } from '../src/modules/importer/reconcile.service';

const OTHER_APPKEY = 'other-org#other-app';
const HOUR = 3_600_000;
/** Easemob's hour 2026112910 (Beijing) starts at 02:00 UTC. */
const H10_MS = Date.UTC(2026, 10, 29, 2);
const easemobHour = (n: number) => `20261129${String(n).padStart(2, '0')}`;
/** The same hour as the API writes it, in UTC. */
const apiHour = (n: number) => `2026-11-29 ${String(n - 8).padStart(2, '0')}:00:00`;
const lines = (prefix: string, n: number, count: number) =>
  Array.from({ length: count }, (_, i) =>
    JSON.stringify(
      exportRecord(
        `${prefix}${n}${String(i).padStart(4, '0')}`,
        H10_MS + (n - 10) * HOUR + i * 1000,
        'u0001gaps',
        'kefu01',
        `第 ${n} 小时 第 ${i} 条`,
      ),
    ),
  );

describe.each(ENGINES)('easemobGaps on %s', (engine) => {
  let fake: FakeEasemob;
  let t: TestApp;
  let a: TestTenant;
  let b: TestTenant;
  let c: TestTenant;
  let agent: TestOperator;
  const prefix = engine === 'sqlite' ? '61' : '62';

  const gaps = async (client: OpClient, body: Record<string, unknown>): Promise<EasemobGapsData> => {
    const { status, envelope } = await client.call<EasemobGapsData>('easemobGaps', body);
    expect({ status, message: envelope.message, page: envelope.page }).toEqual({ status: 200, message: '成功', page: undefined });
    return envelope.data!;
  };
  const refusal = async (client: OpClient, body: Record<string, unknown>) => {
    const { status, envelope } = await client.call('easemobGaps', body);
    return { status, message: envelope.message, data: envelope.data };
  };
  /** Hours 10 to 16 of Easemob's day, as the API's zone names them. */
  const RANGE = { from: apiHour(10), to: '2026-11-29 08:59:59' };

  beforeAll(async () => {
    fake = await FakeEasemob.start();
    t = await startTestApp(engine, { OP_TIMEZONE: 'UTC', OP_EASEMOB_BASE_URL: fake.url, OP_EASEMOB_TIMEOUT_MS: '2000' });
    a = await t.createTenant();
    b = await t.createTenant();
    c = await t.createTenant();
    agent = await t.addOperator(a, { role: 'agent' });
    for (const [tenant, appkey, id] of [
      [a, APPKEY, 'a-id'],
      [b, OTHER_APPKEY, 'b-id'],
    ] as const) {
      await t.serviceAccounts.add(tenant.tenantId, 'kefu01');
      await t.easemobApps.register(tenant.tenantId, appkey, CALLBACK_SECRET);
      await t.easemobApps.setRestCredentials(tenant.tenantId, appkey, { clientId: id, clientSecret: `${id}-secret` });
      fake.credentials.set(appkey, [id, `${id}-secret`]);
    }
    // Tenant c has an app for callbacks only: nothing to reconcile.
    await t.easemobApps.register(c.tenantId, 'c-org#c-app', CALLBACK_SECRET);

    fake.hours.set(`${APPKEY} ${easemobHour(10)}`, { kind: 'file', lines: lines(prefix, 10, 3) });
    fake.hours.set(`${APPKEY} ${easemobHour(11)}`, { kind: 'error', status: 500 });
    fake.hours.set(`${APPKEY} ${easemobHour(12)}`, { kind: 'empty' });
    fake.hours.set(`${APPKEY} ${easemobHour(14)}`, {
      kind: 'file',
      lines: [...lines(prefix, 14, 2), '{"msg_id": "broken", "timestamp": 17'],
    });
    fake.hours.set(`${APPKEY} ${easemobHour(15)}`, { kind: 'file', lines: lines(prefix, 15, 2) });
    fake.hours.set(`${OTHER_APPKEY} ${easemobHour(10)}`, { kind: 'file', lines: lines(`${prefix}9`, 10, 2) });

    const reconcile = t.app.get(ReconcileService);
    // Hour 13 is never reconciled.
    const first = await reconcile.reconcileRange(a.tenantId, easemobHour(10), easemobHour(12), 'cli');
    expect(first.hours.map((h) => [h.hour, h.status])).toEqual([
      [easemobHour(10), 'ok'],
      [easemobHour(11), 'failed'],
      [easemobHour(12), 'ok'],
    ]);
    const second = await reconcile.reconcileRange(a.tenantId, easemobHour(14), easemobHour(15), 'cli');
    expect(second.hours.map((h) => h.status)).toEqual(['partial', 'ok']);
    // Hour 15 failed before it went ok: the ok run counts, whatever came first.
    await t.dataSource.query(
      'INSERT INTO easemob_reconcile_runs (id, tenant_id, appkey, hour, trigger_kind, status, in_export, already_stored, added, failed, error, start_time, finish_time) ' +
        "VALUES (?, ?, ?, ?, 'schedule', 'failed', 0, 0, 0, 0, ?, ?, ?)",
      [9_100_001, a.tenantId, APPKEY, easemobHour(15), '获取 2026112915 的历史消息下载地址失败：HTTP 503', H10_MS, H10_MS + 1000],
    );
    // Hour 16: a run begun and not (yet) finished, as reconcileHour records it before fetching.
    await t.dataSource.query(
      'INSERT INTO easemob_reconcile_runs (id, tenant_id, appkey, hour, trigger_kind, status, in_export, already_stored, added, failed, error, start_time, finish_time) ' +
        "VALUES (?, ?, ?, ?, 'schedule', 'running', 0, 0, 0, 0, NULL, ?, NULL)",
      [9_100_002, a.tenantId, APPKEY, easemobHour(16), H10_MS + 7 * HOUR + 5 * 60_000],
    );
    await reconcile.reconcileRange(b.tenantId, easemobHour(10), easemobHour(10), 'cli');
  }, 60_000);

  afterAll(async () => {
    await t?.close();
    await fake?.close();
  });

  it('names exactly the missing, failed, partial and running hours, in the API zone', async () => {
    const data = await gaps(a.client, RANGE);
    expect({ ...data, gaps: [] }).toEqual({
      tenantId: a.tenantId,
      from: '2026-11-29 02:00:00',
      to: '2026-11-29 08:59:59',
      hours: 7,
      appkeys: [APPKEY],
      checked: 7,
      gaps: [],
    });
    expect(data.gaps.map((g) => [g.hour, g.easemobHour, g.appkey, g.state])).toEqual([
      [apiHour(11), easemobHour(11), APPKEY, 'failed'],
      [apiHour(13), easemobHour(13), APPKEY, 'missing'],
      [apiHour(14), easemobHour(14), APPKEY, 'partial'],
      [apiHour(16), easemobHour(16), APPKEY, 'running'],
    ]);
    const [failed, missing, partial, running] = data.gaps;
    expect(failed.reason).toBe(`获取 ${easemobHour(11)} 的历史消息下载地址失败：HTTP 500`);
    expect(failed.lastRunTime).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    expect(missing).toEqual<EasemobGap>({
      hour: apiHour(13),
      easemobHour: easemobHour(13),
      appkey: APPKEY,
      state: 'missing',
      lastRunTime: null,
      reason: null,
    });
    expect(partial.reason).toMatch(/^第 3 条记录：/);
    expect(running).toMatchObject({ lastRunTime: '2026-11-29 09:05:00', reason: null });
  });

  it("names an hour whose ok runs all began before Easemob's export was final 'early', with the reason", async () => {
    // Hour 18 was reconciled ok at 19:10 only (within OP_RECONCILE_SETTLE_HOURS of its end).
    await t.dataSource.query(
      'INSERT INTO easemob_reconcile_runs (id, tenant_id, appkey, hour, trigger_kind, status, in_export, already_stored, added, failed, error, start_time, finish_time) ' +
        "VALUES (?, ?, ?, ?, 'schedule', 'ok', 0, 0, 0, 0, NULL, ?, ?)",
      [9_100_003, a.tenantId, APPKEY, easemobHour(18), H10_MS + 9 * HOUR + 10 * 60_000, H10_MS + 9 * HOUR + 11 * 60_000],
    );
    const data = await gaps(a.client, { from: apiHour(18), to: apiHour(18) });
    expect(data.gaps).toEqual<EasemobGap[]>([
      {
        hour: apiHour(18),
        easemobHour: easemobHour(18),
        appkey: APPKEY,
        state: 'early',
        lastRunTime: '2026-11-29 11:10:00',
        reason: '在该小时结束后 2 小时内对账，当时环信的导出可能尚未完整',
      },
    ]);
  });

  it('checks every hour the range touches, from a time inside the first to one inside the last', async () => {
    const data = await gaps(a.client, { from: '2026-11-29 03:30:00', to: '2026-11-29 05:00:00' });
    expect([data.hours, data.checked]).toEqual([3, 3]);
    expect(data.gaps.map((g) => [g.hour, g.state])).toEqual([
      [apiHour(11), 'failed'],
      [apiHour(13), 'missing'],
    ]);
  });

  it('defaults to the 24 hours before now and leaves out the hour under way', async () => {
    const before = Date.now();
    const data = await gaps(a.client, {});
    expect(data.hours).toBe(24);
    expect(data.gaps).toHaveLength(24);
    expect(data.gaps.every((g) => g.state === 'missing')).toBe(true);
    const parse = (text: string) => Date.parse(`${text.replace(' ', 'T')}Z`);
    expect(parse(data.to) - parse(data.from)).toBe(24 * HOUR);
    expect(Math.abs(parse(data.to) - before)).toBeLessThan(5_000);
    // The last hour listed is the last one that has ended (either side of an hour's end during the call).
    const after = Date.now();
    expect([Math.floor(before / HOUR) * HOUR - HOUR, Math.floor(after / HOUR) * HOUR - HOUR]).toContain(parse(data.gaps[23].hour));
    // A range wholly in the future holds no hour to check.
    const ahead = await gaps(a.client, { from: '2099-01-01 00:00:00', to: '2099-01-01 05:00:00' });
    expect([ahead.hours, ahead.checked, ahead.gaps]).toEqual([0, 0, []]);
  });

  it("shows another tenant only its own apps' hours", async () => {
    const data = await gaps(b.client, RANGE);
    expect([data.tenantId, data.appkeys, data.checked]).toEqual([b.tenantId, [OTHER_APPKEY], 7]);
    expect(data.gaps.map((g) => [g.easemobHour, g.appkey, g.state])).toEqual(
      [11, 12, 13, 14, 15, 16].map((n) => [easemobHour(n), OTHER_APPKEY, 'missing']),
    );
    // A tenant without REST credentials checks nothing, and sees none of a's or b's runs.
    expect(await gaps(c.client, RANGE)).toEqual({
      tenantId: c.tenantId,
      from: RANGE.from,
      to: RANGE.to,
      hours: 7,
      appkeys: [],
      checked: 0,
      gaps: [],
    });
    // The tenant is the token's: a body naming another is not read.
    const asked = await gaps(b.client, { ...RANGE, tenantId: a.tenantId });
    expect(asked.appkeys).toEqual([OTHER_APPKEY]);
  });

  it('refuses an agent with the 403 envelope', async () => {
    await expect(refusal(agent.client, RANGE)).resolves.toEqual({
      status: 403,
      message: 'easemobGaps 只允许管理员（admin）调用',
      data: null,
    });
  });

  it.each([
    [{ from: '2026-11-29' }, 'from 必须是 yyyy-MM-dd HH:mm:ss 格式的时间'],
    [{ from: 20261129 }, 'from 必须是字符串（yyyy-MM-dd HH:mm:ss）'],
    [{ from: '2026-02-30 10:00:00' }, 'from 不是有效的时间：2026-02-30 10:00:00'],
    [{ to: '2026-11-29 25:00:00' }, 'to 不是有效的时间：2026-11-29 25:00:00'],
    [{ from: '2026-11-29 09:00:00', to: '2026-11-29 08:00:00' }, 'from 不能晚于 to'],
    [{ from: '2026-10-01 00:00:00', to: '2026-11-01 00:00:00' }, 'to 与 from 最多跨 744 个小时（31 天，含两端所在的小时）'],
  ])('answers %j with a 400 naming the field', async (body, message) => {
    await expect(refusal(a.client, body)).resolves.toEqual({ status: 400, message, data: null });
  });

  it('takes 31 whole days', async () => {
    const data = await gaps(a.client, { from: '2026-10-01 00:00:00', to: '2026-10-31 23:59:59' });
    expect([data.hours, data.gaps.length]).toEqual([744, 744]);
  });
});
