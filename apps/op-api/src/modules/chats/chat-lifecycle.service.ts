import { Inject, Injectable } from '@nestjs/common';
import {
  CHAT_STATUS_LABELS,
  ChatStatus,
  canMoveChatStatus,
  isOpen,
  type ChatAssignRequest,
  type ChatCreateRequest,
  type ChatCreateResult,
  type ChatInfo,
  type ChatStatusUpdateRequest,
} from '@op/contracts';
import { DataSource, type EntityManager } from 'typeorm';
import type { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { canRead, type OpContext } from '../access/op-context';
import { OpError } from '../../common/errors/op-error';
import { TimeFormatter } from '../../common/util/time-format';
import { inTransaction } from '../../database/transaction';
import { OperatorService } from '../access/operator.service';
import { toChatInfo } from './chat-info';
import type { ChatEntity } from './chat.entity';
import { ChatRepository } from './chat.repository';

const label = (status: ChatStatus) => `${status}（${CHAT_STATUS_LABELS[status]}）`;

/**
 * Sessions through their lifecycle (create, assign, status moves, detail). An admin acts on
 * any chat of the tenant; an agent acts on chats assigned to them or to nobody yet (to take
 * a waiting chat), and reads only those assigned to them.
 */
@Injectable()
export class ChatLifecycleService {
  private readonly time: TimeFormatter;

  constructor(
    private readonly dataSource: DataSource,
    private readonly chats: ChatRepository,
    private readonly operators: OperatorService,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.time = new TimeFormatter(config.timezone);
  }

  async create(context: OpContext, request: ChatCreateRequest): Promise<ChatCreateResult> {
    if (request.operatorId !== undefined) await this.requireAssignable(context, request.operatorId);
    return inTransaction(this.dataSource, async (manager) => {
      const { chat, created } = await this.chats.openOrJoin(manager, context.tenantId, request.customerId, {
        status: request.operatorId === undefined ? ChatStatus.Waiting : ChatStatus.Chatting,
        timeMs: Date.now(),
        operatorId: request.operatorId ?? null,
      });
      // The customer's open chat comes back whole: an agent gets it only if they may act on it,
      // as chatDetail and chatAssign decide (the transaction rolls back; nothing was created).
      if (!created && !mayActOn(context, chat)) {
        throw OpError.forbidden(`customerId ${request.customerId} 已有进行中的会话，且已分配给其他坐席`);
      }
      return { ...toChatInfo(chat, this.time), created };
    });
  }

  async assign(context: OpContext, request: ChatAssignRequest): Promise<ChatInfo> {
    await this.requireAssignable(context, request.operatorId);
    return inTransaction(this.dataSource, async (manager) => {
      const chat = await this.requireChat(manager, context, request.chatId, true);
      if (!isOpen(chat.status)) {
        throw OpError.conflict(`会话已是 ${label(chat.status)}，不能再分配`);
      }
      await this.chats.assign(manager, chat, request.operatorId);
      return toChatInfo(chat, this.time);
    });
  }

  async updateStatus(context: OpContext, request: ChatStatusUpdateRequest): Promise<ChatInfo> {
    return inTransaction(this.dataSource, async (manager) => {
      const chat = await this.requireChat(manager, context, request.chatId, true);
      const from = chat.status as ChatStatus;
      if (!canMoveChatStatus(from, request.status)) {
        throw OpError.badRequest(`status 不能从 ${label(from)}变为 ${label(request.status)}`);
      }
      await this.chats.moveStatus(manager, chat, request.status, Date.now());
      // Accepting a chat nobody has takes it, as an operator's first message in it does (the
      // callback path): an agent who accepted a waiting chat could not read it, and any other
      // agent could still move or end it.
      if (request.status === ChatStatus.Chatting && chat.operatorId === null && context.operator) {
        await this.chats.assign(manager, chat, context.operator.id);
      }
      return toChatInfo(chat, this.time);
    });
  }

  async detail(context: OpContext, chatId: string): Promise<ChatInfo> {
    const chat = await this.requireChat(this.dataSource.manager, context, chatId);
    // Reading follows the 2.37 rule: an agent reads only chats assigned to them.
    if (context.operator && !canRead(context.operator, chat.operatorId)) {
      throw OpError.forbidden(`chatId ${chatId} 未分配给当前客服，无权查看`);
    }
    return toChatInfo(chat, this.time);
  }

  /** An operator of the tenant whom the caller may give a chat to: an agent only themselves. */
  private async requireAssignable(context: OpContext, operatorId: string): Promise<void> {
    if (!(await this.operators.find(context.tenantId, operatorId))) throw OpError.notFound(`operatorId ${operatorId} 不存在`);
    if (context.operator?.role === 'agent' && operatorId !== context.operator.id) throw OpError.forbidden('坐席只能把会话分配给自己');
  }

  /**
   * The chat, if the caller may act on it: another tenant's is "not found", another agent's
   * "forbidden". `forChange`: read locked, so that two agents taking one chat at once are
   * checked one after the other (the second sees the first's).
   */
  private async requireChat(manager: EntityManager, context: OpContext, chatId: string, forChange = false): Promise<ChatEntity> {
    const chat = await this.chats.find(context.tenantId, chatId, manager, forChange);
    if (!chat) throw OpError.notFound(`chatId ${chatId} 对应的会话不存在`);
    if (!mayActOn(context, chat)) throw OpError.forbidden(`无权操作会话 ${chatId}：它已分配给其他坐席`);
    return chat;
  }
}

/** Admins act on every chat of the tenant; an agent on chats assigned to them or to nobody. */
function mayActOn(context: OpContext, chat: Pick<ChatEntity, 'operatorId'>): boolean {
  const operator = context.operator;
  return operator?.role !== 'agent' || chat.operatorId === null || chat.operatorId === operator.id;
}
