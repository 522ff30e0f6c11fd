import { chatStatusLabel, type ChatInfo } from '@op/contracts';
import type { TimeFormatter } from '../../common/util/time-format';
import type { ChatEntity } from './chat.entity';

const timeOrNull = (time: TimeFormatter, value: string | number | null): string | null =>
  value === null ? null : time.formatMs(Number(value));

/** A chat row as the contract's chat object (CONTRACT.md §6). */
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
