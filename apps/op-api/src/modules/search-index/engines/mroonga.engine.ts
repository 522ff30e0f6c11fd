import { DAY_MS, normalizeSearchText } from '@op/contracts';
import type { DataSource } from 'typeorm';
import { chunks } from '../../../common/util/chunks';
import { dayNumber } from '../../../database/message-days';
import { affectedRows, SqlFilter, statementRows, valueRows } from '../../../database/sql';
import {
  candidateOf,
  type CandidateRow,
  type HitCandidate,
  type HitOrder,
  type IndexedMessage,
  type MatchingChats,
  type SearchEngine,
  type SearchQuery,
} from '../search-engine';
import { dayKeywordWords, dayWords } from '../search-tokens';

const PUT_BATCH = 500;

/**
 * The user-level lock every write of `message_search` holds, one per database (the name at most
 * 64 characters). Mroonga is not transactional: a statement goes to the binlog as it ends, so
 * two processes writing the same rows at once (the API's feeder and `opctl import` draining the
 * outbox) could be logged in the other order than they took effect, and a replica applying
 * the update of a row it does not hold yet stopped replicating (error 1032). One writer at a
 * time keeps the binlog in the order of the writes.
 */
const WRITE_LOCK = "CONCAT('op_message_search_', MD5(DATABASE()))";
/** Seconds a write waits for that lock at most (a feed batch that waited longer is retried). */
const WRITE_LOCK_WAIT_S = 5;
/** The code of the error a write throws when it did not get {@link WRITE_LOCK} in time. */
export const WRITE_LOCK_TIMEOUT = 'OP_SEARCH_WRITE_LOCK_TIMEOUT';
/** Entries one DELETE of a tenant or of chats removes: about 0.6 s of Mroonga's work here. */
const REMOVE_SLICE = 5_000;

/**
 * The text Groonga holds and is asked for: a NUL ends a string for its tokenizer (the rest of a
 * message went unindexed) and breaks its script, and its bigram tokenizer drops U+FFFE (its
 * "tokenized delimiter": `ab\uFFFEcd` matched `abcd`, and `\uFFFE` matched every text). On both
 * sides they stand as U+FB01 (ﬁ) and U+FB02 (ﬂ), characters no normalised text holds (NFKC
 * writes them `fi`, `fl`): nothing else can match them.
 */
const groongaText = (normal: string) => normal.replaceAll('\u0000', '\uFB01').replaceAll('\uFFFE', '\uFB02');

/** A Groonga script string literal. */
const literal = (text: string) => `"${text.replace(/[\\"]/g, (c) => `\\${c}`)}"`;

/**
 * The Groonga script (`*SS`) of a query, evaluated inside Groonga: for the tenant, the keyword's
 * postings first, then the tenant, compared record by record (`tenant_id` has no index on
 * purpose: an index would gather every record of a big tenant); for some chats, their records
 * first (through the `chat_id` index), then the tenant and the keyword. Then the window.
 */
function script(query: SearchQuery, chatIds?: readonly string[]): string {
  const keyword = `body @ ${literal(groongaText(query.normal))}`;
  const tenant = `tenant_id == ${literal(query.tenantId)}`;
  const parts = chatIds === undefined ? [keyword, tenant] : [`in_values(chat_id, ${chatIds.map(literal).join(', ')})`, tenant, keyword];
  if (query.fromMs !== null) parts.push(`create_time >= ${query.fromMs}`);
  if (query.toMs !== null) parts.push(`create_time <= ${query.toMs}`);
  return `*SS ${parts.join(' && ')}`;
}

/**
 * The script of a query over some consecutive days of the day words (`dw`): the keyword's
 * postings of each day of the tenant, then the tenant and the time, compared record by record
 * (a key two (tenant, day)s share only adds candidates these remove).
 */
function dayScript(query: SearchQuery, days: readonly number[]): string {
  const terms = days.map((day) => {
    const { prefix, words } = dayKeywordWords(query.tenantId, day, query.normal);
    return `dw ${prefix ? '@^' : '@'} ${literal(words.join(' '))}`;
  });
  const from = Math.max(query.fromMs ?? Number.MIN_SAFE_INTEGER, Math.min(...days) * DAY_MS);
  const to = Math.min(query.toMs ?? Number.MAX_SAFE_INTEGER, (Math.max(...days) + 1) * DAY_MS - 1);
  return `*SS (${terms.join(' || ')}) && tenant_id == ${literal(query.tenantId)} && create_time >= ${from} && create_time <= ${to}`;
}

/**
 * The days read from the day words before the whole-history index is asked, newest first: the
 * newest day of the tenant's messages, then the next three together, then the next twelve (a
 * tenant of a million messages holds a few hundred chats a day).
 */
const PROBE_SPANS = [1, 3, 12];

/** Groonga 7.0.7's in_values() silently ignores values past ~128 (SearchIndexService asks about 100 chats at most). */
const IN_VALUES_MAX = 100;

const MATCH = 'MATCH(body) AGAINST(? IN BOOLEAN MODE)';
const DAY_MATCH = 'MATCH(dw) AGAINST(? IN BOOLEAN MODE)';

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
  readonly tenantFilteredLate = true;
  replacedOnOpen = false;

  /** The lock's wait: {@link WRITE_LOCK_WAIT_S}, or less, so that it ends within the query timeout (OP_DB_QUERY_TIMEOUT_MS). */
  private readonly lockWaitS: number;

  constructor(private readonly dataSource: DataSource) {
    const timeoutMs = (dataSource.options as { maxQueryExecutionTime?: number }).maxQueryExecutionTime;
    this.lockWaitS = timeoutMs ? Math.min(WRITE_LOCK_WAIT_S, Math.floor(timeoutMs / 2000)) : WRITE_LOCK_WAIT_S;
  }

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
    const columns: Array<{ name: string }> = await this.dataSource.query(
      "SELECT COLUMN_NAME AS name FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'message_search'",
    );
    if (columns.length > 0 && !columns.some((column) => column.name === 'dw')) {
      // The layout before the day words: dropped and rebuilt (the service marks it not ready).
      await this.dataSource.query('DROP TABLE IF EXISTS message_search');
      this.replacedOnOpen = true;
    }
    await this.dataSource.query(
      'CREATE TABLE IF NOT EXISTS message_search (' +
        'id BIGINT NOT NULL PRIMARY KEY, tenant_id VARCHAR(32) NOT NULL, chat_id VARCHAR(64) NOT NULL, ' +
        'create_time BIGINT NOT NULL, body LONGTEXT NOT NULL, dw LONGTEXT NOT NULL, ' +
        `FULLTEXT INDEX ft_message_search_body (body) COMMENT 'tokenizer "TokenBigram", normalizer "none"', ` +
        `FULLTEXT INDEX ft_message_search_dw (dw) COMMENT 'tokenizer "TokenDelimit", normalizer "none"', ` +
        'INDEX idx_message_search_chat (chat_id), INDEX idx_message_search_tenant (tenant_id)' +
        ') ENGINE=Mroonga DEFAULT CHARSET=utf8mb4 COLLATE utf8mb4_bin',
    );
    const tenantIndex: unknown[] = await this.dataSource.query(
      "SELECT 1 FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'message_search' AND INDEX_NAME = 'idx_message_search_tenant' LIMIT 1",
    );
    // A table made before 2026-12-05 (removing a tenant scanned the table then).
    if (tenantIndex.length === 0) await this.dataSource.query('ALTER TABLE message_search ADD INDEX idx_message_search_tenant (tenant_id)');
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
    const recent = await this.matchingChatsOfNewestDays(query, limit);
    if (recent !== null) return recent;
    const rows: Array<{ chat_id: string }> = await this.dataSource.query(
      `SELECT DISTINCT chat_id FROM message_search WHERE ${MATCH} LIMIT ?`,
      [script(query), limit + 1],
    );
    return { chatIds: rows.slice(0, limit).map((row) => row.chat_id), complete: rows.length <= limit };
  }

  /**
   * A common keyword costs the whole-history index all its postings (half a second for one in
   * 20 of 10M messages), so the newest days are read first from the day words, a day's postings
   * each: more than `limit` chats there and the answer is known (incomplete); every day of the
   * query read and it is complete. Otherwise null, and the whole-history index answers.
   */
  private async matchingChatsOfNewestDays(query: SearchQuery, limit: number): Promise<MatchingChats | null> {
    const span = await this.messageDays(query);
    if (span === null) return { chatIds: [], complete: true };
    const { newest, oldest } = span;
    const found = new Set<string>();
    let day = newest;
    for (const length of PROBE_SPANS) {
      const days: number[] = [];
      while (days.length < length && day >= oldest) days.push(day--);
      if (days.length === 0) break;
      const rows: Array<{ chat_id: string }> = await this.dataSource.query(
        `SELECT DISTINCT chat_id FROM message_search WHERE ${DAY_MATCH} LIMIT ?`,
        [dayScript(query, days), limit + 1],
      );
      for (const row of rows) found.add(row.chat_id);
      if (found.size > limit) return { chatIds: [...found].slice(0, limit), complete: false };
    }
    return day < oldest ? { chatIds: [...found], complete: true } : null;
  }

  /** The days of the tenant's newest and oldest messages in the query's times (index seeks), null when none. */
  private async messageDays(query: SearchQuery): Promise<{ newest: number; oldest: number } | null> {
    const scope = new SqlFilter('tenant_id = ?', query.tenantId).addRange('create_time', {
      fromMs: query.fromMs ?? undefined,
      toMs: query.toMs ?? undefined,
    });
    const [{ hi, lo }]: Array<{ hi: number | string | null; lo: number | string | null }> = await this.dataSource.query(
      `SELECT MAX(create_time) AS hi, MIN(create_time) AS lo FROM messages WHERE ${scope.clause}`,
      scope.params,
    );
    return hi === null || lo === null ? null : { newest: dayNumber(Number(hi)), oldest: dayNumber(Number(lo)) };
  }

  async chatsWithMatch(query: SearchQuery, chatIds: readonly string[]): Promise<Set<string>> {
    const found = new Set<string>();
    for (const chunk of chunks(chatIds, IN_VALUES_MAX)) {
      const rows: Array<{ chat_id: string }> = await this.dataSource.query(`SELECT DISTINCT chat_id FROM message_search WHERE ${MATCH}`, [
        script(query, chunk),
      ]);
      for (const row of rows) found.add(row.chat_id);
    }
    return found;
  }

  async hits(query: SearchQuery, chatIds: readonly string[], perChat: number, order: HitOrder): Promise<HitCandidate[]> {
    const direction = order === 'desc' ? 'DESC' : 'ASC';
    const hits: HitCandidate[] = [];
    for (const chunk of chunks(chatIds, IN_VALUES_MAX)) {
      const rows: CandidateRow[] = await this.dataSource.query(
        'SELECT chat_id, id, create_time FROM (' +
          `SELECT chat_id, CAST(id AS CHAR) AS id, create_time, ROW_NUMBER() OVER (PARTITION BY message_search.chat_id ORDER BY message_search.create_time ${direction}, message_search.id ${direction}) AS rn ` +
          `FROM message_search WHERE ${MATCH}) h WHERE rn <= ? ORDER BY chat_id, rn`,
        [script(query, chunk), perChat],
      );
      hits.push(...rows.map(candidateOf));
    }
    return hits;
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
    return rows.map(candidateOf);
  }

  /** Runs one write of `message_search` holding {@link WRITE_LOCK}, released on every path; answers the rows it changed. */
  private async write(sql: string, params: unknown[]): Promise<number> {
    const runner = this.dataSource.createQueryRunner();
    const release = () => runner.query(`SELECT RELEASE_LOCK(${WRITE_LOCK})`);
    try {
      const [{ granted }]: Array<{ granted: number | string | null }> = await runner.query(
        `SELECT GET_LOCK(${WRITE_LOCK}, ${this.lockWaitS}) AS granted`,
      );
      if (Number(granted) !== 1)
        throw Object.assign(new Error(`the message_search write lock was not granted within ${this.lockWaitS} s`), {
          code: WRITE_LOCK_TIMEOUT,
        });
      let affected: number;
      try {
        affected = await affectedRows(runner.manager, sql, params);
      } catch (error) {
        // The write's own error, not the release's: a connection gone released the lock with its session.
        await release().catch(() => undefined);
        throw error;
      }
      await release();
      return affected;
    } finally {
      await runner.release();
    }
  }

  async put(messages: readonly IndexedMessage[]): Promise<void> {
    const row = (m: IndexedMessage) => {
      const normal = normalizeSearchText(m.msg);
      return [BigInt(m.id), m.tenantId, m.chatId, m.createTimeMs, groongaText(normal), dayWords(m.tenantId, m.createTimeMs, normal)];
    };
    for (const batch of statementRows(messages, 6, row, PUT_BATCH)) {
      await this.write(
        `REPLACE INTO message_search (id, tenant_id, chat_id, create_time, body, dw) VALUES ${valueRows(batch.length, 6)}`,
        batch.flat(),
      );
    }
  }

  async storedInTransaction(): Promise<void> {}

  async deletedInTransaction(): Promise<void> {}

  async remove(tenantId: string, chatIds?: readonly string[]): Promise<void> {
    if (chatIds?.length === 0) return;
    const where = chatIds === undefined ? 'tenant_id = ?' : `tenant_id = ? AND chat_id IN (${chatIds.map(() => '?').join(',')})`;
    // In slices: one DELETE of a tenant's 100,000 entries took 11 s (each updates both full-text
    // indexes), past the query timeout, and failed the rebuild that began with it; the feeder's
    // writes also get the lock between slices.
    while (
      (await this.write(`DELETE FROM message_search WHERE ${where} LIMIT ${REMOVE_SLICE}`, [tenantId, ...(chatIds ?? [])])) === REMOVE_SLICE
    );
  }

  async forget(_tenantId: string, messageIds: readonly string[]): Promise<void> {
    if (messageIds.length === 0) return;
    await this.write(`DELETE FROM message_search WHERE id IN (${messageIds.map(() => '?').join(',')})`, messageIds.map(BigInt));
  }

  async count(tenantId: string): Promise<number> {
    const [{ n }]: Array<{ n: number | string }> = await this.dataSource.query(
      'SELECT COUNT(*) AS n FROM message_search WHERE tenant_id = ?',
      [tenantId],
    );
    return Number(n);
  }

  async holds(message: IndexedMessage): Promise<boolean> {
    const rows: Array<{ tenant_id: string; chat_id: string; create_time: number | string; body: string; dw: string }> =
      await this.dataSource.query('SELECT tenant_id, chat_id, create_time, body, dw FROM message_search WHERE id = ?', [
        BigInt(message.id),
      ]);
    const normal = normalizeSearchText(message.msg);
    return (
      rows.length === 1 &&
      rows[0].tenant_id === message.tenantId &&
      rows[0].chat_id === message.chatId &&
      Number(rows[0].create_time) === message.createTimeMs &&
      rows[0].body === groongaText(normal) &&
      rows[0].dw === dayWords(message.tenantId, message.createTimeMs, normal)
    );
  }

  async sizeBytes(): Promise<number | null> {
    const rows: Array<{ bytes: number | string | null }> = await this.dataSource.query(
      "SELECT DATA_LENGTH + INDEX_LENGTH AS bytes FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'message_search'",
    );
    return rows.length === 0 ? null : Number(rows[0].bytes ?? 0);
  }
}
