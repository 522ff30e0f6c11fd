import { TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Issue 14: `auditList` and `auditExport` filtered by `action` alone read the tenant's records
 * in time order and skipped every other action: a rare action under a dominant one cost the
 * tenant's whole trail. Keyed by tenant and action, then time, the filter is one range read in
 * the list's order. (`chatId` and `operatorId` keep their own indexes; the tenant's time index
 * serves the list without these filters.)
 */
export class AuditByAction1732500000040 implements MigrationInterface {
  name = 'AuditByAction1732500000040';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createIndex(
      'audit_logs',
      new TableIndex({ name: 'idx_audit_logs_tenant_action', columnNames: ['tenant_id', 'action', 'create_time'] }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('audit_logs', 'idx_audit_logs_tenant_action');
  }
}
