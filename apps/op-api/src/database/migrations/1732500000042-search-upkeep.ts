import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * - A message the keyword engine refuses (while it takes the rest) no longer stops the feeder:
 *   its outbox row is held back, `attempts` times so far, until `retry_after` (epoch ms), and the
 *   feeder goes on with the messages after it. Searches still find it through the outbox.
 * - `search_rebuild.update_time`: when a rebuild last moved its cursor. One that has not moved
 *   for a while was interrupted (an `opctl search:rebuild` stopped by Ctrl-C) and the API
 *   resumes it: its tenants were left answering from the windowed scan.
 */
export class SearchUpkeep1732500000042 implements MigrationInterface {
  name = 'SearchUpkeep1732500000042';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE search_outbox ADD COLUMN attempts int NOT NULL DEFAULT 0');
    await queryRunner.query('ALTER TABLE search_outbox ADD COLUMN retry_after bigint NOT NULL DEFAULT 0');
    await queryRunner.query('ALTER TABLE search_rebuild ADD COLUMN update_time bigint NOT NULL DEFAULT 0');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE search_rebuild DROP COLUMN update_time');
    for (const column of ['retry_after', 'attempts']) await queryRunner.query(`ALTER TABLE search_outbox DROP COLUMN ${column}`);
  }
}
