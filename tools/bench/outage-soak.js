#!/usr/bin/env node
// Outage soak (prints figures; asserts nothing): callbacks at a steady --rate per second into
// the built API on a private MariaDB; the database is stopped for --outage seconds; once it is
// back, the API is SIGKILLed every --kill-every seconds, --kills times, and restarted each time,
// while its journal drains. At the end: how many callbacks were acknowledged, how fast, how many
// are stored, lost (acknowledged, not stored) or duplicated, and how long the drain took.
//
//   node tools/bench/outage-soak.js [--rate 200] [--outage 120] [--kill-every 20] [--kills 5]
//
// Needs mariadb-install-db and mariadbd (Debian's mariadb-server); runs as root (mariadbd --user=mysql).
const { spawn } = require('node:child_process');
const { createHash } = require('node:crypto');
const { mkdirSync, mkdtempSync, rmSync, writeFileSync } = require('node:fs');
const { cpus, tmpdir } = require('node:os');
const { join } = require('node:path');
const { parseArgs } = require('node:util');
const { apiArgs, ensureBuilt, root } = require('../scripts/ensure-built');

const { values } = parseArgs({
  options: {
    rate: { type: 'string', default: '200' },
    outage: { type: 'string', default: '120' },
    'kill-every': { type: 'string', default: '20' },
    kills: { type: 'string', default: '5' },
  },
});
const RATE = Number(values.rate);
const OUTAGE_S = Number(values.outage);
const KILL_EVERY_S = Number(values['kill-every']);
const KILLS = Number(values.kills);

ensureBuilt();
const dist = join(root, 'apps/op-api/dist');
const { runOpctl } = require(join(dist, 'cli/opctl.js'));
const mysql = require('mysql2/promise');
const { freePort: free, privateMariaDb, sleep } = require('./lib/private-mariadb');

async function main() {
  const db = await privateMariaDb({ name: 'op-soak' });
  const dir = mkdtempSync(join(tmpdir(), 'op-soak-'));
  const dbPort = db.port;
  const startDb = () => db.start();
  const stopDb = () => db.stop();
  const dataDir = join(dir, 'api');
  mkdirSync(dataDir);
  const apiPort = await free();
  const env = {
    ...process.env,
    OP_DATABASE_URL: `mysql://root@127.0.0.1:${dbPort}/op_soak`,
    OP_DATA_DIR: dataDir,
    OP_PORT: String(apiPort),
    OP_LOG_LEVEL: 'warn',
    OP_RATE_LIMIT: '0',
  };
  await runOpctl(['migrate'], env);
  const { tenantId } = await runOpctl(['tenant:create', '--name', 'soak'], env);
  await runOpctl(['easemob:app', '--tenant', tenantId, '--appkey', 'soak#kefu', '--callback-secret', 'soak-secret'], env);
  await runOpctl(['service-account:add', '--tenant', tenantId, '--im-username', 'kefu01'], env);

  let api = null;
  const startApi = async () => {
    api = spawn(process.execPath, apiArgs(), { env, stdio: ['ignore', 'ignore', 'ignore'] });
    for (let i = 0; i < 600; i++) {
      try {
        await fetch(`http://127.0.0.1:${apiPort}/healthz`);
        return;
      } catch {
        await sleep(50);
      }
    }
    throw new Error('the API did not start');
  };
  const killApi = () =>
    new Promise((resolve) => {
      api.once('exit', resolve);
      api.kill('SIGKILL');
    });
  await startApi();

  // Steady senders: RATE callbacks a second, each with a fresh timestamp.
  const sent = [];
  let sending = true;
  let n = 0;
  const phase = { name: 'before' };
  const sender = (async () => {
    const started = Date.now();
    const inFlight = new Set();
    while (sending) {
      const due = Math.floor(((Date.now() - started) / 1000) * RATE);
      while (n < due) {
        const i = n++;
        const msgId = String(800000000000000000n + BigInt(i));
        const callId = `soak#kefu_${msgId}`;
        const timestamp = Date.now();
        const body = JSON.stringify({
          callId,
          eventType: 'chat',
          timestamp,
          chat_type: 'chat',
          from: i % 4 === 3 ? 'kefu01' : `u0001soak${i % 500}`,
          to: i % 4 === 3 ? `u0001soak${i % 500}` : 'kefu01',
          msg_id: msgId,
          payload: { bodies: [{ type: 'txt', msg: `压测 ${i}` }], ext: {} },
          security: createHash('md5')
            .update(callId + 'soak-secret' + timestamp)
            .digest('hex'),
          appkey: 'soak#kefu',
        });
        const record = { msgId, phase: phase.name, status: 0, ms: 0 };
        sent.push(record);
        const t0 = Date.now();
        const p = fetch(`http://127.0.0.1:${apiPort}/hx/callback`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
          signal: AbortSignal.timeout(10_000),
        })
          .then(async (r) => {
            record.status = r.status;
            await r.arrayBuffer();
          })
          .catch(() => {
            record.status = 0;
          })
          .finally(() => {
            record.ms = Date.now() - t0;
            inFlight.delete(p);
          });
        inFlight.add(p);
      }
      await sleep(5);
    }
    await Promise.all(inFlight);
  })();

  const metric = async (name) => {
    try {
      const text = await (await fetch(`http://127.0.0.1:${apiPort}/metrics`, { signal: AbortSignal.timeout(5000) })).text();
      return Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
    } catch {
      return NaN;
    }
  };

  await sleep(10_000);
  phase.name = 'outage';
  const outageStarted = Date.now();
  await stopDb();
  await sleep(OUTAGE_S * 1000);
  const depthAtReturn = await metric('op_callback_spool_entries');
  phase.name = 'drain';
  await startDb();
  const dbBackAt = Date.now();
  let kills = 0;
  let drainedAt = null;
  let lastKill = Date.now();
  for (;;) {
    if (kills < KILLS && Date.now() - lastKill >= KILL_EVERY_S * 1000) {
      await killApi();
      kills++;
      await startApi();
      lastKill = Date.now();
    }
    // Drained: the journal is empty (a restarted process counts what it adopted, so a later
    // non-empty reading undoes an earlier empty one).
    const depth = await metric('op_callback_spool_entries');
    if (depth === 0) drainedAt ??= Date.now();
    else drainedAt = null;
    if (kills >= KILLS && depth === 0) break;
    await sleep(250);
    if (Date.now() - dbBackAt > 30 * 60_000) break;
  }
  phase.name = 'after';
  await sleep(5_000);
  sending = false;
  await sender;
  // Let the last journal entries land, then count.
  for (let i = 0; i < 240 && (await metric('op_callback_spool_entries')) !== 0; i++) await sleep(250);

  const connection = await mysql.createConnection({ host: '127.0.0.1', port: dbPort, user: 'root', database: 'op_soak' });
  const [rows] = await connection.query('SELECT hx_msg_id, COUNT(*) AS n FROM messages WHERE tenant_id = ? GROUP BY hx_msg_id', [tenantId]);
  await connection.end();
  const stored = new Map(rows.map((r) => [r.hx_msg_id, Number(r.n)]));
  const acked = sent.filter((s) => s.status === 200);
  const outage = sent.filter((s) => s.phase === 'outage');
  const outageAcked = outage.filter((s) => s.status === 200);
  const lost = acked.filter((s) => !stored.has(s.msgId)).length;
  const duplicated = [...stored.values()].filter((c) => c > 1).length;
  const sortedOutage = outageAcked.map((s) => s.ms).sort((a, b) => a - b);
  const report = {
    date: new Date().toISOString(),
    cores: cpus().length,
    rate: RATE,
    outageSeconds: OUTAGE_S,
    kills,
    killEverySeconds: KILL_EVERY_S,
    sent: sent.length,
    acknowledged: acked.length,
    refusedOrUnanswered: sent.length - acked.length,
    duringOutage: {
      sent: outage.length,
      acknowledged: outageAcked.length,
      within1s: outageAcked.filter((s) => s.ms <= 1000).length,
      p99ms: sortedOutage[Math.floor(sortedOutage.length * 0.99)] ?? null,
      maxMs: sortedOutage[sortedOutage.length - 1] ?? null,
    },
    journalDepthAtReturn: depthAtReturn,
    drainSecondsAfterReturn: drainedAt === null ? null : +((drainedAt - dbBackAt) / 1000).toFixed(1),
    stored: stored.size,
    lost,
    duplicated,
    outageStartedAt: new Date(outageStarted).toISOString(),
  };
  console.log(JSON.stringify(report, null, 2));
  mkdirSync(join(root, 'bench-results'), { recursive: true });
  writeFileSync(join(root, 'bench-results', `outage-soak-${report.date.slice(0, 10)}.json`), JSON.stringify(report, null, 2) + '\n');
  api.kill('SIGTERM');
  await stopDb();
  await db.destroy();
  rmSync(dir, { recursive: true, force: true });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
