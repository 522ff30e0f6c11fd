import { Transform, type TransformFnParams } from 'class-transformer';
import { IsArray, IsDefined, IsIn, IsOptional, IsString, Matches, ArrayMaxSize } from 'class-validator';
import {
  CharLength,
  ChatIdField,
  DEFAULT_PAGE_NUM,
  DEFAULT_PAGE_SIZE,
  MESSAGE_ID_PATTERN,
  OptionalChatIdField,
  PageNumField,
  PageSizeField,
  IdField,
  MAX_CUSTOMER_ID_LENGTH,
  MAX_OPERATOR_ID_LENGTH,
  sentValue,
  trimmed,
} from './chat-message-list.request';
import { CHAT_STATUS_CODES } from './chat-status';

export { DEFAULT_PAGE_NUM, DEFAULT_PAGE_SIZE };

/** `yyyy-MM-dd HH:mm:ss`; whether it is a real instant in the configured zone is the server's check. */
export const DATE_TIME_PATTERN = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;
export const MAX_MARK_LENGTH = 32;
export const MAX_MARKS_PER_MESSAGE = 20;
export const MAX_KEYWORD_LENGTH = 64;
export const AUDIT_ACTIONS = [
  'chatMessageList',
  'chatSearch',
  'chatMessageSearch',
  'messageMarkAdd',
  'messageMarkRemove',
  'messageFavoriteAdd',
  'messageFavoriteRemove',
  'chatExport',
  'customerErase',
  'auditExport',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** Legacy callers may send one status as a number or string; each item follows {@link legacyInteger}. */
const statusList = (params: TransformFnParams): unknown => {
  const value = sentValue(params);
  if (value === undefined || value === null) return value;
  const list: unknown[] = Array.isArray(value) ? value : [value];
  return list.map((item) => (typeof item === 'string' && /^\d{1,3}$/.test(item) ? Number(item) : item));
};

/** What `chatSearch` can order its chats by, newest first. */
export const CHAT_SEARCH_SORTS = ['lastMessageTime', 'createTime'] as const;
export type ChatSearchSort = (typeof CHAT_SEARCH_SORTS)[number];

/** pageNum and pageSize as 2.37 takes them (class-validator checks the decorator nearest the property first). */
export class PageRequest {
  @PageNumField()
  pageNum?: number;

  @PageSizeField()
  pageSize?: number;
}

/** An optional `yyyy-MM-dd HH:mm:ss` field: the type is checked before the format. */
function optionalTime(name: string): PropertyDecorator {
  const optional = IsOptional();
  const format = Matches(DATE_TIME_PATTERN, { message: `${name} 必须是 yyyy-MM-dd HH:mm:ss 格式的时间` });
  const type = IsString({ message: `${name} 必须是字符串（yyyy-MM-dd HH:mm:ss）` });
  // Registered as if stacked optional / format / type: the one nearest the property runs first.
  return (target, key) => {
    type(target, key);
    format(target, key);
    optional(target, key);
  };
}

/** Body of `chatSearch` (docs/CONTRACT.md §6): every filter optional, all combined with AND. */
export class ChatSearchRequest extends PageRequest {
  @IsOptional()
  @IsIn(CHAT_STATUS_CODES, { each: true, message: `status 的每一项只能是 ${CHAT_STATUS_CODES.join('、')}` })
  @ArrayMaxSize(CHAT_STATUS_CODES.length * 2, { message: `status 最多 ${CHAT_STATUS_CODES.length * 2} 项` })
  @IsArray({ message: 'status 必须是数字数组' })
  @Transform(statusList)
  status?: number[];

  @IdField('customerId', MAX_CUSTOMER_ID_LENGTH, { optional: true })
  customerId?: string;

  @IdField('operatorId', MAX_OPERATOR_ID_LENGTH, { optional: true })
  operatorId?: string;

  @OptionalChatIdField()
  chatId?: string;

  @optionalTime('createdFrom')
  createdFrom?: string;

  @optionalTime('createdTo')
  createdTo?: string;

  @optionalTime('lastMessageFrom')
  lastMessageFrom?: string;

  @optionalTime('lastMessageTo')
  lastMessageTo?: string;

  @IsOptional()
  @CharLength(1, MAX_MARK_LENGTH, { message: `mark 长度必须在 1 到 ${MAX_MARK_LENGTH} 个字符之间` })
  @IsString({ message: 'mark 必须是字符串' })
  @Transform(trimmed)
  mark?: string;

  @IsOptional()
  @CharLength(1, MAX_KEYWORD_LENGTH, { message: `keyword 长度必须在 1 到 ${MAX_KEYWORD_LENGTH} 个字符之间（不计首尾空白）` })
  @IsString({ message: 'keyword 必须是字符串' })
  @Transform(trimmed)
  keyword?: string;

  /** With a keyword: only messages at or after this time match (default: the whole history, or the scan's window). */
  @optionalTime('messageTimeFrom')
  messageTimeFrom?: string;

  /** With a keyword: only messages at or before this time (its whole second) match. */
  @optionalTime('messageTimeTo')
  messageTimeTo?: string;

  /** The result order, newest first by: the last message (default; chats without one last) or the creation. */
  @IsOptional()
  @IsIn(CHAT_SEARCH_SORTS, { message: 'sort 只能是 lastMessageTime 或 createTime' })
  sort?: ChatSearchSort;
}

/** Body of `chatMessageSearch`: the messages of one chat that hold a keyword, in chat order ("find in this chat"). */
export class ChatMessageSearchRequest extends PageRequest {
  @ChatIdField()
  chatId!: string;

  @CharLength(1, MAX_KEYWORD_LENGTH, { message: `keyword 长度必须在 1 到 ${MAX_KEYWORD_LENGTH} 个字符之间（不计首尾空白）` })
  @IsString({ message: 'keyword 必须是字符串' })
  @IsDefined({ message: 'keyword 不能为空' })
  @Transform(trimmed)
  keyword!: string;

  @optionalTime('messageTimeFrom')
  messageTimeFrom?: string;

  @optionalTime('messageTimeTo')
  messageTimeTo?: string;
}

/** Body of `messageFavoriteAdd` and `messageFavoriteRemove`. */
export class MessageFavoriteRequest {
  @Matches(MESSAGE_ID_PATTERN, { message: 'messageId 必须是十进制的消息 ID（userMessageId）' })
  @IsString({ message: 'messageId 必须是字符串（userMessageId）' })
  @IsDefined({ message: 'messageId 不能为空' })
  @Transform(sentValue)
  messageId!: string;
}

/** Body of `messageMarkAdd` and `messageMarkRemove`; the mark is trimmed first. */
export class MessageMarkRequest extends MessageFavoriteRequest {
  @CharLength(1, MAX_MARK_LENGTH, { message: `mark 长度必须在 1 到 ${MAX_MARK_LENGTH} 个字符之间（不计首尾空白）` })
  @IsString({ message: 'mark 必须是字符串' })
  @IsDefined({ message: 'mark 不能为空' })
  @Transform(trimmed)
  mark!: string;
}

/** Body of `favoriteList`. */
export class FavoriteListRequest extends PageRequest {}

/** The audit filters other than time that `auditList` and `auditExport` share. */
export class AuditFilters {
  @IdField('operatorId', MAX_OPERATOR_ID_LENGTH, { optional: true })
  operatorId?: string;

  @IsOptional()
  @IsIn(AUDIT_ACTIONS, { message: `action 只能是 ${AUDIT_ACTIONS.join('、')}` })
  @IsString({ message: 'action 必须是字符串' })
  action?: AuditAction;

  @OptionalChatIdField()
  chatId?: string;
}

/** Body of `auditList` (admins only). */
export class AuditListRequest extends AuditFilters {
  @PageNumField()
  pageNum?: number;

  @PageSizeField()
  pageSize?: number;

  @optionalTime('from')
  from?: string;

  @optionalTime('to')
  to?: string;
}
