import { Injectable } from '@nestjs/common';
import { canRead, requireOperator, type OpContext } from '../access/op-context';
import { OpError } from '../../common/errors/op-error';
import { isSnowflakeId } from '../../common/util/snowflake';
import type { ChatEntity } from '../chats/chat.entity';
import { ChatRepository } from '../chats/chat.repository';
import { ChatMessageRepository } from './chat-message.repository';

/**
 * Who may read which chat. Another tenant's chat is "not found" (its existence does not
 * leak); a chat of the tenant assigned to someone else is 403 for an agent.
 */
@Injectable()
export class ChatAccess {
  constructor(
    private readonly chats: ChatRepository,
    private readonly messages: ChatMessageRepository,
  ) {}

  async readableChat(context: OpContext, chatId: string): Promise<ChatEntity> {
    const operator = requireOperator(context);
    const chat = await this.chats.find(context.tenantId, chatId);
    if (!chat) throw OpError.notFound(`chatId ${chatId} 对应的会话不存在`);
    if (!canRead(operator, chat.operatorId)) throw OpError.forbidden(`chatId ${chatId} 未分配给当前客服，无权查看`);
    return chat;
  }

  /** The chat of a message the caller may read; 404 for an unknown id or another tenant's message. */
  async readableMessage(context: OpContext, messageId: string): Promise<{ chatId: string; chat: ChatEntity }> {
    requireOperator(context);
    const chatId = isSnowflakeId(messageId) ? await this.messages.chatOfMessage(context.tenantId, messageId) : null;
    if (chatId === null) throw OpError.notFound(`messageId ${messageId} 对应的消息不存在`);
    const chat = await this.chats.find(context.tenantId, chatId);
    if (!chat) throw OpError.notFound(`messageId ${messageId} 对应的消息不存在`);
    if (!canRead(requireOperator(context), chat.operatorId)) {
      throw OpError.forbidden(`messageId ${messageId} 所在的会话未分配给当前客服，无权操作`);
    }
    return { chatId, chat };
  }
}
