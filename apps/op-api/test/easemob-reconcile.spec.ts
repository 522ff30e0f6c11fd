import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { STORE_ENGINES } from './support/databases';
import { APPKEY, CALLBACK_SECRET } from './support/easemob';
import { exportRecord, FakeEasemob } from './support/fake-easemob';
import { OPCTL, runNode } from './support/processes';
import { startTestApp, type TestApp, type TestTenant } from './support/test-app';
import { ReconcileService, type ReconcileResult } from '../src/modules/importer/reconcile.service';
import { ReconcileScheduler } from '../src/modules/importer/reconcile-schedule.module';

const CLIENT_ID = 'YXA6client-id';
const CLIENT_SECRET = 'YXA6client-secret-never-stored-in-clear';
const OTHER_APPKEY = 'other-org#other-app';
/** Easemob's hours are Beijing time on its China clusters: 2026-11-30 10:00 +08:00. */
const H10_MS = Date.UTC(2026, 10, 30, 2);
const HOUR_MS = 3_600_000;
const hourName = (n: number) => `20261130${String(n).padStart(2, '0')}`;
const atHour = (n: number, i: number) => H10_MS + (n - 10) * 3_600_000 + i * 1000;
const lines = (n: number, count: number, prefix: string, from = 'u0001reconcile') =>
  Array.from({ length: count }, (_, i) =>
    JSON.stringify(
      exportRecord(
        `${prefix}${n}${String(i).padStart(4, '0')}`,
        atHour(n, i),
        i % 3 === 0 ? 'kefu01' : from,
        i % 3 === 0 ? from : 'kefu01',
        `第 ${n} 小时 第 ${i} 条`,
      ),
    ),
  );

describe.each(STORE_ENGINES)('reconciliation with Easemob history exports on %s', (engine) => {
  let fake: FakeEasemob;
  let t: TestApp;
  let a: TestTenant;
  let b: TestTenant;
  const masterKey = randomBytes(32).toString('hex');
  const prefix = engine === 'sqlite' ? '51' : '52';

  const count = async (tenantId: string) =>
    Number(
      (await t.dataSource.query<Array<{ n: number | string }>>('SELECT COUNT(*) AS n FROM messages WHERE tenant_id = ?', [tenantId]))[0].n,
    );
  const duplicates = async (tenantId: string) =>
    t.dataSource.query<unknown[]>('SELECT hx_msg_id FROM messages WHERE tenant_id = ? GROUP BY hx_msg_id HAVING COUNT(*) > 1', [tenantId]);
  const reconcile = () => t.app.get(ReconcileService);
  const opctl = async (...args: string[]) => {
    const run = await runNode(OPCTL, args, {
      OP_DATABASE_URL: t.database.url,
      OP_MASTER_KEY: masterKey,
      OP_EASEMOB_BASE_URL: fake.url,
      OP_EASEMOB_TIMEOUT_MS: '2000',
      OP_LOG_LEVEL: 'silent',
    });
    return { ...run, json: JSON.parse(run.stdout || 'null') as Record<string, unknown> };
  };

  beforeAll(async () => {
    fake = await FakeEasemob.start();
    t = await startTestApp(engine, { OP_MASTER_KEY: masterKey, OP_EASEMOB_BASE_URL: fake.url, OP_EASEMOB_TIMEOUT_MS: '2000' });
    a = await t.createTenant();
    b = await t.createTenant();
    await t.serviceAccounts.add(a.tenantId, 'kefu01');
    await t.serviceAccounts.add(b.tenantId, 'kefu01');
    await t.easemobApps.register(b.tenantId, OTHER_APPKEY, 'other-secret');
    await t.easemobApps.setRestCredentials(b.tenantId, OTHER_APPKEY, { clientId: 'other-id', clientSecret: 'other-client-secret' });
    fake.credentials.set(APPKEY, [CLIENT_ID, CLIENT_SECRET]);
    fake.credentials.set(OTHER_APPKEY, ['other-id', 'other-client-secret']);

    const h10 = lines(10, 50, prefix);
    fake.hours.set(`${APPKEY} ${hourName(10)}`, { kind: 'file', lines: h10 });
    fake.hours.set(`${APPKEY} ${hourName(11)}`, { kind: 'error', status: 500 });
    fake.hours.set(`${APPKEY} ${hourName(12)}`, { kind: 'file', lines: lines(12, 10, prefix), chunks: 5, gapMs: 200 });
    fake.hours.set(`${APPKEY} ${hourName(13)}`, {
      kind: 'file',
      lines: [
        ...lines(13, 5, prefix),
        '{"msg_id": "broken", "timestamp": 17',
        JSON.stringify(exportRecord(`${prefix}130999`, atHour(13, 99), 'u0001room', 'room1', '聊天室消息', 'chatroom')),
        ...lines(13, 10, prefix).slice(5),
      ],
    });
    fake.hours.set(`${APPKEY} ${hourName(14)}`, { kind: 'empty' });
    // Long enough that its first half holds whole lines, which are stored before the download stalls.
    fake.hours.set(`${APPKEY} ${hourName(15)}`, { kind: 'stall', lines: lines(15, 3_000, prefix), stallMs: 3_500 });
    // The other tenant's app serves the same hour with messages that must never reach tenant a.
    fake.hours.set(`${OTHER_APPKEY} ${hourName(10)}`, { kind: 'file', lines: lines(10, 7, `${prefix}9`, 'u0001other') });

    // 20 of hour 10's 50 messages are already archived (a callback got through for them).
    const imported = await t.importer.importLines(a.tenantId, h10.slice(0, 20));
    expect(imported).toMatchObject({ imported: 20, failed: 0 });
  }, 60_000);

  afterAll(async () => {
    await t?.close();
    await fake?.close();
  });

  it('opctl easemob:app takes the REST credentials and seals the client secret', async () => {
    const easemobApp = (appkey: string, ...flags: string[]) => opctl('easemob:app', '--tenant', a.tenantId, '--appkey', appkey, ...flags);
    const sealed = () =>
      t.dataSource.query('SELECT client_id, callback_secret_sealed, client_secret_sealed FROM easemob_apps WHERE appkey = ?', [APPKEY]);
    const run = await easemobApp(APPKEY, '--callback-secret', CALLBACK_SECRET, '--client-id', CLIENT_ID, '--client-secret', CLIENT_SECRET);
    expect(run.code).toBe(0);
    expect(run.json).toEqual({ tenantId: a.tenantId, appkey: APPKEY, clientId: CLIENT_ID });
    const rows: Array<{ client_id: string; client_secret_sealed: string }> = await sealed();
    expect(rows[0].client_id).toBe(CLIENT_ID);
    expect(rows[0].client_secret_sealed).not.toContain(CLIENT_SECRET);
    expect(rows[0].client_secret_sealed).not.toContain(Buffer.from(CLIENT_SECRET).toString('base64').slice(0, 12));
    const half = await easemobApp(APPKEY, '--callback-secret', CALLBACK_SECRET, '--client-id', CLIENT_ID);
    expect(half.code).not.toBe(0);
    expect(half.stdout).toContain('--client-id 和 --client-secret 必须同时给出');
    // A refused command changes nothing: the callback secret it named is not taken either.
    const refused = await easemobApp(
      APPKEY,
      ...['--callback-secret', 'a-new-callback-secret', '--client-id', CLIENT_ID, '--client-secret', 'a-new-client-secret'],
      ...['--rest-url', 'a1.easemob.com'],
    );
    expect(refused.code).not.toBe(0);
    expect(refused.stdout).toContain('rest-url 必须是带协议的地址');
    expect(await sealed()).toEqual(rows);
    const unknown = await easemobApp('fresh-org#fresh-app', '--callback-secret', 'cb', '--client-id', '', '--client-secret', 'x');
    expect(unknown.code).not.toBe(0);
    expect(await t.dataSource.query('SELECT appkey FROM easemob_apps WHERE appkey = ?', ['fresh-org#fresh-app'])).toEqual([]);
  });

  it('lists every hour as a gap before any reconciliation', async () => {
    const run = await opctl('easemob:gaps', '--tenant', a.tenantId, '--from', hourName(10), '--to', '2026-11-30 15');
    expect(run.code).toBe(0);
    expect(run.json.checked).toBe(6);
    expect((run.json.gaps as Array<{ hour: string; state: string }>).map((gap) => [gap.hour, gap.state])).toEqual(
      [10, 11, 12, 13, 14, 15].map((h) => [hourName(h), 'missing']),
    );
  });

  it('opctl easemob:reconcile adds what the archive lacks and prints each hour: a failing hour, a slow download, a bad line, a stalled download', async () => {
    const before = await count(a.tenantId);
    const started = Date.now();
    const run = await opctl('easemob:reconcile', '--tenant', a.tenantId, '--from', hourName(10), '--to', hourName(15));
    const seconds = (Date.now() - started) / 1000;
    // Hours that failed: the command did not do all it was asked, and says so to scripts too.
    expect(run.code).toBe(1);
    const result = run.json as unknown as ReconcileResult;
    const byHour = Object.fromEntries(result.hours.map((h) => [h.hour, h]));
    expect(byHour[hourName(10)]).toMatchObject({
      appkey: APPKEY,
      inExport: 50,
      alreadyStored: 20,
      added: 30,
      failed: 0,
      status: 'ok',
      error: null,
    });
    expect(byHour[hourName(11)]).toMatchObject({
      inExport: 0,
      added: 0,
      status: 'failed',
      error: '获取 2026113011 的历史消息下载地址失败：HTTP 500',
    });
    expect(byHour[hourName(12)]).toMatchObject({ inExport: 10, alreadyStored: 0, added: 10, failed: 0, status: 'ok' });
    expect(byHour[hourName(13)]).toMatchObject({ inExport: 11, alreadyStored: 0, added: 10, failed: 1, ignored: 1, status: 'partial' });
    expect(byHour[hourName(13)].error).toMatch(/^第 6 条记录：/);
    expect(byHour[hourName(14)]).toMatchObject({ inExport: 0, added: 0, failed: 0, status: 'ok' });
    // What the stalled hour stored before it broke off is counted as added (it said 0).
    const storedOf15 = Number(
      (
        await t.dataSource.query<Array<{ n: number | string }>>(
          'SELECT COUNT(*) AS n FROM messages WHERE tenant_id = ? AND hx_msg_id LIKE ?',
          [a.tenantId, `${prefix}15%`],
        )
      )[0].n,
    );
    expect(storedOf15).toBeGreaterThan(0);
    expect(byHour[hourName(15)]).toMatchObject({ status: 'failed', added: storedOf15 });
    expect(byHour[hourName(15)].error).toBe('读取导出文件失败：下载超时');
    expect(result.totals).toMatchObject({ added: 50 + storedOf15, alreadyStored: 20, failed: 1, hoursOk: 3, hoursNotOk: 3 });
    // Progress on stderr, one line per hour; the signed download URL and the secrets nowhere.
    expect(run.stderr).toContain(`${APPKEY} ${hourName(10)}: ok, 50 in export, 20 already stored, 30 added, 0 expired, 0 failed`);
    for (const text of [run.stdout, run.stderr]) {
      expect(text).not.toContain('Signature=');
      expect(text).not.toContain(CLIENT_SECRET);
      expect(text).not.toContain('YWMt');
    }
    expect(await count(a.tenantId)).toBe(before + 50 + storedOf15);
    expect(await count(b.tenantId)).toBe(0);
    expect(await duplicates(a.tenantId)).toEqual([]);
    // The token call carried the documented body; each list call the bearer token.
    const tokenCall = fake.requests.find((r) => r.path.endsWith('/token'))!;
    expect(JSON.parse(tokenCall.body!)).toEqual({ grant_type: 'client_credentials', client_id: CLIENT_ID, client_secret: CLIENT_SECRET });
    expect(fake.requests.filter((r) => r.path.includes('/chatmessages/')).every((r) => r.authorization?.startsWith('Bearer YWMt-'))).toBe(
      true,
    );
    process.stderr.write(
      `reconcile (${engine}): 6 hours, ${result.totals.inExport} records in export, ${result.totals.added} added in ${seconds.toFixed(1)} s (CLI process included)\n`,
    );

    // Messages routed like callbacks: the customer's chat holds them in time order.
    const chats: Array<{ id: string; message_count: number | string }> = await t.dataSource.query(
      'SELECT id, message_count FROM chats WHERE tenant_id = ? AND customer_id = ?',
      [a.tenantId, 'u0001reconcile'],
    );
    expect(chats.reduce((n, chat) => n + Number(chat.message_count), 0)).toBe(before + 50 + storedOf15);
  }, 60_000);

  it('lists the failed and partial hours as gaps, and a second run adds nothing and closes what it can', async () => {
    const gaps = await reconcile().gaps(a.tenantId, hourName(10), hourName(15));
    expect(gaps.gaps.map((gap) => [gap.hour, gap.state])).toEqual([
      [hourName(11), 'failed'],
      [hourName(13), 'partial'],
      [hourName(15), 'failed'],
    ]);
    expect(gaps.gaps[0].error).toBe('获取 2026113011 的历史消息下载地址失败：HTTP 500');

    fake.hours.set(`${APPKEY} ${hourName(11)}`, { kind: 'file', lines: lines(11, 8, prefix) });
    const before = await count(a.tenantId);
    const again = await reconcile().reconcileRange(a.tenantId, hourName(10), hourName(14), 'cli');
    const byHour = Object.fromEntries(again.hours.map((h) => [h.hour, h]));
    expect(byHour[hourName(10)]).toMatchObject({ inExport: 50, alreadyStored: 50, added: 0, status: 'ok' });
    expect(byHour[hourName(11)]).toMatchObject({ inExport: 8, alreadyStored: 0, added: 8, status: 'ok' });
    expect(byHour[hourName(13)]).toMatchObject({ alreadyStored: 10, added: 0, failed: 1, status: 'partial' });
    expect(await count(a.tenantId)).toBe(before + 8);
    expect(await duplicates(a.tenantId)).toEqual([]);

    const after = await opctl('easemob:gaps', '--tenant', a.tenantId, '--from', hourName(10), '--to', hourName(15));
    expect((after.json.gaps as Array<{ hour: string; state: string }>).map((gap) => [gap.hour, gap.state])).toEqual([
      [hourName(13), 'partial'],
      [hourName(15), 'failed'],
    ]);
    const runs: Array<{ n: number | string }> = await t.dataSource.query(
      'SELECT COUNT(*) AS n FROM easemob_reconcile_runs WHERE tenant_id = ?',
      [a.tenantId],
    );
    expect(Number(runs[0].n)).toBe(6 + 5);
  }, 60_000);

  it('fetches a file only from a public address or the REST host, and reads no line without end', async () => {
    // A service inside the network that a tampered answer of Easemob's would point us at.
    const hits: string[] = [];
    const inside = createServer((request, response) => {
      hits.push(request.url ?? '');
      response.end('{"secret": true}');
    });
    await new Promise<void>((resolve) => inside.listen(0, '127.0.0.1', resolve));
    const { port } = inside.address() as AddressInfo;
    const day = (h: number) => `20261129${String(h).padStart(2, '0')}`;
    try {
      // Named differently from the REST host (127.0.0.1), so checked: localhost is loopback.
      fake.hours.set(`${APPKEY} ${day(1)}`, { kind: 'url', url: `http://localhost:${port}/latest/meta-data/` });
      fake.hours.set(`${APPKEY} ${day(2)}`, { kind: 'redirect', location: `http://127.0.0.1:${port}/admin` });
      // One line of 3 MiB with no newline, between two good records: a damaged file (or a gzip bomb, larger).
      const good = lines(3, 2, `${prefix}8`);
      fake.hours.set(`${APPKEY} ${day(3)}`, {
        kind: 'bytes',
        gz: gzipSync(`${good[0]}\n${'{"msg_id": "'.padEnd(3 * 1024 * 1024, 'a')}\r\n${good[1]}\n`),
      });
      // Addresses written as IP literals (no lookup to check): another port of the REST host, IPv6 loopback.
      fake.hours.set(`${APPKEY} ${day(4)}`, { kind: 'url', url: `http://127.0.0.1:${port}/admin` });
      fake.hours.set(`${APPKEY} ${day(5)}`, { kind: 'url', url: `http://[::ffff:127.0.0.1]:${port}/admin` });
      // A file cut short: the hour fails, what was read before the cut stored.
      const whole = gzipSync(`${lines(6, 50, `${prefix}8`).join('\n')}\n`);
      fake.hours.set(`${APPKEY} ${day(6)}`, { kind: 'bytes', gz: whole.subarray(0, Math.floor(whole.length / 2)) });
      const result = await reconcile().reconcileRange(a.tenantId, day(1), day(6), 'cli');
      const refused = (h: number) => [day(h), 'failed', `下载 ${day(h)} 的历史消息文件失败：地址指向内网或保留地址，已拒绝`];
      expect(result.hours.slice(0, 5).map((h) => [h.hour, h.status, h.error])).toEqual([
        refused(1),
        [day(2), 'failed', `下载 ${day(2)} 的历史消息文件失败：HTTP 302`],
        [day(3), 'partial', '第 2 条记录：该行超过 1 MiB，未读取'],
        refused(4),
        refused(5),
      ]);
      // What was read before the cut is stored, and counted as added (it said 0).
      const [{ n: cutStored }] = await t.dataSource.query<Array<{ n: number | string }>>(
        'SELECT COUNT(*) AS n FROM messages WHERE tenant_id = ? AND hx_msg_id LIKE ?',
        [a.tenantId, `${prefix}86%`],
      );
      expect(Number(cutStored)).toBeGreaterThan(0);
      expect(result.hours[5]).toMatchObject({ hour: day(6), status: 'failed', added: Number(cutStored) });
      expect(result.hours[2]).toMatchObject({ inExport: 3, added: 2, failed: 1 });
      expect(hits).toEqual([]);
    } finally {
      inside.closeAllConnections();
      await new Promise((resolve) => inside.close(resolve));
    }
  });

  it("tells a chat room by the record's own chat_type, whatever the sender put in ext and in whichever key order", async () => {
    const hour = '2026112810';
    const at = (i: number) => Date.UTC(2026, 10, 28, 2) + i * 1000;
    // Easemob writes chat_type before payload; JSON's key order means nothing, so it may not.
    const { chat_type: chatType, ...first } = exportRecord(`${prefix}7001`, at(1), 'u0001roomext', 'kefu01', '一对一');
    const { chat_type: _absent, ...second } = exportRecord(`${prefix}7002`, at(2), 'u0001roomext', 'kefu01', '也是一对一');
    fake.hours.set(`${APPKEY} ${hour}`, {
      kind: 'file',
      lines: [
        JSON.stringify({ ...first, payload: { ...(first.payload as object), ext: { chat_type: 'chatroom' } }, chat_type: chatType }),
        JSON.stringify({ ...second, payload: { ...(second.payload as object), ext: { meta: { chat_type: 'groupchat_notice' } } } }),
        JSON.stringify(exportRecord(`${prefix}7003`, at(3), 'u0001roomext', 'room1', '聊天室消息', 'chatroom')),
      ],
    });
    const result = await reconcile().reconcileRange(a.tenantId, hour, hour, 'cli');
    expect(result.hours[0]).toMatchObject({ hour, status: 'ok', inExport: 2, added: 2, failed: 0, ignored: 1 });
    const stored: Array<{ hx_msg_id: string }> = await t.dataSource.query(
      'SELECT hx_msg_id FROM messages WHERE tenant_id = ? AND hx_msg_id IN (?, ?, ?) ORDER BY hx_msg_id',
      [a.tenantId, `${prefix}7001`, `${prefix}7002`, `${prefix}7003`],
    );
    expect(stored.map((row) => row.hx_msg_id)).toEqual([`${prefix}7001`, `${prefix}7002`]);
  });

  it('refuses bad ranges and tenants without credentials, naming the flag', async () => {
    const bad = await opctl('easemob:reconcile', '--tenant', a.tenantId, '--from', '2026-13-01 10', '--to', hourName(10));
    expect(bad.code).not.toBe(0);
    expect(bad.stdout).toContain('--from 必须是小时');
    const backwards = await opctl('easemob:gaps', '--tenant', a.tenantId, '--from', hourName(12), '--to', hourName(10));
    expect(backwards.stdout).toContain('--to 不能早于 --from');
    // The hour under way has no export yet: reconciled, it was recorded ok; listed, it was a gap.
    const current = reconcile().hourOf(Date.now());
    const lastEnded = reconcile().hourOf(Date.now() - HOUR_MS);
    for (const command of ['easemob:reconcile', 'easemob:gaps']) {
      const early = await opctl(command, '--tenant', a.tenantId, '--from', hourName(10), '--to', current);
      expect([command, early.code, early.json]).toEqual([
        command,
        1,
        { error: { code: 400, message: `--to ${current} 这个小时尚未结束：最晚为 ${lastEnded}（UTC+8）` } },
      ]);
    }
    const none = await t.createTenant();
    const missing = await opctl('easemob:reconcile', '--tenant', none.tenantId, '--from', hourName(10), '--to', hourName(10));
    expect(missing.code).not.toBe(0);
    expect(missing.stdout).toContain('没有设置环信 REST 凭据');
  });

  it('a token Easemob refuses fails the hour with a clear reason', async () => {
    fake.credentials.set(OTHER_APPKEY, ['other-id', 'rotated-elsewhere']);
    const result = await reconcile().reconcileRange(b.tenantId, hourName(10), hourName(10), 'cli');
    expect(result.hours[0]).toMatchObject({ status: 'failed', error: '获取环信 App Token 失败：HTTP 401' });
    fake.credentials.set(OTHER_APPKEY, ['other-id', 'other-client-secret']);
  });

  it('a REST host that cannot be reached fails the hour naming the call, not the reading of an export file', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    const restUrl = `http://127.0.0.1:${port}`;
    await t.easemobApps.setRestCredentials(b.tenantId, OTHER_APPKEY, {
      clientId: 'other-id',
      clientSecret: 'other-client-secret',
      restUrl,
    });
    try {
      const result = await reconcile().reconcileRange(b.tenantId, hourName(10), hourName(10), 'cli');
      expect(result.hours[0].status).toBe('failed');
      expect(result.hours[0].error).toMatch(/^获取(环信 App Token| 2026113010 的历史消息下载地址)失败：ECONNREFUSED$/);
    } finally {
      await t.easemobApps.setRestCredentials(b.tenantId, OTHER_APPKEY, { clientId: 'other-id', clientSecret: 'other-client-secret' });
    }
  });

  it('the scheduled job reconciles the previous hour of every app and shows the last success per tenant in /metrics', async () => {
    // "Now" is 11:10 Beijing time: the previous hour is 10.
    await t.app.get(ReconcileScheduler).runOnce(H10_MS + 70 * 60_000);
    expect(await count(b.tenantId)).toBe(7);
    const metrics = await (await fetch(`${t.baseUrl}/metrics`)).text();
    expect(metrics).toMatch(new RegExp(`^op_easemob_reconcile_last_success_timestamp_seconds\\{tenant="${a.tenantId}"\\} \\d{10}$`, 'm'));
    expect(metrics).toMatch(new RegExp(`^op_easemob_reconcile_last_success_timestamp_seconds\\{tenant="${b.tenantId}"\\} \\d{10}$`, 'm'));
    const scheduled: Array<{ n: number | string }> = await t.dataSource.query(
      "SELECT COUNT(*) AS n FROM easemob_reconcile_runs WHERE trigger_kind = 'schedule'",
      [],
    );
    expect(Number(scheduled[0].n)).toBeGreaterThanOrEqual(2);
  }, 60_000);

  it('the scheduled job redoes an hour whose run was abandoned (its process killed mid-run), never one under way', async () => {
    fake.hours.set(`${OTHER_APPKEY} ${hourName(12)}`, { kind: 'file', lines: lines(12, 4, `${prefix}8`, 'u0001other') });
    // Hour 12's run began at 13:05 and was never finished; at 13:50 another began for hour 11.
    const running = (id: number, hour: number, startMs: number) =>
      t.dataSource.query(
        'INSERT INTO easemob_reconcile_runs (id, tenant_id, appkey, hour, trigger_kind, status, in_export, already_stored, added, failed, error, start_time, finish_time) ' +
          "VALUES (?, ?, ?, ?, 'schedule', 'running', 0, 0, 0, 0, NULL, ?, NULL)",
        [id, b.tenantId, OTHER_APPKEY, hourName(hour), startMs],
      );
    await running(9_200_001, 12, H10_MS + 3 * HOUR_MS + 5 * 60_000);
    const now = H10_MS + 5 * HOUR_MS + 10 * 60_000; // 15:10: the previous hour is 14, the retries up to 13
    await running(9_200_002, 11, now - 20 * 60_000);
    const stored = async () =>
      (
        await t.dataSource.query<Array<{ hx_msg_id: string }>>(
          'SELECT hx_msg_id FROM messages WHERE tenant_id = ? AND hx_msg_id LIKE ? ORDER BY hx_msg_id',
          [b.tenantId, `${prefix}812%`],
        )
      ).map((row) => row.hx_msg_id);
    expect(await stored()).toEqual([]);
    await t.app.get(ReconcileScheduler).runOnce(now);
    expect(await stored()).toEqual([0, 1, 2, 3].map((i) => `${prefix}812${String(i).padStart(4, '0')}`));
    const runs: Array<{ hour: string; status: string }> = await t.dataSource.query(
      'SELECT hour, status FROM easemob_reconcile_runs WHERE tenant_id = ? AND hour IN (?, ?) ORDER BY hour, start_time',
      [b.tenantId, hourName(11), hourName(12)],
    );
    expect(runs).toEqual([
      { hour: hourName(11), status: 'running' },
      { hour: hourName(12), status: 'running' },
      { hour: hourName(12), status: 'ok' },
    ]);
  }, 60_000);

  it("the scheduled job's first pass of an hour is provisional: once Easemob's export is final the hour is a gap until redone", async () => {
    const other = [{ appkey: OTHER_APPKEY }];
    const early = (hour: string) => ({
      hour,
      appkey: OTHER_APPKEY,
      state: 'early',
      lastRun: expect.any(Number),
      error: '在该小时结束后 2 小时内对账，当时环信的导出可能尚未完整',
    });
    // The hour that just ended, at the schedule's minute: Easemob has no file for it yet (404).
    const now = Date.now();
    const previous = reconcile().hourOf(now - HOUR_MS);
    await t.app.get(ReconcileScheduler).runOnce(now);
    const first: Array<{ status: string; in_export: number | string }> = await t.dataSource.query(
      'SELECT status, in_export FROM easemob_reconcile_runs WHERE tenant_id = ? AND hour = ?',
      [b.tenantId, previous],
    );
    expect(first.map((run) => [run.status, Number(run.in_export)])).toEqual([['ok', 0]]);
    // Until the export can be final that run is as good as there is; two hours after the hour's end it is not.
    expect(await reconcile().gapsOf(b.tenantId, other, [previous], now)).toEqual([]);
    expect(await reconcile().gapsOf(b.tenantId, other, [previous], now + 3 * HOUR_MS)).toEqual([early(previous)]);
    // Run by hand, the same hour says so.
    const printed: string[] = [];
    await reconcile().reconcileRange(b.tenantId, previous, previous, 'cli', (line) => printed.push(line));
    expect(printed).toEqual([
      expect.stringMatching(
        new RegExp(
          `^${OTHER_APPKEY} ${previous}: ok, 0 in export, .*; provisional: Easemob's export of the hour is final from \\S+Z, run it again after that$`,
        ),
      ),
    ]);

    // Hour 17 of the 30th: its minute-10 pass found nothing; Easemob wrote the file later.
    await t.dataSource.query(
      'INSERT INTO easemob_reconcile_runs (id, tenant_id, appkey, hour, trigger_kind, status, in_export, already_stored, added, failed, error, start_time, finish_time) ' +
        "VALUES (?, ?, ?, ?, 'schedule', 'ok', 0, 0, 0, 0, NULL, ?, ?)",
      [9_200_003, b.tenantId, OTHER_APPKEY, hourName(17), atHour(18, 600), atHour(18, 601)],
    );
    fake.hours.set(`${OTHER_APPKEY} ${hourName(17)}`, { kind: 'file', lines: lines(17, 3, `${prefix}7`, 'u0001other') });
    expect((await reconcile().gaps(b.tenantId, hourName(17), hourName(17))).gaps).toEqual([early(hourName(17))]);
    const stored = async () =>
      (
        await t.dataSource.query<Array<{ hx_msg_id: string }>>(
          'SELECT hx_msg_id FROM messages WHERE tenant_id = ? AND hx_msg_id LIKE ? ORDER BY hx_msg_id',
          [b.tenantId, `${prefix}717%`],
        )
      ).map((row) => row.hx_msg_id);
    expect(await stored()).toEqual([]);
    // 20:10: the previous hour is 19 (a first pass), then hour 17, final since 20:00, whatever the retries do.
    const done = await reconcile().reconcileRecent(atHour(20, 600));
    expect(done.filter((h) => h.appkey === OTHER_APPKEY).map((h) => [h.hour, h.status, h.added])).toEqual(
      expect.arrayContaining([
        [hourName(19), 'ok', 0],
        [hourName(17), 'ok', 3],
      ]),
    );
    expect(done.filter((h) => h.appkey === OTHER_APPKEY)[1].hour).toBe(hourName(17));
    expect(await stored()).toEqual([0, 1, 2].map((i) => `${prefix}717${String(i).padStart(4, '0')}`));
    expect((await reconcile().gaps(b.tenantId, hourName(17), hourName(17))).gaps).toEqual([]);
  }, 60_000);
});
