#!/usr/bin/env node
/*
 * Keyword search at scale (a script that prints figures; it asserts nothing).
 *
 *   node tools/bench/search-bench.js [--database mariadb|sqlite] [--engine mroonga|fts5|sphinx|scan]
 *                                    [--messages 1000000] [--small 10000] [--samples 40]
 *                                    [--scan-samples 3] [--server mysql://root@127.0.0.1:3306] [--rebuild]
 *
 * 1. Loads (once; a marker table makes later runs reuse it, --rebuild reloads) a big tenant of
 *    --messages and a small one of --small beside it, through the project's import path
 *    (ImportService, as `opctl import`), the keyword index fed as in production
 *    (tools/bench/lib/search-corpus.js: Zipf-distributed Chinese, keywords planted at 1 in
 *    100,000 and 1 in 20 text messages, sessions of ~40 messages over the last 80 days).
 *    `--engine sphinx` starts two private searchd nodes (data kept beside the database).
 * 2. Starts the API (`node apps/op-api/dist/main.js`) with OP_SEARCH_ENGINE=<engine> and times
 *    signed chatSearch calls one after another: each keyword, whole history, first page of 20
 *    chats with hits and page.total, for the big tenant and for the small one; then the same
 *    keywords through the scan as it was before the index (its SQL: LOWER(msg) LIKE over the
 *    90-day window, with the count, the page and the hits), --scan-samples times each.
 * 3. Prints a table and writes bench-results/search-<date>-<database>-<engine>-<messages>.json
 *    with p50/p99 per keyword, totals, the index's bytes per message beside the messages'.
 */
const { spawn } = require('node:child_process');
const { mkdirSync, rmSync, writeFileSync } = require('node:fs');
const { cpus, totalmem } = require('node:os');
const { join } = require('node:path');
const { parseArgs } = require('node:util');
const { apiArgs, ensureBuilt, root } = require('../scripts/ensure-built');
const { accessServices, benchTenant } = require('./lib/api');
const { serverConnection: connectTo } = require('./lib/server');
const { KEYWORDS, tenantRecords } = require('./lib/search-corpus');
const { stats } = require('./lib/tenant-data');

const { values } = parseArgs({
  options: {
    database: { type: 'string', default: 'mariadb' },
    engine: { type: 'string' },
    messages: { type: 'string', default: '1000000' },
    small: { type: 'string', default: '10000' },
    samples: { type: 'string', default: '40' },
    'scan-samples': { type: 'string', default: '3' },
    server: { type: 'string', default: process.env.OP_BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306' },
    rebuild: { type: 'boolean', default: false },
  },
});
const MYSQL = values.database === 'mariadb';
const ENGINE = values.engine ?? (MYSQL ? 'mroonga' : 'fts5');
const MESSAGES = Number(values.messages);
const SMALL = Number(values.small);
const SAMPLES = Number(values.samples);
const SCAN_SAMPLES = Number(values['scan-samples']);
const SERVER = values.server.replace(/\/$/, '');
const NAME = `op_search_bench_${ENGINE}_${MESSAGES}`;
const BENCH_DIR = join(root, 'data', 'bench', NAME);
const SQLITE_FILE = join(BENCH_DIR, 'op.sqlite');
const MASTER_KEY = '7e'.repeat(32);
const PORT = 3950 + (process.pid % 40);
const DAYS = 80;
const log = (line) => process.stderr.write(`${line}\n`);

ensureBuilt();
const mysql = require('mysql2/promise');
const dist = join(root, 'apps/op-api/dist');
const { OpClient } = require(join(root, 'libs/contracts/dist/node/index.js'));

const serverConnection = (database) => connectTo(SERVER, database);

/** Two searchd nodes of the search tier, their data kept in the bench folder. */
async function startSphinx() {
  const { sphinxNodeConfig } = require(join(dist, 'modules/search-index/engines/sphinx-config.js'));
  const nodes = [0, 1].map((i) => ({ host: '127.0.0.1', sqlPort: 9500 + i * 2, apiPort: 9501 + i * 2 }));
  const children = nodes.map((node, i) => {
    const dir = join(BENCH_DIR, `sphinx${i}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'sphinx.conf'), sphinxNodeConfig({ dataDir: dir, node, nodes, memLimit: '512M' }));
    return spawn('searchd', ['--config', join(dir, 'sphinx.conf'), '--nodetach'], { stdio: 'ignore' });
  });
  for (const node of nodes) {
    for (let i = 0; ; i++) {
      try {
        const c = await mysql.createConnection({ host: node.host, port: node.sqlPort });
        await c.end();
        break;
      } catch (error) {
        if (i > 600) throw error;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }
  return {
    env: {
      OP_SPHINX_SHARDS: nodes.map((n) => `${n.host}:${n.sqlPort}`).join(','),
      OP_SPHINX_SEARCH: `${nodes[0].host}:${nodes[0].sqlPort}`,
    },
    stop: () =>
      Promise.all(
        children.map(
          (child) => new Promise((resolve) => (child.exitCode !== null ? resolve() : (child.on('exit', resolve), child.kill('SIGTERM')))),
        ),
      ),
  };
}

function baseEnv(sphinx) {
  return {
    OP_DATABASE_URL: MYSQL ? `${SERVER}/${NAME}` : `sqlite:${SQLITE_FILE}`,
    OP_DATA_DIR: BENCH_DIR,
    OP_MASTER_KEY: MASTER_KEY,
    OP_SEARCH_ENGINE: ENGINE,
    OP_RATE_LIMIT: '0',
    OP_AUDIT: 'off',
    OP_LOG_LEVEL: 'warn',
    OP_TOKEN_CACHE_MS: '5000',
    ...(sphinx?.env ?? {}),
  };
}

/** Database-side helpers that differ by engine. */
async function query(sql, params = []) {
  if (MYSQL) {
    const db = await serverConnection(NAME);
    try {
      const [rows] = await db.query(sql, params);
      return rows;
    } finally {
      await db.end();
    }
  }
  const Database = require('better-sqlite3');
  const db = new Database(SQLITE_FILE);
  try {
    const statement = db.prepare(sql);
    return statement.reader ? statement.all(...params) : (statement.run(...params), []);
  } finally {
    db.close();
  }
}

async function readMarker() {
  try {
    const rows = await query("SELECT v FROM bench_marker WHERE k = 'bench'");
    return rows.length === 0 ? null : JSON.parse(rows[0].v);
  } catch {
    return null;
  }
}

async function load(sphinx) {
  if (MYSQL) {
    const admin = await serverConnection();
    await admin.query(`DROP DATABASE IF EXISTS \`${NAME}\``);
    await admin.end();
  }
  rmSync(BENCH_DIR, { recursive: true, force: true });
  mkdirSync(BENCH_DIR, { recursive: true });
  if (sphinx) {
    await sphinx.stop();
    sphinx = await startSphinx();
  }
  const { createApp } = require(join(dist, 'bootstrap.js'));
  const { loadConfig } = require(join(dist, 'config/app-config.js'));
  const { ImportService } = require(join(dist, 'modules/importer/import.service.js'));
  const { SearchIndexService } = require(join(dist, 'modules/search-index/search-index.service.js'));
  const app = await createApp(loadConfig(baseEnv(sphinx), BENCH_DIR), { logger: false });
  try {
    const access = accessServices(dist, app);
    const marker = { messages: MESSAGES, small: SMALL, engine: ENGINE, database: values.database, tenants: {} };
    for (const [key, messages, seed] of [
      ['big', MESSAGES, 11],
      ['small', SMALL, 12],
    ]) {
      const { tenantId, clientId, secret, operatorId } = await benchTenant(access, `search-bench-${key}`, `bench-${key}`);
      const { token } = await access.tokens.issue(operatorId, 30 * 86_400);
      log(`loading ${messages} messages of the ${key} tenant through ImportService (${ENGINE} fed as in production)…`);
      const started = Date.now();
      let shown = 0;
      const result = await app
        .get(ImportService)
        .importLines(tenantId, tenantRecords({ seed, messages, days: DAYS, prefix: key[0] }), (p) => {
          if (p.lines - shown >= 200_000) {
            shown = p.lines;
            log(`  ${p.lines} lines, ${Math.round(p.lines / ((Date.now() - started) / 1000))}/s`);
          }
        });
      const importSeconds = (Date.now() - started) / 1000;
      await app.get(SearchIndexService).drain(24 * 3_600_000);
      const indexedSeconds = (Date.now() - started) / 1000;
      if (result.failed > 0) throw new Error(`import failed on ${result.failed} lines`);
      marker.tenants[key] = { tenantId, clientId, secret, token, messages: result.imported, importSeconds, indexedSeconds };
      log(
        `  ${result.imported} messages in ${importSeconds.toFixed(0)} s (${Math.round(result.imported / importSeconds)}/s), indexed by ${indexedSeconds.toFixed(0)} s`,
      );
    }
    await query('CREATE TABLE bench_marker (k VARCHAR(32) PRIMARY KEY, v TEXT NOT NULL)');
    await query('INSERT INTO bench_marker (k, v) VALUES (?, ?)', ['bench', JSON.stringify(marker)]);
    if (MYSQL) await query('ANALYZE TABLE messages, chats');
    return { marker, sphinx };
  } finally {
    await app.close();
  }
}

async function waitForApi(child) {
  for (let i = 0; i < 6000; i++) {
    if (child.exitCode !== null) throw new Error(`the API exited with ${child.exitCode}`);
    try {
      const response = await fetch(`http://127.0.0.1:${PORT}/metrics`);
      const text = await response.text();
      if (/op_search_index_ready\{[^}]*\} 1/.test(text) || ENGINE === 'scan') return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the API did not become ready');
}

async function timeCalls(client, body, samples) {
  const latencies = [];
  let last;
  for (let i = 0; i < Math.min(3, samples); i++) last = await client.call('chatSearch', body); // warm-up
  for (let i = 0; i < samples; i++) {
    const t0 = process.hrtime.bigint();
    last = await client.call('chatSearch', body);
    latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
    if (last.envelope.code !== 200) throw new Error(`${JSON.stringify(body)}: ${last.envelope.code} ${last.envelope.message}`);
  }
  const { median, p99 } = stats(latencies);
  return {
    p50: median,
    p99,
    total: last.envelope.page.total,
    capped: last.envelope.data.totalCapped,
    chats: last.envelope.data.chats.length,
    hits: last.envelope.data.chats.reduce((n, c) => n + c.hits.length, 0),
  };
}

/** The keyword search as it was before the index: the same SQL, timed in the database. */
async function oldScan(tenantId, keyword, samples) {
  if (samples === 0) return null;
  const now = Date.now();
  const like = `%${keyword.replace(/[!%_]/g, (c) => `!${c}`)}%`;
  const match = "m.type = 'txt' AND LOWER(m.msg) LIKE LOWER(?) ESCAPE '!'";
  const sub = `SELECT m.chat_id FROM messages m WHERE m.tenant_id = ? AND m.create_time >= ? AND m.create_time <= ? AND ${match}`;
  const params = [tenantId, now - 90 * 86_400_000, now, like];
  const latencies = [];
  let total = 0;
  for (let i = 0; i < samples; i++) {
    const t0 = process.hrtime.bigint();
    const [{ n }] = await query(`SELECT COUNT(*) AS n FROM chats c WHERE c.tenant_id = ? AND c.id IN (${sub})`, [tenantId, ...params]);
    total = Number(n);
    const page = await query(
      `SELECT c.id FROM chats c WHERE c.tenant_id = ? AND c.id IN (${sub}) ORDER BY c.last_message_time DESC, c.id DESC LIMIT 20`,
      [tenantId, ...params],
    );
    if (page.length > 0) {
      await query(
        `SELECT chat_id, id FROM (SELECT m.chat_id, m.id, ROW_NUMBER() OVER (PARTITION BY m.chat_id ORDER BY m.create_time DESC, m.id DESC) AS rn FROM messages m ` +
          `WHERE m.tenant_id = ? AND m.chat_id IN (${page.map(() => '?').join(',')}) AND m.create_time >= ? AND m.create_time <= ? AND ${match}) h WHERE rn <= 3`,
        [tenantId, ...page.map((p) => p.id), now - 90 * 86_400_000, now, like],
      );
    }
    latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  const { median, p99 } = stats(latencies);
  return { p50: median, p99, total };
}

async function sizes() {
  if (MYSQL) {
    const rows = await query(
      'SELECT TABLE_NAME AS name, DATA_LENGTH + INDEX_LENGTH AS bytes FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME IN (?, ?)',
      [NAME, 'messages', 'message_search'],
    );
    const of = (name) => Number(rows.find((r) => r.name === name)?.bytes ?? 0);
    return { messagesBytes: of('messages'), indexBytes: ENGINE === 'mroonga' ? of('message_search') : null };
  }
  const rows = await query(
    "SELECT name, SUM(pgsize) AS bytes FROM dbstat WHERE name = 'messages' OR name LIKE 'sqlite_autoindex_messages%' OR name LIKE 'idx_messages%' OR name LIKE 'uq_messages%' OR name LIKE 'message_search%' GROUP BY name",
  );
  const messagesBytes = rows.filter((r) => !r.name.startsWith('message_search')).reduce((n, r) => n + Number(r.bytes), 0);
  const indexBytes = rows.filter((r) => r.name.startsWith('message_search')).reduce((n, r) => n + Number(r.bytes), 0);
  return { messagesBytes, indexBytes };
}

// The settings that decide whether the data fits in memory, recorded beside the figures.
async function serverSettings() {
  const [row] = await query(
    'SELECT VERSION() AS version, @@innodb_buffer_pool_size AS bufferPool, @@innodb_flush_log_at_trx_commit AS flushAtCommit',
  );
  return {
    version: row.version,
    innodbBufferPoolMb: Math.round(Number(row.bufferPool) / 2 ** 20),
    flushLogAtTrxCommit: Number(row.flushAtCommit),
  };
}

async function main() {
  mkdirSync(BENCH_DIR, { recursive: true });
  let sphinx = ENGINE === 'sphinx' ? await startSphinx() : null;
  let api;
  try {
    let marker = values.rebuild ? null : await readMarker();
    if (!marker) ({ marker, sphinx } = await load(sphinx));
    api = spawn(process.execPath, apiArgs(), {
      env: { PATH: process.env.PATH, ...baseEnv(sphinx), OP_PORT: String(PORT) },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    await waitForApi(api);
    const client = (key) => new OpClient({ baseUrl: `http://127.0.0.1:${PORT}`, ...marker.tenants[key] });
    const results = [];
    for (const keyword of KEYWORDS) {
      const big = await timeCalls(client('big'), { keyword: keyword.search, pageSize: 20 }, SAMPLES);
      const small = await timeCalls(client('small'), { keyword: keyword.search, pageSize: 20 }, SAMPLES);
      const filtered = await timeCalls(
        client('big'),
        { keyword: keyword.search, status: [5], pageSize: 20 },
        Math.max(5, Math.floor(SAMPLES / 4)),
      );
      const scan = await oldScan(marker.tenants.big.tenantId, keyword.search, SCAN_SAMPLES);
      results.push({ keyword: keyword.name, search: keyword.search, big, small, filtered, scanBefore: scan });
      log(
        `${keyword.name.padEnd(26)} big p50 ${big.p50} p99 ${big.p99} ms (total ${big.total}${big.capped ? '+' : ''}) · small p50 ${small.p50} p99 ${small.p99} · status=5 p50 ${filtered.p50}` +
          (scan ? ` · scan before p50 ${scan.p50} ms` : ''),
      );
    }
    const metrics = await (await fetch(`http://127.0.0.1:${PORT}/metrics`)).text();
    const indexBytesMetric = Number(/^op_search_index_bytes\{[^}]*\} (\d+)/m.exec(metrics)?.[1] ?? NaN);
    const size = await sizes();
    const indexBytes = size.indexBytes ?? indexBytesMetric;
    const totalMessages = marker.tenants.big.messages + marker.tenants.small.messages;
    const report = {
      date: new Date().toISOString(),
      machine: { cores: cpus().length, cpu: cpus()[0]?.model, memoryGb: Math.round(totalmem() / 2 ** 30) },
      database: values.database,
      engine: ENGINE,
      messages: { big: marker.tenants.big.messages, small: marker.tenants.small.messages },
      load: { big: { importSeconds: marker.tenants.big.importSeconds, indexedSeconds: marker.tenants.big.indexedSeconds } },
      samples: SAMPLES,
      server: MYSQL ? await serverSettings() : null,
      bytesPerMessage: {
        messages: Math.round(size.messagesBytes / totalMessages),
        index: Number.isFinite(indexBytes) ? Math.round(indexBytes / totalMessages) : null,
      },
      results,
    };
    console.table(
      Object.fromEntries(
        results.map((r) => [
          r.keyword,
          {
            'p50 ms': r.big.p50,
            'p99 ms': r.big.p99,
            total: `${r.big.total}${r.big.capped ? '+' : ''}`,
            'small p50': r.small.p50,
            'small p99': r.small.p99,
            'status=5 p50': r.filtered.p50,
            'scan before p50': r.scanBefore?.p50 ?? '—',
          },
        ]),
      ),
    );
    log(`bytes per message: messages ${report.bytesPerMessage.messages}, index ${report.bytesPerMessage.index}`);
    mkdirSync(join(root, 'bench-results'), { recursive: true });
    const target = join(root, 'bench-results', `search-${report.date.slice(0, 10)}-${values.database}-${ENGINE}-${MESSAGES}.json`);
    writeFileSync(target, JSON.stringify(report, null, 2) + '\n');
    log(`written ${target}`);
  } finally {
    if (api && api.exitCode === null) {
      api.kill('SIGTERM');
      await new Promise((resolve) => api.on('exit', resolve));
    }
    await sphinx?.stop();
  }
}

main().catch((error) => {
  process.stderr.write(`benchmark failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
