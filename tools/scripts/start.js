#!/usr/bin/env node
// `npm start`: the API on the embedded default (or OP_DATABASE_URL), with the demo data
// loaded once, and everything a newcomer needs to make a first signed call; and the admin
// panel (apps/op-admin) on OP_ADMIN_PORT (default 3001), signed in as the demo operator.
const { spawn } = require('node:child_process');
const { closeSync, openSync, readFileSync } = require('node:fs');
const { createServer } = require('node:net');
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

/**
 * A port `npm start` can print in its banner: a fixed one (0 would be any free port, which the
 * banner cannot know), 1 to 65535.
 */
function fixedPort(name, raw, fallback) {
  const value = raw ?? String(fallback);
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > 65535) {
    throw new ConfigError(name, '在 npm start 下必须是 1 到 65535 之间的整数，当前值无效');
  }
  return Number(value);
}

/**
 * Refuses a port another process holds, naming it, before anything starts: a server already
 * there answered the start-up checks, the banner was printed, and then the API exited alone.
 */
async function ensureFree(name, port, host) {
  await new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (error) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new Error(`port ${port} (${name}) is taken by another process: stop it, or choose another port with ${name}`)
          : error,
      ),
    );
    probe.listen({ port, host }, () => probe.close(resolve));
  });
}

/** How this script reaches a server listening on `host`: its loopback when it listens on every interface. */
function reach(host, port) {
  if (host === '0.0.0.0') return `http://127.0.0.1:${port}`;
  if (host === '::') return `http://[::1]:${port}`;
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

const children = [];
let logFile = null;

async function main() {
  const config = loadConfig();
  const apiPort = fixedPort('OP_PORT', process.env.OP_PORT, config.port);
  const adminPort = fixedPort('OP_ADMIN_PORT', process.env.OP_ADMIN_PORT, 3001);
  // Loopback unless asked otherwise: the banner prints the demo's secret and token.
  const apiHost = process.env.OP_LISTEN_HOST ?? '127.0.0.1';
  const portsFree = async () => {
    await ensureFree('OP_PORT', apiPort, apiHost);
    await ensureFree('OP_ADMIN_PORT', adminPort, '127.0.0.1');
  };
  await portsFree();
  const demo = await ensureDemo(config);
  const adminClient = await ensureAdminClient(config.dataDir, demo, runOpctl);
  ensurePanelBuilt();
  // Again, now that the demo is seeded and the panel built (minutes, the first time).
  await portsFree();
  // Both servers log to one file in the data folder; the terminal gets the few lines below.
  logFile = join(config.dataDir, 'op.log');
  const log = openSync(logFile, 'a');
  const child = spawn(process.execPath, apiArgs(), {
    stdio: ['ignore', log, log],
    env: { ...process.env, OP_LISTEN_HOST: apiHost },
  });
  const baseUrl = reach(apiHost, apiPort);
  const panel = startPanel({ port: adminPort, apiUrl: baseUrl, client: adminClient, mediaHosts: config.qiniu?.domain, log });
  closeSync(log); // the children hold their own copies
  // Ctrl-C stops both; either one ending stops the other, and we exit once both are gone.
  children.push(child, panel);
  let exitCode = 0;
  let stopping = false;
  const stopAll = (signal) => children.forEach((c) => c.exitCode === null && c.signalCode === null && c.kill(signal));
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.on(signal, () => {
      stopping = true;
      stopAll(signal);
    });
  }
  for (const [c, name] of [
    [child, 'the API'],
    [panel, 'the admin panel'],
  ]) {
    c.on('exit', (code, signal) => {
      // One ending by itself stops the other: say which, and why (the end of the log), and fail.
      if (!stopping) {
        stopping = true;
        exitCode = code || 1;
        process.stderr.write(`npm start: ${name} stopped (${signal ? `signal ${signal}` : `exit code ${code}`}); stopping the other.\n`);
        printLogTail();
      }
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

let tailPrinted = false;

/** What the servers said before they stopped: the end of the log (once). */
function printLogTail() {
  if (!logFile || tailPrinted) return;
  tailPrinted = true;
  const tail = readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-20).join('\n');
  if (tail) process.stderr.write(`The end of ${logFile}:\n${tail}\n`);
}

main().catch((error) => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
  process.stderr.write(`${error instanceof ConfigError ? error.message : `npm start failed: ${error.message}`}\n`);
  printLogTail();
  process.exit(1);
});
