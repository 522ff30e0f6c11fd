import type { Int } from './envelope';
import type { AuditAction } from './search-marks-audit.request';

/** `customerErase`: what was deleted. */
export interface CustomerEraseData {
  customerId: string;
  chats: Int;
  messages: Int;
  marks: Int;
  favorites: Int;
}

/** `opctl retention:set` */
export interface RetentionPolicy {
  tenantId: string;
  /** Chats whose last message is older than this many days are deleted; null keeps them forever. */
  messageDays: number | null;
  /** Audit records older than this many days are deleted; null keeps them forever. */
  auditDays: number | null;
}

/** One tenant's share of a retention run. */
export interface RetentionRunTenant {
  tenantId: string;
  chats: number;
  messages: number;
  auditRecords: number;
}

/** `opctl retention:run` */
export interface RetentionRunResult {
  tenants: RetentionRunTenant[];
}

/** Each audited action in words, for the panel and the CSV export. */
export const AUDIT_ACTION_LABELS: Readonly<Record<AuditAction, string>> = {
  chatMessageList: '查看会话消息',
  chatSearch: '会话搜索',
  chatMessageSearch: '会话内查找',
  messageMarkAdd: '添加标记',
  messageMarkRemove: '移除标记',
  messageFavoriteAdd: '收藏消息',
  messageFavoriteRemove: '取消收藏',
  chatExport: '导出会话记录',
  customerErase: '删除客户数据',
  auditExport: '导出审计日志',
};

/** The export file's name: `<chatId>.<format>` (a chat id is letters and digits; anything else is replaced). */
export function exportFileName(chatId: string, format: string): string {
  return `${chatId.replace(/[^A-Za-z0-9._-]/g, '_')}.${format}`;
}

/**
 * The export file's name as its reader would write it (RFC 6266 `filename*`, beside
 * {@link exportFileName} for clients that read only `filename`): the chat id whole, Chinese
 * included, but for the characters no file name may hold.
 */
export function exportDisplayName(chatId: string, format: string): string {
  // eslint-disable-next-line no-control-regex
  return `${chatId.replace(/[\u0000-\u001f\u007f/\\:*?"<>|]/g, '_')}.${format}`;
}

/** The byte-order mark that makes spreadsheet programs read a CSV file as UTF-8. */
export const UTF8_BOM = '\uFEFF';
