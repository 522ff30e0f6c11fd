import { Controller } from '@nestjs/common';
import type { OperatorListData } from '@op/contracts';
import { OpEndpoint } from '../../common/decorators/op-endpoint.decorator';
import { CurrentContext, requireOperator, type OpContext } from './op-context';
import { OperatorService } from './operator.service';

/** The tenant's operators by name, for pickers and for showing who a chat is assigned to (docs/api.md). */
@Controller()
export class OperatorsController {
  constructor(private readonly operators: OperatorService) {}

  @OpEndpoint('operatorList')
  async operatorList(@CurrentContext() context: OpContext): Promise<OperatorListData> {
    return { operators: await this.operators.list(context.tenantId, requireOperator(context)) };
  }
}
