#!/usr/bin/env node
/*
 * Search and 2.37 latency benchmark (a script that prints figures, not a test).
 *
 *   node tools/bench/search-bench.js [--messages 200000] [--chats 2000] [--requests 200]
 *                                    [--server mysql://root@127.0.0.1:3306] [--database op_bench] [--keep]
 *
 * Creates (and afterwards drops, unless --keep) a fresh MariaDB/MySQL database, imports
 * N messages spread over the last 90 days through the project's import path (a JSON Lines
 * file read by ImportService, exactly as `opctl import`), starts the real API twice on it
 * (OP_AUDIT=on and OP_AUDIT=off) and times signed HTTP calls one after another:
 * a filter-only chatSearch, a 90-day keyword chatSearch, and 2.37 with audit on and off.
 * Prints one JSON object with median and p99 in milliseconds.
 */
const { writeFileSync, mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { ensureBuilt, root } = require('../scripts/ensure-built');
const { mulberry32, sentence, stats } = require('./lib/tenant-data');

function flag(name, fallback) {
  const at = process.argv.indexOf(`--${name}`);
  if (at === -1) return fallback;
  const value = process.argv[at + 1];
  return value === undefined || value.startsWith('--') ? true : value;
}

const MESSAGES = Number(flag('messages', 200_000));
const CHATS = Number(flag('chats', 2_000));
const REQUESTS = Number(flag('requests', 200));
const SERVER = String(flag('server', process.env.OP_TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306')).replace(/\/$/, '');
const DATABASE = String(flag('database', 'op_bench'));
const KEEP = flag('keep', false) === true;

const log = (line) => process.stderr.write(`${line}\n`);

async function time(label, n, call) {
  for (let i = 0; i < Math.min(10, n); i++) await call(i); // warm-up
  const samples = [];
  for (let i = 0; i < n; i++) {
    const start = process.hrtime.bigint();
    const { envelope } = await call(i);
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
    if (envelope.code !== 200) throw new Error(`${label}: ${envelope.code} ${envelope.message}`);
  }
  const result = stats(samples);
  log(`${label}: median ${result.median} ms, p99 ${result.p99} ms`);
  return result;
}

async function main() {
  ensureBuilt();
  const mysql = require('mysql2/promise');
  const { createApp } = require(`${root}/apps/op-api/dist/bootstrap.js`);
  const { loadConfig } = require(`${root}/apps/op-api/dist/config/app-config.js`);
  const { AccessService } = require(`${root}/apps/op-api/dist/modules/access/access.service.js`);
  const { ImportService } = require(`${root}/apps/op-api/dist/modules/importer/import.service.js`);
  const { OpClient } = require(`${root}/libs/contracts/dist/node/index.js`);

  const admin = await mysql.createConnection(SERVER);
  await admin.query(`DROP DATABASE IF EXISTS \`${DATABASE}\``);
  await admin.end();

  const folder = mkdtempSync(join(tmpdir(), 'op-bench-'));
  const url = `${SERVER}/${DATABASE}`;
  const start = async (audit) => {
    const config = loadConfig({ OP_DATABASE_URL: url, OP_AUDIT: audit, OP_DATA_DIR: folder, OP_HOST_NAME: 'bench', OP_MASTER_KEY: '11'.repeat(32) }, folder);
    const app = await createApp(config, { logger: false });
    await app.listen({ port: 0, host: '127.0.0.1' });
    return { app, baseUrl: `http://127.0.0.1:${app.getHttpServer().address().port}` };
  };
  const on = await start('on');
  try {
    const access = on.app.get(AccessService);
    const { tenantId } = await access.createTenant('bench');
    const { clientId, secret } = await access.createClient(tenantId);
    const { operatorId } = await access.createOperator({ tenantId, username: 'bench', role: 'admin' });
    const { token } = await access.issueToken(operatorId, 3600);

    // Messages over the last 90 days; 1 in 100 says 退款.
    const random = mulberry32(42);
    const now = Date.now();
    const span = 89 * 86_400_000;
    const lines = [];
    for (let i = 0; i < MESSAGES; i++) {
      const chat = i % CHATS;
      const text = random() < 0.01 ? `${sentence(random)}退款${sentence(random)}` : sentence(random);
      lines.push(JSON.stringify({
        chatId: `bench-${chat}`,
        msg_id: `bench-${i}`,
        timestamp: now - span + Math.floor((i / MESSAGES) * span),
        from: `customer-${chat}`,
        to: 'kefu',
        payload: { bodies: [{ type: 'txt', msg: text }], ext: {} },
        chatStatus: [1, 3, 5, 5, 5, 30][chat % 6],
      }));
    }
    const file = join(folder, 'bench.jsonl');
    writeFileSync(file, lines.join('\n'));
    lines.length = 0;
    const importStart = Date.now();
    const imported = await on.app.get(ImportService).importFile(tenantId, file);
    const importSeconds = (Date.now() - importStart) / 1000;
    log(`imported ${imported.imported} messages in ${importSeconds.toFixed(1)} s`);

    const off = await start('off');
    try {
      const clientOf = (baseUrl) => new OpClient({ baseUrl, clientId, secret, token });
      const client = clientOf(on.baseUrl);
      const clientOff = clientOf(off.baseUrl);
      const fmt = (ms) => new Date(ms + 8 * 3_600_000).toISOString().replace('T', ' ').slice(0, 19); // Asia/Shanghai
      const chatOf = (i) => `bench-${(i * 7919) % CHATS}`;
      const results = {
        messages: imported.imported,
        chats: CHATS,
        requests: REQUESTS,
        importSeconds,
        filterSearch: await time('chatSearch, filters only', REQUESTS, () =>
          client.call('chatSearch', { status: [5], lastMessageFrom: fmt(now - 30 * 86_400_000), pageSize: 20 })),
        keywordSearch90d: await time('chatSearch, keyword 退款 over 90 days', Math.min(REQUESTS, 50), () =>
          client.call('chatSearch', { keyword: '退款', pageSize: 20 })),
        keywordSearchRare: await time('chatSearch, keyword that matches nothing', Math.min(REQUESTS, 50), () =>
          client.call('chatSearch', { keyword: '不存在的词', pageSize: 20 })),
        chatMessageListAuditOn: await time('2.37, audit on', REQUESTS, (i) => client.call('chatMessageList', { chatId: chatOf(i), needMark: true, needFavorite: true })),
        chatMessageListAuditOff: await time('2.37, audit off', REQUESTS, (i) => clientOff.call('chatMessageList', { chatId: chatOf(i), needMark: true, needFavorite: true })),
      };
      process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
    } finally {
      await off.app.close();
    }
  } finally {
    await on.app.close();
    rmSync(folder, { recursive: true, force: true });
    if (!KEEP) {
      const again = await mysql.createConnection(SERVER);
      await again.query(`DROP DATABASE IF EXISTS \`${DATABASE}\``);
      await again.end();
    }
  }
}

main().catch((error) => {
  process.stderr.write(`benchmark failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
