import { Table, type MigrationInterface, type QueryRunner } from 'typeorm';
import { dialectOf } from '../dialect';

/**
 * `chat_message_days` counts each chat's messages per UTC day, kept in the transaction that
 * stores them. The position of a message in its chat (2.37 `aroundMessageId`) is then the sum
 * of the days before its own plus a count inside that one day, instead of a count of every
 * earlier message: flat with the depth of the chat. Existing messages are counted here.
 */
export class ChatMessageDays1732500000004 implements MigrationInterface {
  name = 'ChatMessageDays1732500000004';

  async up(queryRunner: QueryRunner): Promise<void> {
    const dialect = dialectOf(queryRunner);
    const table = new Table({
      name: 'chat_message_days',
      columns: [
        { name: 'tenant_id', type: 'varchar', length: '32', isPrimary: true },
        { name: 'chat_id', type: 'varchar', length: '64', isPrimary: true },
        { name: 'utc_day', type: 'int', isPrimary: true },
        { name: 'message_count', type: 'int' },
      ],
    });
    await dialect.createTable(queryRunner, table);
    const day = dialect.dayOf('create_time');
    await queryRunner.query(
      `INSERT INTO chat_message_days (tenant_id, chat_id, utc_day, message_count) ` +
        `SELECT tenant_id, chat_id, ${day}, COUNT(*) FROM messages GROUP BY tenant_id, chat_id, ${day}`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('chat_message_days');
  }
}
