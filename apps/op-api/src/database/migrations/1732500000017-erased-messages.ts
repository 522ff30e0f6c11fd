import { Table, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Issue 16: the Easemob ids of the messages `customerErase` deleted (an opaque id, no text, no
 * party). Every writer treats them as already stored, so a reconcile, a re-import or an
 * Easemob redelivery cannot bring an erased message back.
 */
export class ErasedMessages1732500000017 implements MigrationInterface {
  name = 'ErasedMessages1732500000017';

  async up(queryRunner: QueryRunner): Promise<void> {
    const mysql = queryRunner.connection.options.type === 'mysql' || queryRunner.connection.options.type === 'mariadb';
    const table = new Table({
      name: 'erased_messages',
      columns: [
        { name: 'tenant_id', type: 'varchar', length: '32', isPrimary: true },
        { name: 'hx_msg_id', type: 'varchar', length: '64', isPrimary: true },
      ],
    });
    if (mysql) table.engine = 'InnoDB';
    await queryRunner.createTable(table);
    if (mysql) await queryRunner.query('ALTER TABLE `erased_messages` CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_bin');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('erased_messages');
  }
}
