import { chatStatusLabel, type ChatInfo } from '@op/contracts';
import type { TimeFormatter } from '../../common/util/time-format';
import type { ChatEntity } from './chat.entity';

const timeOrNull = (time: TimeFormatter, value: string | number | null): string | null =>
  value === null ? null : time.formatMs(Number(value));

/** A chat row as the contract's chat object (docs/CONTRACT.md §6). */
export function toChatInfo(chat: ChatEntity, time: TimeFormatter): ChatInfo {
  return {
    chatId: chat.id,
    status: chatStatusLabel(chat.status),
    statusCode: chat.status,
    customerId: chat.customerId,
    operatorId: chat.operatorId,
    createTime: time.formatMs(Number(chat.createTime)),
    acceptTime: timeOrNull(time, chat.acceptTime),
    endTime: timeOrNull(time, chat.endTime),
    lastMessageTime: timeOrNull(time, chat.lastMessageTime),
    messageCount: Number(chat.messageCount),
  };
}

/** The chats columns a query reads for {@link toChatInfo}, from a table aliased `c`. */
export const CHAT_COLUMNS =
  'c.id, c.status, c.customer_id, c.operator_id, c.create_time, c.accept_time, c.end_time, c.last_message_time, c.message_count';

export interface ChatDbRow {
  id: string;
  status: number | string;
  customer_id: string | null;
  operator_id: string | null;
  create_time: number | string;
  accept_time: number | string | null;
  end_time: number | string | null;
  last_message_time: number | string | null;
  message_count: number | string;
}

/** A raw chats row (either engine's types) as the entity {@link toChatInfo} takes. */
export function chatEntityOf(tenantId: string, row: ChatDbRow): ChatEntity {
  return {
    tenantId,
    id: row.id,
    status: Number(row.status),
    customerId: row.customer_id,
    operatorId: row.operator_id,
    createTime: row.create_time,
    acceptTime: row.accept_time,
    endTime: row.end_time,
    lastMessageTime: row.last_message_time,
    messageCount: Number(row.message_count),
  };
}
