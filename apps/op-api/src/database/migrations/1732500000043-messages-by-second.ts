import type { MigrationInterface, QueryRunner } from 'typeorm';
import { isMysql } from '../dialect';
import { isSpiderTable } from '../sql';

/** Rows one step of the re-laying rewrites on a MySQL-family server, each step committed. */
const BATCH = 10_000;

/**
 * docs/CONTRACT.md §3 orders a chat's messages by `createTime`, which shows the second, then by
 * `userMessageId`. The chat was read in (create_time, id) order with create_time in milliseconds,
 * so two messages of one second came in the order Easemob stamped them, not by id, whenever they
 * arrived out of it. Now `messages.create_time` holds the whole second (every index, keyset and
 * position in (create_time, id) order is the contract's order) and `messages.create_ms` the
 * millisecond, so nothing Easemob sent is lost.
 *
 * - The rows stored before move to that layout: on a MySQL-family server in steps of
 *   {@link BATCH} ids, each committed (TiDB refuses a transaction of a whole table; an
 *   interrupted run starts again where it stopped). It rewrites every row with a millisecond:
 *   apply it with `opctl migrate` in a quiet window, with no older process left running.
 * - Every chat's positions (`messages.seq`) are taken for unnumbered: reads fall back to the day
 *   counts (whole seconds stay in their day) until the renumbering, asked for by a chat's next
 *   read, has numbered it again in the new order.
 * - A keyword-index rebuild under way resumes from before its cursor's second, whose rows are
 *   in a new order; Mroonga's copy of the time (`message_search.create_time`) moves too.
 */
export class MessagesBySecond1732500000043 implements MigrationInterface {
  name = 'MessagesBySecond1732500000043';

  async up(queryRunner: QueryRunner): Promise<void> {
    if (!(await queryRunner.hasColumn('messages', 'create_ms'))) {
      await queryRunner.query('ALTER TABLE messages ADD COLUMN create_ms smallint NOT NULL DEFAULT 0');
    }
    // MySQL assigns left to right, each reading the columns as assigned so far; SQLite reads them
    // as they were: create_ms reads the time before it is cut on both.
    await inSteps(
      queryRunner,
      'UPDATE messages SET create_ms = create_time % 1000, create_time = create_time - create_time % 1000 WHERE create_time % 1000 <> 0',
    );
    await this.afterRelaying(queryRunner);
    // Mroonga's table has a copy of the time; SQLite's FTS5 one has none.
    if (await queryRunner.hasColumn('message_search', 'create_time')) {
      await queryRunner.query('UPDATE message_search SET create_time = create_time - create_time % 1000 WHERE create_time % 1000 <> 0');
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await inSteps(queryRunner, 'UPDATE messages SET create_time = create_time + create_ms, create_ms = 0 WHERE create_ms <> 0');
    await this.afterRelaying(queryRunner);
    if (await queryRunner.hasColumn('message_search', 'create_time')) {
      await queryRunner.query(
        'UPDATE message_search s JOIN messages m ON m.id = s.id SET s.create_time = m.create_time WHERE s.create_time <> m.create_time',
      );
    }
    await queryRunner.query('ALTER TABLE messages DROP COLUMN create_ms');
  }

  /** What the order of a chat's rows held, taken back: the positions, and a rebuild's place in its second. */
  private async afterRelaying(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('UPDATE chats SET seq_upto = 0, seq_last_time = 0, seq_last_id = 0 WHERE seq_upto <> 0');
    // A time before every row of the cursor's second: the walk takes all of them again (an index write is a replace).
    await queryRunner.query('UPDATE search_rebuild SET cursor_time = cursor_time - cursor_time % 1000 - 1 WHERE cursor_time IS NOT NULL');
  }
}

/**
 * Runs an UPDATE of `messages` (its SQL ending in a WHERE clause) over the whole table: at once
 * on SQLite; on a MySQL-family server over ranges of {@link BATCH} ids, committing after each.
 * Not at all on a Spider front: its backends, migrated first, have re-laid their own rows.
 */
async function inSteps(queryRunner: QueryRunner, update: string): Promise<void> {
  if (!isMysql(queryRunner)) return void (await queryRunner.query(update));
  if (await isSpiderTable(queryRunner, 'messages')) return;
  let after: string | null = null;
  for (;;) {
    const edge: Array<{ id: string }> = await queryRunner.query(
      `SELECT CAST(id AS CHAR) AS id FROM messages${after === null ? '' : ' WHERE id > ?'} ORDER BY id LIMIT 1 OFFSET ${BATCH - 1}`,
      after === null ? [] : [after],
    );
    const upto = edge.length > 0 ? edge[0].id : null;
    const range = [after === null ? null : 'id > ?', upto === null ? null : 'id <= ?'].filter((part) => part !== null);
    await queryRunner.query(
      `${update}${range.map((part) => ` AND ${part}`).join('')}`,
      [after, upto].filter((value) => value !== null),
    );
    if (queryRunner.isTransactionActive) {
      await queryRunner.commitTransaction();
      await queryRunner.startTransaction();
    }
    if (upto === null) return;
    after = upto;
  }
}
