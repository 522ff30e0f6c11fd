import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { dialectOf } from '../dialect';

/**
 * Session search, marks and the audit trail: the indexes the search and list queries walk,
 * and the audit table. Every index leads with tenant_id, as every query is keyed by tenant.
 */
export class SearchMarksAudit1732500000003 implements MigrationInterface {
  name = 'SearchMarksAudit1732500000003';

  async up(queryRunner: QueryRunner): Promise<void> {
    const dialect = dialectOf(queryRunner);
    // The keyword scan of a tenant's messages inside the search window.
    await queryRunner.createIndex(
      'messages',
      new TableIndex({ name: 'idx_messages_tenant_time', columnNames: ['tenant_id', 'create_time'] }),
    );
    // Search results page newest activity first, for the tenant or for one agent.
    await queryRunner.createIndex(
      'chats',
      new TableIndex({ name: 'idx_chats_tenant_last', columnNames: ['tenant_id', 'last_message_time'] }),
    );
    await queryRunner.createIndex(
      'chats',
      new TableIndex({ name: 'idx_chats_tenant_operator_last', columnNames: ['tenant_id', 'operator_id', 'last_message_time'] }),
    );
    // markList counts by mark; the search's mark filter finds the chats holding one.
    await queryRunner.createIndex(
      'message_marks',
      new TableIndex({ name: 'idx_message_marks_mark', columnNames: ['tenant_id', 'mark', 'chat_id'] }),
    );

    const audit = new Table({
      name: 'audit_logs',
      columns: [
        { name: 'id', type: 'bigint', isPrimary: true },
        { name: 'tenant_id', type: 'varchar', length: '32' },
        { name: 'operator_id', type: 'varchar', length: '32' },
        { name: 'client_id', type: 'varchar', length: '32' },
        { name: 'action', type: 'varchar', length: '32' },
        { name: 'chat_id', type: 'varchar', length: '64', isNullable: true },
        { name: 'target', type: 'text' },
        { name: 'ip', type: 'varchar', length: '64' },
        { name: 'create_time', type: 'bigint' },
      ],
      indices: [
        new TableIndex({ name: 'idx_audit_logs_tenant_time', columnNames: ['tenant_id', 'create_time'] }),
        new TableIndex({ name: 'idx_audit_logs_tenant_operator', columnNames: ['tenant_id', 'operator_id', 'create_time'] }),
        new TableIndex({ name: 'idx_audit_logs_tenant_chat', columnNames: ['tenant_id', 'chat_id', 'create_time'] }),
      ],
    });
    await dialect.createTable(queryRunner, audit);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('audit_logs');
    await queryRunner.dropIndex('message_marks', 'idx_message_marks_mark');
    await queryRunner.dropIndex('chats', 'idx_chats_tenant_operator_last');
    await queryRunner.dropIndex('chats', 'idx_chats_tenant_last');
    await queryRunner.dropIndex('messages', 'idx_messages_tenant_time');
  }
}
