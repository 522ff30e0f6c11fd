import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { SkipSignature } from '../../common/decorators/skip-signature.decorator';
import { EasemobCallbackService, type CallbackOutcome } from './easemob-callback.service';

/** `POST /hx/callback`: verified by its own `security` field, not the Op API signature. */
@Controller('hx')
export class EasemobCallbackController {
  constructor(private readonly callbacks: EasemobCallbackService) {}

  @Post('callback')
  @HttpCode(200)
  @SkipSignature()
  async callback(@Body() body: unknown): Promise<{ result: CallbackOutcome }> {
    return { result: await this.callbacks.receive(body) };
  }
}
