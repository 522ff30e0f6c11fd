import type { Int } from './envelope';
import type { ChatMessage } from './chat-message';
import type { ChatInfo } from './chat';
import type { AuditAction, ChatSearchRequest } from './search-marks-audit.request';
import type { ExportFormat } from './trust.request';

/** One matching message of a keyword search. */
export interface ChatSearchHit {
  userMessageId: string;
  createTime: string;
  /** About 60 characters of the message around the first match. */
  snippet: string;
  /** Every match inside `snippet`, as [start, end) in UTF-16 code units. */
  offsets: Array<[Int, Int]>;
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
  marks: Array<{ mark: string; count: Int }>;
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

/** The filters of a chat search as the audit trail records them: only those given. */
export type ChatSearchFilters = {
  [K in Exclude<keyof ChatSearchRequest, 'pageNum' | 'pageSize'>]?: Exclude<ChatSearchRequest[K], null | undefined>;
};

/** What each audited action acted on: the `target` of its audit records (docs/CONTRACT.md §6). */
export interface AuditTargets {
  chatMessageList: { chatId: string; pageNum: Int; pageSize: Int; aroundMessageId?: string };
  chatSearch: ChatSearchFilters;
  chatMessageSearch: { chatId: string; keyword: string; pageNum: Int; pageSize: Int };
  messageMarkAdd: { chatId: string; messageId: string; mark: string };
  messageMarkRemove: { chatId: string; messageId: string; mark: string };
  messageFavoriteAdd: { chatId: string; messageId: string };
  messageFavoriteRemove: { chatId: string; messageId: string };
  chatExport: { chatId: string; format: ExportFormat };
  /** The customer id only as a digest: the erasure leaves no trace of who was erased. */
  customerErase: { customerIdSha256: string; chats: Int; messages: Int; marks: Int; favorites: Int };
  /** The exported range and filters; its `chatId` filter is the record's `chatId`. */
  auditExport: { from: string; to: string; operatorId?: string; action?: AuditAction };
}

export type AuditTarget<A extends AuditAction = AuditAction> = AuditTargets[A];

interface AuditRecordOf<A extends AuditAction> {
  time: string;
  operatorId: string;
  clientId: string;
  action: A;
  /** The chat acted on, or null (a search across chats, an erasure, an export of the trail). */
  chatId: string | null;
  /** What was acted on, as an object whose keys depend on `action` (docs/trust.md: the audit trail). */
  target: AuditTargets[A];
  ip: string;
}

/** One audit record; `action` tells the shape of its `target`. */
export type AuditRecord = { [A in AuditAction]: AuditRecordOf<A> }[AuditAction];

export interface AuditListData {
  records: AuditRecord[];
}
