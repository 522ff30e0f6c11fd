// The built API as the benchmark scripts drive it: in process (to load data through its own
// import path) and as a child process (sampled through /proc).
const { spawnSync } = require('node:child_process');
const { readFileSync } = require('node:fs');
const { join } = require('node:path');

/** The access module's services a bench drives: tenants, clients, operators and their tokens. */
function accessServices(dist, app) {
  const service = (file, name) => app.get(require(join(dist, 'modules/access', file))[name]);
  return {
    tenants: service('tenant.service.js', 'TenantService'),
    clients: service('api-client.service.js', 'ApiClientService'),
    operators: service('operator.service.js', 'OperatorService'),
    tokens: service('operator-token.service.js', 'OperatorTokenService'),
  };
}

/** The API's Nest app in this process on `env`, with its access and import services. */
async function openApp(dist, env, folder) {
  const { createApp } = require(join(dist, 'bootstrap.js'));
  const { loadConfig } = require(join(dist, 'config/app-config.js'));
  const { ImportService } = require(join(dist, 'modules/importer/import.service.js'));
  const app = await createApp(loadConfig({ ...env, OP_DATA_DIR: folder }, folder), { logger: false });
  return { app, access: accessServices(dist, app), importer: app.get(ImportService) };
}

/** A tenant with an API client and an admin operator whose IM name is `kefu01`. */
async function benchTenant(access, name, username = 'bench') {
  const { tenantId } = await access.tenants.create(name);
  const { clientId, secret } = await access.clients.create(tenantId);
  const { operatorId } = await access.operators.create({ tenantId, username, role: 'admin', imUsername: 'kefu01' });
  return { tenantId, clientId, secret, operatorId };
}

/** Resident memory of a process, in MB (0 once it is gone). */
function rssMb(pid) {
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8')
      .split('\n')
      .find((l) => l.startsWith('VmRSS:'));
    return Math.round(Number(line.split(/\s+/)[1]) / 1024);
  } catch {
    return 0;
  }
}

/** CPU seconds (user + system) a process has used so far: /proc/<pid>/stat, in clock ticks of 10 ms (0 once it is gone). */
function cpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/**
 * The local database server's process, when it runs on this machine (its CPU is reported too):
 * OP_BENCH_DATABASE_PID when set (a server of the bench's own), else the oldest, the machine's own.
 */
function findDatabasePid() {
  if (process.env.OP_BENCH_DATABASE_PID) return Number(process.env.OP_BENCH_DATABASE_PID);
  const found = spawnSync('pgrep', ['-o', '-x', 'mariadbd|mysqld'], { encoding: 'utf8' }).stdout.trim();
  return found ? Number(found) : null;
}
const DATABASE_PID = findDatabasePid();

module.exports = { accessServices, openApp, benchTenant, cpuSeconds, DATABASE_PID, rssMb };
