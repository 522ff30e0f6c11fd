// Replicas of a primary whose keyword index is Mroonga (the MariaDB default): the index table is
// not transactional, so its writes reach the binlog as each statement ends. The API's feeder and
// `opctl import` draining the outbox wrote the same rows at once, the binlog held an update
// before the insert of its row, and the replica stopped replicating (error 1032) for good:
// found by following docs/scaling.md. Imports run here as the docs run them, beside the API.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChatSearchData } from '@op/contracts';
import type { Connection } from 'mysql2/promise';
import { OPCTL, runNode } from './support/processes';
import { record } from './support/records';
import { startReplication, type Replication } from './support/replication';
import { startTestApp, type TestApp, type TestTenant } from './support/test-app';

const DB = 'op_replica_search';
const IMPORTS = 6;
const PER_IMPORT = 800;

interface SlaveStatus {
  Slave_SQL_Running: string;
  Last_SQL_Errno: number;
  Last_SQL_Error: string;
}

describe('replicas of a primary whose keyword index is Mroonga', () => {
  let replication: Replication;
  let admin: Connection[];
  let t: TestApp;
  let a: TestTenant;
  let dir: string;
  const masterKey = randomBytes(32).toString('hex');

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'op-replica-search-'));
    // As docs/scaling.md says: the plugin on the replica first (INSTALL SONAME is not replicated).
    replication = await startReplication(1, (replica) => replica.query("INSTALL SONAME 'ha_mroonga'"));
    ({ admin } = replication);
    t = await startTestApp(
      'mariadb',
      {
        OP_DATABASE_REPLICA_URLS: replication.replicaUrls(DB),
        OP_SEARCH_ENGINE: 'mroonga',
        OP_MASTER_KEY: masterKey,
        OP_REPLICA_MAX_LAG_MS: '3600000',
      },
      { database: replication.database(DB) },
    );
    a = await t.createTenant();
  }, 120_000);

  afterAll(async () => {
    await t?.close();
    await replication?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('keeps replicating while opctl imports beside the feeding API, and the replica finds every message', async () => {
    const files = Array.from({ length: IMPORTS }, (_, n) => {
      const file = join(dir, `part-${n}.jsonl`);
      const lines = Array.from({ length: PER_IMPORT }, (_, i) =>
        JSON.stringify(
          record({
            chatId: `c${n}-${i % 40}`,
            msgId: `rs-${n}-${i}`,
            timestamp: 1_700_000_000_000 + (n * PER_IMPORT + i) * 1000,
            body: { type: 'txt', msg: `第 ${n} 批 退款 ${i}` },
          }),
        ),
      );
      writeFileSync(file, lines.join('\n'));
      return file;
    });
    const env = {
      OP_DATABASE_URL: replication.database(DB).url,
      OP_MASTER_KEY: masterKey,
      OP_SEARCH_ENGINE: 'mroonga',
      OP_LOG_LEVEL: 'silent',
    };
    // Three at a time, as an operator loading a backlog does, while the API feeds the index too.
    for (let n = 0; n < IMPORTS; n += 3) {
      const runs = await Promise.all(
        files.slice(n, n + 3).map((file) => runNode(OPCTL, ['import', '--tenant', a.tenantId, '--file', file], env)),
      );
      for (const run of runs) expect([run.code, JSON.parse(run.stdout)]).toEqual([0, expect.objectContaining({ imported: PER_IMPORT })]);
    }

    // The replica applies everything the primary logged, or stops on an error: whichever comes first.
    const [[{ pos }]] = (await admin[0].query('SELECT @@gtid_binlog_pos AS pos')) as unknown as [Array<{ pos: string }>];
    const [[status]] = (await admin[1]
      .query(`SELECT MASTER_GTID_WAIT(?, 60) AS waited`, [pos])
      .then(() => admin[1].query('SHOW SLAVE STATUS'))) as unknown as [SlaveStatus[]];
    expect([status.Slave_SQL_Running, status.Last_SQL_Errno, status.Last_SQL_Error]).toEqual(['Yes', 0, '']);

    const indexed = async (connection: Connection) =>
      Number(
        (
          (await connection.query(`SELECT COUNT(*) AS n FROM ${DB}.message_search WHERE tenant_id = ?`, [a.tenantId])) as unknown as [
            Array<{ n: number | string }>,
          ]
        )[0][0].n,
      );
    expect(await indexed(admin[1])).toBe(IMPORTS * PER_IMPORT);
    expect(await indexed(admin[1])).toBe(await indexed(admin[0]));
    // chatSearch, read on the replica: every chat of the imports holds the keyword.
    const found = await a.client.call<ChatSearchData>('chatSearch', { keyword: '退款', pageSize: 100 });
    expect([found.status, found.envelope.page?.total]).toEqual([200, IMPORTS * 40]);
  }, 180_000);
});
