import { Table, TableIndex, type MigrationInterface, type QueryRunner, type TableColumnOptions } from 'typeorm';
import { dialectOf } from '../dialect';

const id = (name: string, length = 32): TableColumnOptions => ({ name, type: 'varchar', length: String(length) });
const optional = (column: TableColumnOptions): TableColumnOptions => ({ ...column, isNullable: true });
const time = (name: string): TableColumnOptions => ({ name, type: 'bigint' });
const text = (name: string, length: number): TableColumnOptions => optional({ name, type: 'varchar', length: String(length) });

/**
 * Tables of the foundation. Times are epoch milliseconds (BIGINT) so both engines store the
 * same instant whatever their time zone; message ids are 64-bit snowflakes.
 */
export class InitialSchema1732500000000 implements MigrationInterface {
  name = 'InitialSchema1732500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const tables: Table[] = [
      new Table({
        name: 'tenants',
        columns: [{ ...id('id'), isPrimary: true }, { name: 'name', type: 'varchar', length: '128' }, time('create_time')],
      }),
      new Table({
        name: 'api_clients',
        columns: [
          { ...id('id'), isPrimary: true },
          id('tenant_id'),
          { name: 'secret_sealed', type: 'varchar', length: '255' },
          { name: 'sign_method', type: 'varchar', length: '16' },
          time('create_time'),
          optional(time('revoke_time')),
        ],
        indices: [new TableIndex({ name: 'idx_api_clients_tenant', columnNames: ['tenant_id'] })],
      }),
      new Table({
        name: 'operators',
        columns: [
          { ...id('id'), isPrimary: true },
          id('tenant_id'),
          { name: 'username', type: 'varchar', length: '64' },
          text('password_hash', 255),
          { name: 'role', type: 'varchar', length: '16' },
          text('im_username', 128),
          time('create_time'),
        ],
        indices: [
          new TableIndex({ name: 'uq_operators_tenant_username', columnNames: ['tenant_id', 'username'], isUnique: true }),
          new TableIndex({ name: 'idx_operators_tenant_im', columnNames: ['tenant_id', 'im_username'] }),
        ],
      }),
      new Table({
        name: 'operator_tokens',
        columns: [
          { name: 'token_hash', type: 'varchar', length: '64', isPrimary: true },
          id('operator_id'),
          id('tenant_id'),
          time('expire_time'),
          optional(time('revoke_time')),
          time('create_time'),
        ],
        indices: [new TableIndex({ name: 'idx_operator_tokens_operator', columnNames: ['operator_id'] })],
      }),
      new Table({
        name: 'chats',
        columns: [
          { ...id('tenant_id'), isPrimary: true },
          { ...id('id', 64), isPrimary: true },
          { name: 'status', type: 'smallint' },
          text('customer_id', 128),
          optional(id('operator_id')),
          time('create_time'),
          optional(time('accept_time')),
          optional(time('end_time')),
          optional(time('last_message_time')),
          { name: 'message_count', type: 'int', default: 0 },
        ],
        indices: [new TableIndex({ name: 'idx_chats_tenant_customer', columnNames: ['tenant_id', 'customer_id', 'status'] })],
      }),
      new Table({
        name: 'messages',
        columns: [
          { name: 'id', type: 'bigint', isPrimary: true },
          id('tenant_id'),
          id('chat_id', 64),
          text('hx_msg_id', 64),
          text('from_user', 128),
          text('to_user', 128),
          { name: 'type', type: 'varchar', length: '16' },
          optional({ name: 'msg', type: 'text' }),
          text('url', 1024),
          text('filename', 512),
          text('thumb', 1024),
          text('secret', 255),
          text('thumb_secret', 255),
          optional({ name: 'length', type: 'int' }),
          optional({ name: 'file_length', type: 'bigint' }),
          text('addr', 512),
          optional({ name: 'lat', type: 'double' }),
          optional({ name: 'lng', type: 'double' }),
          time('create_time'),
          text('qiniu_key', 1024),
          optional({ name: 'ext', type: 'text' }),
        ],
        indices: [
          // Serves the 2.37 page query: one chat, in (create_time, id) order.
          new TableIndex({ name: 'idx_messages_chat_page', columnNames: ['tenant_id', 'chat_id', 'create_time', 'id'] }),
          // Idempotent ingest: one row per Easemob msg_id and tenant.
          new TableIndex({ name: 'uq_messages_tenant_hx', columnNames: ['tenant_id', 'hx_msg_id'], isUnique: true }),
        ],
      }),
      new Table({
        name: 'message_marks',
        columns: [
          { ...id('tenant_id'), isPrimary: true },
          { name: 'message_id', type: 'bigint', isPrimary: true },
          { name: 'mark', type: 'varchar', length: '32', isPrimary: true },
          id('chat_id', 64),
          id('operator_id'),
          time('create_time'),
        ],
        indices: [new TableIndex({ name: 'idx_message_marks_chat', columnNames: ['tenant_id', 'chat_id', 'message_id'] })],
      }),
      new Table({
        name: 'message_favorites',
        columns: [
          { ...id('operator_id'), isPrimary: true },
          { name: 'message_id', type: 'bigint', isPrimary: true },
          id('tenant_id'),
          id('chat_id', 64),
          time('create_time'),
        ],
        indices: [new TableIndex({ name: 'idx_message_favorites_operator', columnNames: ['tenant_id', 'operator_id', 'create_time'] })],
      }),
    ];
    const dialect = dialectOf(queryRunner);
    for (const table of tables) {
      await dialect.createTable(queryRunner, table);
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const name of [
      'message_favorites',
      'message_marks',
      'messages',
      'chats',
      'operator_tokens',
      'operators',
      'api_clients',
      'tenants',
    ]) {
      await queryRunner.dropTable(name);
    }
  }
}
