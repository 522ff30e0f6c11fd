import { normalizeSearchText } from '@op/contracts';
import type { DataSource, EntityManager } from 'typeorm';
import { chunks } from '../../../common/util/chunks';
import { placeholders } from '../../../database/sql';
import {
  candidateOf,
  messageScope,
  type CandidateRow,
  type HitCandidate,
  type HitOrder,
  type IndexedMessage,
  type MatchingChats,
  type SearchEngine,
  type SearchQuery,
} from '../search-engine';
import { chatWord, keywordTokens, messageTokens, selfQuery, tenantWord } from '../search-tokens';

/** Rows of a statement per round trip when indexing many messages. */
const PUT_BATCH = 200;

const quote = (word: string) => `"${word}"`;

/** The FTS5 expression of the keyword, restricted to these chats when given. */
function matchExpression(query: SearchQuery, chatIds?: readonly string[]): string {
  const { field, words } = keywordTokens(query.tenantId, query.normal);
  const keyword = `${field} : "${words.join(' ')}"`;
  if (chatIds === undefined) return keyword;
  return `${keyword} AND k : (${[...new Set(chatIds.map(chatWord))].map(quote).join(' OR ')})`;
}

/**
 * SQLite's FTS5 over the words of `search-tokens.ts`, in a contentless table (`message_search`,
 * rowid = message id) written in the transaction that stores the message. The FTS5 query
 * proposes message ids; the join to `messages` gives each its tenant, chat and time, so a
 * hash that two chats or tenants share never leaks a row.
 */
export class Fts5Engine implements SearchEngine {
  readonly name = 'fts5' as const;
  readonly outboxFed = false;

  constructor(private readonly dataSource: DataSource) {}

  open(): Promise<boolean> {
    return Promise.resolve(this.dataSource.options.type === 'better-sqlite3');
  }

  async close(): Promise<void> {}

  /** `SELECT <columns>` of the matching messages, driven by the FTS5 query. */
  private matches(query: SearchQuery, columns: string, chatIds?: readonly string[]): { sql: string; params: unknown[] } {
    const scope = messageScope(query, 'm.', chatIds);
    // CROSS JOIN keeps FTS5 as the outer loop: the index proposes, the row decides.
    return {
      sql: `SELECT ${columns} FROM message_search CROSS JOIN messages m ON m.id = message_search.rowid WHERE message_search MATCH ? AND ${scope.sql}`,
      params: [matchExpression(query, chatIds), ...scope.params],
    };
  }

  async matchingChats(query: SearchQuery, limit: number): Promise<MatchingChats> {
    const { sql, params } = this.matches(query, 'DISTINCT m.chat_id AS chat_id');
    const rows: Array<{ chat_id: string }> = await this.dataSource.query(`${sql} LIMIT ?`, [...params, limit + 1]);
    return { chatIds: rows.slice(0, limit).map((row) => row.chat_id), complete: rows.length <= limit };
  }

  async chatsWithMatch(query: SearchQuery, chatIds: readonly string[]): Promise<Set<string>> {
    if (chatIds.length === 0) return new Set();
    const { sql, params } = this.matches(query, 'DISTINCT m.chat_id AS chat_id', chatIds);
    const rows: Array<{ chat_id: string }> = await this.dataSource.query(sql, params);
    return new Set(rows.map((row) => row.chat_id));
  }

  async hits(query: SearchQuery, chatIds: readonly string[], perChat: number, order: HitOrder): Promise<HitCandidate[]> {
    if (chatIds.length === 0) return [];
    const direction = order === 'desc' ? 'DESC' : 'ASC';
    const { sql, params } = this.matches(
      query,
      `m.chat_id AS chat_id, CAST(m.id AS CHAR) AS id, m.create_time AS create_time, ` +
        `ROW_NUMBER() OVER (PARTITION BY m.chat_id ORDER BY m.create_time ${direction}, m.id ${direction}) AS rn`,
      chatIds,
    );
    const rows: CandidateRow[] = await this.dataSource.query(
      `SELECT chat_id, id, create_time FROM (${sql}) h WHERE rn <= ? ORDER BY chat_id, rn`,
      [...params, perChat],
    );
    return rows.map(candidateOf);
  }

  async countInChat(query: SearchQuery, chatId: string): Promise<number> {
    const { sql, params } = this.matches(query, 'COUNT(*) AS n', [chatId]);
    const [{ n }]: Array<{ n: number | string }> = await this.dataSource.query(sql, params);
    return Number(n);
  }

  async pageInChat(query: SearchQuery, chatId: string, offset: number, limit: number): Promise<HitCandidate[]> {
    const { sql, params } = this.matches(query, 'm.chat_id AS chat_id, CAST(m.id AS CHAR) AS id, m.create_time AS create_time', [chatId]);
    const rows: CandidateRow[] = await this.dataSource.query(`${sql} ORDER BY m.create_time, m.id LIMIT ? OFFSET ?`, [
      ...params,
      limit,
      offset,
    ]);
    return rows.map(candidateOf);
  }

  private async write(
    run: (sql: string, params: unknown[]) => Promise<unknown>,
    messages: readonly IndexedMessage[],
    replace: boolean,
  ): Promise<void> {
    for (const batch of chunks(messages, PUT_BATCH)) {
      const values = batch.flatMap((m) => {
        const tokens = messageTokens(m.tenantId, m.chatId, normalizeSearchText(m.msg));
        return [BigInt(m.id), tokens.b, tokens.u, tokens.k];
      });
      await run(
        `INSERT${replace ? ' OR REPLACE' : ''} INTO message_search (rowid, b, u, k) VALUES ${batch.map(() => '(?, ?, ?, ?)').join(', ')}`,
        values,
      );
    }
  }

  async storedInTransaction(manager: EntityManager, messages: readonly IndexedMessage[]): Promise<void> {
    await this.write((sql, params) => manager.query(sql, params), messages, false);
  }

  async put(messages: readonly IndexedMessage[]): Promise<void> {
    await this.write((sql, params) => this.dataSource.query(sql, params), messages, true);
  }

  async remove(tenantId: string, chatIds?: readonly string[]): Promise<void> {
    if (chatIds === undefined) {
      await this.dataSource.query(
        'DELETE FROM message_search WHERE rowid IN (SELECT rowid FROM message_search WHERE message_search MATCH ?)',
        [`k : ${quote(tenantWord(tenantId))}`],
      );
      return;
    }
    if (chatIds.length === 0) return;
    // By the chats' own rows (a chat hash may be shared): call before the messages go.
    await this.dataSource.query(
      `DELETE FROM message_search WHERE rowid IN (SELECT id FROM messages WHERE tenant_id = ? AND chat_id IN (${placeholders(chatIds.length)}))`,
      [tenantId, ...chatIds],
    );
  }

  async forget(_tenantId: string, messageIds: readonly string[]): Promise<void> {
    if (messageIds.length === 0) return;
    await this.dataSource.query(`DELETE FROM message_search WHERE rowid IN (${placeholders(messageIds.length)})`, messageIds.map(BigInt));
  }

  async deletedInTransaction(manager: EntityManager, messageIds: readonly string[]): Promise<void> {
    if (messageIds.length === 0) return;
    await manager.query(`DELETE FROM message_search WHERE rowid IN (${placeholders(messageIds.length)})`, messageIds.map(BigInt));
  }

  async count(tenantId: string): Promise<number> {
    const [{ n }]: Array<{ n: number | string }> = await this.dataSource.query(
      'SELECT COUNT(*) AS n FROM message_search WHERE message_search MATCH ?',
      [`k : ${quote(tenantWord(tenantId))}`],
    );
    return Number(n);
  }

  async holds(message: IndexedMessage): Promise<boolean> {
    const own = selfQuery(message);
    const expression = own === null ? `k : ${quote(chatWord(message.chatId))}` : matchExpression(own, [message.chatId]);
    const rows: unknown[] = await this.dataSource.query('SELECT 1 FROM message_search WHERE rowid = ? AND message_search MATCH ?', [
      BigInt(message.id),
      expression,
    ]);
    return rows.length > 0;
  }

  async sizeBytes(): Promise<number | null> {
    try {
      const [{ bytes }]: Array<{ bytes: number | string | null }> = await this.dataSource.query(
        "SELECT SUM(pgsize) AS bytes FROM dbstat WHERE name LIKE 'message_search%'",
      );
      return Number(bytes ?? 0);
    } catch {
      return null; // dbstat is not compiled in
    }
  }
}
