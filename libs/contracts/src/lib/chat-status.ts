/** Session (chat) statuses of the original 2.37 document, with their Chinese labels. */
export enum ChatStatus {
  Waiting = 1,
  Chatting = 3,
  Ended = 5,
  UserDeleted = 6,
  Suspended = 30,
}

export const CHAT_STATUS_LABELS: Readonly<Record<ChatStatus, string>> = {
  [ChatStatus.Waiting]: '等待接待',
  [ChatStatus.Chatting]: '聊天中',
  [ChatStatus.Ended]: '已结束',
  [ChatStatus.UserDeleted]: '用户删除',
  [ChatStatus.Suspended]: '挂起',
};

export const CHAT_STATUS_CODES: readonly ChatStatus[] = [
  ChatStatus.Waiting,
  ChatStatus.Chatting,
  ChatStatus.Ended,
  ChatStatus.UserDeleted,
  ChatStatus.Suspended,
];

export function isChatStatus(value: unknown): value is ChatStatus {
  return typeof value === 'number' && (CHAT_STATUS_CODES as readonly number[]).includes(value);
}

/** The label of a status code; throws for a code the contract does not know. */
export function chatStatusLabel(code: number): string {
  if (!isChatStatus(code)) {
    throw new RangeError(`unknown chat status ${code}`);
  }
  return CHAT_STATUS_LABELS[code];
}

/**
 * The legal status moves: 1→3 (accept), 3⇄30 (suspend, resume), 1/3/30→5 (end), any→6
 * (customer deleted). 5 and 6 are final, but for 5→6.
 */
export const CHAT_STATUS_MOVES: Readonly<Record<ChatStatus, readonly ChatStatus[]>> = {
  [ChatStatus.Waiting]: [ChatStatus.Chatting, ChatStatus.Ended, ChatStatus.UserDeleted],
  [ChatStatus.Chatting]: [ChatStatus.Suspended, ChatStatus.Ended, ChatStatus.UserDeleted],
  [ChatStatus.Suspended]: [ChatStatus.Chatting, ChatStatus.Ended, ChatStatus.UserDeleted],
  [ChatStatus.Ended]: [ChatStatus.UserDeleted],
  [ChatStatus.UserDeleted]: [],
};

export function canMoveChatStatus(from: ChatStatus, to: ChatStatus): boolean {
  return CHAT_STATUS_MOVES[from].includes(to);
}

/** The statuses of an open chat (waiting, chatting, suspended): a customer has at most one. */
export const OPEN_CHAT_STATUSES: readonly ChatStatus[] = [ChatStatus.Waiting, ChatStatus.Chatting, ChatStatus.Suspended];

export function isOpen(status: number): boolean {
  return (OPEN_CHAT_STATUSES as readonly number[]).includes(status);
}
