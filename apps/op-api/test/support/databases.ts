import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDatabaseUrl, type DatabaseConfig } from '../../src/config/app-config';
import { mysqlQuery } from './processes';
import { acquireSpiderCluster, releaseSpiderCluster } from './spider';

/** `spider`: a MariaDB Spider front over two backends, the sharded deployment (issue 14). */
export type Engine = 'sqlite' | 'mariadb' | 'spider';

/** Both engines run every integration spec; neither may be skipped (CI=true fails on a missing one). */
export const ENGINES: Engine[] = ['sqlite', 'mariadb'];

/**
 * The specs of the message store (2.37 and its marks, favorites, positions, the chat lifecycle,
 * tenancy, the audit trail) run on the sharded deployment as well.
 */
export const STORE_ENGINES: Engine[] = [...ENGINES, 'spider'];

/** The server integration specs use; a database of its own is created per spec file. */
export const MYSQL_TEST_SERVER = process.env.OP_TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';

export interface TestDatabase {
  engine: Engine;
  config: DatabaseConfig;
  /** The OP_DATABASE_URL a child process would be given. */
  url: string;
  /** On `spider`, the backends' databases, where the message tables' rows are. */
  backendUrls?: string[];
  drop(): Promise<void>;
}

export async function createTestDatabase(engine: Engine): Promise<TestDatabase> {
  const name = `op_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  if (engine === 'sqlite') {
    const folder = mkdtempSync(join(tmpdir(), 'op-test-'));
    const url = `sqlite:${join(folder, `${name}.sqlite`)}`;
    return {
      engine,
      url,
      config: parseDatabaseUrl(url, folder),
      drop: async () => rmSync(folder, { recursive: true, force: true }),
    };
  }
  if (engine === 'spider') {
    const cluster = await acquireSpiderCluster();
    try {
      const { url, backendUrls } = await cluster.createDatabase(name);
      return {
        engine,
        url,
        backendUrls,
        config: parseDatabaseUrl(url, process.cwd()),
        drop: async () => {
          try {
            await cluster.dropDatabase(name);
          } finally {
            await releaseSpiderCluster();
          }
        },
      };
    } catch (error) {
      await releaseSpiderCluster();
      throw error;
    }
  }
  const url = `${MYSQL_TEST_SERVER.replace(/\/$/, '')}/${name}`;
  const config = parseDatabaseUrl(url, process.cwd());
  return {
    engine,
    url,
    config,
    drop: async () => {
      if (config.type === 'mysql') await mysqlQuery(MYSQL_TEST_SERVER, `DROP DATABASE IF EXISTS \`${config.database}\``);
    },
  };
}

export type SearchEngineUnderTest = 'fts5' | 'mroonga' | 'sphinx' | 'scan';

/** A database with a keyword search engine; every search spec runs on each. */
export interface SearchSetup {
  name: string;
  engine: Engine;
  search: SearchEngineUnderTest;
}

export const SEARCH_SETUPS: SearchSetup[] = [
  { name: 'sqlite + fts5', engine: 'sqlite', search: 'fts5' },
  { name: 'mariadb + mroonga', engine: 'mariadb', search: 'mroonga' },
  { name: 'mariadb + sphinx (2 nodes)', engine: 'mariadb', search: 'sphinx' },
  { name: 'sqlite + scan', engine: 'sqlite', search: 'scan' },
  { name: 'mariadb + scan', engine: 'mariadb', search: 'scan' },
  // The sharded store: the index lives on the Sphinx tier, the messages on Spider's backends.
  { name: 'spider + sphinx (2 nodes)', engine: 'spider', search: 'sphinx' },
];
