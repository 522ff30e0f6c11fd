import { Injectable } from '@nestjs/common';
import { ChatStatus } from '@op/contracts';
import { DataSource, type EntityManager } from 'typeorm';
import { randomHex32 } from '../../common/util/random-id';
import { isMysql } from '../../database/data-source';
import { lockingRead } from '../../database/transaction';
import { CHAT_COLUMNS, chatEntityOf, type ChatDbRow } from '../chat-message/chat-info';
import { ChatEntity } from '../chat-message/chat.entity';

export const OPEN_STATUSES: readonly ChatStatus[] = [ChatStatus.Waiting, ChatStatus.Chatting, ChatStatus.Suspended];
export const isOpen = (status: number) => (OPEN_STATUSES as readonly number[]).includes(status);

/** A new session id in the original's shape: a letter, four digits, 32 hex. */
export const newChatId = () => `u0001${randomHex32()}`;

/** The chats table: the one open chat per customer, status moves, assignment. */
@Injectable()
export class ChatRepository {
  constructor(private readonly dataSource: DataSource) {}

  find(manager: EntityManager, tenantId: string, chatId: string): Promise<ChatEntity | null> {
    return manager.getRepository(ChatEntity).findOneBy({ tenantId, id: chatId });
  }

  /** The customer's open chat, or null; `current` reads past the transaction's snapshot. */
  async openChatOf(manager: EntityManager, tenantId: string, customerId: string, current = false): Promise<ChatEntity | null> {
    const rows: ChatDbRow[] = await manager.query(
      `SELECT ${CHAT_COLUMNS} FROM chat_open o JOIN chats c ON c.tenant_id = o.tenant_id AND c.id = o.chat_id ` +
        `WHERE o.tenant_id = ? AND o.customer_id = ?${current ? lockingRead(this.dataSource) : ''}`,
      [tenantId, customerId],
    );
    return rows.length === 0 ? null : chatEntityOf(tenantId, rows[0]);
  }

  /**
   * The customer's open chat, opening one (status `status`) when there is none. Safe under
   * concurrency: the `chat_open` key admits one open chat per customer.
   */
  async openOrJoin(
    manager: EntityManager,
    tenantId: string,
    customerId: string,
    opening: { status: ChatStatus; timeMs: number; operatorId: string | null },
  ): Promise<{ chat: ChatEntity; created: boolean }> {
    const existing = await this.openChatOf(manager, tenantId, customerId);
    if (existing) return { chat: existing, created: false };
    const chatId = newChatId();
    const ignore = isMysql(this.dataSource) ? 'INSERT IGNORE' : 'INSERT OR IGNORE';
    const claimed = await manager.queryRunner!.query(
      `${ignore} INTO chat_open (tenant_id, customer_id, chat_id) VALUES (?, ?, ?)`,
      [tenantId, customerId, chatId],
      true,
    );
    if (Number((claimed as { affected?: number }).affected ?? 0) === 0) {
      const winner = await this.openChatOf(manager, tenantId, customerId, true);
      if (!winner) throw new Error('chat_open claimed but no open chat found');
      return { chat: winner, created: false };
    }
    const chat = manager.getRepository(ChatEntity).create({
      tenantId,
      id: chatId,
      status: opening.status,
      customerId,
      operatorId: opening.operatorId,
      createTime: opening.timeMs,
      acceptTime: opening.status === ChatStatus.Chatting ? opening.timeMs : null,
      endTime: null,
      lastMessageTime: null,
      messageCount: 0,
    });
    await manager.getRepository(ChatEntity).insert(chat);
    return { chat, created: true };
  }

  /** Moves a chat to `status`, stamping accept/end times and freeing the customer when final. */
  async moveStatus(manager: EntityManager, chat: ChatEntity, status: ChatStatus, timeMs: number): Promise<void> {
    const changes: Partial<ChatEntity> = { status };
    if (status === ChatStatus.Chatting && chat.acceptTime === null) changes.acceptTime = timeMs;
    if (!isOpen(status) && chat.endTime === null) changes.endTime = timeMs;
    await manager.getRepository(ChatEntity).update({ tenantId: chat.tenantId, id: chat.id }, changes);
    if (!isOpen(status) && chat.customerId !== null) {
      await manager.query('DELETE FROM chat_open WHERE tenant_id = ? AND customer_id = ? AND chat_id = ?', [chat.tenantId, chat.customerId, chat.id]);
    }
    Object.assign(chat, changes);
  }

  /** An operator's first message in a waiting chat accepts it (1 → 3) and assigns them if none was. */
  async acceptBy(manager: EntityManager, chat: ChatEntity, operatorId: string, timeMs: number): Promise<void> {
    await manager.query(
      'UPDATE chats SET status = ?, accept_time = COALESCE(accept_time, ?), operator_id = COALESCE(operator_id, ?) ' +
        'WHERE tenant_id = ? AND id = ? AND status = ?',
      [ChatStatus.Chatting, timeMs, operatorId, chat.tenantId, chat.id, ChatStatus.Waiting],
    );
  }

  async assign(manager: EntityManager, chat: ChatEntity, operatorId: string): Promise<void> {
    await manager.getRepository(ChatEntity).update({ tenantId: chat.tenantId, id: chat.id }, { operatorId });
    chat.operatorId = operatorId;
  }
}
