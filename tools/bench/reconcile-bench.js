#!/usr/bin/env node
// Reconciliation benchmark (prints figures; asserts nothing): one Easemob hour of --records
// messages (default 100,000) of which --missing (default 10 %) the archive lacks, served by a
// local fake of Easemob's token, export-list and download endpoints; times
// `opctl easemob:reconcile` for that hour and checks that nothing is stored twice.
//
//   node tools/bench/reconcile-bench.js [--records 100000] [--missing 0.1] [--ended] [--sqlite]
//
// --ended (MariaDB): the sessions the archive holds are ended before the reconciliation, as an
// hour's are by the time it is reconciled: the missing messages then go to those sessions.
const { createServer } = require('node:http');
const { mkdirSync, mkdtempSync, rmSync, writeFileSync } = require('node:fs');
const { cpus, tmpdir } = require('node:os');
const { join } = require('node:path');
const { parseArgs } = require('node:util');
const { gzipSync } = require('node:zlib');
const { ensureBuilt, root } = require('../scripts/ensure-built');

const { values } = parseArgs({
  options: {
    records: { type: 'string', default: '100000' },
    missing: { type: 'string', default: '0.1' },
    sqlite: { type: 'boolean', default: false },
    ended: { type: 'boolean', default: false },
  },
});
if (values.ended && values.sqlite) {
  process.stderr.write('--ended runs on MariaDB only\n');
  process.exit(2);
}
const RECORDS = Number(values.records);
const MISSING = Number(values.missing);
const SERVER = (process.env.OP_BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306').replace(/\/$/, '');
const DB = `op_bench_reconcile_${process.pid}`;
const HOUR = '2026113010'; // Beijing time: 2026-11-30T02:00Z
const HOUR_MS = Date.UTC(2026, 10, 30, 2);

ensureBuilt();
const dist = join(root, 'apps/op-api/dist');
const { runOpctl } = require(join(dist, 'cli/opctl.js'));

async function main() {
  const dataDir = mkdtempSync(join(tmpdir(), 'op-bench-'));
  const lines = Array.from({ length: RECORDS }, (_, i) => {
    const customer = `u0001rec${i % 5000}`;
    const fromAgent = i % 4 === 3;
    return JSON.stringify({
      msg_id: String(700000000000000000n + BigInt(i)),
      timestamp: HOUR_MS + Math.floor((i / RECORDS) * 3_600_000),
      direction: 'outgoing',
      from: fromAgent ? 'kefu01' : customer,
      to: fromAgent ? customer : 'kefu01',
      chat_type: 'chat',
      payload: { bodies: [{ type: 'txt', msg: `对账消息 ${i}：我要申请退款，谢谢` }], ext: {} },
    });
  });
  const gz = gzipSync(lines.join('\n') + '\n');
  const server = createServer((request, response) => {
    const path = new URL(request.url, 'http://x').pathname;
    response.setHeader('content-type', 'application/json');
    if (path === '/bench/kefu/token')
      return response.end(JSON.stringify({ access_token: 'YWMt-bench', expires_in: 5184000, application: 'bench' }));
    if (path === `/bench/kefu/chatmessages/${HOUR}`)
      return response.end(
        JSON.stringify({ action: 'get', data: [{ url: `http://127.0.0.1:${server.address().port}/file.gz?Signature=x` }] }),
      );
    if (path === '/file.gz') {
      response.setHeader('content-type', 'application/octet-stream');
      return response.end(gz);
    }
    response.statusCode = 404;
    response.end('{}');
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const env = {
    ...process.env,
    OP_DATABASE_URL: values.sqlite ? `sqlite:${join(dataDir, 'bench.sqlite')}` : `${SERVER}/${DB}`,
    OP_DATA_DIR: dataDir,
    OP_LOG_LEVEL: 'warn',
    OP_EASEMOB_BASE_URL: `http://127.0.0.1:${server.address().port}`,
  };
  try {
    const { tenantId } = await runOpctl(['tenant:create', '--name', 'bench'], env);
    await runOpctl(
      [
        'easemob:app',
        '--tenant',
        tenantId,
        '--appkey',
        'bench#kefu',
        '--callback-secret',
        's',
        '--client-id',
        'id',
        '--client-secret',
        'secret',
      ],
      env,
    );
    await runOpctl(['service-account:add', '--tenant', tenantId, '--im-username', 'kefu01'], env);
    // The archive already holds all but MISSING of the hour (every 1/MISSING-th record is left out).
    const every = Math.round(1 / MISSING);
    const have = join(dataDir, 'have.jsonl');
    writeFileSync(have, lines.filter((_, i) => i % every !== 0).join('\n') + '\n');
    const loadStarted = Date.now();
    const loaded = await runOpctl(['import', '--tenant', tenantId, '--file', have], env);
    const loadSeconds = (Date.now() - loadStarted) / 1000;
    if (values.ended) {
      const mysql = require('mysql2/promise');
      const connection = await mysql.createConnection(`${SERVER}/${DB}`);
      try {
        await connection.query('UPDATE chats SET status = 5, end_time = ? WHERE tenant_id = ?', [HOUR_MS + 3_600_000, tenantId]);
        await connection.query('DELETE FROM chat_open WHERE tenant_id = ?', [tenantId]);
      } finally {
        await connection.end();
      }
    }
    const started = Date.now();
    const result = await runOpctl(['easemob:reconcile', '--tenant', tenantId, '--from', HOUR, '--to', HOUR], env);
    const seconds = (Date.now() - started) / 1000;
    const [hour] = result.hours;
    const report = {
      date: new Date().toISOString(),
      cores: cpus().length,
      cpu: cpus()[0]?.model,
      database: values.sqlite ? 'sqlite' : 'mariadb',
      records: RECORDS,
      sessions: values.ended ? 'ended' : 'open',
      preloaded: loaded.imported,
      preloadSeconds: +loadSeconds.toFixed(1),
      reconcile: {
        ...hour,
        seconds: +seconds.toFixed(1),
        recordsPerSecond: Math.round(RECORDS / seconds),
        addedPerSecond: Math.round(hour.added / seconds),
      },
    };
    const dup = values.sqlite ? null : await duplicates();
    report.duplicates = dup;
    console.log(
      `\nReconcile one hour of ${RECORDS} messages, ${hour.added} missing, into ${report.database} (sessions ${report.sessions})`,
    );
    console.table({
      reconcile: {
        seconds: report.reconcile.seconds,
        'records/s': report.reconcile.recordsPerSecond,
        inExport: hour.inExport,
        alreadyStored: hour.alreadyStored,
        added: hour.added,
        failed: hour.failed,
        duplicates: dup,
      },
    });
    mkdirSync(join(root, 'bench-results'), { recursive: true });
    const target = join(
      root,
      'bench-results',
      `reconcile-${report.date.slice(0, 10)}-${report.database}${values.ended ? '-ended' : ''}.json`,
    );
    writeFileSync(target, JSON.stringify(report, null, 2) + '\n');
    console.log(`written ${target}`);
  } finally {
    server.close();
    if (!values.sqlite) {
      const mysql = require('mysql2/promise');
      const connection = await mysql.createConnection({ uri: SERVER });
      await connection.query(`DROP DATABASE IF EXISTS \`${DB}\``);
      await connection.end();
    }
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function duplicates() {
  const mysql = require('mysql2/promise');
  const connection = await mysql.createConnection({ uri: `${SERVER}/${DB}` });
  try {
    const [rows] = await connection.query(
      'SELECT COUNT(*) AS n FROM (SELECT hx_msg_id FROM messages GROUP BY tenant_id, hx_msg_id HAVING COUNT(*) > 1) d',
    );
    return Number(rows[0].n);
  } finally {
    await connection.end();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
