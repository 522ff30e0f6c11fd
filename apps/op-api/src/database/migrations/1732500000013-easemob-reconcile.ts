import { Table, TableColumn, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { dialectOf } from '../dialect';

/**
 * Issue 13: an Easemob app's REST credentials (client id, and its secret sealed like client
 * secrets) for the hourly history export, and one row per reconciliation of an hour.
 */
export class EasemobReconcile1732500000013 implements MigrationInterface {
  name = 'EasemobReconcile1732500000013';

  async up(queryRunner: QueryRunner): Promise<void> {
    const dialect = dialectOf(queryRunner);
    await queryRunner.addColumns('easemob_apps', [
      new TableColumn({ name: 'client_id', type: 'varchar', length: '128', isNullable: true }),
      new TableColumn({ name: 'client_secret_sealed', type: 'varchar', length: '512', isNullable: true }),
      new TableColumn({ name: 'rest_base_url', type: 'varchar', length: '255', isNullable: true }),
    ]);
    const table = new Table({
      name: 'easemob_reconcile_runs',
      columns: [
        { name: 'id', type: 'bigint', isPrimary: true },
        { name: 'tenant_id', type: 'varchar', length: '32' },
        { name: 'appkey', type: 'varchar', length: '128' },
        // Easemob's hour, yyyyMMddHH in its zone (Beijing time on its China clusters).
        { name: 'hour', type: 'varchar', length: '10' },
        { name: 'trigger_kind', type: 'varchar', length: '16' },
        // running, ok, partial (some records failed), failed (the export could not be read).
        { name: 'status', type: 'varchar', length: '16' },
        { name: 'in_export', type: 'integer', default: 0 },
        { name: 'already_stored', type: 'integer', default: 0 },
        { name: 'added', type: 'integer', default: 0 },
        { name: 'failed', type: 'integer', default: 0 },
        { name: 'error', type: 'varchar', length: '512', isNullable: true },
        { name: 'start_time', type: 'bigint' },
        { name: 'finish_time', type: 'bigint', isNullable: true },
      ],
      indices: [new TableIndex({ name: 'idx_easemob_reconcile_runs_hour', columnNames: ['tenant_id', 'hour'] })],
    });
    await dialect.createTable(queryRunner, table);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('easemob_reconcile_runs');
    await queryRunner.dropColumn('easemob_apps', 'rest_base_url');
    await queryRunner.dropColumn('easemob_apps', 'client_secret_sealed');
    await queryRunner.dropColumn('easemob_apps', 'client_id');
  }
}
