// A MariaDB server of the benchmark's own (never the machine's shared one): a fresh data folder,
// a free port, root over TCP with no password. Needs mariadb-install-db and mariadbd (Debian's
// mariadb-server) and root (mariadbd runs as --user=mysql).
const { execFileSync, spawn } = require('node:child_process');
const { chmodSync, mkdirSync, mkdtempSync, rmSync } = require('node:fs');
const { createServer } = require('node:net');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const mysql = require('mysql2/promise');

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function freePort() {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** `args` replace `--skip-log-bin` (a primary gives `--log-bin`, `--server-id`, …). */
async function privateMariaDb({ args = ['--skip-log-bin'], bufferPool = '64M', name = 'op-mariadb' } = {}) {
  const dir = mkdtempSync(join(tmpdir(), `${name}-`));
  chmodSync(dir, 0o755);
  // Off the shared server's files: no my.cnf (its error log, /tmp for temporary tables), a
  // temporary directory of its own (as the tests' private servers: test/support/private-mariadb.ts).
  mkdirSync(`${dir}/tmp`);
  execFileSync('chown', ['mysql:mysql', `${dir}/tmp`]);
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
    { stdio: 'ignore' },
  );
  execFileSync('chown', ['-R', 'mysql:mysql', dir]);
  const port = await freePort();
  let child = null;
  const db = {
    dir,
    port,
    url: `mysql://root@127.0.0.1:${port}`,
    get pid() {
      return child?.pid ?? null;
    },
    connect: (options = {}) => mysql.createConnection({ host: '127.0.0.1', port, user: 'root', ...options }),
    async start() {
      child = spawn(
        '/usr/sbin/mariadbd',
        [
          '--no-defaults',
          '--user=mysql',
          `--datadir=${dir}/data`,
          `--port=${port}`,
          `--socket=${dir}/sock`,
          '--bind-address=127.0.0.1',
          `--pid-file=${dir}/pid`,
          `--tmpdir=${dir}`,
          `--innodb-buffer-pool-size=${bufferPool}`,
          ...args,
        ],
        { stdio: 'ignore' },
      );
      for (let i = 0; ; i++) {
        try {
          await (await db.connect()).end();
          return;
        } catch (error) {
          if (i > 300) throw error;
          await sleep(100);
        }
      }
    },
    stop() {
      const running = child;
      child = null;
      if (!running || running.exitCode !== null) return Promise.resolve();
      return new Promise((resolve) => {
        running.once('exit', resolve);
        running.kill('SIGTERM');
      });
    },
    async destroy() {
      await db.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await db.start();
  return db;
}

module.exports = { privateMariaDb, freePort, sleep };
