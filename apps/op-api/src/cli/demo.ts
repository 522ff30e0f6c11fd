import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AppConfig } from '../config/app-config';
import { migrate, openDataSource } from '../database/data-source';
import { DAY_MS } from '../database/message-days';
import { ENTITIES } from '../entities';
import { sha256Hex } from '../common/util/random-id';
import { DEMO_FILE, DEMO_TOKEN_TTL_SECONDS, type DemoCredentials } from '../modules/demo/demo-seed.service';
import { runOpctl } from './opctl';

/**
 * The saved demo, if its tenant and admin are still in this database: with a new token when its
 * own was revoked or has expired (`token:revoke`, or 30 days on), and a new client when its client
 * was revoked. Seeding again instead made a second demo tenant, and the panel lost the marks and
 * favorites made in the first.
 */
async function liveDemo(config: AppConfig, file: string, env: NodeJS.ProcessEnv): Promise<DemoCredentials | null> {
  if (!existsSync(file)) return null;
  const demo = JSON.parse(readFileSync(file, 'utf8')) as DemoCredentials;
  const dataSource = await openDataSource(config.database, ENTITIES);
  let state: { operatorId: string; tokenLive: boolean; clientLive: boolean };
  try {
    await migrate(dataSource);
    const [admin]: Array<{ id: string }> = await dataSource.query('SELECT id FROM operators WHERE tenant_id = ? AND username = ?', [
      demo.tenantId,
      demo.username,
    ]);
    if (!admin) return null;
    const found = async (sql: string, params: unknown[]) => (await dataSource.query<unknown[]>(sql, params)).length > 0;
    state = {
      operatorId: String(admin.id),
      tokenLive: await found(
        'SELECT 1 FROM operator_tokens WHERE token_hash = ? AND tenant_id = ? AND revoke_time IS NULL AND expire_time > ?',
        // One that ends within a day is renewed now, not in the middle of someone's session.
        [sha256Hex(demo.token), demo.tenantId, Date.now() + DAY_MS],
      ),
      clientLive: await found('SELECT 1 FROM api_clients WHERE id = ? AND tenant_id = ? AND revoke_time IS NULL', [
        demo.clientId,
        demo.tenantId,
      ]),
    };
  } finally {
    await dataSource.destroy();
  }
  if (state.tokenLive && state.clientLive) return demo;
  const renewed = { ...demo };
  if (!state.tokenLive) {
    const issued = (await runOpctl(['token:issue', '--operator', state.operatorId, '--ttl', String(DEMO_TOKEN_TTL_SECONDS)], env)) as {
      token: string;
    };
    renewed.token = issued.token;
  }
  if (!state.clientLive) {
    const client = (await runOpctl(['client:create', '--tenant', demo.tenantId, '--sign-method', 'hmac-sha256'], env)) as {
      clientId: string;
      secret: string;
    };
    Object.assign(renewed, { clientId: client.clientId, secret: client.secret });
  }
  save(file, renewed);
  return renewed;
}

const save = (file: string, demo: DemoCredentials) => writeFileSync(file, JSON.stringify(demo, null, 2) + '\n', { mode: 0o600 });

/** Loads the demo data once per database and keeps its credentials in the data folder (0600). */
export async function ensureDemo(config: AppConfig, env: NodeJS.ProcessEnv = process.env): Promise<DemoCredentials> {
  const file = join(config.dataDir, DEMO_FILE);
  const existing = await liveDemo(config, file, env);
  if (existing) return existing;
  const demo = (await runOpctl(['seed:demo'], env)) as DemoCredentials;
  save(file, demo);
  return demo;
}
