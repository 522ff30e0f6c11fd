import { Table, type DataSource, type QueryRunner } from 'typeorm';
import { dialectOf, merge } from './dialect';

const mysql = dialectOf({ options: { type: 'mysql' } } as DataSource);
const mariadb = dialectOf({ options: { type: 'mariadb' } } as DataSource);
const sqlite = dialectOf({ options: { type: 'better-sqlite3' } } as DataSource);

// The statements below are the ones the services and migrations wrote inline before the seam:
// a database migrated before must not see a difference.
describe('Dialect', () => {
  it('knows the engine of a data source, manager or query runner', () => {
    expect([mysql.engine, mariadb.engine, sqlite.engine]).toEqual(['mysql', 'mysql', 'sqlite']);
    expect(dialectOf({ connection: { options: { type: 'mysql' } } } as unknown as QueryRunner).engine).toBe('mysql');
  });

  it('writes insert-ignore and locking reads per engine', () => {
    expect([mysql.insertIgnore, sqlite.insertIgnore]).toEqual(['INSERT IGNORE', 'INSERT OR IGNORE']);
    expect([mysql.lockingRead, sqlite.lockingRead]).toEqual([' FOR UPDATE', '']);
  });

  it('writes the counter upserts as before', () => {
    const set = { message_count: merge.add, last_message_time: merge.max };
    expect(mysql.onConflict(['tenant_id', 'id'], set)).toBe(
      'ON DUPLICATE KEY UPDATE message_count = message_count + VALUES(message_count), ' +
        'last_message_time = CASE WHEN last_message_time IS NULL OR last_message_time < VALUES(last_message_time) THEN VALUES(last_message_time) ELSE last_message_time END',
    );
    expect(sqlite.onConflict(['tenant_id', 'id'], set)).toBe(
      'ON CONFLICT (tenant_id, id) DO UPDATE SET message_count = message_count + excluded.message_count, ' +
        'last_message_time = CASE WHEN last_message_time IS NULL OR last_message_time < excluded.last_message_time THEN excluded.last_message_time ELSE last_message_time END',
    );
    expect(sqlite.onConflict(['tenant_id', 'chat_id', 'utc_day'], { message_count: merge.add })).toBe(
      'ON CONFLICT (tenant_id, chat_id, utc_day) DO UPDATE SET message_count = message_count + excluded.message_count',
    );
    expect(mysql.onConflict(['message_id'], { enqueue_time: merge.replace, seq: merge.replace })).toBe(
      'ON DUPLICATE KEY UPDATE enqueue_time = VALUES(enqueue_time), seq = VALUES(seq)',
    );
  });

  it('buckets days as migration 0004 did', () => {
    expect(mysql.dayOf('create_time')).toBe('FLOOR(create_time / 86400000)');
    expect(sqlite.dayOf('create_time')).toBe('(CAST(create_time AS INTEGER) / 86400000 - (CAST(create_time AS INTEGER) % 86400000 < 0))');
  });

  it('writes a literal prefix as a range, from below the padded prefix on MySQL', () => {
    expect(mysql.startsWith('c.customer_id', 'a%b_')).toEqual({
      sql: 'c.customer_id >= ? AND c.customer_id < ?',
      params: ['a%b_\u0000', 'a%b_\u{10FFFF}'],
    });
    expect(sqlite.startsWith('c.customer_id', 'a%b_')).toEqual({
      sql: 'c.customer_id >= ? AND c.customer_id < ?',
      params: ['a%b_', 'a%b_\u{10FFFF}'],
    });
  });

  it('creates tables with the same options as the migrations did', async () => {
    const calls: string[] = [];
    const runner = {
      createTable: (table: Table) => Promise.resolve(void calls.push(`create ${table.name} engine=${table.engine ?? '-'}`)),
      query: (sql: string) => Promise.resolve(void calls.push(sql)),
    } as unknown as QueryRunner;
    await mysql.createTable(runner, new Table({ name: 'chats', columns: [] }));
    await sqlite.createTable(runner, new Table({ name: 'chat_open', columns: [] }));
    expect(calls).toEqual([
      'create chats engine=InnoDB',
      'ALTER TABLE `chats` CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_bin',
      'create chat_open engine=-',
    ]);
  });
});
