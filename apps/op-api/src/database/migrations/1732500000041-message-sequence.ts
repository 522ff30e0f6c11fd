import { TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Issue 14: a message's position in its chat was the chat's counts of earlier days plus a count
 * inside the message's own day, so `aroundMessageId` and deep pages cost one day of the chat:
 * thousands of rows in a crowded day, all of them when every message shares one timestamp.
 * `messages.seq` is the message's 1-based position in its chat, written as it is appended and
 * by a background renumbering after a message arrives out of order; `chats.seq_upto` says how
 * many of the chat's first messages carry a right one, and `seq_last_time`/`seq_last_id` the
 * last of them. Existing rows start unnumbered: reads fall back to the day counts until the
 * renumbering (asked for by the first read that needed it) has reached them.
 *
 * Plain `ALTER TABLE … ADD COLUMN` on both engines (TypeORM would copy SQLite's table).
 */
export class MessageSequence1732500000041 implements MigrationInterface {
  name = 'MessageSequence1732500000041';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE messages ADD COLUMN seq bigint NULL');
    await queryRunner.query('ALTER TABLE chats ADD COLUMN seq_upto int NOT NULL DEFAULT 0');
    await queryRunner.query('ALTER TABLE chats ADD COLUMN seq_last_time bigint NOT NULL DEFAULT 0');
    await queryRunner.query('ALTER TABLE chats ADD COLUMN seq_last_id bigint NOT NULL DEFAULT 0');
    await queryRunner.createIndex(
      'messages',
      new TableIndex({ name: 'idx_messages_chat_seq', columnNames: ['tenant_id', 'chat_id', 'seq'] }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('messages', 'idx_messages_chat_seq');
    for (const column of ['seq_last_id', 'seq_last_time', 'seq_upto']) await queryRunner.query(`ALTER TABLE chats DROP COLUMN ${column}`);
    await queryRunner.query('ALTER TABLE messages DROP COLUMN seq');
  }
}
