import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { dialectOf } from '../dialect';

/** A tenant's Easemob appkeys (callback secret sealed like client secrets) and service accounts. */
export class EasemobApps1732500000001 implements MigrationInterface {
  name = 'EasemobApps1732500000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    const dialect = dialectOf(queryRunner);
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
      await dialect.createTable(queryRunner, table);
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('service_accounts');
    await queryRunner.dropTable('easemob_apps');
  }
}
