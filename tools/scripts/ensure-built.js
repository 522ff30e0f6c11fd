// Builds the API (and the contracts library it needs) when its output is missing or older
// than any source file. Build output goes to stderr so `opctl` keeps stdout for its JSON.
const { spawnSync } = require('node:child_process');
const { existsSync, readdirSync, statSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..', '..');

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(path));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

function isStale(project, output) {
  const out = join(root, project, output);
  return !existsSync(out) || newestMtime(join(root, project, 'src')) > statSync(out).mtimeMs;
}

function ensureBuilt() {
  if (!existsSync(join(root, 'node_modules'))) {
    process.stderr.write('node_modules is missing: run `npm ci` first.\n');
    process.exit(1);
  }
  if (!isStale('libs/contracts', 'dist/index.js') && !isStale('apps/op-api', 'dist/main.js')) return;
  process.stderr.write('Building the API…\n');
  const result = spawnSync(process.execPath, [require.resolve('nx/bin/nx.js'), 'run', 'op-api:build', '--outputStyle=static'], {
    cwd: root,
    stdio: ['ignore', 2, 2],
    env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_SKIP_NX_CACHE: 'true' },
  });
  if (result.status !== 0) {
    process.stderr.write('The build failed.\n');
    process.exit(result.status ?? 1);
  }
}

/**
 * How node runs the API (`npm start`, `npm run api`, the benches; docker/api.Dockerfile says the
 * same). V8 sizes the young generation by the machine's memory: on 24 GiB it grew to 128 MB under
 * 32 connections of 2.37; capped at 16 MB semi-spaces the process peaked 65-70 MB lower at the
 * same throughput (8 MB cost 10-20 % of it). And V8 lets the old space grow up to four times
 * what was live at its last collection before it collects again: under load that was 120 MB of
 * mostly garbage; grown by half at most, the process peaked 70-120 MB lower at the same CPU per
 * call (a growth limit, not a cap: a call that needs more heap still gets it).
 * docs/operations.md, "Memory".
 */
const API_NODE_FLAGS = ['--max-semi-space-size=16', '--heap-growing-percent=50'];

/** node's arguments that start the built API. */
const apiArgs = () => [...API_NODE_FLAGS, join(root, 'apps/op-api/dist/main.js')];

module.exports = { API_NODE_FLAGS, apiArgs, ensureBuilt, root };
