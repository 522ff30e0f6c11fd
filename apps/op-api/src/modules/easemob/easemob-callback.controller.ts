import { Body, Controller, HttpCode, Optional, Post } from '@nestjs/common';
import { SkipSignature } from '../access/skip-signature.decorator';
import { MetricsService } from '../observability/metrics.service';
import { EasemobCallbackService, type CallbackOutcome } from './easemob-callback.service';

/** `POST /hx/callback`: verified by its own `security` field, not the Op API signature. */
@Controller('hx')
export class EasemobCallbackController {
  constructor(
    private readonly callbacks: EasemobCallbackService,
    // Absent where the module runs without HTTP (the operator CLI).
    @Optional() private readonly metrics?: MetricsService,
  ) {}

  @Post('callback')
  @HttpCode(200)
  @SkipSignature()
  async callback(@Body() body: unknown): Promise<{ result: CallbackOutcome }> {
    try {
      const result = await this.callbacks.receive(body);
      this.metrics?.callbacks.inc({ outcome: result });
      return { result };
    } catch (error) {
      this.metrics?.callbacks.inc({ outcome: 'rejected' });
      throw error;
    }
  }
}
