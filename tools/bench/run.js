#!/usr/bin/env node
/*
 * 2.37 under load, beside a floor (a script that prints figures; it asserts nothing).
 *
 *   node tools/bench/run.js [--messages 1000000] [--quick] [--rebuild] [--duration 10]
 *                           [--server mysql://root@127.0.0.1:3306] [--connections 1,8,32]
 *                           [--token-cache-ms 5000] [--only <scenario>] [--load-only] [--rounds 2]
 *                           [--shape long-tail|quarter|burst|one-day|one-time|many-tenants]
 *
 * 1. Loads (once) a realistic tenant into MariaDB database `op_bench_<messages>`: N messages
 *    in 50,000 chats with a long tail (the two longest hold 12 % and 10 %: 120,000 and
 *    100,000 at 1M), every Easemob type, Chinese text, Qiniu keys, marks and favorites,
 *    through the project's import path (ImportService.importLines, as `opctl import`), and
 *    reports the load rate. A marker table `bench_marker` makes later runs reuse it;
 *    --rebuild drops and reloads it.
 *    --shape picks another shape of data (issue 14), each in its own database: `quarter`, one
 *    chat holding 40 % of the tenant over 17 days; `burst`, one chat holding 30 % of it with
 *    5,000 messages of the tenant in each second; `one-day`, one chat holding half of it, all
 *    on one day; `one-time`, every message with the same timestamp (as one import can give);
 *    `many-tenants`, the long tail beside 500 small tenants of 200 messages each.
 * 2. Starts the API as a user would (`node apps/op-api/dist/main.js` with env) and the floor
 *    (tools/bench/floor.js: bare `http` + mysql2, same JSON, no signature or validation),
 *    checks that both answer every scenario with the same JSON, then drives each with
 *    autocannon at 1, 8 and 32 connections, in alternating rounds (API, floor, floor, API) so
 *    that a noisy minute falls on both, signing requests just before each round. Beside
 *    requests/s and latency it records each server's CPU µs per request, the database
 *    server's, and the statements per request: where a ratio comes from.
 * 3. Prints one table (API, floor, API/floor) and writes bench-results/<date>.json with the
 *    machine's cores, the database version and buffer pool, table sizes and the API's peak RSS.
 */
const { spawn } = require('node:child_process');
const { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } = require('node:fs');
const { cpus, tmpdir, totalmem } = require('node:os');
const { join } = require('node:path');
const { parseArgs } = require('node:util');
const { apiArgs, ensureBuilt, root } = require('../scripts/ensure-built');
const { serverConnection: connectTo } = require('./lib/server');
const { messageBody, seededRandom } = require('./lib/tenant-data');
const { benchTenant, cpuSeconds, DATABASE_PID, openApp, rssMb } = require('./lib/api');

const { values } = parseArgs({
  options: {
    messages: { type: 'string', default: '1000000' },
    chats: { type: 'string', default: '50000' },
    quick: { type: 'boolean', default: false },
    rebuild: { type: 'boolean', default: false },
    duration: { type: 'string' },
    connections: { type: 'string', default: '1,8,32' },
    server: { type: 'string', default: process.env.OP_BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306' },
    only: { type: 'string' },
    'load-only': { type: 'boolean', default: false },
    'token-cache-ms': { type: 'string', default: '5000' },
    rounds: { type: 'string', default: '2' },
    shape: { type: 'string', default: 'long-tail' },
  },
});
const MESSAGES = Number(values.messages);
const CHATS = Number(values.chats);
const DURATION = Number(values.duration ?? (values.quick ? 3 : 10));
// Even, so that each server runs first as often as second.
const ROUNDS = Math.max(2, 2 * Math.ceil((Number(values.rounds) || 2) / 2));
const AUDIT_FLUSH_WAIT_MS = 1_200;
const CONNECTIONS = values.connections.split(',').map(Number);
const SERVER = values.server.replace(/\/$/, '');
const SHAPES = ['long-tail', 'quarter', 'burst', 'one-day', 'one-time', 'many-tenants'];
const SHAPE = values.shape;
if (!SHAPES.includes(SHAPE)) throw new Error(`--shape must be one of ${SHAPES.join(', ')}`);
const DATABASE = SHAPE === 'long-tail' ? `op_bench_${MESSAGES}` : `op_bench_${SHAPE.replace('-', '_')}_${MESSAGES}`;
const DAY_MS = 86_400_000;
const MASTER_KEY = '5a'.repeat(32);
const QINIU_ENV = { OP_QINIU_DOMAIN: 'http://img.example.com', OP_QINIU_ACCESS_KEY: 'bench-ak', OP_QINIU_SECRET_KEY: 'bench-sk' };
const API_PORT = 3900 + (process.pid % 40);
const FLOOR_PORT = API_PORT + 50;
const log = (line) => process.stderr.write(`${line}\n`);

ensureBuilt();
const autocannon = require('autocannon');
const dist = join(root, 'apps/op-api/dist');
const { OpClient } = require(join(root, 'libs/contracts/dist/node/index.js'));
const { importRecord } = require(join(root, 'libs/contracts/dist/testing/index.js'));

const serverConnection = (database) => connectTo(SERVER, database);

/** Which chat message i belongs to: a long tail with two very long chats. */
function chatOf(random) {
  const r = random();
  if (r < 0.12) return 0;
  if (r < 0.22) return 1;
  return 2 + Math.floor((CHATS - 2) * random() ** 2);
}

/** One chat (0) holding `share` of the messages, the rest spread over the others. */
const holding = (share) => (random) => (random() < share ? 0 : 1 + Math.floor((CHATS - 1) * random()));

/** Where each message of the shape goes (its chat) and when (its timestamp), from message i of n. */
function shapeOf(shape, messages) {
  const start = Date.UTC(2026, 0, 1) - 8 * 3_600_000;
  const step = Math.max(1, Math.floor((300 * DAY_MS) / messages)); // ~10 months of history
  const spread = (i) => start + Math.floor(i / 2) * step * 2;
  switch (shape) {
    case 'quarter':
      return { chat: holding(0.4), time: (i) => start + Math.floor((i * 17 * DAY_MS) / messages) };
    case 'burst':
      return { chat: holding(0.3), time: (i) => start + Math.floor(i / 5_000) * 1_000 };
    case 'one-day':
      return {
        chat: holding(0.5),
        time: (i, chat) => (chat === 0 ? start + 200 * DAY_MS + Math.floor((i * DAY_MS) / messages) : spread(i)),
      };
    case 'one-time':
      return { chat: chatOf, time: () => start };
    default:
      return { chat: chatOf, time: spread };
  }
}

async function* importLines(messages = MESSAGES, prefix = 'bench') {
  const random = seededRandom(2026);
  const shape = shapeOf(SHAPE, messages);
  for (let i = 0; i < messages; i++) {
    const chat = shape.chat(random);
    const { body, ext, qiniuKey } = messageBody(random, i);
    const fromCustomer = random() < 0.55;
    yield JSON.stringify(
      importRecord({
        chatId: `u0001${prefix}${chat}`,
        msgId: `${prefix}${i}`,
        // Several messages may share a millisecond: the page order then falls back to the id.
        timestamp: shape.time(i, chat),
        from: fromCustomer ? `u0001${prefix}${chat}` : 'kefu01',
        to: fromCustomer ? 'kefu01' : `u0001${prefix}${chat}`,
        body,
        ext,
        qiniuKey,
        chatStatus: [1, 3, 5, 5, 5, 5, 6, 30][chat % 8],
      }),
    );
  }
}

async function load() {
  const admin = await serverConnection();
  await admin.query(`DROP DATABASE IF EXISTS \`${DATABASE}\``);
  await admin.end();
  const folder = mkdtempSync(join(tmpdir(), 'op-bench-'));
  const { app, access, importer } = await openApp(
    dist,
    { OP_DATABASE_URL: `${SERVER}/${DATABASE}`, OP_MASTER_KEY: MASTER_KEY, OP_AUDIT: 'off' },
    folder,
  );
  try {
    const { tenantId, clientId, secret, operatorId } = await benchTenant(access, 'bench');
    log(`loading ${MESSAGES} messages into ${DATABASE} through ImportService…`);
    const started = Date.now();
    let shown = 0;
    const result = await importer.importLines(tenantId, importLines(), (p) => {
      if (p.lines - shown >= 100_000) {
        shown = p.lines;
        log(`  ${p.lines} lines, ${Math.round(p.lines / ((Date.now() - started) / 1000))}/s`);
      }
    });
    const seconds = (Date.now() - started) / 1000;
    if (result.failed > 0) throw new Error(`import failed on ${result.failed} lines: ${JSON.stringify(result.errors.slice(0, 3))}`);
    if (SHAPE === 'many-tenants') {
      log('loading 500 small tenants of 200 messages each beside it…');
      for (let t = 0; t < 500; t++) {
        const small = await benchTenant(access, `small${t}`, `small-${t}`);
        await importer.importLines(small.tenantId, importLines(200, `s${t}x`));
      }
    }
    const db = await serverConnection(DATABASE);
    try {
      // Marks on 1 in 50 messages (two on 1 in 200), favorites of the bench operator on 1 in 40.
      const markStarted = Date.now();
      await db.query(
        "INSERT INTO message_marks (tenant_id, message_id, mark, chat_id, operator_id, create_time) SELECT tenant_id, id, '重要', chat_id, ?, create_time FROM messages WHERE tenant_id = ? AND CRC32(hx_msg_id) % 50 = 0",
        [operatorId, tenantId],
      );
      await db.query(
        "INSERT INTO message_marks (tenant_id, message_id, mark, chat_id, operator_id, create_time) SELECT tenant_id, id, '投诉', chat_id, ?, create_time + 1 FROM messages WHERE tenant_id = ? AND CRC32(hx_msg_id) % 200 = 0",
        [operatorId, tenantId],
      );
      await db.query(
        'INSERT INTO message_favorites (operator_id, message_id, tenant_id, chat_id, create_time) SELECT ?, id, tenant_id, chat_id, create_time FROM messages WHERE tenant_id = ? AND CRC32(hx_msg_id) % 40 = 7',
        [operatorId, tenantId],
      );
      const markSeconds = (Date.now() - markStarted) / 1000;
      await db.query('ANALYZE TABLE messages, chats, message_marks, message_favorites');
      await db.query('CREATE TABLE bench_marker (k VARCHAR(32) PRIMARY KEY, v TEXT NOT NULL)');
      const marker = {
        messages: MESSAGES,
        chats: CHATS,
        tenantId,
        clientId,
        secret,
        operatorId,
        importSeconds: seconds,
        importPerSecond: Math.round(result.imported / seconds),
        markSeconds,
        loadedAt: new Date().toISOString(),
      };
      await db.query('INSERT INTO bench_marker (k, v) VALUES (?, ?)', ['tenant', JSON.stringify(marker)]);
      log(
        `loaded ${result.imported} messages in ${seconds.toFixed(1)} s (${marker.importPerSecond}/s); marks and favorites in ${markSeconds.toFixed(1)} s`,
      );
      return marker;
    } finally {
      await db.end();
    }
  } finally {
    await app.close();
    rmSync(folder, { recursive: true, force: true });
  }
}

async function readMarker() {
  const admin = await serverConnection();
  const [tables] = await admin.query('SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?', [
    DATABASE,
    'bench_marker',
  ]);
  await admin.end();
  if (tables.length === 0) return null;
  const db = await serverConnection(DATABASE);
  const [rows] = await db.query("SELECT v FROM bench_marker WHERE k = 'tenant'");
  await db.end();
  return rows.length === 0 ? null : JSON.parse(rows[0].v);
}

function spawnServer(args, env) {
  const child = spawn(process.execPath, args, { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
  return child;
}

async function waitForHttp(url, child) {
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`${url}: the server exited with ${child.exitCode}`);
    try {
      await fetch(url, { method: 'POST', body: '{}' });
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`${url} did not start`);
}

/**
 * One autocannon run of `seconds`, with the CPU time the server and the database server spent
 * (µs, /proc) and the statements the database ran, to be summed over rounds.
 */
async function measured(pid, url, body, connections, seconds) {
  const dbPid = DATABASE_PID;
  const before = [cpuSeconds(pid), dbPid ? cpuSeconds(dbPid) : 0, await statementsRun()];
  const r = await cannon(url, body, connections, seconds);
  // The API writes its audit trail once a second: let the round's last batch land in the
  // round that caused it, for both servers alike, before reading the counters.
  await new Promise((resolve) => setTimeout(resolve, AUDIT_FLUSH_WAIT_MS));
  return {
    requests: r.requests.total,
    seconds: r.duration,
    mean: r.latency.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    non2xx: r.non2xx,
    errors: r.errors, // autocannon's errors include its timeouts
    cpuSeconds: cpuSeconds(pid) - before[0],
    dbCpuSeconds: dbPid ? cpuSeconds(dbPid) - before[1] : null,
    statements: (await statementsRun()) - before[2] - 1, // not the closing SHOW itself
  };
}

/**
 * Sums rounds: rates over the total time; mean and p50 weighted by each round's requests; p99
 * the worst round's (percentiles do not average, and the worse one is the honest one).
 */
function merged(rounds) {
  const requests = rounds.reduce((n, r) => n + r.requests, 0);
  const sum = (key) => rounds.reduce((n, r) => n + r[key], 0);
  const weighted = (key) => +(rounds.reduce((n, r) => n + r[key] * r.requests, 0) / Math.max(1, requests)).toFixed(2);
  const per = (seconds) => (seconds === null ? null : Math.round((seconds * 1e6) / Math.max(1, requests)));
  return {
    rps: Math.round(requests / sum('seconds')),
    mean: weighted('mean'),
    p50: weighted('p50'),
    p99: Math.max(...rounds.map((r) => r.p99)),
    requests,
    non2xx: sum('non2xx'),
    errors: sum('errors'),
    cpuUsPerRequest: per(sum('cpuSeconds')),
    dbCpuUsPerRequest: rounds.some((r) => r.dbCpuSeconds === null) ? null : per(sum('dbCpuSeconds')),
    statementsPerRequest: +(sum('statements') / Math.max(1, requests)).toFixed(2),
  };
}

/**
 * API and floor in alternating rounds (API, floor, floor, API, …), DURATION seconds each in
 * all, so that a slow minute of a shared machine falls on both rather than on one.
 */
async function compare(api, floor, connections) {
  const seconds = Math.max(1, Math.round(DURATION / ROUNDS));
  const a = [];
  const f = [];
  for (let round = 0; round < ROUNDS; round++) {
    const order =
      round % 2 === 0
        ? [
            [api, a],
            [floor, f],
          ]
        : [
            [floor, f],
            [api, a],
          ];
    for (const [target, into] of order) {
      const { url, body } = target.request();
      into.push(await measured(target.pid, url, body, connections, seconds));
    }
  }
  return { api: merged(a), floor: merged(f) };
}

/** Statements the database server has run for all clients (a quiet server counts ours). */
async function statementsRun() {
  const db = await serverConnection();
  try {
    const [[row]] = await db.query("SHOW GLOBAL STATUS LIKE 'Questions'");
    return Number(row.Value);
  } finally {
    await db.end();
  }
}

function cannon(url, body, connections, duration = DURATION) {
  return new Promise((resolve, reject) => {
    autocannon(
      { url, method: 'POST', headers: { 'content-type': 'application/json; charset=utf-8' }, body, connections, duration, pipelining: 1 },
      (error, result) => (error ? reject(error) : resolve(result)),
    );
  });
}

/**
 * An answer without what differs between two calls a moment apart: the foot's time, and the
 * expiry (and so the token) of each signed Qiniu URL, which is the call's second plus the TTL.
 */
const strip = (envelope) =>
  JSON.parse(
    JSON.stringify({ ...envelope, foot: { ...envelope.foot, operationTime: '' } }).replace(/([?&]e=)\d+&token=[^"&]*/g, '$1…&token=…'),
  );

/** The loaded tenant: the marker of an earlier load, or a fresh load (always with --rebuild). */
async function loadedTenant() {
  const marker = values.rebuild ? null : await readMarker();
  if (marker) {
    log(`reusing ${DATABASE} (loaded ${marker.loadedAt}; --rebuild reloads it)`);
    return { marker, loadedNow: false };
  }
  return { marker: await load(), loadedNow: true };
}

/**
 * What the report says of the database (version, buffer pool, table sizes, the page query's
 * plan) and what the scenarios need: the longest chat and the id of its middle message.
 */
async function databaseFacts(marker) {
  const db = await serverConnection(DATABASE);
  try {
    const [[version]] = await db.query('SELECT VERSION() AS v, @@innodb_buffer_pool_size AS pool');
    const [chats] = await db.query('SELECT id, message_count FROM chats WHERE tenant_id = ? ORDER BY message_count DESC LIMIT 1', [
      marker.tenantId,
    ]);
    const longest = { chatId: chats[0].id, messages: Number(chats[0].message_count) };
    const middle = Math.floor(longest.messages / 2);
    const [[around]] = await db.query(
      'SELECT CAST(id AS CHAR) AS id FROM messages WHERE tenant_id = ? AND chat_id = ? ORDER BY create_time, id LIMIT 1 OFFSET ?',
      [marker.tenantId, longest.chatId, middle],
    );
    const [tables] = await db.query(
      'SELECT TABLE_NAME AS name, TABLE_ROWS AS `rows`, DATA_LENGTH AS data, INDEX_LENGTH AS idx FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? ORDER BY DATA_LENGTH DESC',
      [DATABASE],
    );
    const [explain] = await db.query(
      `EXPLAIN SELECT m.id FROM messages m JOIN (SELECT id FROM messages WHERE tenant_id = ? AND chat_id = ? ORDER BY create_time DESC, id DESC LIMIT 20 OFFSET 0) p ON p.id = m.id WHERE m.tenant_id = ? AND m.chat_id = ? ORDER BY m.create_time, m.id`,
      [marker.tenantId, longest.chatId, marker.tenantId, longest.chatId],
    );
    return { version, longest, aroundId: around.id, tables, explain };
  } finally {
    await db.end();
  }
}

/** The four chatMessageList requests measured, on the longest chat (--only keeps some). */
function scenariosOf({ longest, aroundId }) {
  const lastPage = Math.ceil(longest.messages / 20);
  return [
    { name: 'page 1', body: { chatId: longest.chatId, pageNum: 1, pageSize: 20 } },
    { name: `last page (${lastPage})`, key: 'last page', body: { chatId: longest.chatId, pageNum: lastPage, pageSize: 20 } },
    { name: 'needMark+needFavorite', body: { chatId: longest.chatId, pageNum: 1, pageSize: 20, needMark: true, needFavorite: true } },
    { name: 'aroundMessageId (middle)', key: 'aroundMessageId', body: { chatId: longest.chatId, pageSize: 20, aroundMessageId: aroundId } },
  ].filter((s) => !values.only || (s.key ?? s.name).includes(values.only));
}

// OP_BENCH_PROFILE=<dir>: the API and the floor write V8 CPU profiles there (where their CPU per request goes).
const profileArgs = process.env.OP_BENCH_PROFILE ? ['--cpu-prof', '--cpu-prof-dir', process.env.OP_BENCH_PROFILE] : [];

/**
 * Migrates the database (timed), issues the bench operator a token, and starts the built API
 * and the floor, sampling the API's RSS. `stop()` ends both and removes their data folder.
 */
async function startServers(marker) {
  const folder = mkdtempSync(join(tmpdir(), 'op-bench-run-'));
  const common = {
    OP_DATABASE_URL: `${SERVER}/${DATABASE}`,
    OP_HOST_NAME: 'bench',
    OP_MASTER_KEY: MASTER_KEY,
    OP_DATA_DIR: folder,
    ...QINIU_ENV,
  };
  const { runOpctl } = require(join(dist, 'cli/opctl.js'));
  // A database loaded by an older build gets its pending migrations here, timed, rather than
  // inside the API's start (which the readiness wait below would not sit out).
  const migrateStarted = Date.now();
  const { applied } = await runOpctl(['migrate'], common);
  if (applied.length > 0) log(`migrated ${DATABASE}: ${applied.join(', ')} in ${((Date.now() - migrateStarted) / 1000).toFixed(1)} s`);
  const { token } = await runOpctl(['token:issue', '--operator', marker.operatorId, '--ttl', '7200'], common);
  const api = spawnServer([...profileArgs, ...apiArgs()], {
    ...common,
    OP_PORT: String(API_PORT),
    OP_TOKEN_CACHE_MS: values['token-cache-ms'],
    OP_RATE_LIMIT: '0',
    ...(process.env.OP_BENCH_API_ENV ? JSON.parse(process.env.OP_BENCH_API_ENV) : {}),
  });
  const floor = spawnServer([...profileArgs, join(__dirname, 'floor.js')], {
    ...common,
    FLOOR_DATABASE_URL: `${SERVER}/${DATABASE}`,
    FLOOR_PORT: String(FLOOR_PORT),
    FLOOR_TENANT: marker.tenantId,
    FLOOR_OPERATOR: marker.operatorId,
  });
  const rss = { peak: 0, samples: [] };
  const sampler = setInterval(() => {
    const mb = rssMb(api.pid);
    rss.samples.push(mb);
    rss.peak = Math.max(rss.peak, mb);
  }, 500);
  const apiBase = `http://127.0.0.1:${API_PORT}`;
  const floorBase = `http://127.0.0.1:${FLOOR_PORT}`;
  const client = new OpClient({ baseUrl: apiBase, clientId: marker.clientId, secret: marker.secret, token, nonce: false });
  return {
    api,
    floor,
    floorBase,
    rss,
    /** A signed chatMessageList request to the API (timestamps are valid for 300 s). */
    sign: (body) => client.signedRequest('chatMessageList', body, { nonce: null }),
    ready: () => Promise.all([waitForHttp(apiBase, api), waitForHttp(floorBase, floor)]),
    stop() {
      clearInterval(sampler);
      api.kill('SIGTERM');
      floor.kill('SIGTERM');
      rmSync(folder, { recursive: true, force: true });
    },
  };
}

/** Both servers give the same answer to every scenario, except the response time in the foot. */
async function checkSameAnswers(scenarios, { sign, floorBase }) {
  for (const scenario of scenarios) {
    const signed = sign(scenario.body);
    const fromApi = await (
      await fetch(signed.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: signed.body })
    ).json();
    const fromFloor = await (await fetch(floorBase, { method: 'POST', body: signed.body })).json();
    if (fromApi.code !== 200) throw new Error(`${scenario.name}: API answered ${fromApi.code} ${fromApi.message}`);
    if (JSON.stringify(strip(fromApi)) !== JSON.stringify(strip(fromFloor))) {
      throw new Error(
        `${scenario.name}: the floor's JSON differs from the API's:\n${JSON.stringify(strip(fromApi)).slice(0, 600)}\n${JSON.stringify(strip(fromFloor)).slice(0, 600)}`,
      );
    }
    scenario.bytes = Buffer.byteLength(JSON.stringify(fromApi));
  }
  log(`both servers give the same JSON for ${scenarios.length} scenarios; ${DURATION} s per run`);
}

/** Warms both (JIT, pools, buffer pool pages) so the first scenario measured is not the cold one. */
async function warmUp(scenarios, { sign, floorBase }) {
  for (const scenario of scenarios.filter((s) => s.key !== 'aroundMessageId')) {
    const signed = sign(scenario.body);
    await cannon(signed.url, signed.body, 32, 3);
    await cannon(floorBase, signed.body, 32, 3);
  }
}

/** Every scenario at every connection count: a figure for the report and a row for the table. */
async function measureScenarios(scenarios, { api, floor, floorBase, sign }) {
  const rows = [];
  const figures = [];
  for (const scenario of scenarios) {
    for (const connections of CONNECTIONS) {
      const result = await compare(
        // Timestamps are valid for 300 s: each round is signed right before it runs.
        { pid: api.pid, request: () => sign(scenario.body) },
        { pid: floor.pid, request: () => ({ url: floorBase, body: JSON.stringify(scenario.body) }) },
        connections,
      );
      const bad = result.api.non2xx + result.api.errors;
      const entry = {
        scenario: scenario.key ?? scenario.name,
        label: scenario.name,
        connections,
        api: result.api,
        floor: result.floor,
        apiRssMb: rssMb(api.pid),
      };
      // autocannon reports whole milliseconds: a ratio over a 0 ms floor says nothing.
      const ratio = (a, f) => (f > 0 ? +(a / f).toFixed(2) : null);
      entry.ratio = {
        rps: ratio(entry.api.rps, entry.floor.rps),
        mean: ratio(entry.api.mean, entry.floor.mean),
        p50: ratio(entry.api.p50, entry.floor.p50),
        p99: ratio(entry.api.p99, entry.floor.p99),
      };
      figures.push(entry);
      rows.push({
        scenario: scenario.name,
        conn: connections,
        'API req/s': entry.api.rps,
        'floor req/s': entry.floor.rps,
        'req/s ratio': entry.ratio.rps,
        'API p50': entry.api.p50,
        'floor p50': entry.floor.p50,
        'p50 ratio': entry.ratio.p50 ?? '—',
        'API p99': entry.api.p99,
        'floor p99': entry.floor.p99,
        'p99 ratio': entry.ratio.p99 ?? '—',
        'API CPU µs/req': entry.api.cpuUsPerRequest,
        'floor CPU µs/req': entry.floor.cpuUsPerRequest,
        'DB CPU µs/req (API)': entry.api.dbCpuUsPerRequest,
        'DB CPU µs/req (floor)': entry.floor.dbCpuUsPerRequest,
        'SQL/req (API)': entry.api.statementsPerRequest,
        'SQL/req (floor)': entry.floor.statementsPerRequest,
        ...(bad > 0 ? { 'API bad': bad } : {}),
      });
      log(
        `  ${scenario.name} @${connections}: API ${entry.api.rps}/s p50 ${entry.api.p50} p99 ${entry.api.p99} cpu ${entry.api.cpuUsPerRequest} µs db ${entry.api.dbCpuUsPerRequest} µs sql ${entry.api.statementsPerRequest} | floor ${entry.floor.rps}/s p50 ${entry.floor.p50} p99 ${entry.floor.p99} cpu ${entry.floor.cpuUsPerRequest} µs db ${entry.floor.dbCpuUsPerRequest} µs sql ${entry.floor.statementsPerRequest}`,
      );
    }
  }
  return { rows, figures };
}

/** The JSON written to bench-results/: the machine, the database, the data and every figure. */
function reportOf({ started, marker, loadedNow, facts, figures, rss }) {
  const { version, longest, tables, explain } = facts;
  const at = (scenario, connections) => figures.find((f) => f.scenario === scenario && f.connections === connections);
  const p1 = at('page 1', 1);
  // Latency against page 1's at one connection, from the calls made: one connection waits for
  // each answer, so its mean latency is the run's time over its calls (1 / req/s). autocannon's
  // own latencies are whole milliseconds, and these calls take about one. It holds the client's
  // own time a call too (about 0.4 ms here), which pulls a ratio towards 1.
  const overPage1 = (figure) => (p1 && figure && figure.api.rps > 0 ? +(p1.api.rps / figure.api.rps).toFixed(2) : null);
  return {
    date: new Date().toISOString(),
    machine: { cores: cpus().length, cpu: cpus()[0]?.model, memoryMb: Math.round(totalmem() / 2 ** 20) },
    database: { version: version.v, innodbBufferPoolMb: Math.round(Number(version.pool) / 2 ** 20), name: DATABASE },
    data: {
      shape: SHAPE,
      messages: marker.messages,
      chats: marker.chats,
      longestChat: longest,
      load: loadedNow
        ? { seconds: marker.importSeconds, perSecond: marker.importPerSecond, via: 'ImportService.importLines' }
        : { reused: true, loadedAt: marker.loadedAt, perSecond: marker.importPerSecond },
      tables: tables.map((t) => ({ name: t.name, rows: Number(t.rows), dataBytes: Number(t.data), indexBytes: Number(t.idx) })),
      pageQueryPlan: explain,
    },
    durationSeconds: DURATION,
    apiEnv: {
      OP_TOKEN_CACHE_MS: Number(values['token-cache-ms']),
      OP_RATE_LIMIT: '0 (the benchmark measures throughput, not the limit)',
      OP_AUDIT: 'on (default)',
      OP_DB_POOL_SIZE: '20 (default)',
    },
    units: 'requests/s; latency in ms (autocannon)',
    figures,
    apiRssMb: { peak: rss.peak, samples: rss.samples.length },
    checks: {
      throughputAt32: Object.fromEntries(figures.filter((f) => f.connections === 32).map((f) => [f.scenario, f.ratio.rps])),
      p99At32: Object.fromEntries(figures.filter((f) => f.connections === 32).map((f) => [f.scenario, f.ratio.p99])),
      lastPageOverPage1: overPage1(at('last page', 1)),
      aroundOverPage1: overPage1(at('aroundMessageId', 1)),
      cpuPerRequestAt32: Object.fromEntries(
        figures
          .filter((f) => f.connections === 32)
          .map((f) => [f.scenario, +(f.api.cpuUsPerRequest / Math.max(1, f.floor.cpuUsPerRequest)).toFixed(2)]),
      ),
    },
    totalSeconds: Math.round((Date.now() - started) / 1000),
  };
}

/** Issue 14's targets, as the printed report checks them. */
const TARGETS = { throughputAt32: 0.85, p99At32: 1.5, overPage1: 1.2, rssMb: 200 };

/** The table and the targets on stdout. */
function printReport(report, rows, { marker, loadedNow }) {
  console.log(
    `\n2.37 chatMessageList on ${marker.messages} messages, shape ${SHAPE} (${DATABASE}, MariaDB ${report.database.version}, buffer pool ${report.database.innodbBufferPoolMb} MB, ${report.machine.cores} cores), ${DURATION} s per run, API with OP_TOKEN_CACHE_MS=${values['token-cache-ms']}; latency ms`,
  );
  console.table(rows);
  console.log(
    `targets: API/floor req/s at 32 conn ≥ ${TARGETS.throughputAt32} → ${JSON.stringify(report.checks.throughputAt32)}; ` +
      `p99 ratio ≤ ${TARGETS.p99At32} → ${JSON.stringify(report.checks.p99At32)}`,
  );
  console.log(
    `last page and aroundMessageId / page 1 (mean latency at 1 conn, as 1 / req/s) ≤ ${TARGETS.overPage1} → ` +
      `${report.checks.lastPageOverPage1} and ${report.checks.aroundOverPage1}; API peak RSS ${report.apiRssMb.peak} MB (≤ ${TARGETS.rssMb}); load ${marker.importPerSecond} messages/s${loadedNow ? '' : ' (when loaded)'}; ${report.totalSeconds} s in all`,
  );
  console.log(`API CPU per request / floor's at 32 conn → ${JSON.stringify(report.checks.cpuPerRequestAt32)}`);
}

/**
 * Writes bench-results/<date>.json (the 1M run) or <date>-<messages>.json, which then also
 * compares its latency at one connection with that day's 1M run.
 */
function writeReport(report) {
  mkdirSync(join(root, 'bench-results'), { recursive: true });
  const day = report.date.slice(0, 10);
  const name =
    SHAPE === 'long-tail' ? (MESSAGES === 1_000_000 ? `${day}.json` : `${day}-${MESSAGES}.json`) : `${day}-${SHAPE}-${MESSAGES}.json`;
  const target = join(root, 'bench-results', name);
  const baseline = join(root, 'bench-results', `${day}.json`);
  if (SHAPE === 'long-tail' && MESSAGES !== 1_000_000 && existsSync(baseline)) {
    const base = JSON.parse(readFileSync(baseline, 'utf8'));
    const versus = {};
    for (const f of report.figures.filter((x) => x.connections === 1)) {
      const b = base.figures?.find((x) => x.scenario === f.scenario && x.connections === 1);
      if (b)
        versus[f.scenario] = { meanMs: f.api.mean, baseMeanMs: b.api.mean, ratio: +(f.api.mean / Math.max(b.api.mean, 0.01)).toFixed(2) };
    }
    report.checks.sizeVersus1M = { baseline: `bench-results/${day}.json`, messages: base.data?.messages, atOneConnection: versus };
    console.log(
      `${MESSAGES} vs ${base.data?.messages} messages, API mean latency at 1 conn (≤ 1.3) → ${JSON.stringify(Object.fromEntries(Object.entries(versus).map(([k, v]) => [k, v.ratio])))}`,
    );
  }
  writeFileSync(target, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`written ${target}`);
}

async function main() {
  const started = Date.now();
  const { marker, loadedNow } = await loadedTenant();
  if (values['load-only']) return;
  const facts = await databaseFacts(marker);
  const scenarios = scenariosOf(facts);
  const servers = await startServers(marker);
  let measured;
  try {
    await servers.ready();
    await checkSameAnswers(scenarios, servers);
    await warmUp(scenarios, servers);
    measured = await measureScenarios(scenarios, servers);
  } finally {
    servers.stop();
  }
  const report = reportOf({ started, marker, loadedNow, facts, figures: measured.figures, rss: servers.rss });
  printReport(report, measured.rows, { marker, loadedNow });
  writeReport(report);
}

main().catch((error) => {
  log(`benchmark failed: ${error instanceof Error ? error.stack : String(error)}`);
  process.exit(1);
});
