import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { MessageMarkRequest, type MarkListData, type MessageMarkData } from '@op/contracts';
import { CurrentContext, type OpContext } from '../access/op-context';
import { MarkService } from './mark.service';

@Controller('op/v2')
export class MarkController {
  constructor(private readonly marks: MarkService) {}

  @Post('messageMarkAdd')
  @HttpCode(200)
  messageMarkAdd(@CurrentContext() context: OpContext, @Body() body: MessageMarkRequest): Promise<MessageMarkData> {
    return this.marks.add(context, body);
  }

  @Post('messageMarkRemove')
  @HttpCode(200)
  messageMarkRemove(@CurrentContext() context: OpContext, @Body() body: MessageMarkRequest): Promise<MessageMarkData> {
    return this.marks.remove(context, body);
  }

  @Post('markList')
  @HttpCode(200)
  markList(@CurrentContext() context: OpContext): Promise<MarkListData> {
    return this.marks.list(context);
  }
}
