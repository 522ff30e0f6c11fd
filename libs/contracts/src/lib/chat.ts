import type { Int } from './envelope';
import type { ChatStatus } from './chat-status';

/** The chat object of docs/CONTRACT.md §6, shared by every endpoint that returns a session. */
export interface ChatInfo {
  chatId: string;
  /** The status label, as in 2.37 (`聊天中`). */
  status: string;
  statusCode: ChatStatus;
  customerId: string | null;
  operatorId: string | null;
  /** `yyyy-MM-dd HH:mm:ss` in the configured zone. */
  createTime: string;
  acceptTime: string | null;
  endTime: string | null;
  lastMessageTime: string | null;
  messageCount: Int;
}
