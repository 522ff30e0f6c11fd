import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { APPKEY } from './support/easemob';
import { exportRecord, FakeEasemob } from './support/fake-easemob';
import { OPCTL, runNode, spawnNode, type Run } from './support/processes';
import { record } from './support/records';
import { startTestApp, type TestApp, type TestTenant } from './support/test-app';

const DAY = 86_400_000;
const LINES = 60_000;

/**
 * Ctrl-C on a long opctl command: it stops after the batch under way, frees what it holds, says
 * what it did and how to finish, and exits 130. Before, Node's default exit left the retention
 * lease held for a minute, a reconciled hour `running` and a rebuild's tenants on the scan.
 */
describe('opctl stopped by Ctrl-C (SIGINT) on mariadb', () => {
  let t: TestApp;
  let tenant: TestTenant;
  let dataDir: string;
  let file: string;
  const masterKey = randomBytes(32).toString('hex');
  const env = () => ({ OP_DATABASE_URL: t.database.url, OP_DATA_DIR: dataDir, OP_MASTER_KEY: masterKey, OP_LOG_LEVEL: 'silent' });
  const count = async (tenantId = tenant.tenantId) =>
    Number(
      (await t.dataSource.query<Array<{ n: number | string }>>('SELECT COUNT(*) AS n FROM messages WHERE tenant_id = ?', [tenantId]))[0].n,
    );

  /** A file of `lines` text messages in chats of 30, a second apart from 30 days ago. */
  function history(name: string, lines: number): string {
    const base = Date.now() - 30 * DAY;
    const path = join(dataDir, name);
    const records = Array.from({ length: lines }, (_, i) =>
      JSON.stringify(
        record({ chatId: `chat-${i % (lines / 30)}`, timestamp: base + i * 1_000, body: { type: 'txt', msg: `第 ${i} 条消息` } }),
      ),
    );
    writeFileSync(path, records.join('\n') + '\n');
    return path;
  }

  /** Starts `opctl args`, sends SIGINT once `begun()` says the work is under way, and waits for the end. */
  async function interrupt(
    args: string[],
    begun: () => Promise<boolean>,
    extraEnv: Record<string, string> = {},
  ): Promise<Run & { json: Record<string, unknown> }> {
    const { child, done } = spawnNode(OPCTL, args, { ...env(), ...extraEnv });
    let ended = false;
    void done.then(() => (ended = true));
    while (!ended && !(await begun())) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(ended).toBe(false); // the work must still be under way when the signal comes
    child.kill('SIGINT');
    const run = await done;
    return { ...run, json: JSON.parse(run.stdout) as Record<string, unknown> };
  }

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'op-interrupt-'));
    t = await startTestApp('mariadb', { OP_MASTER_KEY: masterKey });
    tenant = await t.createTenant();
    file = history('history.jsonl', LINES);
  });

  afterAll(async () => {
    await t?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('import stores what it read, reports it and how to go on, and a re-run completes the file once', async () => {
    const stopped = await interrupt(['import', '--tenant', tenant.tenantId, '--file', file], async () => (await count()) > 0);
    expect(stopped.code).toBe(130);
    expect(stopped.json.interrupted).toBe('已读到的行已导入；再次运行同一命令即可继续（已导入的消息会被跳过）');
    expect(stopped.stderr).toContain('收到 SIGINT：import 将在当前一批完成后停止');
    const first = stopped.json.imported as number;
    expect(first).toBeGreaterThan(0);
    expect(first).toBeLessThan(LINES);
    expect(await count()).toBe(first);

    const rest = await runNode(OPCTL, ['import', '--tenant', tenant.tenantId, '--file', file], env());
    expect(rest.code).toBe(0);
    expect(JSON.parse(rest.stdout)).toMatchObject({ imported: LINES - first, duplicates: first, failed: 0 });
    expect(await count()).toBe(LINES);
  }, 120_000);

  it('search:rebuild keeps its cursor and says that a re-run (or the API) goes on from there', async () => {
    const rebuilt = async () => {
      const rows = await t.dataSource.query<Array<{ done: number | string }>>(
        'SELECT done FROM search_rebuild WHERE scope = ? AND finish_time IS NULL',
        [tenant.tenantId],
      );
      return rows.length > 0 && Number(rows[0].done) > 0;
    };
    const stopped = await interrupt(['search:rebuild', '--tenant', tenant.tenantId], rebuilt);
    expect(stopped.code).toBe(130);
    expect(stopped.json).toEqual({
      error: { code: 503, message: '已中断：进度已保存；再次运行同一命令会从中断处继续，API 也会在两分钟后自行继续' },
    });
    const [row] = await t.dataSource.query<Array<{ done: number | string; finish_time: unknown }>>(
      'SELECT done, finish_time FROM search_rebuild WHERE scope = ?',
      [tenant.tenantId],
    );
    expect(row.finish_time).toBeNull();
    expect(Number(row.done)).toBeGreaterThan(0);
    expect(Number(row.done)).toBeLessThan(LINES);

    const resumed = await runNode(OPCTL, ['search:rebuild', '--tenant', tenant.tenantId], env());
    expect([resumed.code, JSON.parse(resumed.stdout)]).toMatchObject([0, { scope: tenant.tenantId, indexed: LINES, total: LINES }]);
  }, 120_000);

  it('retention:run frees its lease at once: the next run starts instead of waiting a minute for it', async () => {
    // A tenant of its own, smaller: deleting is slower than importing (each message leaves the keyword index too).
    const purged = await t.createTenant();
    const lines = 12_000;
    expect((await runNode(OPCTL, ['import', '--tenant', purged.tenantId, '--file', history('purged.jsonl', lines)], env())).code).toBe(0);
    expect((await runNode(OPCTL, ['retention:set', '--tenant', purged.tenantId, '--message-days', '7'], env())).code).toBe(0);
    const stopped = await interrupt(['retention:run', '--tenant', purged.tenantId], async () => (await count(purged.tenantId)) < lines);
    expect(stopped.code).toBe(130);
    expect(stopped.json.interrupted).toBe('已删除的不会恢复，其余未处理；再次运行同一命令即可继续');
    expect(await count(purged.tenantId)).toBeGreaterThan(0);
    // Not recorded as run: the policy was not applied whole.
    const [policy] = await t.dataSource.query<Array<{ last_run_time: unknown }>>(
      'SELECT last_run_time FROM retention_policies WHERE tenant_id = ?',
      [purged.tenantId],
    );
    expect(policy.last_run_time).toBeNull();

    const again = await runNode(OPCTL, ['retention:run', '--tenant', purged.tenantId], env());
    expect([again.code, again.stdout]).toEqual([0, expect.stringContaining(`"tenantId":"${purged.tenantId}"`)]);
    expect(await count(purged.tenantId)).toBe(0);
  }, 180_000);

  it('easemob:reconcile records the hour under way as failed (not running) and begins no other', async () => {
    const fake = await FakeEasemob.start();
    try {
      const clientId = 'YXA6interrupt';
      const clientSecret = 'YXA6interrupt-secret';
      await t.easemobApps.register(tenant.tenantId, APPKEY, 'cb-secret');
      await t.easemobApps.setRestCredentials(tenant.tenantId, APPKEY, { clientId, clientSecret });
      fake.credentials.set(APPKEY, [clientId, clientSecret]);
      const at = Date.UTC(2026, 10, 29, 2);
      const line = JSON.stringify(exportRecord('61000001', at, 'u0001stall', 'kefu01', '慢的下载'));
      fake.hours.set(`${APPKEY} 2026112910`, { kind: 'stall', lines: [line], stallMs: 20_000 });
      const downloading = async () => fake.requests.some((r) => r.path.startsWith('/files/'));
      const started = Date.now();
      const stopped = await interrupt(
        ['easemob:reconcile', '--tenant', tenant.tenantId, '--from', '2026112910', '--to', '2026112912'],
        downloading,
        { OP_EASEMOB_BASE_URL: fake.url, OP_EASEMOB_TIMEOUT_MS: '20000' },
      );
      // Stopped at once, not when the download's 20 s are up.
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(stopped.code).toBe(130);
      expect(stopped.json).toMatchObject({
        hours: [{ hour: '2026112910', status: 'failed', error: '对账被中断（opctl 收到停止信号），该小时需重新对账' }],
        interrupted: '进行中的小时已记为失败，其后的小时未开始；再次运行同一命令即可补齐',
      });
      const runs = await t.dataSource.query<Array<{ hour: string; status: string }>>(
        'SELECT hour, status FROM easemob_reconcile_runs WHERE tenant_id = ? ORDER BY hour',
        [tenant.tenantId],
      );
      expect(runs).toEqual([{ hour: '2026112910', status: 'failed' }]);
    } finally {
      await fake.close();
    }
  }, 120_000);
});
