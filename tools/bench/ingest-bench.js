#!/usr/bin/env node
// Ingest benchmark (prints figures; asserts nothing): Easemob callbacks per second into MariaDB
// at N concurrent senders, and `opctl import` records per second on a generated file.
//
//   node tools/bench/ingest-bench.js [--callbacks 20000] [--senders 32] [--customers 2000]
//                                    [--lines 1000000] [--import-chats 50000]
//                                    [--search auto|scan|fts5|mroonga|sphinx] [--sqlite]
//                                    [--live-rate 200]
//
// --customers: how many customers the callbacks come from, in turn (each first message opens
// a chat: 2,000 of 20,000 callbacks by default; as many as --callbacks, every one).
// --import-chats: how many chats the imported records take turns in (50,000 by default: each
// chat once in every 50,000 lines, the worst case for an import's per-chat work; an hour of a
// tenant with a few hundred sessions open at once is nearer 200-2,000).
// --live-rate: callbacks a second sent to the API while the import runs (and for 5 s before it,
// for comparison), as a tenant's live traffic goes on during an import: their latency says
// whether a live message waits on the import's transactions. 0 sends none.
// Uses OP_BENCH_MYSQL_URL (default mysql://root@127.0.0.1:3306) and a throwaway database, or a
// throwaway SQLite file with --sqlite. --search picks the keyword index the writes feed
// (OP_SEARCH_ENGINE; `sphinx` starts a private two-node tier): the import is timed until the
// index holds every message (opctl import drains the search outbox before it ends).
// OP_BENCH_DATABASE_PID names the server's process when it is not the machine's own (its CPU is
// reported); the report records the server's buffer pool and redo log sizes.
const { spawn } = require('node:child_process');
const { createHash } = require('node:crypto');
const { Agent, request: httpRequest } = require('node:http');
const { createWriteStream, mkdirSync, mkdtempSync, rmSync, writeFileSync } = require('node:fs');
const { cpus, tmpdir } = require('node:os');
const { join } = require('node:path');
const { parseArgs } = require('node:util');
const { apiArgs, ensureBuilt, root } = require('../scripts/ensure-built');
const { cpuSeconds, DATABASE_PID } = require('./lib/api');

const { values } = parseArgs({
  options: {
    callbacks: { type: 'string', default: '20000' },
    senders: { type: 'string', default: '32' },
    customers: { type: 'string', default: '2000' },
    lines: { type: 'string', default: '1000000' },
    'import-chats': { type: 'string', default: '50000' },
    search: { type: 'string', default: 'auto' },
    sqlite: { type: 'boolean', default: false },
    'live-rate': { type: 'string', default: '200' },
  },
});
const CALLBACKS = Number(values.callbacks);
const SENDERS = Number(values.senders);
const CUSTOMERS = Number(values.customers);
const LINES = Number(values.lines);
const IMPORT_CHATS = Number(values['import-chats']);
const LIVE_RATE = Number(values['live-rate']);
const SERVER = (process.env.OP_BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306').replace(/\/$/, '');
const DB = `op_bench_ingest_${process.pid}`;
const PORT = 3900 + (process.pid % 90);

ensureBuilt();
const dist = join(root, 'apps/op-api/dist');
const { runOpctl } = require(join(dist, 'cli/opctl.js'));
const { importRecord } = require(join(root, 'libs/contracts/dist/testing/index.js'));

// OP_BENCH_PROFILE=<dir>: the API and the import write V8 CPU profiles there.
const profileArgs = process.env.OP_BENCH_PROFILE ? ['--cpu-prof', '--cpu-prof-dir', process.env.OP_BENCH_PROFILE] : [];
const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

async function main() {
  const dataDir = mkdtempSync(join(tmpdir(), 'op-bench-'));
  const sphinx = values.search === 'sphinx' ? await startSphinx(dataDir) : null;
  const env = {
    ...process.env,
    OP_DATABASE_URL: values.sqlite ? `sqlite:${join(dataDir, 'bench.sqlite')}` : `${SERVER}/${DB}`,
    OP_DATA_DIR: dataDir,
    OP_PORT: String(PORT),
    OP_RATE_LIMIT: '0',
    OP_LOG_LEVEL: 'warn',
    OP_SEARCH_ENGINE: values.search,
    ...(sphinx?.env ?? {}),
  };
  // Migrations first: the API and opctl would otherwise both apply them to the fresh database.
  await runOpctl(['migrate'], env);
  const api = spawn(process.execPath, [...profileArgs, ...apiArgs()], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  let floor = null;
  try {
    const { tenantId } = await runOpctl(['tenant:create', '--name', 'bench'], env);
    await runOpctl(['easemob:app', '--tenant', tenantId, '--appkey', 'bench#kefu', '--callback-secret', 'bench-secret'], env);
    await runOpctl(['operator:create', '--tenant', tenantId, '--username', 'agent', '--im-username', 'kefu01'], env);
    for (let i = 0; i < 100; i++) {
      try {
        await fetch(`http://127.0.0.1:${PORT}/`, { method: 'POST' });
        break;
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }

    // Callbacks: CUSTOMERS customers in turn, a quarter of the messages from the agent.
    // Callbacks must be fresh: the API refuses a timestamp outside its window.
    const bodies = Array.from({ length: CALLBACKS }, (_, i) => callbackBody(i, 900000000000000000n, Date.now() + i));
    // The floor (bare http + one mysql2 INSERT per callback, tools/bench/ingest-floor.js) first, with the same bodies.
    let floorCallbacks = null;
    if (!values.sqlite) {
      floor = spawn(process.execPath, [join(__dirname, 'ingest-floor.js')], {
        env: { ...env, OP_FLOOR_MYSQL_URL: `${SERVER}/${DB}`, OP_FLOOR_PORT: String(PORT + 100) },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      await new Promise((resolve, reject) => {
        floor.stderr.on('data', (c) => String(c).includes('floor ready') && resolve());
        floor.on('exit', (code) => reject(new Error(`the floor exited with ${code}`)));
      });
      floorCallbacks = await drive(PORT + 100, bodies, floor.pid);
      floor.kill('SIGTERM');
      floor = null;
    }

    // How far the keyword index trails the acknowledged callbacks: /metrics every 250 ms.
    const lag = { maxSeconds: 0, maxDepth: 0 };
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        try {
          const text = await (await fetch(`http://127.0.0.1:${PORT}/metrics`)).text();
          lag.maxSeconds = Math.max(lag.maxSeconds, Number(/^op_search_index_lag_seconds\{[^}]*\} ([\d.e+-]+)$/m.exec(text)?.[1] ?? 0));
          lag.maxDepth = Math.max(lag.maxDepth, Number(/^op_search_outbox_depth\{[^}]*\} (\d+)$/m.exec(text)?.[1] ?? 0));
        } catch {
          // a sample lost under load
        }
        await new Promise((r) => setTimeout(r, 250));
      }
    })();
    const driven = await drive(PORT, bodies, api.pid);
    sampling = false;
    await sampler;
    const callbacks = {
      ...driven,
      senders: SENDERS,
      customers: CUSTOMERS,
      indexLagMaxSeconds: +lag.maxSeconds.toFixed(2),
      outboxMaxDepth: lag.maxDepth,
    };

    // The same load on a second API process with group commit off (OP_CALLBACK_GROUP_COMMIT=off,
    // the default is on): each callback its own transaction. Fresh message ids, same shape.
    const apiSingle = spawn(process.execPath, [...profileArgs, ...apiArgs()], {
      env: { ...env, OP_PORT: String(PORT + 1), OP_CALLBACK_GROUP_COMMIT: 'off' },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    let withoutGroupCommit;
    try {
      for (let i = 0; i < 100; i++) {
        try {
          await fetch(`http://127.0.0.1:${PORT + 1}/healthz`);
          break;
        } catch {
          await new Promise((r) => setTimeout(r, 100));
        }
      }
      const singleBodies = bodies.map((body) => body.replace(/"msg_id":"9/, '"msg_id":"8').replace(/bench#kefu_9/, 'bench#kefu_8'));
      withoutGroupCommit = await drive(PORT + 1, singleBodies.map(resign), apiSingle.pid);
    } finally {
      apiSingle.kill('SIGTERM');
    }

    // Import: a §5 file of LINES records in IMPORT_CHATS chats taking turns, every message type in turn.
    const file = join(dataDir, 'history.jsonl');
    const out = createWriteStream(file);
    const types = [
      { type: 'txt', msg: '你好，我想咨询一下订单的退款进度，谢谢' },
      { type: 'img', url: 'https://a1.easemob.com/f/1', filename: 'a.jpg', secret: 's', file_length: 1024 },
      { type: 'audio', url: 'https://a1.easemob.com/f/2', filename: 'a.amr', secret: 's', length: 5, file_length: 2048 },
      { type: 'loc', addr: '上海市徐汇区', lat: 31.19, lng: 121.44 },
    ];
    for (let i = 0; i < LINES; i++) {
      const line = JSON.stringify(
        importRecord({
          chatId: `u0001imp${i % IMPORT_CHATS}`,
          msgId: `imp${i}`,
          timestamp: 1600000000000 + i,
          from: `u0001c${i % IMPORT_CHATS}`,
          to: 'kefu01',
          body: types[i % types.length],
          chatStatus: 5,
        }),
      );
      if (!out.write(line + '\n')) await new Promise((r) => out.once('drain', r));
    }
    await new Promise((r) => out.end(r));
    // Live callbacks at LIVE_RATE a second, from 5 s before the import until it has stored everything.
    const live = LIVE_RATE > 0 ? steadyCallbacks(PORT, LIVE_RATE, callbackBody) : null;
    if (live) await new Promise((r) => setTimeout(r, 5000));
    if (live) live.phase = 'import';
    const importStarted = process.hrtime.bigint();
    // opctl prints "import done" once every message is stored, then waits until an outbox-fed
    // keyword index holds them too, and exits: two times, the store's and the index's.
    let storedAt = null;
    // CPU of opctl (sampled while it runs: /proc forgets a process once it has exited) and of the database.
    let importCpu = 0;
    const dbCpuBefore = DATABASE_PID ? cpuSeconds(DATABASE_PID) : 0;
    let dbCpuStored = 0;
    const result = await new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [...profileArgs, join(dist, 'cli/opctl.js'), 'import', '--tenant', tenantId, '--file', file], {
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      child.stdout.on('data', (c) => (stdout += c));
      child.stderr.on('data', (c) => {
        if (storedAt === null && String(c).includes('import done')) {
          storedAt = process.hrtime.bigint();
          if (live) live.phase = 'after';
          dbCpuStored = DATABASE_PID ? cpuSeconds(DATABASE_PID) : 0;
        }
      });
      const sampler = setInterval(() => (importCpu = Math.max(importCpu, cpuSeconds(child.pid))), 100);
      child.on('close', (code) => {
        clearInterval(sampler);
        if (code === 0) resolve(JSON.parse(stdout));
        else reject(new Error(`import exited ${code}`));
      });
    });
    const liveCallbacks = live ? await live.stop() : null;
    const importSeconds = Number((storedAt ?? process.hrtime.bigint()) - importStarted) / 1e9;
    const indexedSeconds = Number(process.hrtime.bigint() - importStarted) / 1e9;
    const imports = {
      lines: LINES,
      chats: IMPORT_CHATS,
      batch: require(join(dist, 'modules/importer/import.service.js')).IMPORT_BATCH_SIZE,
      imported: result.imported,
      failed: result.failed,
      seconds: +importSeconds.toFixed(1),
      perSecond: Math.round(LINES / importSeconds),
      indexedSeconds: +indexedSeconds.toFixed(1),
      // µs per record until stored: opctl's own (its start included), the database server's.
      importerCpuUsPerRecord: Math.round((importCpu * 1e6) / LINES),
      dbCpuUsPerRecord: DATABASE_PID && dbCpuStored ? Math.round(((dbCpuStored - dbCpuBefore) * 1e6) / LINES) : null,
    };
    const floorImport = values.sqlite ? null : await importFloor(file);

    const report = {
      date: new Date().toISOString(),
      cores: cpus().length,
      cpu: cpus()[0]?.model,
      node: process.version,
      database: values.sqlite ? 'sqlite' : 'mariadb',
      // What the figures depend on most: the buffer pool against the data, the redo log against the writes.
      databaseSettings: values.sqlite ? null : await serverSettings(),
      search: values.search,
      callbacks,
      callbacksWithoutGroupCommit: withoutGroupCommit,
      import: imports,
      liveCallbacksDuringImport: liveCallbacks,
      floor: { callbacks: floorCallbacks, import: floorImport },
    };
    console.log(`\nIngest into ${report.database}, keyword index ${values.search}`);
    console.table({
      callbacks: { ...callbackRow(callbacks), 'index lag max': `${callbacks.indexLagMaxSeconds} s` },
      'callbacks, group commit off': callbackRow(withoutGroupCommit),
      ...(floorCallbacks ? { 'callbacks floor': callbackRow(floorCallbacks) } : {}),
      import: {
        rate: `${imports.perSecond}/s`,
        seconds: imports.seconds,
        'indexed by': imports.indexedSeconds,
        'server CPU µs': imports.importerCpuUsPerRecord,
        'DB CPU µs': imports.dbCpuUsPerRecord,
        imported: imports.imported,
      },
      ...(liveCallbacks
        ? Object.fromEntries(
            ['before', 'import'].map((phase) => [
              `live callbacks ${phase === 'before' ? 'before the import' : 'during it'}`,
              liveRow(liveCallbacks[phase]),
            ]),
          )
        : {}),
      ...(floorImport
        ? { 'import floor': { rate: `${floorImport.perSecond}/s`, seconds: floorImport.seconds, imported: floorImport.rows } }
        : {}),
    });
    mkdirSync(join(root, 'bench-results'), { recursive: true });
    const shape = IMPORT_CHATS === 50_000 ? '' : `-chats-${IMPORT_CHATS}`;
    const target = join(root, 'bench-results', `ingest-${report.date.slice(0, 10)}-${report.database}-${values.search}${shape}.json`);
    writeFileSync(target, JSON.stringify(report, null, 2) + '\n');
    console.log(`written ${target}`);
  } finally {
    api.kill('SIGTERM');
    floor?.kill('SIGTERM');
    sphinx?.stop();
    const mysql = require('mysql2/promise');
    const url = new URL(SERVER);
    const connection = await mysql.createConnection({
      host: url.hostname,
      port: Number(url.port || 3306),
      user: decodeURIComponent(url.username || 'root'),
      password: decodeURIComponent(url.password),
    });
    if (!values.sqlite) await connection.query(`DROP DATABASE IF EXISTS \`${DB}\``);
    await connection.end();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The server's InnoDB buffer pool and redo log, in MiB. */
async function serverSettings() {
  const mysql = require('mysql2/promise');
  const connection = await mysql.createConnection(SERVER);
  try {
    const [[row]] = await connection.query(
      'SELECT @@innodb_buffer_pool_size DIV 1048576 AS bufferPoolMb, @@innodb_log_file_size DIV 1048576 AS redoLogMb',
    );
    return { bufferPoolMb: Number(row.bufferPoolMb), redoLogMb: Number(row.redoLogMb) };
  } finally {
    await connection.end();
  }
}

/** One callback run as a row of the printed table. */
/**
 * Callback `i` of the run: from customer `i % CUSTOMERS` (a quarter of them to it, from the
 * agent), message id `base + i`, sent at `timestamp`.
 */
function callbackBody(i, base, timestamp) {
  const customer = `u0001bench${i % CUSTOMERS}`;
  const fromAgent = i % 4 === 3;
  const msgId = String(base + BigInt(i));
  const callId = `bench#kefu_${msgId}`;
  return JSON.stringify({
    callId,
    eventType: 'chat',
    timestamp,
    chat_type: 'chat',
    from: fromAgent ? 'kefu01' : customer,
    to: fromAgent ? customer : 'kefu01',
    msg_id: msgId,
    payload: { bodies: [{ type: 'txt', msg: `压测消息 ${i}：我要申请退款，谢谢` }], ext: {} },
    securityVersion: '1.0.0',
    security: createHash('md5')
      .update(callId + 'bench-secret' + timestamp)
      .digest('hex'),
    appkey: 'bench#kefu',
  });
}

/**
 * Sends `rate` callbacks a second (fresh ids and timestamps) until `stop()`, each on its own
 * schedule whatever the answers' latency, as live traffic comes. Each is counted in the phase
 * (`before`, then whatever the caller sets `phase` to) in which it was sent; `stop()` waits for
 * the answers and gives each phase's count, latencies and failures (anything but 200, or no
 * answer within 10 s).
 */
function steadyCallbacks(port, rate, body) {
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const runs = new Map();
  const inFlight = new Set();
  const started = Date.now();
  let sent = 0;
  let sending = true;
  const control = {
    phase: 'before',
    async stop() {
      sending = false;
      await loop;
      await Promise.all(inFlight);
      agent.destroy();
      return Object.fromEntries(
        [...runs].map(([phase, { latencies, failures, from, to }]) => {
          latencies.sort((x, y) => x - y);
          return [
            phase,
            {
              count: latencies.length,
              perSecond: Math.round(latencies.length / Math.max(0.001, (to - from) / 1000)),
              failures,
              p50ms: +percentile(latencies, 50).toFixed(1),
              p99ms: +percentile(latencies, 99).toFixed(1),
              maxMs: +latencies[latencies.length - 1].toFixed(1),
            },
          ];
        }),
      );
    },
  };
  // No answer within 10 s, or none at all, counts as a failure (status 0).
  const send = (text) => postCallback(agent, port, text, 10_000).catch(() => 0);
  const loop = (async () => {
    while (sending) {
      const due = Math.floor(((Date.now() - started) / 1000) * rate);
      for (; sent < due; sent++) {
        const run = runs.get(control.phase) ?? { latencies: [], failures: 0, from: Date.now(), to: Date.now() };
        runs.set(control.phase, run);
        const t0 = process.hrtime.bigint();
        const answer = send(body(sent, 700000000000000000n, Date.now())).then((status) => {
          if (status !== 200) run.failures++;
          run.latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
          run.to = Date.now();
          inFlight.delete(answer);
        });
        inFlight.add(answer);
      }
      await new Promise((r) => setTimeout(r, 5));
    }
  })();
  return control;
}

function liveRow(run) {
  return run
    ? { rate: `${run.perSecond}/s`, p50: `${run.p50ms} ms`, p99: `${run.p99ms} ms`, failures: run.failures, 'max ms': run.maxMs }
    : {};
}

function callbackRow(run) {
  return {
    rate: `${run.perSecond}/s`,
    p50: `${run.p50ms} ms`,
    p99: `${run.p99ms} ms`,
    failures: run.failures,
    'server CPU µs': run.serverCpuUsPerCallback,
    'DB CPU µs': run.dbCpuUsPerCallback,
  };
}

/** A body with a fresh timestamp and the security that goes with its callId. */
function resign(text) {
  const body = JSON.parse(text);
  body.timestamp = Date.now();
  body.security = createHash('md5')
    .update(body.callId + 'bench-secret' + body.timestamp)
    .digest('hex');
  return JSON.stringify(body);
}

/** POSTs one callback body through `agent`; its HTTP status (rejected on a network error, or past `timeoutMs`). */
function postCallback(agent, port, body, timeoutMs) {
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      {
        host: '127.0.0.1',
        port,
        path: '/hx/callback',
        method: 'POST',
        agent,
        ...(timeoutMs ? { timeout: timeoutMs } : {}),
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode));
        response.on('error', reject);
      },
    );
    request.on('timeout', () => request.destroy(new Error('no answer in time')));
    request.on('error', reject);
    request.end(body);
  });
}

/** Sends every body at SENDERS concurrent senders; rate and latency. */
async function drive(port, bodies, serverPid) {
  const cpu = () => [cpuSeconds(serverPid), DATABASE_PID ? cpuSeconds(DATABASE_PID) : 0, cpuSeconds(process.pid)];
  const cpuBefore = cpu();
  const latencies = [];
  let next = 0;
  let failures = 0;
  // One keep-alive connection per sender through node:http, as Easemob's senders hold theirs:
  // fetch (undici) cost the sender about 300 µs of CPU a callback, a third of the three
  // processes' CPU on this 2-core machine, which then was not the API's to use.
  const agent = new Agent({ keepAlive: true, maxSockets: SENDERS });
  const post = (body) => postCallback(agent, port, body);
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: SENDERS }, async () => {
      while (next < bodies.length) {
        const body = bodies[next++];
        const t0 = process.hrtime.bigint();
        if ((await post(body)) !== 200) failures++;
        latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  agent.destroy();
  // CPU per callback of the server, the database server (when it runs here) and this sender.
  const [server, database, sender] = cpu().map((after, i) => Math.round(((after - cpuBefore[i]) * 1e6) / bodies.length));
  latencies.sort((x, y) => x - y);
  return {
    count: bodies.length,
    serverCpuUsPerCallback: server,
    dbCpuUsPerCallback: DATABASE_PID ? database : null,
    senderCpuUsPerCallback: sender,
    failures,
    perSecond: Math.round(bodies.length / seconds),
    p50ms: +percentile(latencies, 50).toFixed(1),
    p99ms: +percentile(latencies, 99).toFixed(1),
  };
}

/** The import floor: the same file's records into a bare table by raw mysql2 multi-row INSERTs of 1,000 rows. */
async function importFloor(file) {
  const mysql = require('mysql2/promise');
  const { createInterface } = require('node:readline');
  const { createReadStream } = require('node:fs');
  const connection = await mysql.createConnection({ uri: `${SERVER}/${DB}`, charset: 'utf8mb4' });
  try {
    await connection.query(
      'CREATE TABLE floor_import (id BIGINT PRIMARY KEY, chat_id VARCHAR(64) NOT NULL, hx_msg_id VARCHAR(64) NOT NULL, from_user VARCHAR(128), to_user VARCHAR(128), ' +
        'type VARCHAR(16), msg TEXT, ext TEXT, create_time BIGINT NOT NULL, UNIQUE KEY uk_floor_import (hx_msg_id), KEY idx_floor_chat (chat_id, create_time)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4',
    );
    const started = process.hrtime.bigint();
    let rows = [];
    let count = 0;
    const flush = async () => {
      if (rows.length === 0) return;
      await connection.query(
        'INSERT IGNORE INTO floor_import (id, chat_id, hx_msg_id, from_user, to_user, type, msg, ext, create_time) VALUES ?',
        [rows],
      );
      rows = [];
    };
    for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
      const r = JSON.parse(line);
      const body = r.payload.bodies[0];
      rows.push([++count, r.chatId, r.msg_id, r.from, r.to, body.type, body.msg ?? null, JSON.stringify(r.payload.ext), r.timestamp]);
      if (rows.length >= 1000) await flush();
    }
    await flush();
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    return { rows: count, seconds: +seconds.toFixed(1), perSecond: Math.round(count / seconds) };
  } finally {
    await connection.end();
  }
}

/** Two private searchd nodes (Debian's sphinxsearch), configured as the API expects them. */
async function startSphinx(dataDir) {
  const { sphinxNodeConfig } = require(join(dist, 'modules/search-index/engines/sphinx-config.js'));
  const net = require('node:net');
  const free = () =>
    new Promise((resolve) => {
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const { port } = s.address();
        s.close(() => resolve(port));
      });
    });
  const nodes = [];
  for (let i = 0; i < 2; i++) nodes.push({ host: '127.0.0.1', sqlPort: await free(), apiPort: await free() });
  const children = nodes.map((node, i) => {
    const dir = join(dataDir, `sphinx${i}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'sphinx.conf'), sphinxNodeConfig({ dataDir: dir, node, nodes }));
    return spawn('searchd', ['--config', join(dir, 'sphinx.conf'), '--nodetach'], { stdio: 'ignore' });
  });
  await new Promise((r) => setTimeout(r, 1500));
  return {
    env: {
      OP_SPHINX_SHARDS: nodes.map((n) => `${n.host}:${n.sqlPort}`).join(','),
      OP_SPHINX_SEARCH: `${nodes[0].host}:${nodes[0].sqlPort}`,
    },
    stop: () => children.forEach((child) => child.kill('SIGTERM')),
  };
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
