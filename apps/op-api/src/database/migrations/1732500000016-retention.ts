import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { dialectOf } from '../dialect';

/**
 * Issue 16: each tenant's retention policy (days of messages and of audit records to keep;
 * null keeps forever), and the index that lets erasure and retention delete a chat's
 * favorites without scanning everyone's (the table's keys lead with the operator).
 */
export class Retention1732500000016 implements MigrationInterface {
  name = 'Retention1732500000016';

  async up(queryRunner: QueryRunner): Promise<void> {
    const dialect = dialectOf(queryRunner);
    const table = new Table({
      name: 'retention_policies',
      columns: [
        { name: 'tenant_id', type: 'varchar', length: '32', isPrimary: true },
        { name: 'message_days', type: 'int', isNullable: true },
        { name: 'audit_days', type: 'int', isNullable: true },
        { name: 'update_time', type: 'bigint' },
        { name: 'last_run_time', type: 'bigint', isNullable: true },
      ],
    });
    await dialect.createTable(queryRunner, table);
    await queryRunner.createIndex(
      'message_favorites',
      new TableIndex({ name: 'idx_message_favorites_chat', columnNames: ['tenant_id', 'chat_id', 'message_id'] }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('message_favorites', 'idx_message_favorites_chat');
    await queryRunner.dropTable('retention_policies');
  }
}
