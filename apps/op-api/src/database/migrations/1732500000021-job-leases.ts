import { Table, type MigrationInterface, type QueryRunner } from 'typeorm';
import { dialectOf } from '../dialect';

/**
 * `job_leases`: which process runs a job that must run once at a time however many API
 * processes (and `opctl` runs) share the database, such as retention; `JobLease` holds a row.
 */
export class JobLeases1732500000021 implements MigrationInterface {
  name = 'JobLeases1732500000021';

  async up(queryRunner: QueryRunner): Promise<void> {
    await dialectOf(queryRunner).createTable(
      queryRunner,
      new Table({
        name: 'job_leases',
        columns: [
          { name: 'name', type: 'varchar', length: '64', isPrimary: true },
          { name: 'owner', type: 'varchar', length: '64' },
          { name: 'lease_until', type: 'bigint' },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('job_leases');
  }
}
