import { TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Issue 15: `customerList` for an agent walks the customers of the agent's own chats by id
 * prefix. idx_chats_tenant_customer serves an admin (tenant, then customer id), but for an agent
 * it would read every chat of the tenant in the prefix's range to find their few. Keyed by
 * tenant and operator, then customer id, the agent's lookup reads only their chats. It leaves
 * out last_message_time on purpose: that column moves with every message, and an index holding
 * it would be rewritten on every ingest; these three move only when a chat is seated or assigned.
 */
export class ChatsOperatorCustomer1732500000022 implements MigrationInterface {
  name = 'ChatsOperatorCustomer1732500000022';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createIndex(
      'chats',
      new TableIndex({ name: 'idx_chats_tenant_operator_customer', columnNames: ['tenant_id', 'operator_id', 'customer_id'] }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('chats', 'idx_chats_tenant_operator_customer');
  }
}
