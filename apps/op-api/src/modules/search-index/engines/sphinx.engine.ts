import { Logger } from '@nestjs/common';
import { normalizeSearchText } from '@op/contracts';
import type { Pool, PoolConnection, RowDataPacket } from 'mysql2/promise';
import { OpError } from '../../../common/errors/op-error';
import { isDatabaseDown } from '../../../common/filters/error-envelope';
import { chunks, chunksWithin } from '../../../common/util/chunks';
import { STATEMENT_BYTES } from '../../../database/sql';
import type { SphinxConfig } from '../../../config/app-config';
import type { HitCandidate, HitOrder, IndexedMessage, MatchingChats, SearchEngine, SearchQuery } from '../search-engine';
import { hitsByChat } from '../search-engine';
import { attributeHash, chatWord, keywordTokens, messageTokens, selfQuery, tenantWord } from '../search-tokens';
import { groupBy } from '../../../common/util/group-by';

/** The real-time index on every shard, and the distributed index over them (see `sphinxConfig`). */
export const SPHINX_RT_INDEX = 'op_messages';
export const SPHINX_DISTRIBUTED_INDEX = 'op_search';

const PUT_BATCH = 500;
/** Matches searchd reads, at least, before `matchingChats` may conclude from a partial read. */
const MATCHING_CUTOFF = 50_000;
const DELETE_BATCH = 1_000;
/**
 * How long reads go straight to each tenant's shard once the distributed index could not answer
 * whole: a reader that does not answer costs a connect timeout (5 s) each time it is tried.
 */
const READER_PAUSE_MS = 10_000;

/** Chat ids travel as base64url in a string attribute: no SphinxQL escaping can bend them. */
const encodeChat = (chatId: string) => Buffer.from(chatId, 'utf8').toString('base64url');
const decodeChat = (chat: string) => Buffer.from(chat, 'base64url').toString('utf8');

/** The full-text part of a query: the keyword, and the chats' words when restricted to some. */
function matchText(query: SearchQuery, chatIds?: readonly string[]): string {
  const { field, words } = keywordTokens(query.tenantId, query.normal);
  const keyword = `@${field} "${words.join(' ')}"`;
  return chatIds === undefined ? keyword : `${keyword} @k (${[...new Set(chatIds.map(chatWord))].join('|')})`;
}

/** The attribute filters of a query: its tenant, window and chats, compared as 63-bit hashes. */
function filters(query: SearchQuery, chatIds?: readonly string[]): string {
  const parts = [`tenant_hash = ${attributeHash(query.tenantId)}`];
  if (query.fromMs !== null) parts.push(`ctime >= ${query.fromMs}`);
  if (query.toMs !== null) parts.push(`ctime <= ${query.toMs}`);
  if (chatIds !== undefined) parts.push(`chat_hash IN (${[...new Set(chatIds.map(attributeHash))].join(', ')})`);
  return parts.join(' AND ');
}

type MetaRow = RowDataPacket & { Variable_name: string; Value: string };

/** The tier (or a shard of it) not answering: 503, named for what it is. */
const tierAway = () => new OpError(503, '关键词索引暂不可用（有分片无法连接），请稍后重试', { 'retry-after': '5' });

interface DocRow extends RowDataPacket {
  id: string;
  chat: string;
  ctime: string | number;
}

/**
 * Sphinx / Manticore Search over the words of `search-tokens.ts`: each tenant's messages live
 * in the real-time index `op_messages` of one shard (chosen by a hash of the tenant id), and
 * reads go through the distributed index `op_search` when one is set, which scatters to the
 * shards and gathers; when a shard is left out of its answer, the tenant's own shard is read. Fed after the
 * message's transaction from `search_outbox`; results are read back from the message store.
 */
export class SphinxEngine implements SearchEngine {
  readonly name = 'sphinx' as const;
  readonly outboxFed = true;
  private shards: Pool[] = [];
  private reader: Pool | null = null;
  /** Until when reads leave the reader out (see READER_PAUSE_MS); 0 while it answers. */
  private readerPausedUntil = 0;
  private readonly logger = new Logger('SearchIndex');

  constructor(private readonly config: SphinxConfig) {}

  async open(): Promise<boolean> {
    const mysql = await import('mysql2/promise');
    const pool = (address: { host: string; port: number }) =>
      mysql.createPool({
        host: address.host,
        port: address.port,
        connectionLimit: 8,
        supportBigNumbers: true,
        bigNumberStrings: true,
        connectTimeout: 5_000,
        enableKeepAlive: true,
        // Nothing here prepares a statement: see dataSourceOptions (512 KB a connection at the default).
        maxPreparedStatements: 16,
      });
    this.shards = this.config.shards.map(pool);
    this.reader = this.config.search ? pool(this.config.search) : null;
    return true;
  }

  async close(): Promise<void> {
    await Promise.all([...this.shards, ...(this.reader ? [this.reader] : [])].map((p) => p.end()));
    this.shards = [];
    this.reader = null;
  }

  private shardOf(tenantId: string): Pool {
    return this.shards[Number(BigInt(attributeHash(tenantId)) % BigInt(this.shards.length))];
  }

  /**
   * One read for a tenant, `build` given the index to read. Through the distributed index when
   * one is set (OP_SPHINX_SEARCH), which reaches every shard. When it cannot answer whole (a
   * shard left out with an agent warning, or its own node down), the tenant's own shard is read
   * instead: every write of the tenant goes there, so it holds all of the tenant's entries and
   * a node down costs only the tenants on it (a 503), not every tenant. The reader is then left
   * out for {@link READER_PAUSE_MS}, so that a node that does not answer is waited for once;
   * after that one read tries it again while the others still go to the shards.
   */
  private async readFor<T extends RowDataPacket>(
    tenantId: string,
    build: (index: string) => string,
    withMeta = false,
  ): Promise<{ rows: T[]; meta: MetaRow[] }> {
    const now = Date.now();
    if (this.reader && now >= this.readerPausedUntil) {
      const probing = this.readerPausedUntil > 0;
      if (probing) this.readerPausedUntil = now + READER_PAUSE_MS;
      const gathered = await this.reading(this.reader, (connection) =>
        this.readOn<T>(connection, build(SPHINX_DISTRIBUTED_INDEX), withMeta, true),
      ).catch((error: unknown) => {
        if (error instanceof OpError && error.code === 503) return null;
        throw error;
      });
      if (gathered !== null && !gathered.partial) {
        if (probing) this.logger.log('the Sphinx reading node (OP_SPHINX_SEARCH) answers whole again');
        this.readerPausedUntil = 0;
        return gathered;
      }
      if (!probing && this.readerPausedUntil === 0) {
        this.logger.warn(
          `the Sphinx reading node (OP_SPHINX_SEARCH) ${gathered === null ? 'does not answer' : 'answers without a shard'}: ` +
            `each tenant's shard is read, the node tried again every ${READER_PAUSE_MS / 1000} s`,
        );
      }
      this.readerPausedUntil = Date.now() + READER_PAUSE_MS;
    }
    return this.reading(this.shardOf(tenantId), (connection) => this.readOn<T>(connection, build(SPHINX_RT_INDEX), withMeta, false));
  }

  private async select<T extends RowDataPacket>(tenantId: string, build: (index: string) => string): Promise<T[]> {
    return (await this.readFor<T>(tenantId, build)).rows;
  }

  /**
   * Runs reads on one connection of `pool`. The tier away answers 503 naming the index, not the
   * database (which is there).
   */
  private async reading<R>(pool: Pool, work: (connection: PoolConnection) => Promise<R>): Promise<R> {
    let connection: PoolConnection | undefined;
    try {
      connection = await pool.getConnection();
      return await work(connection);
    } catch (error) {
      throw isDatabaseDown(error) ? tierAway() : error;
    } finally {
      connection?.release();
    }
  }

  /**
   * One read; `partial` when searchd answered a read of the distributed index without some shard
   * (it leaves one that does not answer out, with a warning, and answers the rest as if complete).
   */
  private async readOn<T extends RowDataPacket>(
    connection: PoolConnection,
    sql: string,
    withMeta: boolean,
    distributed: boolean,
  ): Promise<{ rows: T[]; meta: MetaRow[]; partial: boolean }> {
    const [rows] = await connection.query<T[]>(sql);
    const meta = withMeta ? (await connection.query<MetaRow[]>('SHOW META'))[0] : [];
    if (!distributed) return { rows, meta, partial: false };
    const [warnings] = await connection.query<Array<RowDataPacket & { Message?: string }>>('SHOW WARNINGS');
    // Rows when there are warnings; searchd answers OK, not an empty set, when there are none.
    const partial = Array.isArray(warnings) && warnings.some((warning) => /agent/i.test(String(warning.Message ?? '')));
    return { rows, meta, partial };
  }

  /**
   * Distinct chats with a match. searchd groups every match before it answers, so the first
   * try stops reading matches at a cutoff: if that already yields more than `limit` chats the
   * answer is "incomplete"; if the keyword's own postings (SHOW META `docs`) fit under the
   * cutoff, nothing was left unread. Only otherwise (many matches in few chats) is the whole
   * read again.
   */
  async matchingChats(query: SearchQuery, limit: number): Promise<MatchingChats> {
    const cutoff = Math.max(MATCHING_CUTOFF, (limit + 1) * 20);
    const first = await this.groupChats(query, limit, cutoff);
    if (first.rows.length > limit || first.docs <= cutoff) {
      return { chatIds: first.rows.slice(0, limit).map((row) => decodeChat(row.chat)), complete: first.rows.length <= limit };
    }
    const all = await this.groupChats(query, limit, 0);
    return { chatIds: all.rows.slice(0, limit).map((row) => decodeChat(row.chat)), complete: all.rows.length <= limit };
  }

  /** Up to limit + 1 chats of the query's matches, reading at most `cutoff` matches (0: all). */
  private async groupChats(query: SearchQuery, limit: number, cutoff: number): Promise<{ rows: DocRow[]; docs: number }> {
    // max_matches sizes searchd's sorter up front: past a modest limit, ask how many chats there are first.
    let max = limit + 1;
    if (max > 20_000) {
      const [counted] = await this.select<RowDataPacket & { n: string | number }>(
        query.tenantId,
        (index) => `SELECT COUNT(DISTINCT chat_hash) AS n FROM ${index} WHERE MATCH('${matchText(query)}') AND ${filters(query)}`,
      );
      max = Math.min(max, Number(counted?.n ?? 0) + 1);
    }
    const { rows, meta } = await this.readFor<DocRow>(
      query.tenantId,
      (index) =>
        `SELECT chat FROM ${index} WHERE MATCH('${matchText(query)}') AND ${filters(query)} GROUP BY chat ` +
        `LIMIT ${max} OPTION ranker=none, max_matches=${max}${cutoff > 0 ? `, cutoff=${cutoff}` : ''}`,
      true,
    );
    // The fewest documents any word of the keyword is in: no more can match.
    const docs = Math.min(...meta.filter((row) => /^docs\[\d+\]$/.test(row.Variable_name)).map((row) => Number(row.Value)));
    return { rows, docs };
  }

  async chatsWithMatch(query: SearchQuery, chatIds: readonly string[]): Promise<Set<string>> {
    if (chatIds.length === 0) return new Set();
    const rows = await this.select<DocRow>(
      query.tenantId,
      (index) =>
        `SELECT chat FROM ${index} WHERE MATCH('${matchText(query, chatIds)}') AND ${filters(query, chatIds)} GROUP BY chat ` +
        `LIMIT ${chatIds.length} OPTION ranker=none, max_matches=${chatIds.length}`,
    );
    const wanted = new Set(chatIds);
    return new Set(rows.map((row) => decodeChat(row.chat)).filter((chatId) => wanted.has(chatId)));
  }

  async hits(query: SearchQuery, chatIds: readonly string[], perChat: number, order: HitOrder): Promise<HitCandidate[]> {
    if (chatIds.length === 0) return [];
    const direction = order === 'desc' ? 'DESC' : 'ASC';
    const max = chatIds.length * perChat;
    const rows = await this.select<DocRow>(
      query.tenantId,
      (index) =>
        `SELECT id, chat, ctime FROM ${index} WHERE MATCH('${matchText(query, chatIds)}') AND ${filters(query, chatIds)} ` +
        `GROUP ${perChat} BY chat WITHIN GROUP ORDER BY ctime ${direction}, id ${direction} ORDER BY chat ASC ` +
        `LIMIT ${max} OPTION ranker=none, max_matches=${max}`,
    );
    const wanted = new Set(chatIds);
    const candidates = rows
      .map((row): HitCandidate => ({ chatId: decodeChat(row.chat), id: String(row.id), createTimeMs: Number(row.ctime) }))
      .filter((hit) => wanted.has(hit.chatId));
    return candidates.sort(hitsByChat(order));
  }

  async countInChat(query: SearchQuery, chatId: string): Promise<number> {
    const rows = await this.select<RowDataPacket & { n: string | number }>(
      query.tenantId,
      (index) => `SELECT COUNT(*) AS n FROM ${index} WHERE MATCH('${matchText(query, [chatId])}') AND ${filters(query, [chatId])}`,
    );
    return rows.length === 0 ? 0 : Number(rows[0].n);
  }

  async pageInChat(query: SearchQuery, chatId: string, offset: number, limit: number): Promise<HitCandidate[]> {
    const rows = await this.select<DocRow>(
      query.tenantId,
      (index) =>
        `SELECT id, chat, ctime FROM ${index} WHERE MATCH('${matchText(query, [chatId])}') AND ${filters(query, [chatId])} ` +
        `ORDER BY ctime ASC, id ASC LIMIT ${offset}, ${limit} OPTION ranker=none, max_matches=${offset + limit}`,
    );
    return rows
      .map((row) => ({ chatId: decodeChat(row.chat), id: String(row.id), createTimeMs: Number(row.ctime) }))
      .filter((hit) => hit.chatId === chatId);
  }

  async put(messages: readonly IndexedMessage[]): Promise<void> {
    for (const [shard, list] of groupBy(messages, (message) => this.shardOf(message.tenantId))) {
      const value = (m: IndexedMessage) => {
        const tokens = messageTokens(m.tenantId, m.chatId, normalizeSearchText(m.msg));
        // Every value is digits, [0-9a-z ] words or base64url: nothing to escape.
        return `(${m.id}, '${tokens.b}', '${tokens.u}', '${tokens.k}', ${attributeHash(m.tenantId)}, ${attributeHash(m.chatId)}, '${encodeChat(m.chatId)}', ${m.createTimeMs})`;
      };
      // Made as each statement is reached: a long message's tokens are tens of times its text.
      for (const batch of chunksWithin(list, value, PUT_BATCH, STATEMENT_BYTES, (made) => made.length + 2)) {
        await shard.query(`REPLACE INTO ${SPHINX_RT_INDEX} (id, b, u, k, tenant_hash, chat_hash, chat, ctime) VALUES ${batch.join(', ')}`);
      }
    }
  }

  async storedInTransaction(): Promise<void> {}

  async deletedInTransaction(): Promise<void> {}

  async remove(tenantId: string, chatIds?: readonly string[]): Promise<void> {
    if (chatIds !== undefined && chatIds.length === 0) return;
    const shard = this.shardOf(tenantId);
    const text =
      chatIds === undefined
        ? `@k ${tenantWord(tenantId)}`
        : `@k ${tenantWord(tenantId)} @k (${[...new Set(chatIds.map(chatWord))].join('|')})`;
    const where =
      chatIds === undefined
        ? filters({ tenantId, normal: '', fromMs: null, toMs: null })
        : filters({ tenantId, normal: '', fromMs: null, toMs: null }, chatIds);
    for (;;) {
      const [rows] = await shard.query<DocRow[]>(
        `SELECT id, chat FROM ${SPHINX_RT_INDEX} WHERE MATCH('${text}') AND ${where} LIMIT ${DELETE_BATCH} OPTION ranker=none, max_matches=${DELETE_BATCH}`,
      );
      const wanted = chatIds === undefined ? null : new Set(chatIds);
      const ids = rows.filter((row) => wanted === null || wanted.has(decodeChat(row.chat))).map((row) => String(row.id));
      if (ids.length > 0) await shard.query(`DELETE FROM ${SPHINX_RT_INDEX} WHERE id IN (${ids.join(', ')})`);
      if (rows.length < DELETE_BATCH || ids.length === 0) return;
    }
  }

  async forget(tenantId: string, messageIds: readonly string[]): Promise<void> {
    for (const batch of chunks(messageIds, DELETE_BATCH)) {
      await this.shardOf(tenantId).query(
        `DELETE FROM ${SPHINX_RT_INDEX} WHERE id IN (${batch.map((id) => BigInt(id).toString()).join(', ')})`,
      );
    }
  }

  async count(tenantId: string): Promise<number> {
    const rows = await this.select<RowDataPacket & { n: string | number }>(
      tenantId,
      (index) =>
        `SELECT COUNT(*) AS n FROM ${index} WHERE MATCH('@k ${tenantWord(tenantId)}') AND tenant_hash = ${attributeHash(tenantId)}`,
    );
    return rows.length === 0 ? 0 : Number(rows[0].n);
  }

  async holds(message: IndexedMessage): Promise<boolean> {
    const own = selfQuery(message);
    const text = own === null ? `@k ${chatWord(message.chatId)}` : matchText(own, [message.chatId]);
    const rows = await this.select<DocRow>(
      message.tenantId,
      (index) =>
        `SELECT id, chat, ctime FROM ${index} WHERE MATCH('${text}') AND id = ${message.id} AND tenant_hash = ${attributeHash(message.tenantId)}`,
    );
    return rows.length === 1 && decodeChat(rows[0].chat) === message.chatId && Number(rows[0].ctime) === message.createTimeMs;
  }

  async sizeBytes(): Promise<number | null> {
    let total = 0;
    for (const shard of this.shards) {
      const [rows] = await shard.query<Array<RowDataPacket & { Variable_name: string; Value: string }>>(
        `SHOW INDEX ${SPHINX_RT_INDEX} STATUS`,
      );
      for (const row of rows) if (row.Variable_name === 'disk_bytes' || row.Variable_name === 'ram_bytes') total += Number(row.Value);
    }
    return total;
  }
}
