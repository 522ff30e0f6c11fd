import { Table, type MigrationInterface, type QueryRunner } from 'typeorm';
import { dialectOf } from '../dialect';

/**
 * `chat_open` holds the one open chat (status 1, 3 or 30) of each customer: its primary key
 * makes "join the customer's open chat, or open one" safe under concurrent deliveries.
 * `message_recalls` keeps a recall that arrived before the message it recalls.
 */
export class ChatRouting1732500000002 implements MigrationInterface {
  name = 'ChatRouting1732500000002';

  async up(queryRunner: QueryRunner): Promise<void> {
    const dialect = dialectOf(queryRunner);
    const tables = [
      new Table({
        name: 'chat_open',
        columns: [
          { name: 'tenant_id', type: 'varchar', length: '32', isPrimary: true },
          { name: 'customer_id', type: 'varchar', length: '128', isPrimary: true },
          { name: 'chat_id', type: 'varchar', length: '64' },
        ],
      }),
      new Table({
        name: 'message_recalls',
        columns: [
          { name: 'tenant_id', type: 'varchar', length: '32', isPrimary: true },
          { name: 'hx_msg_id', type: 'varchar', length: '64', isPrimary: true },
          { name: 'recall_time', type: 'bigint' },
        ],
      }),
    ];
    for (const table of tables) {
      await dialect.createTable(queryRunner, table);
    }
    // Chats that are open already (imported with status 1, 3 or 30) claim their customer.
    await queryRunner.query(
      'INSERT INTO chat_open (tenant_id, customer_id, chat_id) ' +
        'SELECT tenant_id, customer_id, MAX(id) FROM chats WHERE customer_id IS NOT NULL AND status IN (1, 3, 30) GROUP BY tenant_id, customer_id',
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('message_recalls');
    await queryRunner.dropTable('chat_open');
  }
}
