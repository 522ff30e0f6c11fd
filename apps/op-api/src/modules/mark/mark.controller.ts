import { Body, Controller } from '@nestjs/common';
import { MessageMarkRequest, type MarkListData, type MessageMarkData } from '@op/contracts';
import { OpEndpoint } from '../../common/decorators/op-endpoint.decorator';
import { CurrentContext, type OpContext } from '../access/op-context';
import { MarkService } from './mark.service';

@Controller()
export class MarkController {
  constructor(private readonly marks: MarkService) {}

  @OpEndpoint('messageMarkAdd')
  messageMarkAdd(@CurrentContext() context: OpContext, @Body() body: MessageMarkRequest): Promise<MessageMarkData> {
    return this.marks.add(context, body);
  }

  @OpEndpoint('messageMarkRemove')
  messageMarkRemove(@CurrentContext() context: OpContext, @Body() body: MessageMarkRequest): Promise<MessageMarkData> {
    return this.marks.remove(context, body);
  }

  @OpEndpoint('markList')
  markList(@CurrentContext() context: OpContext): Promise<MarkListData> {
    return this.marks.list(context);
  }
}
