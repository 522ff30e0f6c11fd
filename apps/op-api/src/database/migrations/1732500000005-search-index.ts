import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { dialectOf } from '../dialect';

/**
 * The keyword index's own tables (apps/op-api/src/modules/search):
 * - on SQLite, `message_search`: a contentless FTS5 table of each text message's words
 *   (rowid = message id), written in the transaction that stores the message;
 * - `search_outbox`: messages stored (or deleted) but not yet in an index fed after the
 *   transaction (Mroonga, Sphinx), written in the message's transaction and read by searches too;
 * - `search_state`: which engine is active, whether its index holds every message, and which
 *   process feeds or rebuilds it;
 * - `search_rebuild`: where a rebuild has got to, so an interrupted one resumes.
 * Messages stored before this migration are indexed by the first rebuild (the API starts one).
 */
export class SearchIndex1732500000005 implements MigrationInterface {
  name = 'SearchIndex1732500000005';

  async up(queryRunner: QueryRunner): Promise<void> {
    const dialect = dialectOf(queryRunner);
    const tables = [
      new Table({
        name: 'search_outbox',
        columns: [
          { name: 'message_id', type: 'bigint', isPrimary: true },
          { name: 'tenant_id', type: 'varchar', length: '32' },
          { name: 'enqueue_time', type: 'bigint' },
          // Which enqueueing the feeder read: it deletes only that one, never a newer one.
          { name: 'seq', type: 'bigint' },
        ],
        indices: [new TableIndex({ name: 'idx_search_outbox_tenant', columnNames: ['tenant_id', 'message_id'] })],
      }),
      new Table({
        name: 'search_state',
        columns: [
          { name: 'engine', type: 'varchar', length: '16', isPrimary: true },
          { name: 'active', type: 'smallint', default: 0 },
          { name: 'ready', type: 'smallint', default: 0 },
          { name: 'lease_owner', type: 'varchar', length: '64', isNullable: true },
          { name: 'lease_until', type: 'bigint', default: 0 },
          { name: 'update_time', type: 'bigint' },
        ],
      }),
      new Table({
        name: 'search_rebuild',
        columns: [
          { name: 'engine', type: 'varchar', length: '16', isPrimary: true },
          // A tenant id, or '*' for every tenant.
          { name: 'scope', type: 'varchar', length: '32', isPrimary: true },
          { name: 'cursor_tenant', type: 'varchar', length: '32', default: "''" },
          { name: 'cursor_time', type: 'bigint', isNullable: true },
          { name: 'cursor_id', type: 'bigint', isNullable: true },
          { name: 'done', type: 'bigint', default: 0 },
          { name: 'total', type: 'bigint', default: 0 },
          { name: 'start_time', type: 'bigint' },
          { name: 'finish_time', type: 'bigint', isNullable: true },
        ],
      }),
    ];
    for (const table of tables) {
      await dialect.createTable(queryRunner, table);
    }
    if (dialect.engine === 'sqlite') {
      // detail=full keeps positions for the phrase queries of keywords of 3+ characters.
      await queryRunner.query(
        "CREATE VIRTUAL TABLE message_search USING fts5(b, u, k, tokenize='ascii', content='', contentless_delete=1)",
      );
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const dialect = dialectOf(queryRunner);
    if (dialect.engine === 'sqlite') await queryRunner.query('DROP TABLE message_search');
    for (const name of ['search_rebuild', 'search_state', 'search_outbox']) await queryRunner.dropTable(name);
  }
}
