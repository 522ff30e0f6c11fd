import type { DataSource } from 'typeorm';
import { parseDatabaseUrl, type DatabaseConfig, type MysqlDatabaseConfig } from '../config/app-config';
import { OpError } from '../common/errors/op-error';
import { Logger } from '@nestjs/common';
import { codeOrName } from '../common/filters/error-envelope';
import { within } from '../common/util/within';
import { migrate, onServer, openDataSource } from './data-source';
import { MIGRATIONS } from './migrations';
import { isSpiderTable, type CountRow } from './sql';
import { groupBy } from '../common/util/group-by';

/**
 * The tables that grow with a tenant's messages: on a Spider front they live on the backends,
 * each tenant's rows on one backend (PARTITION BY KEY (tenant_id)). Every other table (tenants,
 * clients, operators, tokens, the search side, the job and heartbeat rows) stays on the front
 * as a plain InnoDB table.
 */
export const SHARDED_TABLES = [
  'messages',
  'chats',
  'chat_message_days',
  'chat_open',
  'message_marks',
  'message_favorites',
  'message_recalls',
  'erased_messages',
  'audit_logs',
  'easemob_callback_ids',
] as const;

/**
 * Tables whose upserts go to the backend whole (Spider's `ddi 1`). Spider's own way (read the
 * row, then update it or insert) sent the rows after an updated one with the insert's column
 * list but every column's value (10.11.19: "Column count doesn't match value count"), so a batch
 * upsert of chats, which names 7 of its 10 columns, failed. Not for every table: sent whole, an
 * INSERT IGNORE reports no affected rows, and the store counts those (a callback id claimed, a
 * message stored). The chats' upsert needs no count.
 */
const DIRECT_UPSERT = new Set<string>(['chats']);

export interface ShardReport {
  backends: string[];
  /** Per backend, the migrations this run applied there. */
  migrated: string[][];
  /** Tables turned into Spider tables by this run (rows already there moved to the backends). */
  sharded: { table: string; movedRows: number }[];
  /** Tables that already were Spider tables. */
  alreadySharded: string[];
}

/** Backend `i`'s server name on the front: one per front database, so two fronts never share one. */
function serverName(front: MysqlDatabaseConfig, index: number): string {
  return `${serverPrefix(front)}${index}`;
}

const serverPrefix = (front: MysqlDatabaseConfig) => `${front.database}_shard`;

const logger = new Logger('Shards');

/**
 * A string literal for CREATE SERVER: a quote doubled, which reads the same whether or not the
 * front's sql_mode has NO_BACKSLASH_ESCAPES; a backslash would not, so backends are refused one.
 */
const quoteString = (text: string) => `'${text.replace(/'/g, "''")}'`;

/** `host:port/database`: a backend as the front records it and reports name it. */
const placeOf = (backend: MysqlDatabaseConfig) => `${backend.host}:${backend.port}/${backend.database}`;

/**
 * The front and backends `shard:setup` was given, checked before anything is opened (a refused
 * run leaves no database or file behind): a mysql:// front, two or more distinct mysql://
 * backends without a backslash.
 */
export function shardBackends(
  front: DatabaseConfig,
  backendUrls: readonly string[],
): { front: MysqlDatabaseConfig; backends: MysqlDatabaseConfig[] } {
  if (front.type !== 'mysql') throw OpError.badRequest('shard:setup 需要 OP_DATABASE_URL 指向 Spider 前端（mysql://）');
  if (backendUrls.length < 2) throw OpError.badRequest('--backends 至少需要两个后端（逗号分隔的 mysql:// 地址）');
  const backends = backendUrls.map((url, i) => {
    const config = parseDatabaseUrl(url.trim(), process.cwd(), `--backends 第 ${i + 1} 个地址`);
    if (config.type !== 'mysql') throw OpError.badRequest('--backends 只能是 mysql:// 地址');
    if ([config.host, config.username, config.password, config.database].some((part) => part.includes('\\'))) {
      throw OpError.badRequest(`--backends 第 ${i + 1} 个地址不能包含反斜杠（\\）`);
    }
    return config;
  });
  const places = backends.map(placeOf);
  if (new Set(places).size !== places.length) throw OpError.badRequest('--backends 中有重复的后端');
  return { front, backends };
}

/**
 * Makes the front database (OP_DATABASE_URL), whose server {@link requireSpiderServer} found running
 * Spider, a front over `backends` ({@link shardBackends}): migrates every
 * backend, then the front, declares each backend as a server, and turns each of {@link SHARDED_TABLES}
 * into a Spider table partitioned by tenant over them. Idempotent: run it again after an upgrade
 * and it migrates the backends; tables already on Spider stay as they are (a migration that
 * alters one alters the front's definition; the backends get the same migration here).
 *
 * A partitioned table needs its partition column in every unique key, so on the front a primary
 * or unique key without `tenant_id` gets it appended; the backends keep the keys as migrated and
 * enforce them (every such key is already unique within a tenant, the unit of placement).
 */
export async function shardOnSpider(
  front: DataSource,
  { front: frontConfig, backends }: ReturnType<typeof shardBackends>,
): Promise<ShardReport> {
  const places = backends.map(placeOf);
  await sameBackendsAsBefore(front, frontConfig, places);
  // The backends first, then the front: a front ahead of its backends would send queries they
  // cannot answer.
  const migrated: string[][] = [];
  for (const backend of backends) {
    const source = await openDataSource(backend, []); // migrations need no entities
    try {
      migrated.push(await migrate(source));
    } finally {
      await source.destroy();
    }
  }
  await migrate(front);
  for (const [i, backend] of backends.entries()) {
    const options = [
      `HOST ${quoteString(backend.host)}`,
      `PORT ${backend.port}`,
      `USER ${quoteString(backend.username)}`,
      `PASSWORD ${quoteString(backend.password)}`,
      `DATABASE ${quoteString(backend.database)}`,
    ];
    await front.query(`CREATE OR REPLACE SERVER ${serverName(frontConfig, i)} FOREIGN DATA WRAPPER mysql OPTIONS (${options.join(', ')})`);
  }
  await mirrorBackendMigrations(front, frontConfig, backends.length);
  const report: ShardReport = {
    backends: places,
    migrated,
    sharded: [],
    alreadySharded: [],
  };
  for (const table of SHARDED_TABLES) {
    if (await isSpiderTable(front, table)) {
      report.alreadySharded.push(table);
      continue;
    }
    report.sharded.push({ table, movedRows: await moveToBackends(front, table, frontConfig, backends.length) });
  }
  return report;
}

/** The front's view of backend `i`'s `migrations` table (a Spider table of one backend). */
const MIRROR = 'shard_migrations_';
/** A LIKE pattern for the names starting with `prefix`, read literally (`_` and `%` included). */
const startingWith = (prefix: string) => `${prefix.replace(/[\\%_]/g, '\\$&')}%`;
const MIRRORS_LIKE = startingWith(MIRROR);

/**
 * Gives the front a view of each backend's `migrations` table, so the API can tell at start
 * whether every backend has every migration the front has ({@link unmigratedBackends}).
 */
async function mirrorBackendMigrations(front: DataSource, frontConfig: MysqlDatabaseConfig, backendCount: number): Promise<void> {
  for (const table of await mirrors(front)) {
    if (Number(table.slice(MIRROR.length)) >= backendCount) await front.query(`DROP TABLE \`${table}\``);
  }
  for (let i = 0; i < backendCount; i++) {
    await front.query(
      `CREATE OR REPLACE TABLE \`${MIRROR}${i}\` (id INT NOT NULL, timestamp BIGINT NOT NULL, name VARCHAR(255) NOT NULL, PRIMARY KEY (id)) ` +
        `ENGINE = SPIDER COMMENT = 'wrapper "mysql", srv "${serverName(frontConfig, i)}", table "migrations"'`,
    );
  }
}

async function mirrors(front: DataSource): Promise<string[]> {
  const rows = await front.query<{ name: string }[]>(
    'SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME LIKE ?',
    [MIRRORS_LIKE],
  );
  return rows.map((row) => row.name);
}

/** The name TypeORM records for each migration this build carries, oldest first. */
const KNOWN_MIGRATIONS = MIGRATIONS.map((migration) => new migration().name ?? migration.name);

/**
 * On a Spider front, each backend (1, 2, …) lacking a migration this build carries, with the
 * first one it lacks; empty anywhere else (one cheap query). A backend that cannot be read now
 * is not judged here: a warning, and the caller goes on.
 */
export async function unmigratedBackends(front: DataSource): Promise<{ backend: number; missing: string }[]> {
  if (front.options.type !== 'mysql') return [];
  const behind: { backend: number; missing: string }[] = [];
  for (const table of (await mirrors(front)).sort()) {
    const backend = Number(table.slice(MIRROR.length)) + 1;
    let there: Set<string>;
    try {
      there = new Set((await front.query<{ name: string }[]>(`SELECT name FROM \`${table}\``)).map((row) => row.name));
    } catch (error) {
      logger.warn(`shard backend ${backend} cannot be read to check its migrations (${codeOrName(error)})`);
      continue;
    }
    const missing = KNOWN_MIGRATIONS.find((name) => !there.has(name));
    if (missing) behind.push({ backend, missing });
  }
  return behind;
}

export interface BackendState {
  /** 1, 2, …: as `shard:setup` lists them. */
  backend: number;
  up: boolean;
}

/**
 * On a Spider front, whether each backend answers now: asked for a row of its migrations
 * through the front (a table that reaches that backend alone), within `timeoutMs` (Spider
 * retries a refused backend for seconds). Empty anywhere else.
 */
export async function backendStates(front: DataSource, timeoutMs: number): Promise<BackendState[]> {
  if (front.options.type !== 'mysql') return [];
  const states = await Promise.all(
    (await mirrors(front)).map(async (table) => ({
      backend: Number(table.slice(MIRROR.length)) + 1,
      up: await within(front.query(`SELECT 1 FROM \`${table}\` LIMIT 1`), timeoutMs).then(
        () => true,
        () => false,
      ),
    })),
  );
  return states.sort((x, y) => x.backend - y.backend);
}

/** A Spider front whose backends lack a migration: the start stops, or waits for `shard:setup`. */
export class ShardsBehindError extends Error {
  override readonly name = 'ShardsBehindError';
}

/**
 * Applies the front's pending migrations, once every backend has each migration this build
 * carries: an upgrade that reached the front first would change the front's tables for queries
 * the backends cannot answer. Anywhere but a Spider front, `migrate` and one cheap query.
 */
export async function migrateFront(front: DataSource): Promise<string[]> {
  const behind = await unmigratedBackends(front);
  if (behind.length > 0) {
    const list = behind.map(({ backend, missing }) => `backend ${backend} lacks ${missing}`).join('; ');
    throw new ShardsBehindError(`the shards are behind this version (${list}): run \`opctl shard:setup --backends …\` first`);
  }
  return migrate(front);
}

/**
 * Refuses a backend list that differs from the one the front's tables were sharded over (other
 * backends, another order, more or fewer): each backend is a partition, so a tenant's rows would
 * be looked for on the wrong one. Moving tenants between backends is not what this command does.
 */
async function sameBackendsAsBefore(front: DataSource, frontConfig: MysqlDatabaseConfig, places: string[]): Promise<void> {
  const sharded = await front.query<{ n: number | string }[]>(
    "SELECT COUNT(*) AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND ENGINE = 'SPIDER' AND TABLE_NAME NOT LIKE ?",
    [MIRRORS_LIKE],
  );
  if (Number(sharded[0].n) === 0) return;
  const servers = await front.query<{ name: string; host: string; port: number; db: string }[]>(
    'SELECT Server_name AS name, Host AS host, Port AS port, Db AS db FROM mysql.servers WHERE Server_name LIKE ?',
    [startingWith(serverPrefix(frontConfig))],
  );
  const before = servers
    .map((server) => ({
      index: Number(server.name.slice(serverPrefix(frontConfig).length)),
      place: `${server.host}:${server.port}/${server.db}`,
    }))
    .sort((a, b) => a.index - b.index)
    .map((server) => server.place);
  if (before.join(',') !== places.join(',')) {
    throw OpError.conflict(`--backends 与已分片时的后端不同（原为 ${before.join(', ')}，须同样的后端、同样的顺序）`);
  }
}

const count = async (front: DataSource, table: string): Promise<number> =>
  Number((await front.query<CountRow[]>(`SELECT COUNT(*) AS n FROM \`${table}\``))[0].n);

/**
 * Turns the front's plain `table` into a Spider table over the backends, its rows (if any)
 * copied there: a Spider table of another name is made beside it, filled from it and checked
 * by count, then the two swap names in one RENAME and the plain one is dropped. (An ALTER TABLE
 * to ENGINE=SPIDER keeps no rows: checked on 10.11.19.) The API must not write meanwhile.
 */
async function moveToBackends(front: DataSource, table: string, frontConfig: MysqlDatabaseConfig, backendCount: number): Promise<number> {
  const next = `${table}__spider`;
  const old = `${table}__unsharded`;
  await front.query(`DROP TABLE IF EXISTS \`${next}\``); // left by a run that stopped: it holds no rows of its own
  await front.query(`CREATE TABLE \`${next}\` LIKE \`${table}\``);
  const keys = await keysWithTenant(front, next);
  if (keys.length > 0) await front.query(`ALTER TABLE \`${next}\` ${keys.join(', ')}`);
  const partitions = Array.from({ length: backendCount }, (_, i) => `PARTITION p${i} COMMENT = 'srv "${serverName(frontConfig, i)}"'`);
  await front.query(
    `ALTER TABLE \`${next}\` ENGINE = SPIDER COMMENT = 'wrapper "mysql", table "${table}"${DIRECT_UPSERT.has(table) ? ', ddi "1"' : ''}' ` +
      `PARTITION BY KEY (tenant_id) (${partitions.join(', ')})`,
  );
  if ((await count(front, next)) > 0) {
    throw OpError.conflict(`后端的 ${table} 表已有数据：分片前请确认后端数据库为空（或为本前端上次未完成的迁移，清空后重试）`);
  }
  const rows = await count(front, table);
  if (rows > 0) {
    await front.query(`INSERT INTO \`${next}\` SELECT * FROM \`${table}\``);
    const copied = await count(front, next);
    if (copied !== rows) throw new Error(`${table}: ${rows} rows on the front, ${copied} on the backends after the copy`);
  }
  await front.query(`RENAME TABLE \`${table}\` TO \`${old}\`, \`${next}\` TO \`${table}\``);
  // A write that came after the copy (the API was not stopped) is in the old table only: keep it.
  if ((await count(front, old)) !== rows) {
    throw OpError.conflict(`${table} 在迁移期间有新写入：原表保留为 ${old}，请停止 API 后把其中多出的行补入 ${table} 再删除它`);
  }
  await front.query(`DROP TABLE \`${old}\``);
  return rows;
}

/**
 * Refuses a front whose server does not run Spider, asked on a connection to the server before
 * the front's database is opened (which creates it: a refused run left an empty one behind).
 * Waits for the engine: installed just before, it sets up its system tables in the background,
 * and tables cannot use it until then (at most 10 s).
 */
export function requireSpiderServer(front: MysqlDatabaseConfig): Promise<void> {
  return onServer(front, async (query) => {
    for (let i = 0; ; i++) {
      const plugins = await query<{ status: string }[]>(
        "SELECT PLUGIN_STATUS AS status FROM information_schema.PLUGINS WHERE PLUGIN_NAME = 'SPIDER'",
      );
      if (plugins[0]?.status !== 'ACTIVE') {
        throw OpError.badRequest("前端数据库未启用 Spider 存储引擎（在前端执行 INSTALL SONAME 'ha_spider'）");
      }
      const engines = await query<{ SUPPORT: string }[]>("SELECT SUPPORT FROM information_schema.ENGINES WHERE ENGINE = 'SPIDER'");
      if (engines.some((row) => row.SUPPORT === 'YES' || row.SUPPORT === 'DEFAULT')) return;
      if (i >= 100) throw new OpError(503, '前端数据库的 Spider 存储引擎尚未就绪，请稍后重试');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });
}

/** The ALTER clauses that append tenant_id to each primary or unique key lacking it. */
async function keysWithTenant(front: DataSource, table: string): Promise<string[]> {
  const rows = await front.query<{ name: string; col: string }[]>(
    `SELECT INDEX_NAME AS name, COLUMN_NAME AS col FROM information_schema.STATISTICS
     WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND NON_UNIQUE = 0 ORDER BY INDEX_NAME, SEQ_IN_INDEX`,
    [table],
  );
  const keys = groupBy(
    rows,
    (row) => row.name,
    (row) => row.col,
  );
  const clauses: string[] = [];
  for (const [name, columns] of keys) {
    if (columns.includes('tenant_id')) continue;
    const list = [...columns, 'tenant_id'].map((c) => `\`${c}\``).join(', ');
    clauses.push(
      name === 'PRIMARY' ? `DROP PRIMARY KEY, ADD PRIMARY KEY (${list})` : `DROP INDEX \`${name}\`, ADD UNIQUE KEY \`${name}\` (${list})`,
    );
  }
  return clauses;
}
