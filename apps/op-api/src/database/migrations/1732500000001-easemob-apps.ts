import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/** A tenant's Easemob appkeys (callback secret sealed like client secrets) and service accounts. */
export class EasemobApps1732500000001 implements MigrationInterface {
  name = 'EasemobApps1732500000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    const mysql = queryRunner.connection.options.type === 'mysql' || queryRunner.connection.options.type === 'mariadb';
    const tables = [
      new Table({
        name: 'easemob_apps',
        columns: [
          { name: 'appkey', type: 'varchar', length: '128', isPrimary: true },
          { name: 'tenant_id', type: 'varchar', length: '32' },
          { name: 'callback_secret_sealed', type: 'varchar', length: '512' },
          { name: 'create_time', type: 'bigint' },
        ],
        indices: [new TableIndex({ name: 'idx_easemob_apps_tenant', columnNames: ['tenant_id'] })],
      }),
      new Table({
        name: 'service_accounts',
        columns: [
          { name: 'tenant_id', type: 'varchar', length: '32', isPrimary: true },
          { name: 'im_username', type: 'varchar', length: '128', isPrimary: true },
          { name: 'create_time', type: 'bigint' },
        ],
      }),
    ];
    for (const table of tables) {
      if (mysql) table.engine = 'InnoDB';
      await queryRunner.createTable(table);
      if (mysql) await queryRunner.query(`ALTER TABLE \`${table.name}\` CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('service_accounts');
    await queryRunner.dropTable('easemob_apps');
  }
}
