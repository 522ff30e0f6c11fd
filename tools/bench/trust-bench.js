#!/usr/bin/env node
/*
 * Export and retention under load (a script that prints figures; it asserts nothing).
 *
 *   node tools/bench/trust-bench.js [--engine sqlite|mariadb] [--messages 1000000]
 *                                   [--server mysql://root@127.0.0.1:3306] [--duration 15] [--connections 8]
 *
 * 1. Loads a fresh database (SQLite file in the temp folder, or MariaDB database
 *    `op_trust_bench`) with one chat of N messages whose last message is 60 days old (every
 *    Easemob type, Chinese text, marks on 1 in 50) and a live chat of 2,000 recent messages,
 *    through ImportService (the `opctl import` path).
 * 2. Starts the built API (`node apps/op-api/dist/main.js`) and exports the long chat in each
 *    format through `chatExport`, reading the stream as it comes: time to the first byte, the
 *    whole time, the bytes, and the API's RSS (from /proc) before and at its peak during it.
 * 3. Drives 2.37 (page 1 of the live chat) with autocannon for `--duration` seconds alone,
 *    then again while the API's scheduled retention run (OP_RETENTION_SCHEDULE every 2 s here)
 *    purges the long chat once `opctl retention:set` gives a 30-day policy, and prints both
 *    p99s and the purge's time. Writes bench-results/trust-<date>-<engine>.json.
 */
const { spawn } = require('node:child_process');
const { mkdirSync, mkdtempSync, rmSync, writeFileSync } = require('node:fs');
const { cpus, tmpdir } = require('node:os');
const { join } = require('node:path');
const { parseArgs } = require('node:util');
const { apiArgs, ensureBuilt, root } = require('../scripts/ensure-built');
const { serverConnection } = require('./lib/server');
const { messageBody, seededRandom } = require('./lib/tenant-data');
const { benchTenant, openApp, rssMb } = require('./lib/api');

const { values } = parseArgs({
  options: {
    engine: { type: 'string', default: 'sqlite' },
    messages: { type: 'string', default: '1000000' },
    server: { type: 'string', default: process.env.OP_BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306' },
    duration: { type: 'string', default: '15' },
    connections: { type: 'string', default: '8' },
  },
});
const ENGINE = values.engine;
if (ENGINE !== 'sqlite' && ENGINE !== 'mariadb') throw new Error('--engine must be sqlite or mariadb');
const MESSAGES = Number(values.messages);
const LIVE_MESSAGES = 2_000;
const DURATION = Number(values.duration);
const CONNECTIONS = Number(values.connections);
const SERVER = values.server.replace(/\/$/, '');
const DATABASE = 'op_trust_bench';
const MASTER_KEY = '6b'.repeat(32);
const PORT = 3960 + (process.pid % 30);
const LONG_CHAT = 'u0001trustbenchlong';
const LIVE_CHAT = 'u0001trustbenchlive';
const log = (line) => process.stderr.write(`${line}\n`);

ensureBuilt();
const autocannon = require('autocannon');
const dist = join(root, 'apps/op-api/dist');
const { OpClient } = require(join(root, 'libs/contracts/dist/node/index.js'));
const { importRecord } = require(join(root, 'libs/contracts/dist/testing/index.js'));
const { DAY_MS: DAY } = require(join(root, 'libs/contracts/dist/index.js'));

function* lines() {
  const random = seededRandom(16);
  const start = Date.now() - 60 * DAY - MESSAGES * 10;
  for (let i = 0; i < MESSAGES; i++) {
    const { body, ext, qiniuKey } = messageBody(random, i);
    const fromCustomer = random() < 0.55;
    yield JSON.stringify(
      importRecord({
        chatId: LONG_CHAT,
        msgId: `trust${i}`,
        timestamp: start + i * 10,
        from: fromCustomer ? 'u0001trustcustomer' : 'kefu01',
        to: fromCustomer ? 'kefu01' : 'u0001trustcustomer',
        body,
        ext,
        qiniuKey,
        chatStatus: 5,
      }),
    );
  }
  for (let i = 0; i < LIVE_MESSAGES; i++) {
    yield JSON.stringify(
      importRecord({
        chatId: LIVE_CHAT,
        msgId: `live${i}`,
        timestamp: Date.now() - DAY + i * 1000,
        from: i % 2 ? 'kefu01' : 'u0001livecustomer',
        to: i % 2 ? 'u0001livecustomer' : 'kefu01',
        body: `在线会话消息 ${i}`,
        chatStatus: 3,
      }),
    );
  }
}

async function load(databaseUrl, dataDir) {
  const env = { OP_DATABASE_URL: databaseUrl, OP_MASTER_KEY: MASTER_KEY, OP_AUDIT: 'off', OP_RETENTION_SCHEDULE: 'off' };
  const { app, access, importer } = await openApp(dist, env, dataDir);
  try {
    const { tenantId, clientId, secret, operatorId } = await benchTenant(access, 'trust-bench');
    const { token } = await access.tokens.issue(operatorId, 6 * 3600);
    log(`loading ${MESSAGES} + ${LIVE_MESSAGES} messages (${ENGINE}) through ImportService…`);
    const started = Date.now();
    let shown = 0;
    const result = await importer.importLines(tenantId, lines(), (p) => {
      if (p.lines - shown >= 100_000) {
        shown = p.lines;
        log(`  ${p.lines} lines, ${Math.round(p.lines / ((Date.now() - started) / 1000))}/s`);
      }
    });
    if (result.failed > 0) throw new Error(`import failed on ${result.failed} lines`);
    const { DataSource } = require(join(root, 'node_modules/typeorm'));
    const db = app.get(DataSource);
    // Marks on 1 in 50 messages of the long chat, so the export and the purge carry them.
    await db.query(
      "INSERT INTO message_marks (tenant_id, message_id, mark, chat_id, operator_id, create_time) SELECT tenant_id, id, '重要', chat_id, ?, create_time FROM messages WHERE tenant_id = ? AND chat_id = ? AND id % 50 = 0",
      [operatorId, tenantId, LONG_CHAT],
    );
    const seconds = (Date.now() - started) / 1000;
    log(`loaded ${result.imported} messages in ${seconds.toFixed(0)} s`);
    return { tenantId, clientId, secret, token, loadSeconds: seconds };
  } finally {
    await app.close();
  }
}

async function waitForHttp(url, child) {
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error(`the API exited with ${child.exitCode}`);
    try {
      await fetch(url);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error('the API did not start');
}

/** Exports the long chat in one format, reading the stream as it arrives; RSS sampled every 50 ms. */
async function exportOnce(client, pid, format) {
  const before = rssMb(pid);
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, rssMb(pid))), 50);
  const started = performance.now();
  const request = client.signedRequest('chatExport', { chatId: LONG_CHAT, format });
  const response = await fetch(request.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: request.body });
  if (response.status !== 200) throw new Error(`chatExport ${format}: HTTP ${response.status} ${await response.text()}`);
  const reader = response.body.getReader();
  let firstByteMs = null;
  let bytes = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (firstByteMs === null) firstByteMs = performance.now() - started;
    bytes += value.byteLength;
  }
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  peak = Math.max(peak, rssMb(pid));
  return {
    format,
    firstByteMs: Math.round(firstByteMs * 10) / 10,
    seconds: Math.round(seconds * 10) / 10,
    megabytes: Math.round(bytes / 1e5) / 10,
    rssBeforeMb: before,
    rssPeakMb: peak,
  };
}

/** Time to the first byte of an export, as a client that reads one chunk and hangs up sees it. */
async function firstByte(client, format) {
  const controller = new AbortController();
  const started = performance.now();
  const request = client.signedRequest('chatExport', { chatId: LONG_CHAT, format });
  const response = await fetch(request.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: request.body,
    signal: controller.signal,
  });
  await response.body.getReader().read();
  const ms = performance.now() - started;
  controller.abort();
  return ms;
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/**
 * 2.37 page 1 of the live chat under autocannon until `until` resolves (or for DURATION s),
 * each request signed afresh (a signature's timestamp is good for 300 s; a purge takes longer).
 */
function cannon(client, until) {
  const body = { chatId: LIVE_CHAT, pageSize: 20, needMark: true };
  const first = new URL(client.signedRequest('chatMessageList', body, { nonce: null }).url);
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: first.origin,
        connections: CONNECTIONS,
        duration: until ? 3600 : DURATION,
        requests: [
          {
            method: 'POST',
            headers: { 'content-type': 'application/json; charset=utf-8' },
            setupRequest: (request) => {
              const signed = client.signedRequest('chatMessageList', body, { nonce: null });
              const url = new URL(signed.url);
              return { ...request, path: url.pathname + url.search, body: signed.body };
            },
          },
        ],
      },
      (error, result) =>
        error
          ? reject(error)
          : resolve({
              requests: result.requests.total,
              perSecond: Math.round(result.requests.average),
              p50: result.latency.p50,
              p99: result.latency.p99,
              max: result.latency.max,
              non2xx: result.non2xx,
            }),
    );
    if (until) void until.then(() => instance.stop());
  });
}

function runOpctl(args, env) {
  return new Promise((resolve, reject) => {
    const child = spawn('nice', ['-n', '5', process.execPath, join(dist, 'cli/opctl.js'), ...args], {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`opctl ${args[0]} exited ${code}: ${out}`))));
  });
}

async function main() {
  const folder = mkdtempSync(join(tmpdir(), 'op-trust-bench-'));
  let databaseUrl;
  if (ENGINE === 'sqlite') databaseUrl = `sqlite:${join(folder, 'bench.sqlite')}`;
  else {
    const admin = await serverConnection(SERVER);
    await admin.query(`DROP DATABASE IF EXISTS \`${DATABASE}\``);
    await admin.end();
    databaseUrl = `${SERVER}/${DATABASE}`;
  }
  const env = {
    OP_DATABASE_URL: databaseUrl,
    OP_DATA_DIR: folder,
    OP_MASTER_KEY: MASTER_KEY,
    OP_LOG_LEVEL: 'silent',
    OP_RETENTION_SCHEDULE: 'off',
  };
  let api = null;
  try {
    const tenant = await load(databaseUrl, folder);
    api = spawn(process.execPath, apiArgs(), {
      env: {
        PATH: process.env.PATH ?? '',
        ...env,
        OP_PORT: String(PORT),
        OP_TOKEN_CACHE_MS: '5000',
        OP_RATE_LIMIT: '0',
        OP_RETENTION_SCHEDULE: '*/2 * * * * *',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const baseUrl = `http://127.0.0.1:${PORT}`;
    await waitForHttp(`${baseUrl}/healthz`, api);
    const client = new OpClient({ baseUrl, clientId: tenant.clientId, secret: tenant.secret, token: tenant.token });
    await client.chatMessageList({ chatId: LIVE_CHAT });

    const exports = [];
    for (const format of ['jsonl', 'csv', 'html']) {
      const probes = [];
      for (let i = 0; i < 7; i++) probes.push(await firstByte(client, format));
      const firstByteMedianMs = Math.round(median(probes) * 10) / 10;
      log(`chatExport ${format}: first byte, median of 7 fresh requests: ${firstByteMedianMs} ms`);
      const figures = { ...(await exportOnce(client, api.pid, format)), firstByteMedianMs };
      log(
        `chatExport ${format}: first byte ${figures.firstByteMs} ms, ${figures.seconds} s, ${figures.megabytes} MB, RSS ${figures.rssBeforeMb} → peak ${figures.rssPeakMb} MB`,
      );
      exports.push(figures);
    }

    log(`2.37 alone, ${CONNECTIONS} connections, ${DURATION} s…`);
    const alone = await cannon(client, null);
    log(`  p50 ${alone.p50} ms, p99 ${alone.p99} ms, ${alone.perSecond}/s`);
    // The API's own scheduled run (every 2 s here; a tick while a run goes on is skipped) purges
    // the long chat once the policy exists: set it, then watch the chat go.
    await runOpctl(['retention:set', '--tenant', tenant.tenantId, '--message-days', '30'], env);
    log("2.37 during the API's scheduled retention run (purging the long chat)…");
    const purgeStarted = Date.now();
    const purge = (async () => {
      for (;;) {
        await new Promise((resolve) => setTimeout(resolve, 500));
        const { status } = await client.call('chatDetail', { chatId: LONG_CHAT });
        if (status === 404) return;
      }
    })();
    const during = await cannon(client, purge);
    await purge;
    const purgeSeconds = (Date.now() - purgeStarted) / 1000;
    const purged = { tenants: [{ tenantId: tenant.tenantId, chats: 1, messages: MESSAGES }] };
    log(`  purge of ${MESSAGES} messages by the API in ${purgeSeconds.toFixed(1)} s (from the policy being set to the chat being gone)`);
    log(`  p50 ${during.p50} ms, p99 ${during.p99} ms, ${during.perSecond}/s`);

    const report = {
      date: new Date().toISOString(),
      engine: ENGINE,
      cores: cpus().length,
      cpu: cpus()[0]?.model,
      messages: MESSAGES,
      loadSeconds: tenant.loadSeconds,
      exports,
      chatMessageList: { connections: CONNECTIONS, alone, duringPurge: during },
      purge: { result: purged.tenants, seconds: purgeSeconds, messagesPerSecond: Math.round(MESSAGES / purgeSeconds) },
    };
    const out = join(root, 'bench-results');
    mkdirSync(out, { recursive: true });
    const file = join(out, `trust-${report.date.slice(0, 10)}-${ENGINE}.json`);
    writeFileSync(file, JSON.stringify(report, null, 2) + '\n');
    process.stdout.write(JSON.stringify(report, null, 2) + '\n');
    log(`wrote ${file}`);
  } finally {
    if (api && api.exitCode === null) {
      api.kill('SIGTERM');
      await new Promise((resolve) => api.once('exit', resolve));
    }
    if (ENGINE === 'mariadb') {
      const admin = await serverConnection(SERVER);
      await admin.query(`DROP DATABASE IF EXISTS \`${DATABASE}\``);
      await admin.end();
    }
    rmSync(folder, { recursive: true, force: true });
  }
}

main().catch((error) => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exit(1);
});
