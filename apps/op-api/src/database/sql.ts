import { DataSource, type EntityManager } from 'typeorm';
import { chunksWithin } from '../common/util/chunks';
import { dialectOf } from './dialect';

/** `?, ?, …`: the placeholders of an `IN (…)` list of `n` values. */
export const placeholders = (n: number) => Array.from({ length: n }, () => '?').join(',');

/** Rows one `UPDATE … SET c = CASE key WHEN … END` writes at most: its cost is its rows times its cases. */
export const CASE_ROWS = 100;

/**
 * `CASE id WHEN ? THEN ? … END` for `rows` rows: one value per row in an `UPDATE` (its parameters
 * each row's id and value in turn), {@link CASE_ROWS} rows a statement at most.
 */
export const caseById = (rows: number) => `CASE id ${Array.from({ length: rows }, () => 'WHEN ? THEN ?').join(' ')} END`;

/**
 * The condition of a keyset walk in (create_time, id) order that resumes past `after` (nothing
 * for its first batch), and its parameters; `table` qualifies the columns. The bare `>=` is what
 * lets both engines seek in the index (behind an OR alone SQLite walked from the start each
 * time); the OR only drops the ties.
 */
export function keysetAfter(after: { timeMs: number; id: string | bigint } | null, table?: string): { sql: string; params: unknown[] } {
  if (after === null) return { sql: '', params: [] };
  const column = (name: string) => (table ? `${table}.${name}` : name);
  return {
    sql: ` AND ${column('create_time')} >= ? AND (${column('create_time')} > ? OR ${column('id')} > ?)`,
    params: [after.timeMs, after.timeMs, BigInt(after.id)],
  };
}

/** `(?, ?), (?, ?), …`: the VALUES of a multi-row insert of `rows` rows of `columns` columns. */
export function valueRows(rows: number, columns: number): string {
  const row = `(${Array.from({ length: columns }, () => '?').join(', ')})`;
  return Array.from({ length: rows }, () => row).join(', ');
}

/**
 * Bytes one statement may carry: well under every server's packet limit (`max_allowed_packet`
 * is 16 MiB by default on MariaDB, 64 MiB on MySQL 8 and TiDB; a Sphinx or Manticore
 * `max_packet_size`, 8 MiB), which a multi-row write of messages near their size limits
 * (64 KiB of text and as much of ext each) passed at a few hundred rows, and failed whole.
 */
export const STATEMENT_BYTES = 4 * 1024 * 1024;

/** Parameters one statement may bind: SQLite takes 32,766 at most. */
export const STATEMENT_PARAMS = 30_000;

/**
 * At most the bytes a value takes in a statement, its separator included: mysql2 escapes a
 * character with one more byte at most (strings here; numbers, bigints and NULL are short).
 */
export const valueBytes = (value: unknown): number => (typeof value === 'string' ? 2 * Buffer.byteLength(value) + 4 : 26);

/**
 * `items` made into rows of `columns` parameters each (`row(item)`, as each group is reached)
 * in the groups one multi-row statement carries: {@link STATEMENT_PARAMS} parameters,
 * {@link STATEMENT_BYTES} bytes and `maxRows` rows at most. Only the group being written is held.
 */
export function statementRows<T>(
  items: Iterable<T>,
  columns: number,
  row: (item: T) => unknown[],
  maxRows = Infinity,
): Generator<unknown[][]> {
  const size = Math.min(maxRows, Math.max(1, Math.floor(STATEMENT_PARAMS / columns)));
  return chunksWithin(items, row, size, STATEMENT_BYTES, (values) => values.reduce<number>((sum, value) => sum + valueBytes(value), 4));
}

/**
 * Runs a write and answers how many rows it changed (both drivers' count, which a plain
 * `query` does not return). Inside a transaction it runs on the transaction's connection;
 * on a data source, on a connection of its own.
 */
export async function affectedRows(source: EntityManager | DataSource, sql: string, params: unknown[]): Promise<number> {
  const own = source instanceof DataSource ? source.createQueryRunner() : null;
  const runner = own ?? (source as EntityManager).queryRunner;
  if (!runner) throw new Error('affectedRows needs a transaction or a data source');
  try {
    const result = await runner.query(sql, params, true);
    return Number((result as { affected?: number }).affected ?? 0);
  } finally {
    if (own) await own.release();
  }
}

/** Whether `table` of the connected MySQL-family database is a Spider table (its rows on the backends of a sharded front). */
export async function isSpiderTable(source: Pick<DataSource, 'query'>, table: string): Promise<boolean> {
  const rows: Array<{ engine: string | null }> = await source.query(
    'SELECT ENGINE AS engine FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?',
    [table],
  );
  return rows[0]?.engine?.toUpperCase() === 'SPIDER';
}

/** What `SELECT COUNT(*) AS n` answers: a number, or a string from mysql2 for a BIGINT. */
export interface CountRow {
  n: number | string;
}

/**
 * Deletes the rows of `table` that `where` selects, inside the caller's transaction, and answers
 * how many went: counted by a locking read of the same rows just before, not by the server's
 * affected-rows figure, which MariaDB Spider reports as 0 for every DELETE (10.11.19), so a
 * sharded store would have kept its counts (a chat's total after a purge) wrong.
 */
export async function deleteCounted(manager: EntityManager, table: string, where: string, params: unknown[]): Promise<number> {
  const [{ n }] = await manager.query<CountRow[]>(
    `SELECT COUNT(*) AS n FROM ${table} WHERE ${where}${dialectOf(manager).lockingRead}`,
    params,
  );
  if (Number(n) > 0) await manager.query(`DELETE FROM ${table} WHERE ${where}`, params);
  return Number(n);
}

/** A WHERE clause built one condition at a time, each with its parameters. */
export class SqlFilter {
  private readonly where: string[] = [];
  readonly params: unknown[] = [];

  constructor(first: string, ...values: unknown[]) {
    this.add(first, ...values);
  }

  add(sql: string, ...values: unknown[]): this {
    this.where.push(sql);
    this.params.push(...values);
    return this;
  }

  /** `column >= fromMs` and `column <= toMs`, for the bounds given (both inclusive). */
  addRange(column: string, { fromMs, toMs }: { fromMs?: number; toMs?: number }): this {
    if (fromMs !== undefined) this.add(`${column} >= ?`, fromMs);
    if (toMs !== undefined) this.add(`${column} <= ?`, toMs);
    return this;
  }

  /** Whether anything beyond the first condition was added. */
  get narrowed(): boolean {
    return this.where.length > 1;
  }

  get clause(): string {
    return this.where.join(' AND ');
  }
}
