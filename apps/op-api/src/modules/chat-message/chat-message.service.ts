import { Injectable } from '@nestjs/common';
import {
  DEFAULT_PAGE_NUM,
  DEFAULT_PAGE_SIZE,
  chatStatusLabel,
  pageInfo,
  type ChatMessageListData,
  type ChatMessageListRequest,
} from '@op/contracts';
import { OpError } from '../../common/errors/op-error';
import { isSnowflakeId } from '../../common/util/snowflake';
import { Paged } from '../../common/interceptors/envelope';
import type { OpContext } from '../access/op-context';
import { AuditLog } from '../audit/audit-log.service';
import { ChatAccess } from './chat-access.service';
import { numberingOf } from '../chats/chat-numbering';
import { ChatMessageRepository } from './chat-message.repository';
import { MessageMapper } from './message-mapper';
import { MessageSequence } from './message-sequence';

/** 2.37: one page of a chat's messages, in the contract's field order. */
@Injectable()
export class ChatMessageService {
  constructor(
    private readonly messages: ChatMessageRepository,
    private readonly access: ChatAccess,
    private readonly mapper: MessageMapper,
    private readonly audit: AuditLog,
    private readonly sequence: MessageSequence,
  ) {}

  async list(context: OpContext, request: ChatMessageListRequest): Promise<Paged<ChatMessageListData>> {
    const pageSize = request.pageSize ?? DEFAULT_PAGE_SIZE;
    const chat = await this.access.readableChat(context, request.chatId);
    const numbering = numberingOf(chat);
    // Positions not all known (messages arrived out of order): numbered in the background, for the next reads.
    if (numbering.upto < numbering.count) this.sequence.request(context.tenantId, request.chatId);
    let pageNum = request.pageNum ?? DEFAULT_PAGE_NUM;
    const around = request.aroundMessageId ?? undefined; // JSON null: not given
    if (around !== undefined) {
      // An id past the 64-bit range cannot be stored, so it is not in the chat (the drivers would refuse the number).
      const position = isSnowflakeId(around)
        ? await this.messages.positionInChat(context.tenantId, request.chatId, around, numbering)
        : null;
      if (position === null) throw OpError.notFound(`aroundMessageId ${around} 不是会话 ${request.chatId} 中的消息`);
      pageNum = Math.floor(position / pageSize) + 1;
    }
    this.audit.record(context, 'chatMessageList', {
      chatId: request.chatId,
      pageNum,
      pageSize,
      ...(around === undefined ? {} : { aroundMessageId: around }),
    });

    const offset = (pageNum - 1) * pageSize;
    const rows =
      offset < chat.messageCount ? await this.messages.page(context.tenantId, request.chatId, { offset, limit: pageSize, numbering }) : [];
    const ids = rows.map((row) => row.id);
    const [marks, favorites] = await Promise.all([
      request.needMark ? this.messages.marks(context.tenantId, request.chatId, ids) : null,
      request.needFavorite && context.operator ? this.messages.favorites(context.tenantId, context.operator.id, ids) : null,
    ]);
    const deadline = this.mapper.urlDeadline();
    const msg = rows.map((row) => {
      const message = this.mapper.toMessage(row, deadline);
      if (request.needFavorite) message.favorite = favorites?.has(row.id) ?? false;
      if (request.needMark) message.mark = marks?.get(row.id) ?? [];
      return message;
    });
    return new Paged(
      { status: chatStatusLabel(chat.status), msg, chatId: request.chatId },
      pageInfo(chat.messageCount, pageNum, pageSize, msg.length),
    );
  }
}
