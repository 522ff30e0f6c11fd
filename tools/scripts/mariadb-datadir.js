// A fresh MariaDB data folder and the flags to run a server on it: the private servers of the
// tests (apps/op-api/test/support/private-mariadb.ts) and of the benchmarks
// (tools/bench/lib/private-mariadb.js), never the machine's shared one. Needs Debian's
// mariadb-server (mariadb-install-db, mariadbd) and root (the server runs as --user=mysql).
const { execFileSync } = require('node:child_process');
const { chmodSync, mkdirSync, mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

/**
 * A data folder made by `mariadb-install-db`, its bootstrap server kept off the shared server's
 * files: `--no-defaults` (the machine's my.cnf named the shared error log and /tmp as the
 * temporary directory, where the shared server keeps its temporary tables) and a temporary
 * directory of its own. With those shared, one install failed in CI and the shared server
 * crashed creating a temporary table (signal 11 in create_tmp_table_for_schema) while installs
 * ran beside it. What the install prints goes into the error; a failed attempt is logged and
 * tried once more in a fresh folder. Returns the folder (owned by mysql).
 */
function installDataDirectory({ prefix = 'op-mariadb', attempts = 2 } = {}) {
  for (let attempt = 1; ; attempt++) {
    const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
    chmodSync(dir, 0o755);
    mkdirSync(`${dir}/tmp`);
    execFileSync('chown', ['mysql:mysql', `${dir}/tmp`]);
    try {
      execFileSync(
        'mariadb-install-db',
        [
          '--no-defaults',
          '--user=mysql',
          `--datadir=${dir}/data`,
          `--tmpdir=${dir}/tmp`,
          '--auth-root-authentication-method=normal',
          '--skip-test-db',
        ],
        { stdio: 'pipe', encoding: 'utf8' },
      );
      execFileSync('chown', ['-R', 'mysql:mysql', dir]);
      return dir;
    } catch (error) {
      rmSync(dir, { recursive: true, force: true });
      const output = `mariadb-install-db failed (attempt ${attempt} of ${attempts}):\n${error.stdout ?? ''}${error.stderr ?? ''}`;
      if (attempt >= attempts) throw new Error(output);
      console.warn(output);
    }
  }
}

/** mariadbd's arguments for a server on `dir` at 127.0.0.1:`port`: root over TCP with no password. */
function serverArgs(dir, port, { bufferPool = '32M', extra = ['--skip-log-bin'] } = {}) {
  return [
    '--no-defaults',
    '--user=mysql',
    `--datadir=${dir}/data`,
    `--port=${port}`,
    `--socket=${dir}/sock`,
    '--bind-address=127.0.0.1',
    `--pid-file=${dir}/pid`,
    `--log-error=${dir}/error.log`,
    // Its temporary tables in its own folder, not the /tmp of the machine's shared server.
    `--tmpdir=${dir}/tmp`,
    `--innodb-buffer-pool-size=${bufferPool}`,
    ...extra,
  ];
}

module.exports = { installDataDirectory, serverArgs };
