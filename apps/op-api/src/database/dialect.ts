import type { DataSource, EntityManager, QueryRunner, Table } from 'typeorm';
import { DAY_MS } from './message-days';

/**
 * Where the two engines differ, and the one place that knows it: every statement that is not
 * the same text on MySQL/MariaDB and SQLite takes its engine-specific part from here. A third
 * engine plugs in as one more {@link Dialect}.
 */
export type Engine = 'mysql' | 'sqlite';

/**
 * How an upsert sets a column from its stored value and the incoming one (both SQL); `incomingOf`
 * names another column's incoming value. The assignments run in the order given: MySQL reads a
 * column assigned before as its new value, SQLite every column as stored; a merge that reads
 * another column must mean the same under both (read only columns assigned after it).
 */
export type Merge = (current: string, incoming: string, incomingOf: (column: string) => string) => string;

/** The merges the upserts use. */
export const merge = {
  /** Counters: the stored count plus the incoming one. */
  add: ((current, incoming) => `${current} + ${incoming}`) satisfies Merge,
  /** The incoming value replaces the stored one. */
  replace: ((_current, incoming) => incoming) satisfies Merge,
  /** The later of the two (a NULL stored value takes the incoming one). */
  max: ((current, incoming) =>
    `CASE WHEN ${current} IS NULL OR ${current} < ${incoming} THEN ${incoming} ELSE ${current} END`) satisfies Merge,
  /** The earlier of the two (a NULL stored value takes the incoming one). */
  min: ((current, incoming) =>
    `CASE WHEN ${current} IS NULL OR ${current} > ${incoming} THEN ${incoming} ELSE ${current} END`) satisfies Merge,
};

export interface Dialect {
  readonly engine: Engine;
  /** `INSERT IGNORE` / `INSERT OR IGNORE`: an insert that skips the rows whose key exists. */
  readonly insertIgnore: string;
  /**
   * Appended to a SELECT that must see another writer's fresh commit inside a transaction:
   * ` FOR UPDATE` on MySQL (a current read, not the snapshot); nothing on SQLite (one writer).
   */
  readonly lockingRead: string;
  /**
   * The conflict clause of an `INSERT … VALUES …` on the unique key `key`: each column of `set`
   * becomes its merge of the stored and the incoming value.
   */
  onConflict(key: readonly string[], set: Readonly<Record<string, Merge>>): string;
  /**
   * The UTC day number of an epoch-milliseconds column, as `dayNumber` computes it in
   * TypeScript (rounding down for times before 1970 too).
   */
  dayOf(column: string): string;
  /**
   * Written after a table (and its alias) in FROM: the query reads that table through `index`,
   * whatever the statistics say (`FORCE INDEX` / `INDEXED BY`). For hot queries whose plan must
   * not flip on skewed data, as a chat holding most of its tenant's messages made MariaDB do.
   */
  forceIndex(index: string): string;
  /** {@link forceIndex} for the primary key of `table` (a composite one: SQLite names its index after the table). */
  forcePrimaryKey(table: string): string;
  /**
   * An inner join that reads the table on its left first, then the one on its right for each of
   * its rows (`STRAIGHT_JOIN` / `CROSS JOIN`; both take an ON clause): with {@link forceIndex},
   * a join whose plan does not depend on statistics either.
   */
  readonly joinInOrder: string;
  /**
   * `column` starts with `prefix`, literally (`%`, `_` and every other character stand for
   * themselves), as one range an index on `column` reads; its SQL and parameters. Exact but for
   * strings continuing the prefix with U+10FFFF (a noncharacter).
   */
  startsWith(column: string, prefix: string): { sql: string; params: string[] };
  /** Creates a table with the engine's table options (engine, character set, collation). */
  createTable(queryRunner: QueryRunner, table: Table): Promise<void>;
}

/** Sorts after every other character (both engines compare code points). */
const LAST_CHARACTER = '\u{10FFFF}';

const assignments = (set: Readonly<Record<string, Merge>>, incoming: (column: string) => string) =>
  Object.entries(set)
    .map(([column, how]) => `${column} = ${how(column, incoming(column), incoming)}`)
    .join(', ');

const mysql: Dialect = {
  engine: 'mysql',
  insertIgnore: 'INSERT IGNORE',
  lockingRead: ' FOR UPDATE',
  onConflict: (_key, set) => `ON DUPLICATE KEY UPDATE ${assignments(set, (column) => `VALUES(${column})`)}`,
  // MySQL divides exactly.
  dayOf: (column) => `FLOOR(${column} / ${DAY_MS})`,
  forceIndex: (index) => `FORCE INDEX (${index})`,
  forcePrimaryKey: () => 'FORCE INDEX (PRIMARY)',
  // MySQL, MariaDB and TiDB alike.
  joinInOrder: 'STRAIGHT_JOIN',
  // utf8mb4_bin compares as if the shorter string were padded with spaces, so `ab` sorts after
  // `ab\t…`: the range starts at the prefix followed by U+0000, below every such string.
  // (MariaDB's own LIKE 'ab%' reads the index from `ab` and misses them: spec'd on both engines.)
  startsWith: (column, prefix) => ({
    sql: `${column} >= ? AND ${column} < ?`,
    params: [`${prefix}\u0000`, `${prefix}${LAST_CHARACTER}`],
  }),
  async createTable(queryRunner, table) {
    table.engine = 'InnoDB';
    await queryRunner.createTable(table);
    // Ids compare byte for byte; Chinese text and emoji need the full 4-byte UTF-8.
    await queryRunner.query(`ALTER TABLE \`${table.name}\` CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
  },
};

const sqlite: Dialect = {
  engine: 'sqlite',
  insertIgnore: 'INSERT OR IGNORE',
  lockingRead: '',
  onConflict: (key, set) => `ON CONFLICT (${key.join(', ')}) DO UPDATE SET ${assignments(set, (column) => `excluded.${column}`)}`,
  // SQLite truncates integer division toward zero (and divides a REAL exactly, hence the cast).
  dayOf(column) {
    const ms = `CAST(${column} AS INTEGER)`;
    return `(${ms} / ${DAY_MS} - (${ms} % ${DAY_MS} < 0))`;
  },
  // An error, not a slow plan, if the index cannot serve the query: the plan tests see it.
  forceIndex: (index) => `INDEXED BY ${index}`,
  forcePrimaryKey: (table) => `INDEXED BY sqlite_autoindex_${table}_1`,
  // SQLite never reorders the tables of a CROSS JOIN (otherwise an inner join).
  joinInOrder: 'CROSS JOIN',
  // Binary order, no padding: the strings that start with the prefix are those from it up to it
  // followed by U+10FFFF. (SQLite's LIKE ignores ASCII case, and then reads no BINARY index.)
  startsWith: (column, prefix) => ({ sql: `${column} >= ? AND ${column} < ?`, params: [prefix, `${prefix}${LAST_CHARACTER}`] }),
  async createTable(queryRunner, table) {
    await queryRunner.createTable(table);
  },
};

type Connected = DataSource | EntityManager | QueryRunner;

function optionsOf(source: Connected): DataSource['options'] {
  if ('options' in source) return source.options;
  return source.connection.options;
}

/** The engine of a data source, entity manager or query runner. */
export function engineOf(source: Connected): Engine {
  const { type } = optionsOf(source);
  return type === 'mysql' || type === 'mariadb' ? 'mysql' : 'sqlite';
}

export function dialectOf(source: Connected): Dialect {
  return engineOf(source) === 'mysql' ? mysql : sqlite;
}

export function isMysql(source: Connected): boolean {
  return engineOf(source) === 'mysql';
}
