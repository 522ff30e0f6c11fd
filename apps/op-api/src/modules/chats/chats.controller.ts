import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import {
  ChatAssignRequest,
  ChatCreateRequest,
  ChatDetailRequest,
  ChatStatusUpdateRequest,
  type ChatCreateResult,
  type ChatInfo,
} from '@op/contracts';
import { CurrentContext, type OpContext } from '../access/op-context';
import { ChatLifecycleService } from './chat-lifecycle.service';

/** Session lifecycle (docs/CONTRACT.md §6). */
@Controller('op/v2')
export class ChatsController {
  constructor(private readonly lifecycle: ChatLifecycleService) {}

  @Post('chatCreate')
  @HttpCode(200)
  chatCreate(@CurrentContext() context: OpContext, @Body() body: ChatCreateRequest): Promise<ChatCreateResult> {
    return this.lifecycle.create(context, body);
  }

  @Post('chatAssign')
  @HttpCode(200)
  chatAssign(@CurrentContext() context: OpContext, @Body() body: ChatAssignRequest): Promise<ChatInfo> {
    return this.lifecycle.assign(context, body);
  }

  @Post('chatStatusUpdate')
  @HttpCode(200)
  chatStatusUpdate(@CurrentContext() context: OpContext, @Body() body: ChatStatusUpdateRequest): Promise<ChatInfo> {
    return this.lifecycle.updateStatus(context, body);
  }

  @Post('chatDetail')
  @HttpCode(200)
  chatDetail(@CurrentContext() context: OpContext, @Body() body: ChatDetailRequest): Promise<ChatInfo> {
    return this.lifecycle.detail(context, body.chatId);
  }
}
