import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { AuditListRequest, type AuditListData } from '@op/contracts';
import { CurrentContext, type OpContext } from '../../common/decorators/op-context.decorator';
import type { Paged } from '../../common/interceptors/envelope';
import { AuditService } from './audit.service';

@Controller('op/v2')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  /** The audit trail (admins only). */
  @Post('auditList')
  @HttpCode(200)
  auditList(@CurrentContext() context: OpContext, @Body() body: AuditListRequest): Promise<Paged<AuditListData>> {
    return this.audit.list(context, body);
  }
}
