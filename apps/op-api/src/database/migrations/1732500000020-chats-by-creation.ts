import { TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * `chatSearch` with `sort: createTime` pages the newest created chats first, for the tenant or
 * for one agent, as the two `last_message_time` indexes serve the default order. Neither
 * column changes after a chat is created, so a message's arrival does not touch these indexes.
 */
export class ChatsByCreation1732500000020 implements MigrationInterface {
  name = 'ChatsByCreation1732500000020';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createIndex('chats', new TableIndex({ name: 'idx_chats_tenant_created', columnNames: ['tenant_id', 'create_time'] }));
    await queryRunner.createIndex(
      'chats',
      new TableIndex({ name: 'idx_chats_tenant_operator_created', columnNames: ['tenant_id', 'operator_id', 'create_time'] }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('chats', 'idx_chats_tenant_operator_created');
    await queryRunner.dropIndex('chats', 'idx_chats_tenant_created');
  }
}
