#!/usr/bin/env node
// `npm start`: the API on the embedded default (or OP_DATABASE_URL), with the demo data
// loaded once, and everything a newcomer needs to make a first signed call.
const { spawn } = require('node:child_process');
const { join } = require('node:path');
const { ensureBuilt, root } = require('./ensure-built');

ensureBuilt();
const dist = join(root, 'apps/op-api/dist');
const { loadConfig, ConfigError } = require(join(dist, 'config/app-config.js'));
const { ensureDemo } = require(join(dist, 'cli/demo.js'));
const { runOpctl } = require(join(dist, 'cli/opctl.js'));
const { DEMO_CHAT_ID } = require(join(dist, 'modules/demo/demo-data.js'));

async function waitForApi(url, child) {
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error('the API exited during start-up');
    try {
      await fetch(url, { method: 'POST' });
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new Error('the API did not start within 30 s');
}

async function main() {
  const config = loadConfig();
  const demo = await ensureDemo(config);
  const child = spawn(process.execPath, [join(dist, 'main.js')], { stdio: 'inherit', env: process.env });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code) => process.exit(code ?? 0));
  const baseUrl = `http://127.0.0.1:${config.port}`;
  await waitForApi(baseUrl, child);
  const body = JSON.stringify({ chatId: DEMO_CHAT_ID, needMark: true, needFavorite: true });
  const { curl } = await runOpctl(['sign', '--base-url', baseUrl, '--body', body]);
  const where = config.database.type === 'sqlite' ? `SQLite ${config.database.path}` : `MySQL ${config.database.host}/${config.database.database}`;
  process.stdout.write(
    [
      '',
      `Op API:        ${baseUrl}  (${where})`,
      `Demo client:   ${demo.clientId}`,
      `Demo secret:   ${demo.secret}`,
      `Demo token:    ${demo.token}`,
      `Demo operator: ${demo.username} / ${demo.password}`,
      '',
      'A signed 2.37 call (its timestamp is good for 300 s; `npm run opctl -- sign` prints a fresh one):',
      '',
      curl,
      '',
    ].join('\n') + '\n',
  );
}

main().catch((error) => {
  process.stderr.write(`${error instanceof ConfigError ? error.message : `npm start failed: ${error.message}`}\n`);
  process.exit(1);
});
