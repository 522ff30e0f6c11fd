#!/usr/bin/env node
// `npm test`: make the machine ready (tools/scripts/test-setup.js: Chromium, fonts, MariaDB,
// Redis, installed or started when missing), lint and build every project, then run every spec (unit, integration on SQLite
// and MariaDB, HTTP end to end). Arguments after `--` go to Jest.
const { spawnSync } = require('node:child_process');
const { join } = require('node:path');

const root = join(__dirname, '..', '..');
const env = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NEXT_TELEMETRY_DISABLED: '1' };

function run(args) {
  const result = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit', env });
  return result.status ?? 1;
}

if (run([join(__dirname, 'test-setup.js')]) !== 0) process.exit(1);
const nx = require.resolve('nx/bin/nx.js', { paths: [root] });
if (run([nx, 'run-many', '-t', 'lint', 'build', '--outputStyle=static']) !== 0) {
  process.stderr.write('lint or build failed\n');
  process.exit(1);
}
const jest = join(root, 'node_modules', 'jest', 'bin', 'jest.js');
// --forceExit: a handle some spec leaked (a child's pipe, a timer) must not hold the finished
// run open until CI's clock runs out, as it once did for 80 minutes after the summary.
// --maxWorkers=2: jest's default on 2 cores is one worker, and most specs wait on databases,
// servers and a browser rather than on the CPU; two spec files at a time fit the 15 minutes.
process.exit(run([jest, '--ci', '--forceExit', '--maxWorkers=2', ...process.argv.slice(2)]));
