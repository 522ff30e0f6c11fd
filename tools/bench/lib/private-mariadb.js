// A MariaDB server of the benchmark's own (never the machine's shared one): a fresh data folder,
// a free port, root over TCP with no password. Needs mariadb-install-db and mariadbd (Debian's
// mariadb-server) and root (mariadbd runs as --user=mysql).
const { spawn } = require('node:child_process');
const { rmSync } = require('node:fs');
const { createServer } = require('node:net');
const mysql = require('mysql2/promise');
const { installDataDirectory, serverArgs } = require('../../scripts/mariadb-datadir');

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
  const dir = installDataDirectory({ prefix: name });
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
      child = spawn('/usr/sbin/mariadbd', serverArgs(dir, port, { bufferPool, extra: args }), { stdio: 'ignore' });
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
