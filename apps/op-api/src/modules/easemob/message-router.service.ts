import { Inject, Injectable } from '@nestjs/common';
import { ChatStatus } from '@op/contracts';
import { DataSource, type EntityManager } from 'typeorm';
import type { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { Snowflake } from '../../common/util/snowflake';
import { inTransaction, StaleReadError } from '../../database/transaction';
import { ChatMessageRepository } from '../chat-message/chat-message.repository';
import { customerOf } from '../chat-message/customer';
import type { NewMessage } from '../chat-message/easemob-message';
import { ChatRepository } from '../chats/chat.repository';

/** A message whose session is found by who sent it (live callbacks, Easemob's own exports). */
export interface RoutedMessage extends NewMessage {
  /** Set for group messages: the group is the session's party. */
  groupId: string | null;
}

export interface DeliveryResult {
  stored: boolean;
  chatId: string;
}

/**
 * Routes each message to its session and stores it, once: the customer is the party that is
 * neither an operator nor a service account of the tenant; the message joins the customer's
 * open chat (1, 3 or 30) or opens a new waiting one; an operator's first message in a waiting
 * chat accepts it.
 */
@Injectable()
export class MessageRouter {
  private readonly ids: Snowflake;

  constructor(
    private readonly dataSource: DataSource,
    private readonly messages: ChatMessageRepository,
    private readonly chats: ChatRepository,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.ids = new Snowflake(config.workerId);
  }

  deliver(tenantId: string, message: RoutedMessage): Promise<DeliveryResult> {
    return inTransaction(this.dataSource, (manager) => this.route(manager, tenantId, message));
  }

  /** Routes many messages in one transaction (backfill); returns how many were new. */
  async deliverAll(tenantId: string, messages: readonly RoutedMessage[]): Promise<{ imported: number; duplicates: number }> {
    if (messages.length === 0) return { imported: 0, duplicates: 0 };
    return inTransaction(this.dataSource, async (manager) => {
      let imported = 0;
      for (const message of messages) if ((await this.route(manager, tenantId, message)).stored) imported++;
      return { imported, duplicates: messages.length - imported };
    });
  }

  /** Records a recall: the message stays (records are evidence), flagged `ext.recalled`. */
  recall(tenantId: string, hxMsgId: string, timeMs: number): Promise<void> {
    return inTransaction(this.dataSource, async (manager) => {
      if (!(await this.messages.markRecalled(manager, tenantId, hxMsgId))) {
        await this.messages.rememberRecall(manager, tenantId, hxMsgId, timeMs);
      }
    });
  }

  private async route(manager: EntityManager, tenantId: string, message: RoutedMessage): Promise<DeliveryResult> {
    let recalled = false;
    if (message.hxMsgId !== null) {
      // One round trip: is it stored already, and did its recall arrive before it?
      const [state]: Array<{ known_chat: string | null; recalled: number | string }> = await manager.query(
        'SELECT (SELECT chat_id FROM messages WHERE tenant_id = ? AND hx_msg_id = ?) AS known_chat, ' +
          '(SELECT COUNT(*) FROM message_recalls WHERE tenant_id = ? AND hx_msg_id = ?) AS recalled',
        [tenantId, message.hxMsgId, tenantId, message.hxMsgId],
      );
      if (state.known_chat !== null) return { stored: false, chatId: state.known_chat };
      recalled = Number(state.recalled) > 0;
    }
    const staff = await this.messages.staffAmong(manager, tenantId, [message.form, message.to]);
    const senderOperator = message.form === null ? undefined : staff.get(message.form);
    const customer = customerOf(message, staff) ?? 'unknown';
    const { chat } = await this.chats.openOrJoin(manager, tenantId, customer, {
      status: ChatStatus.Waiting,
      timeMs: message.createTimeMs,
      operatorId: null,
    });
    if (senderOperator && chat.status === (ChatStatus.Waiting as number)) {
      await this.chats.acceptBy(manager, chat, senderOperator, message.createTimeMs);
    }
    const ext = recalled ? { ...message.ext, recalled: true } : message.ext;
    const written = await this.messages.insertMessages(manager, tenantId, [{ ...message, ext, id: this.ids.next(), chatId: chat.id }]);
    if (written === 0) return { stored: false, chatId: chat.id };
    // The chat joined was erased (customerErase, retention) while this ran: roll back and route
    // again, which opens a new chat instead of leaving a message in a deleted one.
    if (!(await this.messages.addToChat(manager, tenantId, chat.id, 1, message.createTimeMs))) throw new StaleReadError('chat gone');
    await this.messages.addToDays(manager, tenantId, [{ chatId: chat.id, createTimeMs: message.createTimeMs }]);
    return { stored: true, chatId: chat.id };
  }
}
