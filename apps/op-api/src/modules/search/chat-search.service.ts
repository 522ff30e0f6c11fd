import { Inject, Injectable } from '@nestjs/common';
import {
  DEFAULT_PAGE_NUM,
  DEFAULT_PAGE_SIZE,
  MAX_KEYWORD_LENGTH,
  normalizeSearchText,
  pageInfo,
  type ChatMessageSearchData,
  type ChatMessageSearchRequest,
  type ChatSearchData,
  type ChatSearchFilters,
  type ChatSearchHit,
  type ChatSearchRequest,
  type ChatSearchSort,
  type PageInfo,
  type SearchWindow,
} from '@op/contracts';
import { DataSource } from 'typeorm';
import { type OpContext, requireOperator } from '../access/op-context';
import { OpError } from '../../common/errors/op-error';
import { Paged } from '../../common/interceptors/envelope';
import { chunks } from '../../common/util/chunks';
import { dropNulls, type WithoutNulls } from '../../common/util/drop-nulls';
import { TimeFormatter } from '../../common/util/time-format';
import { parseTimeRange } from '../../common/util/time-range';
import type { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { dialectOf, type Dialect } from '../../database/dialect';
import { DAY_MS } from '../../database/message-days';
import { SqlFilter, placeholders } from '../../database/sql';
import { AuditLog } from '../audit/audit-log.service';
import { ChatAccess } from '../chat-message/chat-access.service';
import { CHAT_COLUMNS, toChatInfo } from '../chats/chat-info';
import type { ChatEntity } from '../chats/chat.entity';
import type { SearchEngine, SearchQuery } from '../search-index/search-engine';
import { SearchIndexService, type ChatRef, type SearchHit } from '../search-index/search-index.service';
import { buildSnippet } from './search-snippet';
import { groupBy } from '../../common/util/group-by';

export const HITS_PER_CHAT = 3;
/** Chats read per step when walking the filtered chats in result order: the first step, and the most. */
const WALK_FIRST_CHUNK = 50;
const WALK_CHUNK = 800;
/**
 * With filters, a common keyword's matching chats are asked for up to this many times the cap:
 * when more than the cap of them pass the filters, the total is known to be capped.
 */
const FILTERED_PROBE = 4;
/** Chats looked up per statement by id. */
const ID_CHUNK = 1_000;
/** A keyword's length once normalised, in UTF-16 units: twice what may be typed. */
const MAX_NORMAL_KEYWORD = 2 * MAX_KEYWORD_LENGTH;
/** With cap 0 (always exact), at most this many matching chats are gathered. */
const UNCAPPED = 50_000_000;

/** The filters of a search as the audit trail records them: only those given. */
function filtersOf(request: WithoutNulls<ChatSearchRequest>): ChatSearchFilters {
  const { pageNum: _pageNum, pageSize: _pageSize, ...filters } = request;
  return Object.fromEntries(Object.entries(filters).filter(([, value]) => value !== undefined));
}

/** Chat ids compare as the databases compare them (utf8mb4_bin, SQLite BINARY): by UTF-8 bytes. */
function compareIds(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

const chatRef = (row: ChatEntity): ChatRef => ({ id: row.id, messageCount: Number(row.messageCount) });

/** What a result order compares: the chat id and its sort key (`lastMessageTime` or `createTime`). */
type OrderKeys = Pick<ChatEntity, 'id' | 'lastMessageTime' | 'createTime'>;

/**
 * A result order: newest first by the `sort` key (chats without a last message last), then chat
 * id descending; `column` is the key in SQL, one direction for both keys so the database walks
 * idx_chats_tenant_last / idx_chats_tenant_created (and the agents' twins) backwards.
 */
class ResultOrder {
  readonly column: string;

  constructor(readonly key: ChatSearchSort) {
    this.column = key === 'createTime' ? 'c.create_time' : 'c.last_message_time';
  }

  get sql(): string {
    return `${this.column} DESC, c.id DESC`;
  }

  readonly compare = (a: Partial<OrderKeys>, b: Partial<OrderKeys>): number => {
    const [x, y] = [a[this.key] ?? null, b[this.key] ?? null].map((key) => (key === null ? null : Number(key)));
    if (x !== y) return x === null ? 1 : y === null ? -1 : y - x;
    return compareIds(b.id!, a.id!);
  };
}

/** The filters that decide which index of chats a filtered listing reads. */
interface IndexKeys {
  chatId?: string;
  customerId?: string;
  /** An agent's own chats, or the `operatorId` filter. */
  byOperator: boolean;
  createdRange: boolean;
  lastMessageRange: boolean;
  status: boolean;
}

/**
 * The index of chats a listing reads, whatever the statistics (issue 14), as the FROM hint of
 * `chats c`: the one index whose leading columns are exactly the most selective equality the
 * filters give, else the order's index, ranged by a time filter if one is given.
 *
 * - `chatId`: the primary key (one row at most).
 * - `customerId`: idx_chats_tenant_customer (tenant, customer, status: `status` is read in the
 *   index too); with an operator, idx_chats_tenant_operator_customer. One customer's chats are
 *   sorted, never the tenant's.
 * - `operatorId` (or an agent): idx_chats_tenant_operator_last / idx_chats_tenant_operator_created.
 * - none: idx_chats_tenant_last / idx_chats_tenant_created.
 *
 * Without an equality key the order's index is read backwards in result order (no sort, it stops
 * after the page), a range on the sort key bounding it; a range on the other time column alone
 * reads that column's index over the range and sorts it (the rows read are those of the range,
 * where walking the order could read the whole tenant before reaching an old range). `status`
 * and `mark` are checked on the rows read: no index serves them better. `page` is the hint of
 * the page (and the keyword's walk); `count` that of the COUNT, the same but for `status`
 * alone: idx_chats_tenant_customer holds the status, so it is counted in the index, without
 * reading each chat's row.
 */
function chatsIndex(dialect: Dialect, order: ResultOrder, keys: IndexKeys): { page: string; count: string } {
  const same = (hint: string) => ({ page: hint, count: hint });
  if (keys.chatId !== undefined) return same(dialect.forcePrimaryKey('chats'));
  if (keys.customerId !== undefined)
    return same(dialect.forceIndex(keys.byOperator ? 'idx_chats_tenant_operator_customer' : 'idx_chats_tenant_customer'));
  const sortRange = order.key === 'createTime' ? keys.createdRange : keys.lastMessageRange;
  const otherRange = order.key === 'createTime' ? keys.lastMessageRange : keys.createdRange;
  const byCreation = (order.key === 'createTime') !== (!sortRange && otherRange);
  const suffix = byCreation ? 'created' : 'last';
  const page = dialect.forceIndex(keys.byOperator ? `idx_chats_tenant_operator_${suffix}` : `idx_chats_tenant_${suffix}`);
  const statusOnly = keys.status && !keys.byOperator && !keys.createdRange && !keys.lastMessageRange;
  return { page, count: statusOnly ? dialect.forceIndex('idx_chats_tenant_customer') : page };
}

interface KeywordPlan {
  engine: SearchEngine;
  query: SearchQuery;
  window: SearchWindow | null;
}

/**
 * `chatSearch`: the tenant's chats (an agent's own only) matching every given filter, newest
 * activity (or creation, with `sort`) first; with a keyword, each with its newest matching messages. And
 * `chatMessageSearch`: one chat's matching messages in chat order.
 *
 * A keyword search asks the index for the chats holding a match. Up to OP_SEARCH_TOTAL_CAP of
 * them (four times as many with other filters) it takes them all and lets the database filter,
 * order and count them. Past that the keyword is common: the page is found by walking the
 * filtered chats in result order and asking the index which hold a match. `page.total` is
 * exact up to the cap, else the cap with `totalCapped`: known at once when more than the cap of
 * the chats the index gave pass the filters, else counted by the walk. Every answer depends
 * only on which chats match, so each engine answers the same.
 */
@Injectable()
export class ChatSearchService {
  private readonly time: TimeFormatter;
  private readonly windowDays: number;
  private readonly cap: number;

  constructor(
    private readonly dataSource: DataSource,
    private readonly index: SearchIndexService,
    private readonly access: ChatAccess,
    private readonly audit: AuditLog,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.time = new TimeFormatter(config.timezone);
    this.windowDays = config.searchWindowDays;
    this.cap = config.searchTotalCap;
  }

  async search(context: OpContext, body: ChatSearchRequest): Promise<Paged<ChatSearchData>> {
    const request = dropNulls(body);
    const operator = requireOperator(context);
    const pageNum = request.pageNum ?? DEFAULT_PAGE_NUM;
    const pageSize = request.pageSize ?? DEFAULT_PAGE_SIZE;
    const order = new ResultOrder(request.sort ?? 'lastMessageTime');
    const filter = new SqlFilter('c.tenant_id = ?', context.tenantId);
    if (operator.role !== 'admin') filter.add('c.operator_id = ?', operator.id);
    if (request.status !== undefined && request.status.length > 0)
      filter.add(`c.status IN (${placeholders(request.status.length)})`, ...request.status);
    if (request.customerId !== undefined) filter.add('c.customer_id = ?', request.customerId);
    if (request.operatorId !== undefined) filter.add('c.operator_id = ?', request.operatorId);
    if (request.chatId !== undefined) filter.add('c.id = ?', request.chatId);
    const created = parseTimeRange(this.time, ['createdFrom', request.createdFrom], ['createdTo', request.createdTo]);
    filter.addRange('c.create_time', created);
    const lastMessage = parseTimeRange(this.time, ['lastMessageFrom', request.lastMessageFrom], ['lastMessageTo', request.lastMessageTo]);
    filter.addRange('c.last_message_time', lastMessage);
    const dialect = dialectOf(this.dataSource);
    if (request.mark !== undefined) {
      // Per chat read, one lookup of (tenant, mark, chat) in the mark's index.
      filter.add(
        `EXISTS (SELECT 1 FROM message_marks mm ${dialect.forceIndex('idx_message_marks_mark')} ` +
          'WHERE mm.tenant_id = c.tenant_id AND mm.mark = ? AND mm.chat_id = c.id)',
        request.mark,
      );
    }
    const hints = chatsIndex(dialect, order, {
      chatId: request.chatId,
      customerId: request.customerId,
      byOperator: operator.role !== 'admin' || request.operatorId !== undefined,
      createdRange: created.fromMs !== undefined || created.toMs !== undefined,
      lastMessageRange: lastMessage.fromMs !== undefined || lastMessage.toMs !== undefined,
      status: request.status !== undefined && request.status.length > 0,
    });
    const plan =
      request.keyword === undefined
        ? null
        : await this.plan(context.tenantId, request.keyword, request.messageTimeFrom, request.messageTimeTo);
    this.audit.record(context, 'chatSearch', filtersOf(request));

    if (plan === null) {
      const [{ n }]: Array<{ n: number | string }> = await this.dataSource.query(
        `SELECT COUNT(*) AS n FROM chats c ${hints.count} WHERE ${filter.clause}`,
        filter.params,
      );
      const total = Number(n);
      const offset = (pageNum - 1) * pageSize;
      // NULL last_message_time sorts last in DESC on both engines.
      const rows: ChatEntity[] =
        offset < total
          ? await this.dataSource.query(
              `SELECT ${CHAT_COLUMNS} FROM chats c ${hints.page} WHERE ${filter.clause} ORDER BY ${order.sql} LIMIT ? OFFSET ?`,
              [...filter.params, pageSize, offset],
            )
          : [];
      return this.answer(rows, [], null, false, pageInfo(total, pageNum, pageSize, rows.length));
    }

    const { rows, total, capped, next, common } = await this.keywordPage(plan, filter, hints.page, order, pageNum, pageSize);
    const hits = await this.index.hits(plan.engine, plan.query, rows.map(chatRef), HITS_PER_CHAT, 'desc', common);
    const page: PageInfo = { ...pageInfo(total, pageNum, pageSize, rows.length), next };
    return this.answer(rows, hits, plan, capped, page, request.keyword);
  }

  /** `chatMessageSearch`: the chat's messages holding the keyword, oldest first, paged. */
  async searchInChat(context: OpContext, body: ChatMessageSearchRequest): Promise<Paged<ChatMessageSearchData>> {
    const request = dropNulls(body);
    const pageNum = request.pageNum ?? DEFAULT_PAGE_NUM;
    const pageSize = request.pageSize ?? DEFAULT_PAGE_SIZE;
    await this.access.readableChat(context, request.chatId);
    const plan = await this.plan(context.tenantId, request.keyword, request.messageTimeFrom, request.messageTimeTo);
    this.audit.record(context, 'chatMessageSearch', {
      chatId: request.chatId,
      keyword: request.keyword,
      pageNum,
      pageSize,
    });
    const offset = (pageNum - 1) * pageSize;
    const { total, hits } = await this.index.inChat(
      plan.engine,
      plan.query,
      request.chatId,
      Math.min(offset, Number.MAX_SAFE_INTEGER),
      pageSize,
    );
    return new Paged(
      { chatId: request.chatId, hits: hits.map((hit) => this.hit(hit, request.keyword)), window: plan.window },
      pageInfo(total, pageNum, pageSize, hits.length),
    );
  }

  /**
   * The engine that answers, the query, and the window it covers: an index covers the given
   * message times or the whole history; the scan (while an index is built, or where there is
   * none) at most OP_SEARCH_WINDOW_DAYS, ending at the given end or now.
   */
  private async plan(tenantId: string, keyword: string, fromText: string | undefined, toText: string | undefined): Promise<KeywordPlan> {
    const normal = normalizeSearchText(keyword);
    if (normal === '') throw OpError.badRequest('keyword 不能为空');
    // Normalised, a compatibility character may become many (ﷺ, U+FDFA, is 18): 64 of them were
    // a phrase of 1,151 words, which the indexes took 10 s and more to look up.
    if (normal.length > MAX_NORMAL_KEYWORD) {
      throw OpError.badRequest(`keyword 展开后不能超过 ${MAX_NORMAL_KEYWORD} 个字符（ﷺ、㍿ 等兼容字符会展开为多个字符）`);
    }
    const range = parseTimeRange(this.time, ['messageTimeFrom', fromText], ['messageTimeTo', toText]);
    let fromMs = range.fromMs ?? null;
    let toMs = range.toMs ?? null;
    const { engine, windowed } = await this.index.reader(tenantId);
    if (windowed) {
      toMs ??= Date.now();
      fromMs = Math.max(fromMs ?? Number.MIN_SAFE_INTEGER, toMs - this.windowDays * DAY_MS);
    }
    const window =
      fromMs === null && toMs === null
        ? null
        : { from: fromMs === null ? null : this.time.formatMs(fromMs), to: toMs === null ? null : this.time.formatMs(toMs) };
    return { engine, query: { tenantId, normal, fromMs, toMs }, window };
  }

  private async keywordPage(
    plan: KeywordPlan,
    filter: SqlFilter,
    hint: string,
    order: ResultOrder,
    pageNum: number,
    pageSize: number,
  ): Promise<{ rows: ChatEntity[]; total: number; capped: boolean; next: boolean; common: boolean }> {
    const offset = (pageNum - 1) * pageSize;
    const cap = this.cap > 0 ? this.cap : UNCAPPED;
    const need = offset + pageSize + 1;
    // With filters, some of the matching chats do not pass them: ask for more, to count those that do.
    const limit = filter.narrowed && cap < UNCAPPED ? cap * FILTERED_PROBE : cap;
    const matched = await this.index.matchingChats(plan.engine, plan.query, limit);
    if (matched.complete)
      return { ...this.capped(await this.pageOf(filter, order, matched.chatIds, offset, pageSize), cap), common: false };

    // A common keyword: more than `limit` chats hold it. Unfiltered, that is past the cap.
    if (!filter.narrowed || (await this.passing(filter, order, matched.chatIds)).length > cap) {
      const walk = await this.walk(plan, filter, hint, order, offset, pageSize, need, Infinity);
      return { rows: walk.page, total: cap, capped: true, next: walk.found >= need, common: true };
    }
    // Too few of those pass the filters to tell: walk the filtered chats in order; their matches
    // are counted exactly when they run out before the cap, capped when the cap is passed, and
    // gathered whole if the walk is long.
    const walk = await this.walk(plan, filter, hint, order, offset, pageSize, Math.max(need, cap + 1), cap * 2);
    if (walk.found > cap) {
      // Capped; the walk stopped on its budget before the page's end: on to the page, unbounded.
      const paged =
        walk.found >= need || walk.exhausted ? walk : await this.walk(plan, filter, hint, order, offset, pageSize, need, Infinity);
      return { rows: paged.page, total: cap, capped: true, next: paged.found >= need, common: true };
    }
    if (walk.exhausted) return { rows: walk.page, total: walk.found, capped: false, next: walk.found >= need, common: true };
    const all = await this.index.matchingChats(plan.engine, plan.query, UNCAPPED);
    return { ...this.capped(await this.pageOf(filter, order, all.chatIds, offset, pageSize), cap), common: true };
  }

  /** A page whose total passed the cap says the cap (every path counts to the same rule). */
  private capped<T extends { total: number; capped: boolean }>(page: T, cap: number): T {
    return page.total > cap ? { ...page, total: cap, capped: true } : page;
  }

  /** Those of `chatIds` that pass the filters: id and sort key. */
  private async passing(filter: SqlFilter, order: ResultOrder, chatIds: readonly string[]): Promise<Array<Partial<OrderKeys>>> {
    const keys: Array<Partial<OrderKeys>> = [];
    for (const chunk of chunks(chatIds, ID_CHUNK)) {
      const rows: Array<Partial<OrderKeys>> = await this.dataSource.query(
        // By key: the ids are given, whatever the filters.
        `SELECT c.id AS id, ${order.column} AS ${order.key} FROM chats c ${dialectOf(this.dataSource).forcePrimaryKey('chats')} ` +
          `WHERE ${filter.clause} AND c.id IN (${placeholders(chunk.length)})`,
        [...filter.params, ...chunk],
      );
      keys.push(...rows);
    }
    return keys;
  }

  /** The page, exact total included, of the chats among `chatIds` that pass the filters. */
  private async pageOf(filter: SqlFilter, order: ResultOrder, chatIds: readonly string[], offset: number, pageSize: number) {
    const keys = await this.passing(filter, order, chatIds);
    keys.sort(order.compare);
    const ids = keys.slice(offset, offset + pageSize).map((row) => row.id!);
    const rows: ChatEntity[] =
      ids.length === 0
        ? []
        : await this.dataSource.query(
            `SELECT ${CHAT_COLUMNS} FROM chats c ${dialectOf(this.dataSource).forcePrimaryKey('chats')} ` +
              `WHERE c.tenant_id = ? AND c.id IN (${placeholders(ids.length)})`,
            [filter.params[0], ...ids],
          );
    rows.sort(order.compare);
    return { rows, total: keys.length, capped: false, next: offset + rows.length < keys.length };
  }

  /**
   * Walks the filtered chats in result order, a chunk at a time, asking the index which hold a
   * match, until `stopAt` matches are found, `budget` chats were read, or none are left.
   */
  private async walk(
    plan: KeywordPlan,
    filter: SqlFilter,
    hint: string,
    order: ResultOrder,
    offset: number,
    pageSize: number,
    stopAt: number,
    budget: number,
  ) {
    const page: ChatEntity[] = [];
    let found = 0;
    let examined = 0;
    // Chats with a key (newest first), then those without (only chats without messages have no
    // last message time): two index ranges, both keyset-paged.
    const key = order.column;
    let after: { time: number | null; id: string } | null = null;
    let phase: 'timed' | 'untimed' = 'timed';
    // A common keyword fills a page from few chats: start small, double while it does not.
    let size = WALK_FIRST_CHUNK;
    for (;;) {
      let cursor: string;
      let params: unknown[];
      if (phase === 'timed') {
        cursor = after === null ? `${key} IS NOT NULL` : `${key} IS NOT NULL AND ${key} <= ? AND (${key} < ? OR c.id < ?)`;
        params = after === null ? [] : [after.time, after.time, after.id];
      } else {
        cursor = after === null ? `${key} IS NULL` : `${key} IS NULL AND c.id < ?`;
        params = after === null ? [] : [after.id];
      }
      const chunk: ChatEntity[] = await this.dataSource.query(
        `SELECT ${CHAT_COLUMNS} FROM chats c ${hint} WHERE ${filter.clause} AND ${cursor} ORDER BY ${order.sql} LIMIT ${size}`,
        [...filter.params, ...params],
      );
      if (chunk.length > 0) {
        const members = await this.index.chatsWithMatch(plan.engine, plan.query, chunk.map(chatRef), true);
        for (const row of chunk) {
          examined++;
          if (!members.has(row.id)) continue;
          found++;
          if (found > offset && page.length < pageSize) page.push(row);
          if (found >= stopAt) return { page, found, exhausted: false };
        }
        const last = chunk[chunk.length - 1];
        const time = last[order.key];
        after = { time: time === null ? null : Number(time), id: last.id };
      }
      if (chunk.length < size) {
        if (phase === 'untimed') return { page, found, exhausted: true };
        phase = 'untimed';
        after = null;
      }
      size = Math.min(size * 2, WALK_CHUNK);
      if (examined >= budget) return { page, found, exhausted: false };
    }
  }

  private answer(
    rows: ChatEntity[],
    hits: SearchHit[],
    plan: KeywordPlan | null,
    capped: boolean,
    page: PageInfo,
    keyword?: string,
  ): Paged<ChatSearchData> {
    const hitsByChat = groupBy(
      hits,
      (hit) => hit.chatId,
      (hit) => this.hit(hit, keyword!),
    );
    const chats = rows.map((row) => ({ ...toChatInfo(row, this.time), hits: hitsByChat.get(row.id) ?? [] }));
    return new Paged({ chats, window: plan?.window ?? null, totalCapped: capped }, page);
  }

  private hit(hit: SearchHit, keyword: string): ChatSearchHit {
    return { userMessageId: hit.id, createTime: this.time.formatMs(hit.createTimeMs), ...buildSnippet(hit.msg, keyword) };
  }
}
