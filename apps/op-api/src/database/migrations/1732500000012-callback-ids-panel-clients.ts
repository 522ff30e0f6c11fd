import { Table, TableColumn, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { dialectOf } from '../dialect';

/**
 * Issue 12: the Easemob callIds accepted recently (a callId may come again only with the
 * content it first carried), and the mark of the API client that is the admin panel (the one
 * client whose `x-op-user-ip` header names the browser's address).
 */
export class CallbackIdsPanelClients1732500000012 implements MigrationInterface {
  name = 'CallbackIdsPanelClients1732500000012';

  async up(queryRunner: QueryRunner): Promise<void> {
    const dialect = dialectOf(queryRunner);
    const table = new Table({
      name: 'easemob_callback_ids',
      columns: [
        { name: 'tenant_id', type: 'varchar', length: '32', isPrimary: true },
        { name: 'call_id', type: 'varchar', length: '255', isPrimary: true },
        { name: 'fingerprint', type: 'varchar', length: '64' },
        { name: 'expire_time', type: 'bigint' },
      ],
      indices: [new TableIndex({ name: 'idx_easemob_callback_ids_expire', columnNames: ['expire_time'] })],
    });
    await dialect.createTable(queryRunner, table);
    await queryRunner.addColumn('api_clients', new TableColumn({ name: 'panel', type: 'smallint', default: 0 }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('api_clients', 'panel');
    await queryRunner.dropTable('easemob_callback_ids');
  }
}
