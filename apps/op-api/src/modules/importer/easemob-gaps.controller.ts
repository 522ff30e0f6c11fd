import { Body, Controller } from '@nestjs/common';
import { EasemobGapsRequest, type EasemobGapsData } from '@op/contracts';
import { OpEndpoint } from '../../common/decorators/op-endpoint.decorator';
import { CurrentContext, type OpContext } from '../access/op-context';
import { EasemobGapsService } from './easemob-gaps.service';

/** Which Easemob hours the archive may be missing (admins; docs/api.md). */
@Controller()
export class EasemobGapsController {
  constructor(private readonly gaps: EasemobGapsService) {}

  @OpEndpoint('easemobGaps')
  easemobGaps(@CurrentContext() context: OpContext, @Body() body: EasemobGapsRequest): Promise<EasemobGapsData> {
    return this.gaps.list(context, body);
  }
}
