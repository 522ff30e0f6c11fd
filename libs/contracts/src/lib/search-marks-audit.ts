import type { ChatMessage } from './chat-message';
import type { ChatInfo } from './chat';
import type { AuditAction } from './search-marks-audit.request';

/** One matching message of a keyword search. */
export interface ChatSearchHit {
  userMessageId: string;
  createTime: string;
  /** About 60 characters of the message around the first match. */
  snippet: string;
  /** Every match inside `snippet`, as [start, end) in UTF-16 code units. */
  offsets: Array<[number, number]>;
}

export interface ChatSearchResult extends ChatInfo {
  /** Up to three, newest first; `[]` without a keyword. */
  hits: ChatSearchHit[];
}

/** Message times a keyword search covered; an end is null where it was open (the whole history). */
export interface SearchWindow {
  from: string | null;
  to: string | null;
}

export interface ChatSearchData {
  chats: ChatSearchResult[];
  /** The message times a keyword search covered; null without a keyword, or when it covered every message. */
  window: SearchWindow | null;
  /**
   * True when more chats matched the keyword than the server counts exactly (OP_SEARCH_TOTAL_CAP,
   * 1,000 by default): `page.total` is then that cap, and paging on still works (`page.next`).
   */
  totalCapped: boolean;
}

/** `chatMessageSearch`: the chat's matching messages, in chat order; `page.total` counts them all. */
export interface ChatMessageSearchData {
  chatId: string;
  hits: ChatSearchHit[];
  window: SearchWindow | null;
}

export interface MessageMarkData {
  userMessageId: string;
  /** The message's marks after the change, oldest first. */
  mark: string[];
}

export interface MarkListData {
  marks: Array<{ mark: string; count: number }>;
}

export interface MessageFavoriteData {
  userMessageId: string;
  favorite: boolean;
}

export interface FavoriteItem {
  favoriteTime: string;
  message: ChatMessage;
  chat: ChatInfo;
}

export interface FavoriteListData {
  favorites: FavoriteItem[];
}

export interface AuditRecord {
  time: string;
  operatorId: string;
  clientId: string;
  action: AuditAction;
  /** The chat acted on, or null (a search across chats, an erasure, an export of the trail). */
  chatId: string | null;
  /** What was acted on, as an object whose keys depend on `action` (docs/trust.md: the audit trail). */
  target: Record<string, unknown>;
  ip: string;
}

export interface AuditListData {
  records: AuditRecord[];
}
