import { Table, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Issue 16: the Easemob ids of the messages `customerErase` deleted (an opaque id, no text, no
 * party): every writer treats them as already stored, so a reconcile, a re-import or an
 * Easemob redelivery cannot bring an erased message back. And the customers erased, by digest
 * (never the id in clear), with the moment: a journalled callback of theirs received before it
 * is not stored when the journal drains.
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
    const customers = new Table({
      name: 'erased_customers',
      columns: [
        { name: 'tenant_id', type: 'varchar', length: '32', isPrimary: true },
        { name: 'customer_sha256', type: 'char', length: '64', isPrimary: true },
        { name: 'erased_at', type: 'bigint' },
      ],
    });
    if (mysql) customers.engine = 'InnoDB';
    await queryRunner.createTable(customers);
    if (mysql) await queryRunner.query('ALTER TABLE `erased_customers` CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_bin');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('erased_customers');
    await queryRunner.dropTable('erased_messages');
  }
}
