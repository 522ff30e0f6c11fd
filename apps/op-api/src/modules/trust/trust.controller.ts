import type { Readable } from 'node:stream';
import { Body, Controller, HttpCode, Post, Res } from '@nestjs/common';
import { ChatExportRequest, CustomerEraseRequest, type CustomerEraseData } from '@op/contracts';
import type { FastifyReply } from 'fastify';
import { CurrentContext, type OpContext } from '../access/op-context';
import { RawResponse } from '../../common/decorators/raw-response.decorator';
import { sendFile } from '../../common/util/file-answer';
import { ChatExportService } from './chat-export.service';
import { CustomerEraseService } from './customer-erase.service';

/** docs/CONTRACT.md §7: transcript export and customer erasure. */
@Controller('op/v2')
export class TrustController {
  constructor(
    private readonly exports: ChatExportService,
    private readonly erasure: CustomerEraseService,
  ) {}

  /** The whole transcript as a file (jsonl, csv or html); errors are the envelope. */
  @Post('chatExport')
  @HttpCode(200)
  @RawResponse()
  async chatExport(
    @CurrentContext() context: OpContext,
    @Body() body: ChatExportRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Readable> {
    return sendFile(reply, await this.exports.open(context, body));
  }

  /** Admins: every chat of a customer and everything in them, deleted. Irreversible. */
  @Post('customerErase')
  @HttpCode(200)
  customerErase(@CurrentContext() context: OpContext, @Body() body: CustomerEraseRequest): Promise<CustomerEraseData> {
    return this.erasure.erase(context, body);
  }
}
