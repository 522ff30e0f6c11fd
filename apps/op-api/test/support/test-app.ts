import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OpClient } from '@op/contracts/node';
import type { SignMethod } from '@op/contracts';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DataSource } from 'typeorm';
import { createApp } from '../../src/bootstrap';
import { loadConfig, type AppConfig } from '../../src/config/app-config';
import { ApiClientService } from '../../src/modules/access/api-client.service';
import { EasemobAppService } from '../../src/modules/access/easemob-app.service';
import { OperatorTokenService } from '../../src/modules/access/operator-token.service';
import { OperatorService } from '../../src/modules/access/operator.service';
import { ServiceAccountService } from '../../src/modules/access/service-account.service';
import { TenantService } from '../../src/modules/access/tenant.service';
import { ImportService } from '../../src/modules/importer/import.service';
import { createTestDatabase, type Engine, type SearchSetup, type TestDatabase } from './databases';
import { PrivateSphinx } from './private-sphinx';

export interface TestTenant {
  tenantId: string;
  clientId: string;
  secret: string;
  operatorId: string;
  token: string;
  /** The sign method of the tenant's client. */
  signMethod: SignMethod;
  /** A client for this tenant's operator, signing with the tenant's client. */
  client: OpClient;
}

/** An operator with a live token, and an OpClient that calls as them through a tenant's client. */
export interface TestOperator {
  operatorId: string;
  token: string;
  client: OpClient;
}

export interface TestOperatorOptions {
  /** Unique in the tenant; one is made up when omitted. */
  username?: string;
  role?: 'agent' | 'admin';
  password?: string;
  imUsername?: string;
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
  tenants: TenantService;
  clients: ApiClientService;
  operators: OperatorService;
  tokens: OperatorTokenService;
  easemobApps: EasemobAppService;
  serviceAccounts: ServiceAccountService;
  importer: ImportService;
  /** A tenant with a client, an operator (admin unless `role` says otherwise) and its token. */
  createTenant(options?: { signMethod?: SignMethod; role?: 'agent' | 'admin' }): Promise<TestTenant>;
  /** Another operator of a tenant, signed in (a one-hour token), calling through the tenant's client. */
  addOperator(
    tenant: Pick<TestTenant, 'tenantId' | 'clientId' | 'secret'> & { signMethod?: SignMethod },
    options?: TestOperatorOptions,
  ): Promise<TestOperator>;
  /** Imports §5 records given as objects; returns the import result. */
  importRecords(tenantId: string, records: object[]): ReturnType<ImportService['importLines']>;
  close(): Promise<void>;
}

/**
 * Starts the real API (same module, pipeline and migrations as production) on a fresh
 * database, or on `options.database`, which it then leaves for the caller to drop.
 */
export async function startTestApp(
  engine: Engine,
  env: Record<string, string> = {},
  options: { database?: TestDatabase } = {},
): Promise<TestApp> {
  const database = options.database ?? (await createTestDatabase(engine));
  const dataDir = mkdtempSync(join(tmpdir(), 'op-data-'));
  const config = {
    // No per-client rate limit unless a spec sets one (rate-limit.spec.ts): a spec's one client
    // makes over 200 calls a second on a fast machine and got 429s where it asserted answers.
    // Callbacks are journalled only after a minute unless a spec says otherwise: on a loaded
    // machine a store took over the default 2 s, the callback was answered "spooled", and a
    // spec that reads the message back at once found it missing (the drain came later).
    ...loadConfig(
      {
        OP_HOST_NAME: 'test-host',
        OP_WORKER_ID: '7',
        OP_LOG_LEVEL: 'silent',
        OP_RATE_LIMIT: '0',
        OP_SPOOL_AFTER_MS: '60000',
        ...env,
        OP_DATABASE_URL: database.url,
        OP_DATA_DIR: dataDir,
      },
      dataDir,
    ),
    database: database.config,
  };
  const app = await createApp(config, { logger: false });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.getHttpServer().address() as { port: number };
  const baseUrl = `http://127.0.0.1:${address.port}`;
  const tenants = app.get(TenantService);
  const clients = app.get(ApiClientService);
  const operators = app.get(OperatorService);
  const tokens = app.get(OperatorTokenService);
  const importer = app.get(ImportService);
  let counter = 0;
  const addOperator: TestApp['addOperator'] = async (tenant, options = {}) => {
    const { operatorId } = await operators.create({
      tenantId: tenant.tenantId,
      username: options.username ?? `op${++counter}`,
      role: options.role ?? 'agent',
      password: options.password,
      imUsername: options.imUsername,
    });
    const { token } = await tokens.issue(operatorId, 3600);
    const client = new OpClient({ baseUrl, clientId: tenant.clientId, secret: tenant.secret, token, signMethod: tenant.signMethod });
    return { operatorId, token, client };
  };
  return {
    engine,
    env,
    app,
    baseUrl,
    config,
    database,
    dataSource: app.get(DataSource),
    tenants,
    clients,
    operators,
    tokens,
    easemobApps: app.get(EasemobAppService),
    serviceAccounts: app.get(ServiceAccountService),
    importer,
    async createTenant(options = {}) {
      const { tenantId } = await tenants.create(`tenant-${++counter}`);
      const signMethod = options.signMethod ?? 'hmac-sha256';
      const { clientId, secret } = await clients.create(tenantId, signMethod);
      const { operatorId, token, client } = await addOperator(
        { tenantId, clientId, secret, signMethod },
        { role: options.role ?? 'admin' },
      );
      return { tenantId, clientId, secret, signMethod, operatorId, token, client };
    },
    addOperator,
    importRecords(tenantId, records) {
      return importer.importLines(
        tenantId,
        records.map((record) => JSON.stringify(record)),
      );
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
export async function startSearchApp(
  setup: SearchSetup,
  env: Record<string, string> = {},
  options: { database?: TestDatabase } = {},
): Promise<TestApp> {
  const sphinx = setup.search === 'sphinx' ? await PrivateSphinx.create(2) : null;
  try {
    const app = await startTestApp(
      setup.engine,
      { OP_SEARCH_ENGINE: setup.search, OP_SEARCH_SMALL_TENANT: '0', ...(sphinx?.env ?? {}), ...env },
      options,
    );
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
