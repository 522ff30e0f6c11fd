import type { Readable } from 'node:stream';
import { Body, Controller, HttpCode, Post, Res } from '@nestjs/common';
import { AuditExportRequest, AuditListRequest, type AuditListData } from '@op/contracts';
import type { FastifyReply } from 'fastify';
import { CurrentContext, type OpContext } from '../access/op-context';
import { RawResponse } from '../../common/decorators/raw-response.decorator';
import type { Paged } from '../../common/interceptors/envelope';
import { sendFile } from '../../common/util/file-answer';
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

  /** The audit trail of a time range as CSV (admins only); errors are the envelope. */
  @Post('auditExport')
  @HttpCode(200)
  @RawResponse()
  async auditExport(
    @CurrentContext() context: OpContext,
    @Body() body: AuditExportRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Readable> {
    return sendFile(reply, await this.audit.export(context, body));
  }
}
