import type { MigrationInterface, QueryRunner } from 'typeorm';
import { isMysql } from '../dialect';

/**
 * CONTRACT.md §3 orders a chat's messages by `createTime`, which shows the second, then by
 * `userMessageId`. The chat was read in (create_time, id) order with create_time in milliseconds,
 * so two messages of one second came in the order Easemob stamped them, not by id, whenever they
 * arrived out of it. Now `messages.create_time` holds the whole second (every index, keyset and
 * position in (create_time, id) order is the contract's order) and `messages.create_ms` the
 * millisecond, so nothing Easemob sent is lost.
 *
 * The rows stored before move to that layout, and every chat's positions (`messages.seq`) are
 * taken for unnumbered: reads fall back to the day counts (whole seconds stay in their day) until
 * the renumbering, asked for by a chat's next read, has numbered it again in the new order. The
 * keyword index's copy of the time (Mroonga's `message_search.create_time`, on MariaDB) moves too.
 */
export class MessagesBySecond1732500000043 implements MigrationInterface {
  name = 'MessagesBySecond1732500000043';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE messages ADD COLUMN create_ms smallint NOT NULL DEFAULT 0');
    // MySQL assigns left to right, each reading the columns as assigned so far; SQLite reads them
    // as they were: create_ms reads the time before it is cut on both.
    await queryRunner.query(
      'UPDATE messages SET create_ms = create_time % 1000, create_time = create_time - create_time % 1000 WHERE create_time % 1000 <> 0',
    );
    await queryRunner.query('UPDATE chats SET seq_upto = 0, seq_last_time = 0, seq_last_id = 0 WHERE seq_upto <> 0');
    if (await hasMroongaCopy(queryRunner)) {
      await queryRunner.query('UPDATE message_search SET create_time = create_time - create_time % 1000 WHERE create_time % 1000 <> 0');
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('UPDATE messages SET create_time = create_time + create_ms WHERE create_ms <> 0');
    await queryRunner.query('ALTER TABLE messages DROP COLUMN create_ms');
    await queryRunner.query('UPDATE chats SET seq_upto = 0, seq_last_time = 0, seq_last_id = 0 WHERE seq_upto <> 0');
  }
}

/** Whether the keyword index is Mroonga's table in this database, with its own copy of the time (SQLite's FTS5 table has none). */
async function hasMroongaCopy(queryRunner: QueryRunner): Promise<boolean> {
  if (!isMysql(queryRunner)) return false;
  const rows: unknown[] = await queryRunner.query(
    "SELECT 1 FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'message_search' AND COLUMN_NAME = 'create_time'",
  );
  return rows.length > 0;
}
