import type { Readable } from 'node:stream';
import { Body, Controller, Res } from '@nestjs/common';
import { AuditExportRequest, AuditListRequest, type AuditListData } from '@op/contracts';
import type { FastifyReply } from 'fastify';
import { OpEndpoint } from '../../common/decorators/op-endpoint.decorator';
import { CurrentContext, type OpContext } from '../access/op-context';
import type { Paged } from '../../common/interceptors/envelope';
import { sendFile } from '../../common/util/file-answer';
import { AuditService } from './audit.service';

@Controller()
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  /** The audit trail (admins only). */
  @OpEndpoint('auditList')
  auditList(@CurrentContext() context: OpContext, @Body() body: AuditListRequest): Promise<Paged<AuditListData>> {
    return this.audit.list(context, body);
  }

  /** The audit trail of a time range as CSV (admins only); errors are the envelope. */
  @OpEndpoint('auditExport')
  async auditExport(
    @CurrentContext() context: OpContext,
    @Body() body: AuditExportRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Readable> {
    return sendFile(reply, await this.audit.export(context, body));
  }
}
