import { normalizeSearchText } from '@op/contracts';
import type { DataSource } from 'typeorm';
import type { HitCandidate, HitOrder, IndexedMessage, MatchingChats, SearchEngine, SearchQuery } from '../search-engine';

const PUT_BATCH = 500;

/** A Groonga script string literal. */
const literal = (text: string) => `"${text.replace(/[\\"]/g, (c) => `\\${c}`)}"`;

/**
 * The Groonga script (`*SS`) of a query: the full-text match first, so Groonga starts from the
 * keyword's postings, then the tenant, the window and the chats, all evaluated inside Groonga.
 */
function script(query: SearchQuery, chatIds?: readonly string[]): string {
  const parts = [`body @ ${literal(query.normal)}`, `tenant_id == ${literal(query.tenantId)}`];
  if (query.fromMs !== null) parts.push(`create_time >= ${query.fromMs}`);
  if (query.toMs !== null) parts.push(`create_time <= ${query.toMs}`);
  if (chatIds !== undefined) parts.push(`in_values(chat_id, ${chatIds.map(literal).join(', ')})`);
  return `*SS ${parts.join(' && ')}`;
}

const MATCH = 'MATCH(body) AGAINST(? IN BOOLEAN MODE)';

interface CandidateRow {
  chat_id: string;
  id: string;
  create_time: number | string;
}

const candidate = (row: CandidateRow): HitCandidate => ({ chatId: row.chat_id, id: row.id, createTimeMs: Number(row.create_time) });

/**
 * Mroonga (Groonga inside MariaDB) over each text message's normalised form, tokenised by
 * Groonga's plain `TokenBigram` with no normaliser of its own: every pair of adjacent
 * characters and the last one, so a phrase query is exactly the contracts' substring rule.
 * A Mroonga table in storage mode is not transactional, so it is fed after the message's
 * transaction from `search_outbox` (SearchFeeder) and rebuilt by `opctl search:rebuild`.
 */
export class MroongaEngine implements SearchEngine {
  readonly name = 'mroonga' as const;
  readonly outboxFed = true;

  constructor(private readonly dataSource: DataSource) {}

  async open(): Promise<boolean> {
    if (this.dataSource.options.type !== 'mysql' && this.dataSource.options.type !== 'mariadb') return false;
    if (!(await this.available())) {
      try {
        await this.dataSource.query("INSTALL SONAME 'ha_mroonga'");
      } catch {
        return false; // not installed on the server, or no privilege to load it
      }
      if (!(await this.available())) return false;
    }
    await this.dataSource.query(
      'CREATE TABLE IF NOT EXISTS message_search (' +
        'id BIGINT NOT NULL PRIMARY KEY, tenant_id VARCHAR(32) NOT NULL, chat_id VARCHAR(64) NOT NULL, ' +
        'create_time BIGINT NOT NULL, body LONGTEXT NOT NULL, ' +
        `FULLTEXT INDEX ft_message_search_body (body) COMMENT 'tokenizer "TokenBigram", normalizer "none"', ` +
        'INDEX idx_message_search_tenant (tenant_id), INDEX idx_message_search_chat (chat_id)' +
        ') ENGINE=Mroonga DEFAULT CHARSET=utf8mb4 COLLATE utf8mb4_bin',
    );
    return true;
  }

  private async available(): Promise<boolean> {
    const rows: Array<{ support: string }> = await this.dataSource.query(
      "SELECT SUPPORT AS support FROM information_schema.ENGINES WHERE ENGINE = 'Mroonga'",
    );
    return rows.some((row) => row.support === 'YES' || row.support === 'DEFAULT');
  }

  async close(): Promise<void> {}

  async matchingChats(query: SearchQuery, limit: number): Promise<MatchingChats> {
    const rows: Array<{ chat_id: string }> = await this.dataSource.query(
      `SELECT DISTINCT chat_id FROM message_search WHERE ${MATCH} LIMIT ?`,
      [script(query), limit + 1],
    );
    return { chatIds: rows.slice(0, limit).map((row) => row.chat_id), complete: rows.length <= limit };
  }

  async chatsWithMatch(query: SearchQuery, chatIds: readonly string[]): Promise<Set<string>> {
    if (chatIds.length === 0) return new Set();
    const rows: Array<{ chat_id: string }> = await this.dataSource.query(`SELECT DISTINCT chat_id FROM message_search WHERE ${MATCH}`, [
      script(query, chatIds),
    ]);
    return new Set(rows.map((row) => row.chat_id));
  }

  async hits(query: SearchQuery, chatIds: readonly string[], perChat: number, order: HitOrder): Promise<HitCandidate[]> {
    if (chatIds.length === 0) return [];
    const direction = order === 'desc' ? 'DESC' : 'ASC';
    const rows: CandidateRow[] = await this.dataSource.query(
      'SELECT chat_id, id, create_time FROM (' +
        `SELECT chat_id, CAST(id AS CHAR) AS id, create_time, ROW_NUMBER() OVER (PARTITION BY chat_id ORDER BY create_time ${direction}, id ${direction}) AS rn ` +
        `FROM message_search WHERE ${MATCH}) h WHERE rn <= ? ORDER BY chat_id, rn`,
      [script(query, chatIds), perChat],
    );
    return rows.map(candidate);
  }

  async countInChat(query: SearchQuery, chatId: string): Promise<number> {
    const [{ n }]: Array<{ n: number | string }> = await this.dataSource.query(`SELECT COUNT(*) AS n FROM message_search WHERE ${MATCH}`, [
      script(query, [chatId]),
    ]);
    return Number(n);
  }

  async pageInChat(query: SearchQuery, chatId: string, offset: number, limit: number): Promise<HitCandidate[]> {
    const rows: CandidateRow[] = await this.dataSource.query(
      // MariaDB sorts a materialised set (the inner LIMIT keeps it from being merged): Mroonga's own
      // ORDER BY … LIMIT shortcut (7.07) returns rows of equal create_time out of id order.
      'SELECT chat_id, id, create_time FROM (' +
        `SELECT chat_id, CAST(id AS CHAR) AS id, create_time, id AS n FROM message_search WHERE ${MATCH} LIMIT 18446744073709551615` +
        ') x ORDER BY create_time, n LIMIT ? OFFSET ?',
      [script(query, [chatId]), limit, offset],
    );
    return rows.map(candidate);
  }

  async put(messages: readonly IndexedMessage[]): Promise<void> {
    for (let at = 0; at < messages.length; at += PUT_BATCH) {
      const batch = messages.slice(at, at + PUT_BATCH);
      await this.dataSource.query(
        `REPLACE INTO message_search (id, tenant_id, chat_id, create_time, body) VALUES ${batch.map(() => '(?, ?, ?, ?, ?)').join(', ')}`,
        batch.flatMap((m) => [BigInt(m.id), m.tenantId, m.chatId, m.createTimeMs, normalizeSearchText(m.msg)]),
      );
    }
  }

  async storedInTransaction(): Promise<void> {}

  async remove(tenantId: string, chatIds?: readonly string[]): Promise<void> {
    if (chatIds === undefined) {
      await this.dataSource.query('DELETE FROM message_search WHERE tenant_id = ?', [tenantId]);
    } else if (chatIds.length > 0) {
      await this.dataSource.query(`DELETE FROM message_search WHERE tenant_id = ? AND chat_id IN (${chatIds.map(() => '?').join(',')})`, [
        tenantId,
        ...chatIds,
      ]);
    }
  }

  async count(tenantId: string): Promise<number> {
    const [{ n }]: Array<{ n: number | string }> = await this.dataSource.query(`SELECT COUNT(*) AS n FROM message_search WHERE ${MATCH}`, [
      `*SS tenant_id == ${literal(tenantId)}`,
    ]);
    return Number(n);
  }

  async holds(message: IndexedMessage): Promise<boolean> {
    const rows: Array<{ tenant_id: string; chat_id: string; create_time: number | string; body: string }> = await this.dataSource.query(
      'SELECT tenant_id, chat_id, create_time, body FROM message_search WHERE id = ?',
      [BigInt(message.id)],
    );
    return (
      rows.length === 1 &&
      rows[0].tenant_id === message.tenantId &&
      rows[0].chat_id === message.chatId &&
      Number(rows[0].create_time) === message.createTimeMs &&
      rows[0].body === normalizeSearchText(message.msg)
    );
  }

  async sizeBytes(): Promise<number | null> {
    const rows: Array<{ bytes: number | string | null }> = await this.dataSource.query(
      "SELECT DATA_LENGTH + INDEX_LENGTH AS bytes FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'message_search'",
    );
    return rows.length === 0 ? null : Number(rows[0].bytes ?? 0);
  }
}
