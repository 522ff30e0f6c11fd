import { Inject, Injectable } from '@nestjs/common';
import {
  DEFAULT_PAGE_NUM,
  DEFAULT_PAGE_SIZE,
  pageInfo,
  type FavoriteListData,
  type FavoriteListRequest,
  type MessageFavoriteData,
  type MessageFavoriteRequest,
} from '@op/contracts';
import { DataSource } from 'typeorm';
import { type OpContext, requireOperator } from '../access/op-context';
import { Paged } from '../../common/interceptors/envelope';
import { TimeFormatter } from '../../common/util/time-format';
import type { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { dialectOf } from '../../database/dialect';
import { AuditLog } from '../audit/audit-log.service';
import { ChatAccess } from '../chat-message/chat-access.service';
import { toChatInfo } from '../chats/chat-info';
import { ChatRepository } from '../chats/chat.repository';
import { ChatMessageRepository, MESSAGE_COLUMNS, type MessageRow } from '../chat-message/chat-message.repository';
import { MessageMapper } from '../chat-message/message-mapper';

/** Favorites: each operator's own bookmarks on messages. Adding and removing are idempotent. */
@Injectable()
export class FavoriteService {
  private readonly time: TimeFormatter;

  constructor(
    private readonly dataSource: DataSource,
    private readonly access: ChatAccess,
    private readonly mapper: MessageMapper,
    private readonly messages: ChatMessageRepository,
    private readonly chats: ChatRepository,
    private readonly audit: AuditLog,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.time = new TimeFormatter(config.timezone);
  }

  async add(context: OpContext, request: MessageFavoriteRequest): Promise<MessageFavoriteData> {
    const operator = requireOperator(context);
    const { chatId } = await this.access.readableMessage(context, request.messageId);
    await this.dataSource.query(
      `${dialectOf(this.dataSource).insertIgnore} INTO message_favorites (operator_id, message_id, tenant_id, chat_id, create_time) VALUES (?, ?, ?, ?, ?)`,
      [operator.id, BigInt(request.messageId), context.tenantId, chatId, Date.now()],
    );
    this.audit.record(context, 'messageFavoriteAdd', { chatId, messageId: request.messageId });
    return { userMessageId: request.messageId, favorite: true };
  }

  async remove(context: OpContext, request: MessageFavoriteRequest): Promise<MessageFavoriteData> {
    const operator = requireOperator(context);
    const { chatId } = await this.access.readableMessage(context, request.messageId);
    await this.dataSource.query(
      'DELETE FROM message_favorites WHERE operator_id = ? AND message_id = ? AND tenant_id = ? AND chat_id = ?',
      [operator.id, BigInt(request.messageId), context.tenantId, chatId],
    );
    this.audit.record(context, 'messageFavoriteRemove', { chatId, messageId: request.messageId });
    return { userMessageId: request.messageId, favorite: false };
  }

  /** The caller's favorites, newest first; an agent sees only those in chats still assigned to them. */
  async list(context: OpContext, request: FavoriteListRequest): Promise<Paged<FavoriteListData>> {
    const operator = requireOperator(context);
    const pageNum = request.pageNum ?? DEFAULT_PAGE_NUM;
    const pageSize = request.pageSize ?? DEFAULT_PAGE_SIZE;
    const agentOnly = operator.role !== 'admin';
    // Along the operator's favorites by time, whatever the statistics: MariaDB read an operator
    // with few favorites by primary key and sorted them, which costs every favorite at scale.
    const from =
      `FROM message_favorites f ${dialectOf(this.dataSource).forceIndex('idx_message_favorites_operator')} ` +
      'JOIN messages m ON m.id = f.message_id AND m.tenant_id = f.tenant_id AND m.chat_id = f.chat_id ' +
      (agentOnly ? 'JOIN chats c ON c.tenant_id = f.tenant_id AND c.id = f.chat_id AND c.operator_id = ? ' : '') +
      'WHERE f.tenant_id = ? AND f.operator_id = ?';
    const params = [...(agentOnly ? [operator.id] : []), context.tenantId, operator.id];
    const [{ n }]: Array<{ n: number | string }> = await this.dataSource.query(`SELECT COUNT(*) AS n ${from}`, params);
    const total = Number(n);
    const offset = (pageNum - 1) * pageSize;
    const rows: Array<MessageRow & { favorite_time: number | string; favorite_chat_id: string }> =
      offset < total
        ? await this.dataSource.query(
            `SELECT f.create_time AS favorite_time, f.chat_id AS favorite_chat_id, ${MESSAGE_COLUMNS} ${from} ` +
              'ORDER BY f.create_time DESC, f.message_id DESC LIMIT ? OFFSET ?',
            [...params, pageSize, offset],
          )
        : [];
    const chatIds = [...new Set(rows.map((row) => row.favorite_chat_id))];
    const chatRows = await this.chats.findMany(context.tenantId, chatIds);
    const chats = new Map(chatRows.map((row) => [row.id, toChatInfo(row, this.time)]));
    // Each message as 2.37 gives it with needFavorite and needMark: a favorites page shows the marks too.
    const marks = new Map<string, string[]>();
    for (const chatId of chatIds) {
      const ids = rows.filter((row) => row.favorite_chat_id === chatId).map((row) => row.id);
      for (const [id, list] of await this.messages.marks(context.tenantId, chatId, ids)) marks.set(id, list);
    }
    const deadline = this.mapper.urlDeadline();
    const favorites = rows
      .filter((row) => chats.has(row.favorite_chat_id))
      .map((row) => ({
        favoriteTime: this.time.formatMs(Number(row.favorite_time)),
        message: { ...this.mapper.toMessage(row, deadline), favorite: true, mark: marks.get(row.id) ?? [] },
        chat: chats.get(row.favorite_chat_id)!,
      }));
    return new Paged({ favorites }, pageInfo(total, pageNum, pageSize, favorites.length));
  }
}
