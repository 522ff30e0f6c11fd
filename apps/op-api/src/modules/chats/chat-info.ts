import { chatStatusLabel, type ChatInfo } from '@op/contracts';
import { getMetadataArgsStorage } from 'typeorm';
import type { TimeFormatter } from '../../common/util/time-format';
import { ChatEntity } from './chat.entity';

const timeOrNull = (time: TimeFormatter, value: string | number | null): string | null =>
  value === null ? null : time.formatMs(Number(value));

/** A chat row as the contract's chat object (docs/CONTRACT.md §6). */
export function toChatInfo(chat: ChatEntity, time: TimeFormatter): ChatInfo {
  return {
    chatId: chat.id,
    status: chatStatusLabel(Number(chat.status)),
    statusCode: Number(chat.status),
    customerId: chat.customerId,
    operatorId: chat.operatorId,
    createTime: time.formatMs(Number(chat.createTime)),
    acceptTime: timeOrNull(time, chat.acceptTime),
    endTime: timeOrNull(time, chat.endTime),
    lastMessageTime: timeOrNull(time, chat.lastMessageTime),
    messageCount: Number(chat.messageCount),
  };
}

/** A message id: read as text, as SQLite would round a 64-bit integer to a double. */
const AS_TEXT = new Set(['seq_last_id']);

/**
 * Every column of {@link ChatEntity}, from a table aliased `c`, each named as its entity
 * property: a hand-written query over `chats c` reads rows in the entity's shape (times as
 * either engine returns a BIGINT). Derived from the entity, so the column list is written once.
 */
export const CHAT_COLUMNS = getMetadataArgsStorage()
  .columns.filter((column) => column.target === ChatEntity)
  .map((column) => {
    const name = `c.${column.options.name ?? column.propertyName}`;
    return `${AS_TEXT.has(column.options.name ?? '') ? `CAST(${name} AS CHAR)` : name} AS ${column.propertyName}`;
  })
  .join(', ');
