import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AppConfig } from '../config/app-config';
import { migrate, openDataSource } from '../database/data-source';
import { ENTITIES } from '../entities';
import { sha256Hex } from '../common/util/random-id';
import { DEMO_FILE, type DemoCredentials } from '../modules/demo/demo-seed.service';
import { runOpctl } from './opctl';

/** The saved demo, if its tenant and token are still live in this database. */
async function liveDemo(config: AppConfig, file: string): Promise<DemoCredentials | null> {
  if (!existsSync(file)) return null;
  const demo = JSON.parse(readFileSync(file, 'utf8')) as DemoCredentials;
  const dataSource = await openDataSource(config.database, ENTITIES);
  try {
    await migrate(dataSource);
    const rows: unknown[] = await dataSource.query(
      'SELECT 1 FROM operator_tokens WHERE token_hash = ? AND tenant_id = ? AND revoke_time IS NULL AND expire_time > ?',
      [sha256Hex(demo.token), demo.tenantId, Date.now()],
    );
    return rows.length > 0 ? demo : null;
  } finally {
    await dataSource.destroy();
  }
}

/** Loads the demo data once per database and keeps its credentials in the data folder (0600). */
export async function ensureDemo(config: AppConfig, env: NodeJS.ProcessEnv = process.env): Promise<DemoCredentials> {
  const file = join(config.dataDir, DEMO_FILE);
  const existing = await liveDemo(config, file);
  if (existing) return existing;
  const demo = (await runOpctl(['seed:demo'], env)) as DemoCredentials;
  writeFileSync(file, JSON.stringify(demo, null, 2) + '\n', { mode: 0o600 });
  return demo;
}
