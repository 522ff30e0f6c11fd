// What the deployment benches (replicas, shards) share: one tenant loaded through the import
// path, the built API as a child process, and a round of 2.37 driven by autocannon with the CPU
// each process used meanwhile.
const { spawn } = require('node:child_process');
const { mkdtempSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const autocannon = require('autocannon');
const { apiArgs, root } = require('../../scripts/ensure-built');
const { benchTenant, cpuSeconds, openApp, rssMb } = require('./api');
const { freePort, sleep } = require('./private-mariadb');
const { messageBody, seededRandom } = require('./tenant-data');

const dist = join(root, 'apps/op-api/dist');
const log = (line) => process.stderr.write(`${line}\n`);

/**
 * Loads one tenant into the database at `url`: a chat `long` holding a fifth of `messages`, the
 * rest in chats `c0`, `c1`, … of 40, one second apart. Returns the tenant, a day-long token and
 * the import's rate.
 */
async function loadTenant({ url, folder, name, messages, masterKey }) {
  const { importRecord } = require(join(root, 'libs/contracts/dist/testing/index.js'));
  const env = { OP_DATABASE_URL: url, OP_SEARCH_ENGINE: 'scan', OP_LOG_LEVEL: 'silent', OP_MASTER_KEY: masterKey };
  const { app, access, importer } = await openApp(dist, env, folder);
  const tenant = await benchTenant(access, name);
  const random = seededRandom(14);
  const long = Math.floor(messages / 5);
  const start = Date.UTC(2026, 9, 1);
  const started = Date.now();
  for (let done = 0; done < messages;) {
    const lines = [];
    for (let i = 0; i < 5000 && done < messages; i++, done++) {
      const chatId = done < long ? 'long' : `c${Math.floor((done - long) / 40)}`;
      const { body, ext, qiniuKey } = messageBody(random, done);
      const record = { chatId, msgId: `${9_000_000_000 + done}`, timestamp: start + done * 1000, from: 'u0001customer', to: 'kefu01' };
      lines.push(JSON.stringify(importRecord({ ...record, body, ext, qiniuKey })));
    }
    const result = await importer.importLines(tenant.tenantId, lines);
    if (result.failed > 0) throw new Error(`import failed: ${JSON.stringify(result.errors.slice(0, 3))}`);
  }
  const seconds = (Date.now() - started) / 1000;
  log(`loaded ${messages} messages in ${seconds.toFixed(1)} s`);
  const { token } = await access.tokens.issue(tenant.operatorId, 24 * 3600);
  await app.close();
  return { ...tenant, token, importPerSecond: Math.round(messages / seconds) };
}

/** The built API as a child process on `env` (production settings), once /readyz answers 200. */
async function startApi(env) {
  const port = await freePort();
  const folder = mkdtempSync(join(tmpdir(), 'op-bench-api-'));
  const child = spawn(process.execPath, apiArgs(), {
    env: {
      PATH: process.env.PATH,
      OP_PORT: String(port),
      OP_DATA_DIR: folder,
      OP_LOG_LEVEL: 'warn',
      OP_RATE_LIMIT: '0',
      OP_TOKEN_CACHE_MS: '5000',
      OP_SEARCH_ENGINE: 'scan',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${base}/readyz`)).status === 200) break;
    } catch {
      // not listening yet
    }
    if (i > 600) throw new Error('the API did not start');
    await sleep(100);
  }
  return { child, base, folder };
}

function cannon(url, body, { connections, duration }) {
  return new Promise((resolve, reject) =>
    autocannon(
      { url, method: 'POST', headers: { 'content-type': 'application/json; charset=utf-8' }, body, connections, duration },
      (error, result) => (error ? reject(error) : resolve(result)),
    ),
  );
}

/** One round of 2.37 with `body` on one API: its figures and the cores each of `pids` used meanwhile. */
async function round(api, client, body, pids, load) {
  const signed = client.signedRequest('chatMessageList', body, { nonce: null });
  const before = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, cpuSeconds(pid)]));
  const r = await cannon(`${api.base}${new URL(signed.url).pathname}${new URL(signed.url).search}`, signed.body, load);
  const cores = Object.fromEntries(
    Object.entries(pids).map(([name, pid]) => [name, +((cpuSeconds(pid) - before[name]) / r.duration).toFixed(2)]),
  );
  // Where the API's memory is, right after the round: V8's heap (total, used) and what lies outside it.
  const metrics = await (await fetch(`${api.base}/metrics`)).text();
  const mb = (name) => Math.round(Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(metrics)?.[1] ?? 0) / 2 ** 20);
  return {
    requestsPerSecond: Math.round(r.requests.total / r.duration),
    p50: r.latency.p50,
    p99: r.latency.p99,
    non2xx: r.non2xx,
    errors: r.errors,
    cores,
    rssMb: rssMb(api.child.pid),
    memoryMb: {
      heapTotal: mb('op_nodejs_heap_size_total_bytes'),
      heapUsed: mb('op_nodejs_heap_size_used_bytes'),
      external: mb('op_nodejs_external_memory_bytes'),
    },
  };
}

module.exports = { dist, loadTenant, log, round, startApi };
