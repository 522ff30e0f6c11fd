#!/usr/bin/env node
/*
 * What the sharded store costs beside one server (issue 14; a script that prints figures, it
 * asserts nothing).
 *
 *   node tools/bench/spider-bench.js [--messages 100000] [--duration 15] [--connections 32] [--rounds 2]
 *
 * 1. Starts four private mariadbd: one server alone, and a Spider front (`INSTALL SONAME
 *    'ha_spider'`) over two backends laid out by `opctl shard:setup`.
 * 2. Loads the same tenant into each through the project's import path (a chat holding a fifth
 *    of the messages, the rest in chats of 40) and times it.
 * 3. Starts the built API on each and drives 2.37 with autocannon in alternating rounds (one
 *    server, Spider, Spider, one server): page 1 of a short chat, the middle of the long chat
 *    (`aroundMessageId`, needMark + needFavorite), and its last page. Beside requests/s and
 *    latency, the CPU each process used in the round (API, the server or the front, each
 *    backend), in cores: on 2 cores the sum is what limits.
 * Writes bench-results/spider-<date>.json.
 */
const { mkdirSync, mkdtempSync, rmSync, writeFileSync } = require('node:fs');
const { cpus, tmpdir, totalmem } = require('node:os');
const { join } = require('node:path');
const { parseArgs } = require('node:util');
const { ensureBuilt, root } = require('../scripts/ensure-built');
const { privateMariaDb, sleep } = require('./lib/private-mariadb');
const { dist, loadTenant, log, round, startApi } = require('./lib/drive');

const { values } = parseArgs({
  options: {
    messages: { type: 'string', default: '100000' },
    duration: { type: 'string', default: '15' },
    connections: { type: 'string', default: '32' },
    rounds: { type: 'string', default: '2' },
  },
});
const MESSAGES = Number(values.messages);
const LOAD = { connections: Number(values.connections), duration: Number(values.duration) };
const ROUNDS = Number(values.rounds);
const DB = 'op_spider_bench';
const MASTER_KEY = 'cd'.repeat(32);

ensureBuilt();
const { OpClient } = require(join(root, 'libs/contracts/dist/node/index.js'));
const { runOpctl } = require(join(dist, 'cli/opctl.js'));

/** The front and two backends, each pushed on `servers` as it starts (so a failure stops those started). */
async function startSpider(servers) {
  for (const [name, bufferPool] of [
    ['op-front', '128M'],
    ['op-backend1', '256M'],
    ['op-backend2', '256M'],
  ])
    servers.push(await privateMariaDb({ name, bufferPool }));
  const [front, ...backends] = servers.slice(-3);
  const connection = await front.connect();
  await connection.query("INSTALL SONAME 'ha_spider'");
  await connection.end();
  const url = `${front.url}/${DB}`;
  const report = await runOpctl(['shard:setup', '--backends', backends.map((b) => `${b.url}/${DB}`).join(',')], {
    OP_DATABASE_URL: url,
    OP_MASTER_KEY: MASTER_KEY,
  });
  log(`shard:setup: ${report.sharded.length} tables sharded`);
  return { front, backends, url };
}

/** Which backend holds the tenant's messages (the other one idles in this bench). */
async function homeOf(backends, tenantId) {
  for (const [i, backend] of backends.entries()) {
    const connection = await backend.connect();
    const [[{ n }]] = await connection.query(`SELECT COUNT(*) AS n FROM ${DB}.messages WHERE tenant_id = ?`, [tenantId]);
    await connection.end();
    if (Number(n) > 0) return i;
  }
  return -1;
}

async function main() {
  const started = Date.now();
  const folder = mkdtempSync(join(tmpdir(), 'op-spider-bench-'));
  const apis = [];
  const servers = [];
  try {
    const alone = await privateMariaDb({ name: 'op-alone', bufferPool: '256M' });
    servers.push(alone);
    const spider = await startSpider(servers);
    const load = (url) => loadTenant({ url, folder, name: 'spider-bench', messages: MESSAGES, masterKey: MASTER_KEY });
    const tenants = { alone: await load(`${alone.url}/${DB}`), spider: await load(spider.url) };
    const home = await homeOf(spider.backends, tenants.spider.tenantId);
    const api = {
      alone: await startApi({ OP_DATABASE_URL: `${alone.url}/${DB}`, OP_MASTER_KEY: MASTER_KEY }),
      spider: await startApi({ OP_DATABASE_URL: spider.url, OP_MASTER_KEY: MASTER_KEY }),
    };
    apis.push(api.alone, api.spider);
    const client = (which) =>
      new OpClient({
        baseUrl: api[which].base,
        clientId: tenants[which].clientId,
        secret: tenants[which].secret,
        token: tenants[which].token,
        nonce: false,
      });
    const pids = {
      alone: { api: api.alone.child.pid, server: alone.pid },
      spider: { api: api.spider.child.pid, front: spider.front.pid, backend1: spider.backends[0].pid, backend2: spider.backends[1].pid },
    };
    const longPages = Math.ceil(MESSAGES / 5 / 20);
    const scenarios = async (which) => {
      const middle = await client(which).expect('chatMessageList', { chatId: 'long', pageSize: 20, pageNum: Math.floor(longPages / 2) });
      // Each operator favorites one and marks one message of that page, so the flags cost something.
      const id = middle.data.msg[3].userMessageId;
      await client(which).expect('messageMarkAdd', { messageId: id, mark: '复核' });
      await client(which).expect('messageFavoriteAdd', { messageId: id });
      return [
        { name: 'page 1 of a 40-message chat', body: { chatId: 'c7', pageNum: 1, pageSize: 20 } },
        {
          name: 'middle of the long chat, aroundMessageId + needMark + needFavorite',
          body: { chatId: 'long', pageSize: 20, aroundMessageId: id, needMark: true, needFavorite: true },
        },
        { name: 'last page of the long chat', body: { chatId: 'long', pageSize: 20, pageNum: longPages } },
      ];
    };
    const bodies = { alone: await scenarios('alone'), spider: await scenarios('spider') };
    const results = [];
    for (const [index, { name }] of bodies.alone.entries()) {
      const figures = { alone: [], spider: [] };
      for (let r = 0; r < ROUNDS; r++) {
        for (const which of r % 2 === 0 ? ['alone', 'spider'] : ['spider', 'alone']) {
          figures[which].push(await round(api[which], client(which), bodies[which][index].body, pids[which], LOAD));
          log(`${name}, ${which}: ${JSON.stringify(figures[which].at(-1))}`);
          await sleep(500);
        }
      }
      const rate = (list) => Math.round(list.reduce((n, f) => n + f.requestsPerSecond, 0) / list.length);
      results.push({
        scenario: name,
        oneServer: figures.alone,
        spider: figures.spider,
        ratio: +(rate(figures.spider) / rate(figures.alone)).toFixed(2),
      });
    }
    const report = {
      date: new Date().toISOString(),
      machine: { cores: cpus().length, memoryGb: Math.round(totalmem() / 2 ** 30), node: process.version },
      messages: MESSAGES,
      setup:
        'private mariadbd on this machine: one server (buffer pool 256 MB) against a Spider front (128 MB, INSTALL SONAME) over two backends (256 MB each), laid out by opctl shard:setup; the API with OP_TOKEN_CACHE_MS=5000; the tenant lives on one backend',
      tenantBackend: home + 1,
      importPerSecond: { oneServer: tenants.alone.importPerSecond, spider: tenants.spider.importPerSecond },
      scenarios: results,
      totalSeconds: Math.round((Date.now() - started) / 1000),
    };
    console.log(JSON.stringify(report, null, 2));
    mkdirSync(join(root, 'bench-results'), { recursive: true });
    writeFileSync(join(root, 'bench-results', `spider-${report.date.slice(0, 10)}.json`), `${JSON.stringify(report, null, 2)}\n`);
  } finally {
    for (const running of apis) {
      running.child.kill('SIGTERM');
      rmSync(running.folder, { recursive: true, force: true });
    }
    await Promise.all(servers.map((db) => db.destroy()));
    rmSync(folder, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
