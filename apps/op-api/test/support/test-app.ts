import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OpClient } from '@op/contracts/node';
import type { SignMethod } from '@op/contracts';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DataSource } from 'typeorm';
import { createApp } from '../../src/bootstrap';
import { loadConfig, type AppConfig } from '../../src/config/app-config';
import { AccessService } from '../../src/modules/access/access.service';
import { ImportService } from '../../src/modules/importer/import.service';
import { createTestDatabase, type Engine, type SearchSetup, type TestDatabase } from './databases';
import { PrivateSphinx } from './private-sphinx';

export interface TestTenant {
  tenantId: string;
  clientId: string;
  secret: string;
  operatorId: string;
  token: string;
  /** A client for this tenant's operator, signing with the tenant's client. */
  client: OpClient;
}

export interface TestApp {
  engine: Engine;
  /** The environment the app was started with beyond the defaults (what a CLI run next to it needs). */
  env: Record<string, string>;
  app: NestFastifyApplication;
  baseUrl: string;
  config: AppConfig;
  database: TestDatabase;
  dataSource: DataSource;
  access: AccessService;
  importer: ImportService;
  createTenant(options?: { signMethod?: SignMethod; role?: 'agent' | 'admin' }): Promise<TestTenant>;
  /** Imports §5 records given as objects; returns the import result. */
  importRecords(tenantId: string, records: object[]): ReturnType<ImportService['importLines']>;
  close(): Promise<void>;
}

/**
 * Starts the real API (same module, pipeline and migrations as production) on a fresh
 * database, or on `options.database`, which it then leaves for the caller to drop.
 */
export async function startTestApp(engine: Engine, env: Record<string, string> = {}, options: { database?: TestDatabase } = {}): Promise<TestApp> {
  const database = options.database ?? (await createTestDatabase(engine));
  const dataDir = mkdtempSync(join(tmpdir(), 'op-data-'));
  const config = {
    // No per-client rate limit unless a spec sets one (rate-limit.spec.ts): a spec's one client
    // makes over 200 calls a second on a fast machine and got 429s where it asserted answers.
    // Callbacks are journalled only after a minute unless a spec says otherwise: on a loaded
    // machine a store took over the default 2 s, the callback was answered "spooled", and a
    // spec that reads the message back at once found it missing (the drain came later).
    ...loadConfig(
      { OP_HOST_NAME: 'test-host', OP_WORKER_ID: '7', OP_LOG_LEVEL: 'silent', OP_RATE_LIMIT: '0', OP_SPOOL_AFTER_MS: '60000', ...env, OP_DATA_DIR: dataDir },
      dataDir,
    ),
    database: database.config,
  };
  const app = await createApp(config, { logger: false });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.getHttpServer().address() as { port: number };
  const baseUrl = `http://127.0.0.1:${address.port}`;
  const access = app.get(AccessService);
  const importer = app.get(ImportService);
  let counter = 0;
  return {
    engine,
    env,
    app,
    baseUrl,
    config,
    database,
    dataSource: app.get(DataSource),
    access,
    importer,
    async createTenant(options = {}) {
      const { tenantId } = await access.createTenant(`tenant-${++counter}`);
      const { clientId, secret } = await access.createClient(tenantId, options.signMethod ?? 'hmac-sha256');
      const { operatorId } = await access.createOperator({ tenantId, username: `op${counter}`, role: options.role ?? 'admin' });
      const { token } = await access.issueToken(operatorId, 3600);
      const client = new OpClient({ baseUrl, clientId, secret, token, signMethod: options.signMethod });
      return { tenantId, clientId, secret, operatorId, token, client };
    },
    importRecords(tenantId, records) {
      return importer.importLines(tenantId, records.map((record) => JSON.stringify(record)));
    },
    async close() {
      await app.close();
      if (!options.database) await database.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * The API on a fresh database with the setup's keyword engine (a private two-node Sphinx tier
 * for `sphinx`). The specs' tenants are tiny: OP_SEARCH_SMALL_TENANT=0 keeps them on the engine.
 */
export async function startSearchApp(setup: SearchSetup, env: Record<string, string> = {}, options: { database?: TestDatabase } = {}): Promise<TestApp> {
  const sphinx = setup.search === 'sphinx' ? await PrivateSphinx.create(2) : null;
  try {
    const app = await startTestApp(setup.engine, { OP_SEARCH_ENGINE: setup.search, OP_SEARCH_SMALL_TENANT: '0', ...(sphinx?.env ?? {}), ...env }, options);
    const close = app.close.bind(app);
    return {
      ...app,
      async close() {
        await close();
        await sphinx?.destroy();
      },
    };
  } catch (error) {
    await sphinx?.destroy();
    throw error;
  }
}
