import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
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
import { numberingOf, type Numbering } from '../chats/chat-numbering';
import { ChatRepository } from '../chats/chat.repository';
import { ChatMessageRepository, type MessageRow } from './chat-message.repository';
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
    private readonly chats: ChatRepository,
  ) {}

  async list(context: OpContext, request: ChatMessageListRequest): Promise<Paged<ChatMessageListData>> {
    const pageSize = request.pageSize ?? DEFAULT_PAGE_SIZE;
    const chat = await this.access.readableChat(context, request.chatId);
    const numbering = numberingOf(chat);
    const around = request.aroundMessageId ?? undefined; // JSON null: not given
    // Positions not all known (messages arrived out of order): the page is found by counts and
    // offsets over several statements, on one snapshot, so that a message stored in between cannot
    // shift it (an append moves an offset counted from the chat's end); and the chat is numbered
    // in the background once this read is done, for the next reads. A numbered chat is read by
    // positions, which appends leave put.
    const numbered = numbering.upto >= numbering.count;
    let read: { pageNum: number; rows: MessageRow[]; total: number };
    try {
      read = numbered
        ? await this.window(context.tenantId, request, pageSize, numbering)
        : await this.messages.snapshot(async (db) => {
            const now = (await this.chats.numbering(db, context.tenantId, [request.chatId], { lock: false })).get(request.chatId);
            return this.window(context.tenantId, request, pageSize, now ?? numbering, db);
          });
    } finally {
      if (!numbered) this.sequence.request(context.tenantId, request.chatId);
    }
    const { pageNum, rows, total } = read;
    this.audit.record(context, 'chatMessageList', {
      chatId: request.chatId,
      pageNum,
      pageSize,
      ...(around === undefined ? {} : { aroundMessageId: around }),
    });
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
    return new Paged({ status: chatStatusLabel(chat.status), msg, chatId: request.chatId }, pageInfo(total, pageNum, pageSize, msg.length));
  }

  /** The page asked for (by number or around a message) of a chat whose count and numbering are `numbering`. */
  private async window(
    tenantId: string,
    request: ChatMessageListRequest,
    pageSize: number,
    numbering: Numbering,
    db?: EntityManager,
  ): Promise<{ pageNum: number; rows: MessageRow[]; total: number }> {
    let pageNum = request.pageNum ?? DEFAULT_PAGE_NUM;
    const around = request.aroundMessageId ?? undefined;
    if (around !== undefined) {
      // An id past the 64-bit range cannot be stored, so it is not in the chat (the drivers would refuse the number).
      const position = isSnowflakeId(around) ? await this.messages.positionInChat(tenantId, request.chatId, around, numbering, db) : null;
      if (position === null) throw OpError.notFound(`aroundMessageId ${around} 不是会话 ${request.chatId} 中的消息`);
      pageNum = Math.floor(position / pageSize) + 1;
    }
    const offset = (pageNum - 1) * pageSize;
    const rows =
      offset < numbering.count ? await this.messages.page(tenantId, request.chatId, { offset, limit: pageSize, numbering }, db) : [];
    return { pageNum, rows, total: numbering.count };
  }
}
