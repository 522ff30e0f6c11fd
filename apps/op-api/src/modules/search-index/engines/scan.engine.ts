import { containsKeyword } from '@op/contracts';
import type { DataSource } from 'typeorm';
import { keysetAfter, placeholders } from '../../../database/sql';
import {
  messageScope,
  type HitCandidate,
  type HitOrder,
  type IndexedMessage,
  type MatchingChats,
  type SearchEngine,
  type SearchQuery,
} from '../search-engine';

/** Rows one read of the walk takes. */
const SCAN_ROWS = 5_000;
/**
 * A text longer than this (bytes on MySQL, characters on SQLite) is not read with its row but
 * apart, LONG_TEXTS at a time: one read holds at most 5,000 × 2 Ki short texts and 100 long ones
 * (6.4 Mi characters). Sized by the rows read before, a read after thousands of short messages
 * took 5,000 long ones at once: 327 MB in the process for one search.
 */
const INLINE_CHARS = 2_048;
const LONG_TEXTS = 100;

interface TextRow {
  chat_id: string;
  id: string;
  create_time: number | string;
  /** Null for a long text until {@link ScanEngine.readLong} fills it (and again once visited). */
  msg: string | null;
  long_text: number | string;
}

/**
 * The reference: reads the tenant's text messages (inside the query's window) and tests each
 * with `containsKeyword`. Exact by definition, and the yardstick of the differential spec;
 * its cost grows with the messages it reads, so the service bounds its window
 * (OP_SEARCH_WINDOW_DAYS). It indexes nothing.
 */
export class ScanEngine implements SearchEngine {
  readonly name = 'scan' as const;
  readonly outboxFed = false;

  constructor(private readonly dataSource: DataSource) {}

  open(): Promise<boolean> {
    return Promise.resolve(true);
  }

  async close(): Promise<void> {}

  /** Visits the matching messages (of these chats, when given) in (create_time, id) order until `visit` says stop. */
  private async scan(query: SearchQuery, chatIds: readonly string[] | null, visit: (row: HitCandidate) => boolean | void): Promise<void> {
    if (chatIds?.length === 0) return;
    const scope = messageScope(query, '', chatIds ?? undefined);
    const long = `LENGTH(msg) > ${INLINE_CHARS}`;
    let after: { timeMs: number; id: string } | null = null;
    for (;;) {
      const past = keysetAfter(after, 'messages');
      const rows: TextRow[] = await this.dataSource.query(
        `SELECT chat_id, CAST(id AS CHAR) AS id, create_time, CASE WHEN ${long} THEN NULL ELSE msg END AS msg, ` +
          `CASE WHEN ${long} THEN 1 ELSE 0 END AS long_text FROM messages WHERE ${scope.sql}${past.sql} ` +
          // Qualified: a bare `id` would name the CAST above (a string), and sort by it.
          `ORDER BY messages.create_time, messages.id LIMIT ${SCAN_ROWS}`,
        [...scope.params, ...past.params],
      );
      for (let i = 0; i < rows.length; i++) {
        const row = rows[i];
        const longText = Number(row.long_text) === 1;
        if (longText && row.msg === null) await this.readLong(query.tenantId, rows, i);
        const matched = row.msg !== null && containsKeyword(row.msg, query.normal);
        if (longText) row.msg = null; // read, tested, let go
        if (matched && visit({ chatId: row.chat_id, id: row.id, createTimeMs: Number(row.create_time) }) === false) return;
      }
      if (rows.length < SCAN_ROWS) return;
      const last = rows[rows.length - 1];
      after = { timeMs: Number(last.create_time), id: last.id };
    }
  }

  /** Fills in the texts of the next LONG_TEXTS long rows from `from` on. */
  private async readLong(tenantId: string, rows: TextRow[], from: number): Promise<void> {
    const wanted: TextRow[] = [];
    for (let j = from; j < rows.length && wanted.length < LONG_TEXTS; j++) if (Number(rows[j].long_text) === 1) wanted.push(rows[j]);
    const texts: Array<{ id: string; msg: string | null }> = await this.dataSource.query(
      `SELECT CAST(id AS CHAR) AS id, msg FROM messages WHERE tenant_id = ? AND id IN (${placeholders(wanted.length)})`,
      [tenantId, ...wanted.map((row) => BigInt(row.id))],
    );
    const byId = new Map(texts.map((text) => [text.id, text.msg]));
    // A message gone meanwhile (erased) reads as no text: it matches nothing.
    for (const row of wanted) row.msg = byId.get(row.id) ?? '';
  }

  async matchingChats(query: SearchQuery, limit: number): Promise<MatchingChats> {
    const chats = new Set<string>();
    let complete = true;
    await this.scan(query, null, ({ chatId }) => {
      if (chats.has(chatId)) return;
      if (chats.size === limit) {
        complete = false;
        return false;
      }
      chats.add(chatId);
    });
    return { chatIds: [...chats], complete };
  }

  async chatsWithMatch(query: SearchQuery, chatIds: readonly string[]): Promise<Set<string>> {
    const found = new Set<string>();
    await this.scan(query, chatIds, ({ chatId }) => void found.add(chatId));
    return found;
  }

  async hits(query: SearchQuery, chatIds: readonly string[], perChat: number, order: HitOrder): Promise<HitCandidate[]> {
    const all: HitCandidate[] = [];
    await this.scan(query, chatIds, (hit) => void all.push(hit));
    return firstPerChat(order === 'desc' ? all.reverse() : all, perChat);
  }

  async countInChat(query: SearchQuery, chatId: string): Promise<number> {
    let n = 0;
    await this.scan(query, [chatId], () => void n++);
    return n;
  }

  async pageInChat(query: SearchQuery, chatId: string, offset: number, limit: number): Promise<HitCandidate[]> {
    const page: HitCandidate[] = [];
    let seen = 0;
    await this.scan(query, [chatId], (hit) => {
      if (seen++ >= offset) page.push(hit);
      return page.length < limit;
    });
    return page;
  }

  async put(): Promise<void> {}

  async storedInTransaction(): Promise<void> {}

  async deletedInTransaction(): Promise<void> {}

  async remove(): Promise<void> {}

  async forget(): Promise<void> {}

  async count(tenantId: string): Promise<number> {
    const [{ n }]: Array<{ n: number | string }> = await this.dataSource.query(
      "SELECT COUNT(*) AS n FROM messages WHERE tenant_id = ? AND type = 'txt'",
      [tenantId],
    );
    return Number(n);
  }

  holds(_message: IndexedMessage): Promise<boolean> {
    return Promise.resolve(true);
  }

  sizeBytes(): Promise<number | null> {
    return Promise.resolve(0);
  }
}

/** The first `perChat` candidates of each chat, keeping the given order. */
export function firstPerChat<T extends HitCandidate>(candidates: readonly T[], perChat: number): T[] {
  const taken = new Map<string, number>();
  return candidates.filter(({ chatId }) => {
    const n = taken.get(chatId) ?? 0;
    taken.set(chatId, n + 1);
    return n < perChat;
  });
}
