import { Body, Controller } from '@nestjs/common';
import {
  ChatAssignRequest,
  ChatCreateRequest,
  ChatDetailRequest,
  ChatStatusUpdateRequest,
  type ChatCreateResult,
  type ChatInfo,
} from '@op/contracts';
import { OpEndpoint } from '../../common/decorators/op-endpoint.decorator';
import { CurrentContext, type OpContext } from '../access/op-context';
import { ChatLifecycleService } from './chat-lifecycle.service';

/** Session lifecycle (docs/CONTRACT.md §6). */
@Controller()
export class ChatsController {
  constructor(private readonly lifecycle: ChatLifecycleService) {}

  @OpEndpoint('chatCreate')
  chatCreate(@CurrentContext() context: OpContext, @Body() body: ChatCreateRequest): Promise<ChatCreateResult> {
    return this.lifecycle.create(context, body);
  }

  @OpEndpoint('chatAssign')
  chatAssign(@CurrentContext() context: OpContext, @Body() body: ChatAssignRequest): Promise<ChatInfo> {
    return this.lifecycle.assign(context, body);
  }

  @OpEndpoint('chatStatusUpdate')
  chatStatusUpdate(@CurrentContext() context: OpContext, @Body() body: ChatStatusUpdateRequest): Promise<ChatInfo> {
    return this.lifecycle.updateStatus(context, body);
  }

  @OpEndpoint('chatDetail')
  chatDetail(@CurrentContext() context: OpContext, @Body() body: ChatDetailRequest): Promise<ChatInfo> {
    return this.lifecycle.detail(context, body.chatId);
  }
}
