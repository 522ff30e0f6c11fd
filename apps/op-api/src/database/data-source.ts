import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { DataSource, type DataSourceOptions } from 'typeorm';
import type { DatabaseConfig, MysqlDatabaseConfig } from '../config/app-config';
import { isMysql } from './dialect';
import { MIGRATIONS } from './migrations';
import { RoutedDataSource } from './read-replicas';
import { errorCode } from '../common/filters/error-envelope';

/**
 * The feature modules' TypeORM entities. The database layer imports no feature module: the
 * composition roots (AppModule, opctl) hand it the list, src/entities.ts.
 */
export type Entities = NonNullable<DataSourceOptions['entities']>;

export function dataSourceOptions(database: DatabaseConfig, entities: Entities): DataSourceOptions {
  const common = { entities, migrations: MIGRATIONS, synchronize: false, logging: false } as const;
  if (database.type === 'sqlite') {
    return {
      ...common,
      type: 'better-sqlite3',
      database: database.path,
      enableWAL: database.path !== ':memory:',
      timeout: 10_000,
    };
  }
  return {
    ...common,
    type: 'mysql',
    host: database.host,
    port: database.port,
    username: database.username,
    password: database.password,
    database: database.database,
    charset: 'utf8mb4',
    timezone: 'Z',
    supportBigNumbers: true,
    bigNumberStrings: true,
    connectTimeout: 5_000,
    // mysql2's per-query timeout: a server that accepts and never answers fails the query
    // (PROTOCOL_SEQUENCE_TIMEOUT, the connection dropped), which the filter answers with 503.
    enableQueryTimeout: true,
    maxQueryExecutionTime: database.queryTimeoutMs,
    poolSize: database.poolSize,
    // trace: false: mysql2 would capture a stack for every query (4 % of the API's CPU under
    // callbacks) only to decorate an error's stack.
    // maxPreparedStatements: mysql2 gives every connection a prepared-statement cache that
    // allocates its full size up front, 512 KB a connection at the default 16,000 (10 MB of
    // old space for a pool of 20), and TypeORM never prepares a statement (it calls query, not
    // execute).
    extra: {
      trace: false,
      connectionLimit: database.poolSize,
      waitForConnections: true,
      queueLimit: 1_000,
      enableKeepAlive: true,
      maxPreparedStatements: 16,
    },
  };
}

/** Runs `work` on a connection to the server of `database`, naming no database (it may not exist yet). */
export async function onServer<T>(database: MysqlDatabaseConfig, work: (query: <R>(sql: string) => Promise<R>) => Promise<T>): Promise<T> {
  const mysql = await import('mysql2/promise');
  const connection = await mysql.createConnection({
    host: database.host,
    port: database.port,
    user: database.username,
    password: database.password,
    connectTimeout: 5_000,
  });
  try {
    return await work(async <R>(sql: string) => (await connection.query(sql))[0] as R);
  } finally {
    await connection.end();
  }
}

/** Creates the MySQL database when missing, so a fresh server needs no manual step. */
function ensureMysqlDatabase(database: MysqlDatabaseConfig): Promise<unknown> {
  return onServer(database, (query) =>
    query(`CREATE DATABASE IF NOT EXISTS \`${database.database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`),
  );
}

/** A mysql2 pool connection, as much of it as {@link droppedOnTimeout} touches. */
interface PooledConnection {
  release(): void;
  destroy(): void;
  query(...args: unknown[]): unknown;
}

const DROPS_ON_TIMEOUT = Symbol('dropsOnTimeout');

/**
 * Makes a pool connection close itself when one of its queries times out. mysql2 answers the
 * query with PROTOCOL_SEQUENCE_TIMEOUT but leaves it running on the connection, which goes back
 * to the pool: the next query given that connection waited behind the hung one and never
 * started its own timer, so a call (a callback's registration lookup) could wait for ever on
 * a hung server. Closed, it leaves the pool, and the hung query with it.
 */
function droppedOnTimeout(connection: PooledConnection): PooledConnection {
  const marked = connection as PooledConnection & { [DROPS_ON_TIMEOUT]?: true };
  if (marked[DROPS_ON_TIMEOUT]) return connection;
  marked[DROPS_ON_TIMEOUT] = true;
  const query = connection.query.bind(connection);
  connection.query = (...args: unknown[]) => {
    const last = args.length - 1;
    const callback = args[last];
    if (typeof callback === 'function') {
      args[last] = (error: { code?: unknown } | null, ...results: unknown[]) => {
        if (error?.code === 'PROTOCOL_SEQUENCE_TIMEOUT') connection.destroy();
        return (callback as (...values: unknown[]) => unknown)(error, ...results);
      };
    }
    return query(...args);
  };
  return connection;
}

/** How long a failed connection keeps the database marked down: calls meanwhile fail at once. */
const DOWN_FOR_MS = 2_000;

/**
 * Bounds the wait for a MySQL connection, the one wait mysql2's query timeout does not cover:
 * a queued request waits at most `ms`; and once a connection could not be had (the server
 * accepts and never answers: every new connection waits out the connect timeout), the
 * database is taken as down for {@link DOWN_FOR_MS}, during which calls fail at once and one
 * probe at a time tries again. So a call on a hung server fails within about one timeout
 * (503 with Retry-After), however many database steps it has or how many calls queue up.
 */
function boundConnectionWaits(dataSource: DataSource, ms: number): void {
  const driver = dataSource.driver as unknown as { obtainMasterConnection(): Promise<PooledConnection> };
  const obtain = driver.obtainMasterConnection.bind(driver);
  let downUntil = 0;
  let probing = false;
  const unavailable = (reason: string) => Object.assign(new Error(`database unavailable: ${reason}`), { code: 'ETIMEDOUT' });
  driver.obtainMasterConnection = () => {
    const down = Date.now() < downUntil;
    if (down || (downUntil > 0 && probing)) return Promise.reject(unavailable('marked down'));
    const probe = downUntil > 0;
    if (probe) probing = true;
    return new Promise((resolve, reject) => {
      let late = false;
      const settle = (failed: boolean) => {
        clearTimeout(timer);
        if (probe) probing = false;
        if (failed) downUntil = Date.now() + DOWN_FOR_MS;
        else downUntil = 0;
      };
      const timer = setTimeout(() => {
        late = true;
        settle(true);
        reject(unavailable(`no connection within ${ms} ms`));
      }, ms);
      obtain().then(
        (connection) => {
          if (late) return connection.release(); // it came after we gave up: back to the pool
          settle(false);
          resolve(droppedOnTimeout(connection));
        },
        (error: Error) => {
          if (late) return;
          settle(true);
          reject(error);
        },
      );
    });
  };
}

type MasterConnections = { obtainMasterConnection(): Promise<unknown>; pool?: unknown };

const notConnected = () =>
  Promise.reject(Object.assign(new Error('database unavailable: not connected since the process started'), { code: 'ECONNREFUSED' }));

/**
 * The data source of a process that starts while its MySQL server cannot be reached: not yet
 * initialised, and every query fails at once as "database unavailable" (503, or a journalled
 * callback) until {@link connectLater} connects it.
 */
export function unconnectedDataSource(database: MysqlDatabaseConfig, entities: Entities): DataSource {
  const dataSource = new RoutedDataSource(dataSourceOptions(database, entities));
  const driver = dataSource.driver as unknown as MasterConnections;
  const obtain = driver.obtainMasterConnection.bind(driver);
  // Until the pool exists; connecting creates it first, so its own queries and any that come meanwhile go through.
  driver.obtainMasterConnection = () => (driver.pool ? obtain() : notConnected());
  return dataSource;
}

/** Connects a data source from {@link unconnectedDataSource} (creating the database when missing); throws while the server is away. */
export async function connectLater(dataSource: DataSource, database: MysqlDatabaseConfig): Promise<void> {
  await ensureMysqlDatabase(database);
  await dataSource.initialize();
  boundConnectionWaits(dataSource, database.queryTimeoutMs);
}

/**
 * A new SQLite file (customers' messages) is the service's user's alone, as the master key and
 * the callback journal beside it: its folder 0700 when created here, the file 0600 (SQLite gives
 * its -wal and -shm files the database's mode). An existing file keeps the mode it was given.
 */
function createPrivately(path: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  try {
    // Create only: an existing file is SQLite's to open (read-only, if that is all this user may).
    closeSync(openSync(path, 'wx', 0o600));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
}

/** Opens the configured database; the caller decides whether to run migrations. */
export async function openDataSource(database: DatabaseConfig, entities: Entities): Promise<DataSource> {
  if (database.type === 'sqlite' && database.path !== ':memory:') createPrivately(database.path);
  if (database.type === 'mysql') await ensureMysqlDatabase(database);
  const dataSource = await new RoutedDataSource(dataSourceOptions(database, entities)).initialize();
  if (database.type === 'mysql') boundConnectionWaits(dataSource, database.queryTimeoutMs);
  return dataSource;
}

/** Opens a replica of the primary for reads: the database is the replica's to have, and no migration runs there. */
export async function openReplica(database: MysqlDatabaseConfig, entities: Entities): Promise<DataSource> {
  const dataSource = new DataSource(dataSourceOptions(database, entities));
  await dataSource.initialize();
  boundConnectionWaits(dataSource, database.queryTimeoutMs);
  return dataSource;
}

/**
 * Applies pending migrations; returns the names applied. A migration may rightly run for
 * minutes (0004 counts every message), so on MySQL they run on a connection of their own
 * without the query timeout.
 */
export async function migrate(dataSource: DataSource): Promise<string[]> {
  if (!isMysql(dataSource)) {
    const release = await sqliteMigrationLock(String(dataSource.options.database));
    try {
      return (await dataSource.runMigrations({ transaction: 'each' })).map((migration) => migration.name);
    } finally {
      await release();
    }
  }
  const options: DataSourceOptions & { extra?: Record<string, unknown> } = dataSource.options;
  const migrator = await new DataSource({
    ...options,
    enableQueryTimeout: false,
    maxQueryExecutionTime: undefined,
    poolSize: 1,
    extra: { ...options.extra, connectionLimit: 1 },
  } as DataSourceOptions).initialize();
  try {
    // One process migrates a database at a time (the API starting beside `opctl migrate`, or
    // several API processes after an upgrade): the others wait, then find nothing pending. Each
    // had read the same pending list and all but one failed (`Table … already exists`), an API
    // process with a stack trace. The pool's one connection holds the lock for the whole run.
    const lock = (waitS: number) =>
      migrator
        .query<Array<{ locked: number | string | null }>>(`SELECT GET_LOCK(CONCAT('op_migrate_', MD5(DATABASE())), ${waitS}) AS locked`)
        .then(([{ locked }]) => Number(locked) === 1);
    if (!(await lock(0))) {
      // stderr: opctl's stdout is its one JSON answer.
      process.stderr.write('another process is applying migrations to this database: waiting for it\n');
      if (!(await lock(MIGRATION_LOCK_WAIT_S)))
        throw new Error(`another process has been migrating this database for ${MIGRATION_LOCK_WAIT_S} s`);
    }
    return (await migrator.runMigrations({ transaction: 'each' })).map((migration) => migration.name);
  } finally {
    await migrator.destroy();
  }
}

/**
 * SQLite's migrations one process at a time, as GET_LOCK makes MySQL's: an exclusive
 * transaction held on a file of its own beside the database (`<file>.migrate-lock`; SQLite's
 * file lock, freed by the system if the process dies). On the database itself it would block
 * the migrations it guards. Before, the API starting beside `opctl migrate` read the same
 * pending list and one of them failed with `table … already exists`.
 */
async function sqliteMigrationLock(path: string): Promise<() => Promise<void>> {
  if (path === ':memory:') return () => Promise.resolve();
  createPrivately(`${path}.migrate-lock`);
  const lock = await new DataSource({ type: 'better-sqlite3', database: `${path}.migrate-lock`, timeout: 0 }).initialize();
  const deadline = Date.now() + MIGRATION_LOCK_WAIT_S * 1000;
  for (let said = false; ;) {
    try {
      await lock.query('BEGIN EXCLUSIVE');
      break;
    } catch (error) {
      if (errorCode(error)?.startsWith('SQLITE_BUSY') !== true || Date.now() > deadline) {
        await lock.destroy();
        throw error;
      }
      if (!said) process.stderr.write('another process is applying migrations to this database: waiting for it\n');
      said = true;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  return async () => {
    await lock.query('COMMIT').catch(() => undefined);
    await lock.destroy();
  };
}

/** Seconds a process waits for another's migrations at most (0004 counted every message of a database for minutes). */
const MIGRATION_LOCK_WAIT_S = 3_600;
