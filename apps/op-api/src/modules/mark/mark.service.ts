import { Injectable } from '@nestjs/common';
import { MAX_MARKS_PER_MESSAGE, type MarkListData, type MessageMarkData, type MessageMarkRequest } from '@op/contracts';
import { DataSource } from 'typeorm';
import { type OpContext, requireOperator } from '../access/op-context';
import { OpError } from '../../common/errors/op-error';
import { dialectOf } from '../../database/dialect';
import { inTransaction } from '../../database/transaction';
import { AuditLog } from '../audit/audit-log.service';
import { ChatAccess } from '../chat-message/chat-access.service';
import { ChatMessageRepository } from '../chat-message/chat-message.repository';

/** A control character (C0, DEL, C1), or a line or paragraph separator (U+2028, U+2029). */
const CONTROL_CHARACTER = /[\p{Cc}\p{Zl}\p{Zp}]/u;

/**
 * Marks on messages: tenant-owned labels (who added one and when is kept). Adding and
 * removing are idempotent; a message holds at most {@link MAX_MARKS_PER_MESSAGE}.
 */
@Injectable()
export class MarkService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly access: ChatAccess,
    private readonly messages: ChatMessageRepository,
    private readonly audit: AuditLog,
  ) {}

  async add(context: OpContext, request: MessageMarkRequest): Promise<MessageMarkData> {
    const operator = requireOperator(context);
    // A mark is a label people read, search and export: no line breaks or other control
    // characters (refused when added only, so one stored before can still be removed).
    if (CONTROL_CHARACTER.test(request.mark)) throw OpError.badRequest('mark 不能含有换行符或其他控制字符');
    const { chatId } = await this.access.readableMessage(context, request.messageId);
    const id = BigInt(request.messageId);
    const { lockingRead: lock, insertIgnore: ignore } = dialectOf(this.dataSource);
    await inTransaction(this.dataSource, async (manager) => {
      // Adds to one message take turns on its row, so each counts what the others committed:
      // 40 racing adds to an unmarked message leave exactly 20. (SQLite has one writer.)
      await manager.query(`SELECT id FROM messages WHERE tenant_id = ? AND id = ?${lock}`, [context.tenantId, id]);
      const marks: Array<{ mark: string }> = await manager.query(
        `SELECT mark FROM message_marks WHERE tenant_id = ? AND chat_id = ? AND message_id = ?${lock}`,
        [context.tenantId, chatId, id],
      );
      if (marks.some((row) => row.mark === request.mark)) return; // adding a mark it has changes nothing
      if (marks.length >= MAX_MARKS_PER_MESSAGE) throw OpError.conflict(`mark 数量已达上限：每条消息最多 ${MAX_MARKS_PER_MESSAGE} 个标记`);
      await manager.query(
        `${ignore} INTO message_marks (tenant_id, message_id, mark, chat_id, operator_id, create_time) VALUES (?, ?, ?, ?, ?, ?)`,
        [context.tenantId, id, request.mark, chatId, operator.id, Date.now()],
      );
    });
    this.audit.record(context, 'messageMarkAdd', { chatId, messageId: request.messageId, mark: request.mark });
    return this.current(context.tenantId, chatId, request.messageId);
  }

  async remove(context: OpContext, request: MessageMarkRequest): Promise<MessageMarkData> {
    const { chatId } = await this.access.readableMessage(context, request.messageId);
    await this.dataSource.query('DELETE FROM message_marks WHERE tenant_id = ? AND chat_id = ? AND message_id = ? AND mark = ?', [
      context.tenantId,
      chatId,
      BigInt(request.messageId),
      request.mark,
    ]);
    this.audit.record(context, 'messageMarkRemove', { chatId, messageId: request.messageId, mark: request.mark });
    return this.current(context.tenantId, chatId, request.messageId);
  }

  /**
   * Every mark the tenant uses, with how many messages carry it, most used first; for an
   * agent, counted over the chats assigned to them only (they read no others).
   */
  async list(context: OpContext): Promise<MarkListData> {
    const operator = requireOperator(context);
    const dialect = dialectOf(this.dataSource);
    // Whatever the statistics (issue 14): an admin's count walks the tenant's marks in mark order
    // (grouped as read; the primary key holds the mark too, but by message); an agent's, their
    // chats first, then each chat's marks, never the tenant's marks checked chat by chat.
    const rows: Array<{ mark: string; n: number | string }> =
      operator.role === 'admin'
        ? await this.dataSource.query(
            `SELECT mm.mark, COUNT(*) AS n FROM message_marks mm ${dialect.forceIndex('idx_message_marks_mark')} ` +
              'WHERE mm.tenant_id = ? GROUP BY mm.mark ORDER BY n DESC, mm.mark ASC',
            [context.tenantId],
          )
        : await this.dataSource.query(
            `SELECT mm.mark, COUNT(*) AS n FROM chats c ${dialect.forceIndex('idx_chats_tenant_operator_customer')} ` +
              `${dialect.joinInOrder} message_marks mm ${dialect.forceIndex('idx_message_marks_chat')} ` +
              'ON mm.tenant_id = c.tenant_id AND mm.chat_id = c.id ' +
              'WHERE c.tenant_id = ? AND c.operator_id = ? GROUP BY mm.mark ORDER BY n DESC, mm.mark ASC',
            [context.tenantId, operator.id],
          );
    return { marks: rows.map((row) => ({ mark: row.mark, count: Number(row.n) })) };
  }

  private async current(tenantId: string, chatId: string, messageId: string): Promise<MessageMarkData> {
    const marks = await this.messages.marks(tenantId, chatId, [messageId]);
    return { userMessageId: messageId, mark: marks.get(messageId) ?? [] };
  }
}
