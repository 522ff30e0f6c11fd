#!/usr/bin/env node
// `npm start`: the API on the embedded default (or OP_DATABASE_URL), with the demo data
// loaded once, and everything a newcomer needs to make a first signed call; and the admin
// panel (apps/op-admin) on OP_ADMIN_PORT (default 3001), signed in as the demo operator.
const { spawn } = require('node:child_process');
const { closeSync, openSync, readFileSync } = require('node:fs');
const { join, relative } = require('node:path');
const { apiArgs, ensureBuilt, root } = require('./ensure-built');

ensureBuilt();
const dist = join(root, 'apps/op-api/dist');
const { loadConfig, ConfigError } = require(join(dist, 'config/app-config.js'));
const { ensureDemo } = require(join(dist, 'cli/demo.js'));
const { runOpctl } = require(join(dist, 'cli/opctl.js'));
const { DEMO_CHAT_ID } = require(join(dist, 'modules/demo/demo-data.js'));
const { ensureAdminClient, ensurePanelBuilt, startPanel, waitForPanel } = require('./admin-panel');

async function waitForApi(url, child) {
  // Generous: on a busy 2-core machine (a full test run beside it) a cold start can take a minute.
  for (let i = 0; i < 1200; i++) {
    if (child.exitCode !== null) throw new Error('the API exited during start-up');
    try {
      // The liveness probe: answered without a signature, so it logs no warning.
      await fetch(`${url}/healthz`);
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new Error('the API did not start within 120 s');
}

const children = [];
let logFile = null;

async function main() {
  const config = loadConfig();
  const demo = await ensureDemo(config);
  const adminClient = await ensureAdminClient(config.dataDir, demo, runOpctl);
  ensurePanelBuilt();
  // Loopback unless asked otherwise: the banner prints the demo's secret and token.
  // Both servers log to one file in the data folder; the terminal gets the few lines below.
  logFile = join(config.dataDir, 'op.log');
  const log = openSync(logFile, 'a');
  const child = spawn(process.execPath, apiArgs(), {
    stdio: ['ignore', log, log],
    env: { ...process.env, OP_LISTEN_HOST: process.env.OP_LISTEN_HOST ?? '127.0.0.1' },
  });
  const baseUrl = `http://127.0.0.1:${config.port}`;
  const adminPort = Number(process.env.OP_ADMIN_PORT ?? 3001);
  const panel = startPanel({ port: adminPort, apiUrl: baseUrl, client: adminClient, mediaHosts: config.qiniu?.domain, log });
  closeSync(log); // the children hold their own copies
  // Ctrl-C stops both; either one ending stops the other, and we exit once both are gone.
  children.push(child, panel);
  let exitCode = 0;
  const stopAll = (signal) => children.forEach((c) => c.exitCode === null && c.signalCode === null && c.kill(signal));
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => stopAll(signal));
  for (const c of children) {
    c.on('exit', (code) => {
      exitCode ||= code ?? 0;
      stopAll('SIGTERM');
      if (children.every((x) => x.exitCode !== null || x.signalCode !== null)) process.exit(exitCode);
    });
  }
  await waitForApi(baseUrl, child);
  const adminUrl = `http://127.0.0.1:${adminPort}`;
  await waitForPanel(adminUrl, panel);
  const body = JSON.stringify({ chatId: DEMO_CHAT_ID, needMark: true, needFavorite: true });
  const { curl } = await runOpctl(['sign', '--base-url', baseUrl, '--body', body]);
  const where =
    config.database.type === 'sqlite' ? `SQLite ${config.database.path}` : `MySQL ${config.database.host}/${config.database.database}`;
  process.stdout.write(
    [
      '',
      `Op API:        ${baseUrl}  (${where})`,
      `Demo client:   ${demo.clientId}`,
      `Demo secret:   ${demo.secret}`,
      `Demo token:    ${demo.token}`,
      `Demo operator: ${demo.username} / ${demo.password}`,
      `Admin panel:   ${adminUrl}  (sign in as ${demo.username} / ${demo.password}; Ctrl-C stops the API and the panel)`,
      // A demo loaded before the agent existed has none: its data folder predates it.
      ...(demo.agentUsername
        ? [`Agent sign-in: ${demo.agentUsername} / ${demo.agentPassword}  (an agent sees only the chats assigned to them)`]
        : []),
      'Try: search 退款, 发货 or 投诉 in the panel; the chat of 300 messages pages and jumps to each hit.',
      `Logs:          ${relative(process.cwd(), logFile).startsWith('..') ? logFile : relative(process.cwd(), logFile)}  (both servers)`,
      '',
      'A signed 2.37 call (its timestamp is good for 300 s; `npm run opctl -- sign` prints a fresh one):',
      '',
      curl,
      '',
    ].join('\n') + '\n',
  );
}

main().catch((error) => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
  process.stderr.write(`${error instanceof ConfigError ? error.message : `npm start failed: ${error.message}`}\n`);
  if (logFile) {
    // What the servers said before they stopped: the end of the log.
    const tail = readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-20).join('\n');
    if (tail) process.stderr.write(`The end of ${logFile}:\n${tail}\n`);
  }
  process.exit(1);
});
