#!/usr/bin/env node
// What the tests need from the machine, made ready before they run: `npm test` runs this first
// and `.ci/run` runs it too (one copy of this logic). On a bare Debian machine run as root it
// installs what is missing with apt-get (Chromium and a Chinese font for the panel's browser
// tests, MariaDB with Mroonga, Sphinx's searchd, Redis) and starts MariaDB and Redis when they
// are down. Where it cannot (not root, no apt-get) it stops with the exact list to install:
// a test run never skips what it could not set up.
// Usage: node tools/scripts/test-setup.js (exit 0 when ready, 1 with a message on stderr)
const { spawnSync } = require('node:child_process');
const { existsSync, mkdirSync } = require('node:fs');

const CHROMIUM = process.env.OP_CHROMIUM_PATH ?? '/usr/lib/chromium/chromium';
const SEARCHD = process.env.OP_TEST_SEARCHD ?? '/usr/bin/searchd';
const MROONGA = '/usr/lib/mysql/plugin/ha_mroonga.so';
const SPIDER = '/usr/lib/mysql/plugin/ha_spider.so';
// OP_TEST_MYSQL_URL / OP_TEST_REDIS_URL point the specs elsewhere: then those servers are the caller's to run.
const LOCAL_MYSQL = !process.env.OP_TEST_MYSQL_URL;
const LOCAL_REDIS = !process.env.OP_TEST_REDIS_URL;

function log(message) {
  process.stderr.write(`test setup: ${message}\n`);
}

function fail(message) {
  process.stderr.write(`test setup: ${message}\n`);
  process.exit(1);
}

/** Runs a command quietly; true when it exits 0. */
function ok(command, args, options = {}) {
  const result = spawnSync(command, args, { stdio: 'ignore', timeout: 30_000, ...options });
  return result.status === 0;
}

function has(command) {
  return ok('sh', ['-c', `command -v ${command}`]);
}

function sleep(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function waitFor(check, seconds) {
  for (let i = 0; i < seconds; i++) {
    if (check()) return true;
    sleep(1000);
  }
  return check();
}

function chineseFont() {
  const result = spawnSync('fc-list', [':lang=zh'], { encoding: 'utf8' });
  return result.status === 0 && result.stdout.trim() !== '';
}

/** Debian packages for each missing piece, in the order a reader would install them. */
function missingPackages() {
  const missing = [];
  if (!existsSync(CHROMIUM)) missing.push('chromium');
  if (!chineseFont()) missing.push('fonts-wqy-zenhei');
  if (LOCAL_MYSQL && !existsSync('/usr/sbin/mariadbd')) missing.push('mariadb-server');
  if (!existsSync(MROONGA)) missing.push('mariadb-plugin-mroonga');
  // The sharded-store spec runs a Spider front of its own over two private backends.
  if (!existsSync(SPIDER)) missing.push('mariadb-plugin-spider');
  if (!existsSync(SEARCHD)) missing.push('sphinxsearch');
  // The two-process spec stops and starts a redis-server of its own, so the binary is needed
  // even when Redis runs elsewhere.
  if (!has('redis-server')) missing.push('redis-server');
  return missing;
}

function install(packages) {
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!root || !has('apt-get')) {
    fail(
      `missing: ${packages.join(', ')}.\n` +
        `  Install them (Debian/Ubuntu, as root): apt-get install -y ${packages.join(' ')}\n` +
        `  ${root ? 'apt-get is not available here' : 'Run `npm test` as root to have it install them, or install them yourself'}; the tests do not skip without them.`,
    );
  }
  log(`installing ${packages.join(' ')} (apt-get)`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const update = spawnSync('apt-get', ['update'], { stdio: ['ignore', 2, 2], env });
  const result = spawnSync('apt-get', ['install', '-y', '--no-install-recommends', ...packages], { stdio: ['ignore', 2, 2], env });
  if (update.status !== 0 || result.status !== 0) fail(`apt-get could not install ${packages.join(' ')}; install them and run again`);
  const still = missingPackages();
  if (still.length > 0) fail(`still missing after apt-get: ${still.join(', ')}`);
}

const mariadbUp = () => ok('mariadb-admin', ['ping']) || ok('mariadb-admin', ['-h', '127.0.0.1', '-P', '3306', '-u', 'root', 'ping']);
const rootOverTcp = () => ok('mariadb', ['-h', '127.0.0.1', '-P', '3306', '-u', 'root', '-e', 'SELECT 1']);

function ensureMariadb() {
  if (!mariadbUp()) {
    // mariadbd refuses to run as root: started as the mysql user (start-stop-daemon --user=mysql).
    log('starting MariaDB');
    mkdirSync('/run/mysqld', { recursive: true });
    ok('chown', ['mysql:mysql', '/run/mysqld']);
    ok('start-stop-daemon', ['--start', '--oknodo', '--background', '--exec', '/usr/sbin/mariadbd', '--', '--user=mysql']);
    if (!waitFor(mariadbUp, 60))
      fail('MariaDB did not start (try: start-stop-daemon --start --background --exec /usr/sbin/mariadbd -- --user=mysql)');
  }
  if (!rootOverTcp()) {
    // Root may only log in over the socket here: allow an empty password over TCP too.
    log('letting root log in to MariaDB over TCP');
    const sql = "ALTER USER root@localhost IDENTIFIED VIA mysql_native_password USING PASSWORD('') OR unix_socket;";
    if (!ok('mariadb', ['-u', 'root', '-e', sql]) || !rootOverTcp()) {
      fail(
        'MariaDB refuses root at 127.0.0.1:3306 with no password; allow it with\n  mariadb -u root -e "' +
          sql +
          '"\n  or set OP_TEST_MYSQL_URL to a server the tests may use',
      );
    }
  }
}

const redisUp = () => ok('redis-cli', ['-h', '127.0.0.1', '-p', '6379', 'ping']);

function ensureRedis() {
  if (redisUp()) return;
  log('starting Redis');
  mkdirSync('/var/lib/redis', { recursive: true });
  mkdirSync('/var/log/redis', { recursive: true });
  ok('redis-server', [
    '--daemonize',
    'yes',
    '--bind',
    '127.0.0.1',
    '-::1',
    '--port',
    '6379',
    '--save',
    '',
    '--appendonly',
    'no',
    '--dir',
    '/var/lib/redis',
    '--logfile',
    '/var/log/redis/test.log',
  ]);
  if (!waitFor(redisUp, 30)) fail('Redis did not start at 127.0.0.1:6379 (or set OP_TEST_REDIS_URL)');
}

function main() {
  const missing = missingPackages();
  if (missing.length > 0) install(missing);
  if (LOCAL_MYSQL) ensureMariadb();
  if (LOCAL_REDIS) ensureRedis();
}

main();
