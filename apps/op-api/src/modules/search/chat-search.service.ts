import { Inject, Injectable } from '@nestjs/common';
import {
  DEFAULT_PAGE_NUM,
  DEFAULT_PAGE_SIZE,
  pageInfo,
  type ChatSearchData,
  type ChatSearchHit,
  type ChatSearchRequest,
} from '@op/contracts';
import { DataSource } from 'typeorm';
import type { OpContext } from '../../common/decorators/op-context.decorator';
import { OpError } from '../../common/errors/op-error';
import { Paged } from '../../common/interceptors/envelope';
import { dropNulls, type WithoutNulls } from '../../common/util/drop-nulls';
import { TimeFormatter, parseZonedTime } from '../../common/util/time-format';
import type { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { AuditLog } from '../audit/audit-log.service';
import { requireOperator } from '../chat-message/chat-access.service';
import { CHAT_COLUMNS, chatEntityOf, toChatInfo, type ChatDbRow } from '../chat-message/chat-info';
import { placeholders } from '../chat-message/chat-message.repository';
import { MESSAGE_SEARCH_INDEX, type MessageSearchIndex, type SearchWindow } from './message-search-index';
import { buildSnippet } from './search-snippet';

export const HITS_PER_CHAT = 3;
const DAY_MS = 86_400_000;

/** The filters of a search as the audit trail records them: only those given. */
function filtersOf(request: WithoutNulls<ChatSearchRequest>): Record<string, unknown> {
  const { pageNum: _pageNum, pageSize: _pageSize, ...filters } = request;
  return Object.fromEntries(Object.entries(filters).filter(([, value]) => value !== undefined));
}

/**
 * `chatSearch`: the tenant's chats (an agent's own only) matching every given filter, newest
 * activity first; with a keyword, each with its newest matching messages.
 */
@Injectable()
export class ChatSearchService {
  private readonly time: TimeFormatter;
  private readonly windowDays: number;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(MESSAGE_SEARCH_INDEX) private readonly index: MessageSearchIndex,
    private readonly audit: AuditLog,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.time = new TimeFormatter(config.timezone);
    this.windowDays = config.searchWindowDays;
  }

  async search(context: OpContext, body: ChatSearchRequest): Promise<Paged<ChatSearchData>> {
    const request = dropNulls(body);
    const operator = requireOperator(context);
    const pageNum = request.pageNum ?? DEFAULT_PAGE_NUM;
    const pageSize = request.pageSize ?? DEFAULT_PAGE_SIZE;
    const where = ['c.tenant_id = ?'];
    const params: unknown[] = [context.tenantId];
    const add = (sql: string, ...values: unknown[]) => {
      where.push(sql);
      params.push(...values);
    };
    if (operator.role !== 'admin') add('c.operator_id = ?', operator.id);
    if (request.status !== undefined && request.status.length > 0) add(`c.status IN (${placeholders(request.status.length)})`, ...request.status);
    if (request.customerId !== undefined) add('c.customer_id = ?', request.customerId);
    if (request.operatorId !== undefined) add('c.operator_id = ?', request.operatorId);
    if (request.chatId !== undefined) add('c.id = ?', request.chatId);
    this.addRange(add, 'c.create_time', 'createdFrom', request.createdFrom, 'createdTo', request.createdTo);
    this.addRange(add, 'c.last_message_time', 'lastMessageFrom', request.lastMessageFrom, 'lastMessageTo', request.lastMessageTo);
    if (request.mark !== undefined) {
      add('EXISTS (SELECT 1 FROM message_marks mm WHERE mm.tenant_id = c.tenant_id AND mm.mark = ? AND mm.chat_id = c.id)', request.mark);
    }
    let window: SearchWindow | null = null;
    if (request.keyword !== undefined) {
      const now = Date.now();
      window = { fromMs: now - this.windowDays * DAY_MS, toMs: now };
      const matching = this.index.matchingChats(context.tenantId, request.keyword, window);
      if (matching.kind === 'subquery') add(`c.id IN (${matching.sql})`, ...matching.params);
      else if (matching.chatIds.length === 0) where.push('1 = 0');
      else add(`c.id IN (${placeholders(matching.chatIds.length)})`, ...matching.chatIds);
    }
    this.audit.record(context, 'chatSearch', request.chatId ?? null, filtersOf(request));

    const clause = where.join(' AND ');
    const [{ n }]: Array<{ n: number | string }> = await this.dataSource.query(`SELECT COUNT(*) AS n FROM chats c WHERE ${clause}`, params);
    const total = Number(n);
    const offset = (pageNum - 1) * pageSize;
    // NULL last_message_time sorts last in DESC on both engines. One direction for both keys,
    // so MariaDB can walk idx_chats_tenant_last backwards (InnoDB appends the key (tenant_id, id)).
    const rows: ChatDbRow[] = offset < total
      ? await this.dataSource.query(
          `SELECT ${CHAT_COLUMNS} FROM chats c WHERE ${clause} ORDER BY c.last_message_time DESC, c.id DESC LIMIT ? OFFSET ?`,
          [...params, pageSize, offset],
        )
      : [];
    const hitsByChat = new Map<string, ChatSearchHit[]>();
    if (window && request.keyword !== undefined && rows.length > 0) {
      const hits = await this.index.hits(context.tenantId, rows.map((row) => row.id), request.keyword, window, HITS_PER_CHAT);
      for (const hit of hits) {
        const list = hitsByChat.get(hit.chatId) ?? [];
        list.push({ userMessageId: hit.id, createTime: this.time.formatMs(hit.createTimeMs), ...buildSnippet(hit.msg, request.keyword) });
        hitsByChat.set(hit.chatId, list);
      }
    }
    const chats = rows.map((row) => ({ ...toChatInfo(chatEntityOf(context.tenantId, row), this.time), hits: hitsByChat.get(row.id) ?? [] }));
    return new Paged(
      { chats, window: window ? { from: this.time.formatMs(window.fromMs), to: this.time.formatMs(window.toMs) } : null },
      pageInfo(total, pageNum, pageSize, chats.length),
    );
  }

  private addRange(
    add: (sql: string, ...values: unknown[]) => void,
    column: string,
    fromName: string,
    fromText: string | undefined,
    toName: string,
    toText: string | undefined,
  ): void {
    const from = fromText === undefined ? undefined : this.parse(fromName, fromText);
    const to = toText === undefined ? undefined : this.parse(toName, toText);
    if (from !== undefined && to !== undefined && from > to) throw OpError.badRequest(`${fromName} 不能晚于 ${toName}`);
    if (from !== undefined) add(`${column} >= ?`, from);
    // A `to` time names a whole second: up to its last millisecond.
    if (to !== undefined) add(`${column} <= ?`, to + 999);
  }

  private parse(field: string, text: string): number {
    const ms = parseZonedTime(text, this.time);
    if (ms === null) throw OpError.badRequest(`${field} 不是有效的时间：${text}`);
    return ms;
  }
}
