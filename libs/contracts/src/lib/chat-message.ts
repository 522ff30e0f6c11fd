import type { Int } from './envelope';
import type { PageInfo } from './envelope';

export const MESSAGE_TYPES = ['txt', 'img', 'audio', 'video', 'loc', 'file', 'cmd', 'custom'] as const;
export type MessageType = (typeof MESSAGE_TYPES)[number];

export function isMessageType(value: unknown): value is MessageType {
  return typeof value === 'string' && (MESSAGE_TYPES as readonly string[]).includes(value);
}

/** One message of 2.37, every field present (null where its type carries no value). */
export interface ChatMessage {
  userMessageId: string;
  hxMsgId: string | null;
  /** The sender, spelled `form` as in the original document. */
  form: string | null;
  to: string | null;
  type: MessageType;
  msg: string | null;
  url: string | null;
  filename: string | null;
  thumb: string | null;
  secret: string | null;
  thumb_secret: string | null;
  length: Int | null;
  file_length: Int | null;
  addr: string | null;
  lat: number | null;
  lng: number | null;
  /** `yyyy-MM-dd HH:mm:ss` in the configured zone. */
  createTime: string;
  getUrl: string | null;
  ext: Record<string, unknown>;
  /** Present only when `needFavorite` is true. */
  favorite?: boolean;
  /** Present only when `needMark` is true. */
  mark?: string[];
}

/**
 * A chat's order of messages (docs/CONTRACT.md §3), for `Array.prototype.sort`: ascending
 * `createTime`, which shows the second, then ascending `userMessageId` compared as a 64-bit
 * number (a shorter id is the smaller). 2.37 pages come in this order.
 */
export function compareChatOrder(
  a: Pick<ChatMessage, 'createTime' | 'userMessageId'>,
  b: Pick<ChatMessage, 'createTime' | 'userMessageId'>,
): number {
  if (a.createTime !== b.createTime) return a.createTime < b.createTime ? -1 : 1;
  const [x, y] = [BigInt(a.userMessageId), BigInt(b.userMessageId)];
  return x === y ? 0 : x < y ? -1 : 1;
}

/** The order in which every message's fields are written. */
export const CHAT_MESSAGE_FIELDS = [
  'userMessageId',
  'hxMsgId',
  'form',
  'to',
  'type',
  'msg',
  'url',
  'filename',
  'thumb',
  'secret',
  'thumb_secret',
  'length',
  'file_length',
  'addr',
  'lat',
  'lng',
  'createTime',
  'getUrl',
  'ext',
  'favorite',
  'mark',
] as const satisfies readonly (keyof ChatMessage)[];

export interface ChatMessageListData {
  /** The status label, e.g. `聊天中`. */
  status: string;
  /** The page's messages, oldest first: by `createTime` (to the second), then by `userMessageId` (see {@link compareChatOrder}). */
  msg: ChatMessage[];
  chatId: string;
}

export interface ChatMessageListResult {
  data: ChatMessageListData;
  page: PageInfo;
}
