import { containsKeyword } from '@op/contracts';
import type { DataSource } from 'typeorm';
import { RowBudget } from '../../../common/util/row-budget';
import { keysetAfter } from '../../../database/sql';
import {
  messageScope,
  type HitCandidate,
  type HitOrder,
  type IndexedMessage,
  type MatchingChats,
  type SearchEngine,
  type SearchQuery,
} from '../search-engine';

/**
 * Rows a query reads: 100 first, then as many as 8 Mi characters of text hold, 50 to 5,000 (at
 * their size limit, 5,000 messages were 327 MB in the process per search).
 */
const SCAN_ROWS = { first: 100, most: 5_000, least: 50, chars: 8 * 1024 * 1024 };

interface TextRow {
  chat_id: string;
  id: string;
  create_time: number | string;
  msg: string | null;
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
    let after: { timeMs: number; id: string } | null = null;
    const budget = new RowBudget(SCAN_ROWS);
    for (;;) {
      const limit = budget.limit;
      const past = keysetAfter(after, 'messages');
      const rows: TextRow[] = await this.dataSource.query(
        `SELECT chat_id, CAST(id AS CHAR) AS id, create_time, msg FROM messages WHERE ${scope.sql}${past.sql} ` +
          // Qualified: a bare `id` would name the CAST above (a string), and sort by it.
          `ORDER BY messages.create_time, messages.id LIMIT ${limit}`,
        [...scope.params, ...past.params],
      );
      let text = 0;
      for (const row of rows) {
        text += row.msg?.length ?? 0;
        if (row.msg !== null && containsKeyword(row.msg, query.normal)) {
          if (visit({ chatId: row.chat_id, id: row.id, createTimeMs: Number(row.create_time) }) === false) return;
        }
      }
      if (rows.length < limit) return;
      budget.spent(rows.length, text);
      const last = rows[rows.length - 1];
      after = { timeMs: Number(last.create_time), id: last.id };
    }
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
