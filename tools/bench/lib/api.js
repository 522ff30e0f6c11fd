// The built API as the benchmark scripts drive it: in process (to load data through its own
// import path) and as a child process (sampled through /proc).
const { readFileSync } = require('node:fs');
const { join } = require('node:path');

/** The API's Nest app in this process on `env`, with its access and import services. */
async function openApp(dist, env, folder) {
  const { createApp } = require(join(dist, 'bootstrap.js'));
  const { loadConfig } = require(join(dist, 'config/app-config.js'));
  const { AccessService } = require(join(dist, 'modules/access/access.service.js'));
  const { ImportService } = require(join(dist, 'modules/importer/import.service.js'));
  const app = await createApp(loadConfig({ ...env, OP_DATA_DIR: folder }, folder), { logger: false });
  return { app, access: app.get(AccessService), importer: app.get(ImportService) };
}

/** A tenant with an API client and an admin operator whose IM name is `kefu01`. */
async function benchTenant(access, name) {
  const { tenantId } = await access.createTenant(name);
  const { clientId, secret } = await access.createClient(tenantId);
  const { operatorId } = await access.createOperator({ tenantId, username: 'bench', role: 'admin', imUsername: 'kefu01' });
  return { tenantId, clientId, secret, operatorId };
}

/** Resident memory of a process, in MB (0 once it is gone). */
function rssMb(pid) {
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
    return Math.round(Number(line.split(/\s+/)[1]) / 1024);
  } catch {
    return 0;
  }
}

module.exports = { openApp, benchTenant, rssMb };
