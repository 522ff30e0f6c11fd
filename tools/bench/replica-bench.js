#!/usr/bin/env node
/*
 * 2.37 with and without read replicas (issue 14; a script that prints figures, it asserts nothing).
 *
 *   node tools/bench/replica-bench.js [--messages 200000] [--duration 15] [--connections 32]
 *                                     [--rounds 2] [--trials 10000]
 *
 * 1. Starts three private mariadbd (a primary with its binlog and two read-only replicas under
 *    GTID replication) and loads one tenant through the project's import path: a chat holding
 *    a fifth of the messages, the rest in chats of 40.
 * 2. Starts the built API twice on the primary, one of them with OP_DATABASE_REPLICA_URLS (a
 *    SELECT-only user on both replicas), and drives 2.37 on each with autocannon in alternating
 *    rounds (alone, replicas, replicas, alone), for page 1 of a short chat and a page in the
 *    middle of the long one (needMark + needFavorite). Beside requests/s and latency it reports
 *    the CPU each process used during the round (API, primary, each replica) in cores: on a
 *    machine of few cores the API process itself may be what limits, which the ratio hides.
 * 3. Read-your-writes: `--trials` times, the operator adds a mark through the API with replicas
 *    and reads 2.37 at once (every 20th trial after 400 ms, so replicas answer some), then
 *    removes it and reads again: how many reads missed their own change, and who answered.
 * Writes bench-results/replicas-<date>.json.
 */
const { mkdirSync, mkdtempSync, rmSync, writeFileSync } = require('node:fs');
const { cpus, tmpdir, totalmem } = require('node:os');
const { join } = require('node:path');
const { parseArgs } = require('node:util');
const { ensureBuilt, root } = require('../scripts/ensure-built');
const { privateMariaDb, sleep } = require('./lib/private-mariadb');
const { loadTenant, log, round, startApi } = require('./lib/drive');

const { values } = parseArgs({
  options: {
    messages: { type: 'string', default: '200000' },
    duration: { type: 'string', default: '15' },
    connections: { type: 'string', default: '32' },
    rounds: { type: 'string', default: '2' },
    trials: { type: 'string', default: '10000' },
  },
});
const MESSAGES = Number(values.messages);
const DURATION = Number(values.duration);
const CONNECTIONS = Number(values.connections);
const ROUNDS = Number(values.rounds);
const TRIALS = Number(values.trials);
const DB = 'op_replica_bench';
const READER = 'reader:reader-secret';

ensureBuilt();
const { OpClient } = require(join(root, 'libs/contracts/dist/node/index.js'));

async function startServers() {
  const primary = await privateMariaDb({
    name: 'op-primary',
    bufferPool: '256M',
    args: ['--log-bin=primary-bin', '--server-id=1', '--binlog-format=ROW'],
  });
  const replicas = [];
  for (const id of [2, 3])
    replicas.push(
      await privateMariaDb({ name: `op-replica${id}`, bufferPool: '256M', args: ['--skip-log-bin', `--server-id=${id}`, '--read-only=1'] }),
    );
  const root = await primary.connect({ multipleStatements: true });
  for (const host of ['127.0.0.1', 'localhost']) {
    await root.query(`CREATE USER 'repl'@'${host}' IDENTIFIED BY 'repl-secret'; GRANT REPLICATION SLAVE ON *.* TO 'repl'@'${host}'`);
    await root.query(`CREATE USER 'reader'@'${host}' IDENTIFIED BY 'reader-secret'; GRANT SELECT ON *.* TO 'reader'@'${host}'`);
  }
  await root.end();
  for (const replica of replicas) {
    const connection = await replica.connect();
    await connection.query(
      `CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=${primary.port}, MASTER_USER='repl', MASTER_PASSWORD='repl-secret', MASTER_USE_GTID=slave_pos`,
    );
    await connection.query('START SLAVE');
    await connection.end();
  }
  return { primary, replicas };
}

/** Waits until each replica has applied everything the primary has written. */
async function caughtUp(primary, replicas) {
  const p = await primary.connect();
  const [[{ pos }]] = await p.query('SELECT @@gtid_binlog_pos AS pos');
  await p.end();
  for (const replica of replicas) {
    const r = await replica.connect();
    await r.query('SELECT MASTER_GTID_WAIT(?, 600)', [pos]);
    await r.end();
  }
}

const MASTER_KEY = 'ab'.repeat(32);

async function replicasServing(base) {
  for (let i = 0; i < 300; i++) {
    const body = await (await fetch(`${base}/readyz`)).json();
    if (body.data.details.replicas.replicas.every((r) => r.state === 'serving')) return;
    await sleep(100);
  }
  throw new Error('the replicas did not serve');
}

async function readYourWrites(api, tenant, messageId) {
  const client = new OpClient({ baseUrl: api.base, clientId: tenant.clientId, secret: tenant.secret, token: tenant.token });
  const metrics = async () => {
    const text = await (await fetch(`${api.base}/metrics`)).text();
    const counts = {};
    for (const [, replica, value] of text.matchAll(/^op_replica_requests_total\{replica="([^"]+)"\} (\d+)$/gm))
      counts[replica] = Number(value);
    return counts;
  };
  const before = await metrics();
  let missed = 0;
  const marksOf = async () =>
    (await client.call('chatMessageList', { chatId: 'c0', needMark: true, pageSize: 40 })).envelope.data.msg.find(
      (m) => m.userMessageId === messageId,
    ).mark;
  const started = Date.now();
  for (let i = 0; i < TRIALS; i++) {
    const mark = `复核${i}`;
    await client.expect('messageMarkAdd', { messageId, mark });
    if (i % 20 === 19) await sleep(400);
    if (!(await marksOf()).includes(mark)) missed++;
    await client.expect('messageMarkRemove', { messageId, mark });
    if (i % 20 === 9) await sleep(400);
    if ((await marksOf()).includes(mark)) missed++;
    if (i % 1000 === 999) log(`read-your-writes: ${i + 1} trials, ${missed} missed`);
  }
  const after = await metrics();
  const by = Object.fromEntries(Object.keys(after).map((k) => [k, after[k] - (before[k] ?? 0)]));
  return { trials: TRIALS, reads: TRIALS * 2, missed, seconds: Math.round((Date.now() - started) / 1000), readsAnsweredBy: by };
}

async function main() {
  const started = Date.now();
  const { primary, replicas } = await startServers();
  const folder = mkdtempSync(join(tmpdir(), 'op-replica-bench-'));
  const apis = [];
  try {
    const tenant = await loadTenant({
      url: `${primary.url}/${DB}`,
      folder,
      name: 'replica-bench',
      messages: MESSAGES,
      masterKey: MASTER_KEY,
    });
    await caughtUp(primary, replicas);
    const replicaUrls = replicas.map((r) => `mysql://${READER}@127.0.0.1:${r.port}/${DB}`).join(',');
    const env = { OP_DATABASE_URL: `${primary.url}/${DB}`, OP_MASTER_KEY: MASTER_KEY };
    const alone = await startApi(env);
    const withReplicas = await startApi({ ...env, OP_DATABASE_REPLICA_URLS: replicaUrls });
    apis.push(alone, withReplicas);
    await replicasServing(withReplicas.base);
    const client = (api) =>
      new OpClient({ baseUrl: api.base, clientId: tenant.clientId, secret: tenant.secret, token: tenant.token, nonce: false });
    const middle = await client(alone).expect('chatMessageList', { chatId: 'long', pageSize: 20, pageNum: Math.floor(MESSAGES / 5 / 40) });
    const scenarios = [
      { name: 'page 1 of a 40-message chat', body: { chatId: 'c7', pageNum: 1, pageSize: 20 } },
      {
        name: 'middle of the long chat, needMark + needFavorite',
        body: { chatId: 'long', pageSize: 20, aroundMessageId: middle.data.msg[0].userMessageId, needMark: true, needFavorite: true },
      },
    ];
    const results = [];
    for (const scenario of scenarios) {
      const figures = { alone: [], replicas: [] };
      for (let r = 0; r < ROUNDS; r++) {
        const order = r % 2 === 0 ? ['alone', 'replicas'] : ['replicas', 'alone'];
        for (const which of order) {
          const api = which === 'alone' ? alone : withReplicas;
          const pids = { api: api.child.pid, primary: primary.pid, replica1: replicas[0].pid, replica2: replicas[1].pid };
          figures[which].push(await round(api, client(api), scenario.body, pids, { connections: CONNECTIONS, duration: DURATION }));
          log(`${scenario.name}, ${which}: ${JSON.stringify(figures[which].at(-1))}`);
        }
      }
      const rate = (list) => Math.round(list.reduce((n, f) => n + f.requestsPerSecond, 0) / list.length);
      results.push({
        scenario: scenario.name,
        connections: CONNECTIONS,
        alone: figures.alone,
        replicas: figures.replicas,
        ratio: +(rate(figures.replicas) / rate(figures.alone)).toFixed(2),
      });
    }
    const c0 = await client(withReplicas).expect('chatMessageList', { chatId: 'c0', pageSize: 40 });
    const ryw = TRIALS > 0 ? await readYourWrites(withReplicas, tenant, c0.data.msg[3].userMessageId) : null;
    const report = {
      date: new Date().toISOString(),
      machine: { cores: cpus().length, memoryGb: Math.round(totalmem() / 2 ** 30), node: process.version },
      messages: MESSAGES,
      setup:
        'three private mariadbd on this machine (primary with binlog, two GTID replicas, buffer pool 256 MB each); the API with OP_TOKEN_CACHE_MS=5000',
      scenarios: results,
      readYourWrites: ryw,
      totalSeconds: Math.round((Date.now() - started) / 1000),
    };
    console.log(JSON.stringify(report, null, 2));
    mkdirSync(join(root, 'bench-results'), { recursive: true });
    writeFileSync(join(root, 'bench-results', `replicas-${report.date.slice(0, 10)}.json`), `${JSON.stringify(report, null, 2)}\n`);
  } finally {
    for (const api of apis) {
      api.child.kill('SIGTERM');
      rmSync(api.folder, { recursive: true, force: true });
    }
    await Promise.all([primary, ...replicas].map((db) => db.destroy()));
    rmSync(folder, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
