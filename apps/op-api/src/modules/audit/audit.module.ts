import { Module } from '@nestjs/common';
import { AuditLog } from './audit-log.service';
import { AuditController } from './audit.controller';
import { AuditService } from './audit.service';

/** The audit trail: the buffered writer every feature records into, and `auditList`. */
@Module({
  controllers: [AuditController],
  providers: [AuditLog, AuditService],
  exports: [AuditLog],
})
export class AuditModule {}
