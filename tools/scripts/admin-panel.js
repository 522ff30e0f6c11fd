// The admin panel for `npm start`: its own API client on the demo tenant (created once, kept
// in the data folder, 0600), a build when the panel is missing or older than its sources,
// and the panel's server (apps/op-admin/serve.js over the `next build` output) as a child process.
const { spawn, spawnSync } = require('node:child_process');
const { existsSync, readdirSync, readFileSync, statSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { root } = require('./ensure-built');

const ADMIN_DIR = join(root, 'apps/op-admin');
const ADMIN_CLIENT_FILE = 'admin-client.json';

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(path));
    else newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/** The panel's client on the demo tenant: reused while the demo tenant is the same. */
async function ensureAdminClient(dataDir, demo, runOpctl) {
  const file = join(dataDir, ADMIN_CLIENT_FILE);
  if (existsSync(file)) {
    const saved = JSON.parse(readFileSync(file, 'utf8'));
    // A client made before it was marked as the panel's is replaced: the API would not trust its x-op-user-ip.
    if (saved.tenantId === demo.tenantId && saved.panel === true) return saved;
  }
  const created = await runOpctl(['client:create', '--tenant', demo.tenantId, '--panel']);
  const client = { tenantId: demo.tenantId, clientId: created.clientId, secret: created.secret, panel: true };
  writeFileSync(file, JSON.stringify(client, null, 2) + '\n', { mode: 0o600 });
  return client;
}

/** A build made in this checkout: `next build` writes its absolute folder into the output. */
function builtHere() {
  try {
    return JSON.parse(readFileSync(join(ADMIN_DIR, '.next', 'required-server-files.json'), 'utf8')).appDir === ADMIN_DIR;
  } catch {
    return false;
  }
}

function ensurePanelBuilt() {
  const buildId = join(ADMIN_DIR, '.next', 'BUILD_ID');
  const sources = Math.max(newestMtime(join(ADMIN_DIR, 'src')), newestMtime(join(root, 'libs/contracts/src')));
  const here = builtHere();
  if (existsSync(buildId) && statSync(buildId).mtimeMs > sources && here) return;
  process.stderr.write('Building the admin panel…\n');
  const result = spawnSync(
    process.execPath,
    [require.resolve('nx/bin/nx.js', { paths: [root] }), 'run', 'op-admin:build', '--outputStyle=static'],
    {
      cwd: root,
      stdio: ['ignore', 2, 2],
      // A build copied from another checkout (its paths in .next) is never restored again.
      env: {
        ...process.env,
        NX_DAEMON: 'false',
        NX_NO_CLOUD: 'true',
        NEXT_TELEMETRY_DISABLED: '1',
        ...(here ? {} : { NX_SKIP_NX_CACHE: 'true' }),
      },
    },
  );
  if (result.status !== 0) throw new Error('the admin panel build failed');
}

/** `log`: a file descriptor for the panel's output (default: this process's stderr). */
function startPanel({ port, apiUrl, client, mediaHosts, log = 2 }) {
  return spawn(process.execPath, [join(ADMIN_DIR, 'serve.js')], {
    cwd: ADMIN_DIR,
    stdio: ['ignore', log, log],
    env: {
      ...process.env,
      NODE_ENV: 'production',
      NEXT_TELEMETRY_DISABLED: '1',
      PORT: String(port),
      OP_ADMIN_LISTEN_HOST: '127.0.0.1',
      OP_ADMIN_API_URL: apiUrl,
      OP_ADMIN_CLIENT_ID: client.clientId,
      OP_ADMIN_CLIENT_SECRET: client.secret,
      // Thumbnails from the API's own Qiniu domain load inline; the operator may add hosts.
      OP_ADMIN_MEDIA_HOSTS: [process.env.OP_ADMIN_MEDIA_HOSTS, mediaHosts].filter(Boolean).join(','),
    },
  });
}

async function waitForPanel(url, child) {
  for (let i = 0; i < 1200; i++) {
    if (child.exitCode !== null) throw new Error('the admin panel exited during start-up');
    try {
      if ((await fetch(`${url}/login`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the admin panel did not start within 120 s');
}

module.exports = { ensureAdminClient, ensurePanelBuilt, startPanel, waitForPanel };
