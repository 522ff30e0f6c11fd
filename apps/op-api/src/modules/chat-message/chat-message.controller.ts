import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ChatMessageListRequest, type ChatMessageListData } from '@op/contracts';
import { CurrentContext, type OpContext } from '../access/op-context';
import type { Paged } from '../../common/interceptors/envelope';
import { ChatMessageService } from './chat-message.service';

@Controller('op/v2')
export class ChatMessageController {
  constructor(private readonly chatMessages: ChatMessageService) {}

  /** 2.37 当前会话信息（用于会话搜索）. */
  @Post('chatMessageList')
  @HttpCode(200)
  chatMessageList(@CurrentContext() context: OpContext, @Body() body: ChatMessageListRequest): Promise<Paged<ChatMessageListData>> {
    return this.chatMessages.list(context, body);
  }
}
