import { Table, type MigrationInterface, type QueryRunner } from 'typeorm';
import { dialectOf } from '../dialect';

/**
 * `replica_heartbeats`: each API process reading from replicas writes its clock here on the
 * primary several times a second and reads it back from each replica, which tells how far
 * behind each replica is and whether it already holds a given write (docs/scaling.md).
 */
export class ReplicaHeartbeats1732500000023 implements MigrationInterface {
  name = 'ReplicaHeartbeats1732500000023';

  async up(queryRunner: QueryRunner): Promise<void> {
    await dialectOf(queryRunner).createTable(
      queryRunner,
      new Table({
        name: 'replica_heartbeats',
        columns: [
          { name: 'holder', type: 'varchar', length: '191', isPrimary: true },
          { name: 'beat_ms', type: 'bigint' },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('replica_heartbeats');
  }
}
