import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { placeholders } from '../chat-message/chat-message.repository';

/** Message times a keyword search covers, epoch ms, both ends inclusive. */
export interface SearchWindow {
  fromMs: number;
  toMs: number;
}

/**
 * The chats holding a match, as the chat query applies them: a subquery over the same
 * database yielding `chat_id`s (an in-database index), or ids an external engine found.
 */
export type MatchingChats = { kind: 'subquery'; sql: string; params: unknown[] } | { kind: 'ids'; chatIds: string[] };

export interface MessageHitRow {
  chatId: string;
  id: string;
  createTimeMs: number;
  msg: string;
}

/**
 * Keyword search over message text: substring semantics (Chinese needs no word breaks),
 * case-insensitive for Latin letters, `%` and `_` literal, one message at a time (a keyword
 * split across two messages is no match). One interface so a dedicated engine can replace
 * the scan below without touching the search service.
 */
export interface MessageSearchIndex {
  matchingChats(tenantId: string, keyword: string, window: SearchWindow): MatchingChats;
  /** The `perChat` newest matching messages of each of these chats. */
  hits(tenantId: string, chatIds: readonly string[], keyword: string, window: SearchWindow, perChat: number): Promise<MessageHitRow[]>;
}

export const MESSAGE_SEARCH_INDEX = Symbol('MESSAGE_SEARCH_INDEX');

/** `LIKE` pattern of a literal substring; `!` is the escape character on both engines. */
export function likePattern(keyword: string): string {
  return `%${keyword.replace(/[!%_]/g, (c) => `!${c}`)}%`;
}

const MATCH = `m.type = 'txt' AND LOWER(m.msg) LIKE LOWER(?) ESCAPE '!'`;

/**
 * The engine-neutral index: a scan of the tenant's text messages inside the window along
 * idx_messages_tenant_time, with an escaped `LOWER(msg) LIKE LOWER(?)`. Same results on
 * MariaDB and SQLite (SQLite folds ASCII letters only; MariaDB folds all of Unicode).
 * Its cost grows with the tenant's messages in the window; see the README.
 */
@Injectable()
export class LikeScanSearchIndex implements MessageSearchIndex {
  constructor(private readonly dataSource: DataSource) {}

  matchingChats(tenantId: string, keyword: string, window: SearchWindow): MatchingChats {
    return {
      kind: 'subquery',
      sql: `SELECT m.chat_id FROM messages m WHERE m.tenant_id = ? AND m.create_time >= ? AND m.create_time <= ? AND ${MATCH}`,
      params: [tenantId, window.fromMs, window.toMs, likePattern(keyword)],
    };
  }

  async hits(tenantId: string, chatIds: readonly string[], keyword: string, window: SearchWindow, perChat: number): Promise<MessageHitRow[]> {
    if (chatIds.length === 0) return [];
    const rows: Array<{ chat_id: string; id: string; create_time: number | string; msg: string }> = await this.dataSource.query(
      'SELECT chat_id, id, create_time, msg FROM (' +
        'SELECT m.chat_id, CAST(m.id AS CHAR) AS id, m.create_time, m.msg, ' +
        'ROW_NUMBER() OVER (PARTITION BY m.chat_id ORDER BY m.create_time DESC, m.id DESC) AS rn ' +
        `FROM messages m WHERE m.tenant_id = ? AND m.chat_id IN (${placeholders(chatIds.length)}) ` +
        `AND m.create_time >= ? AND m.create_time <= ? AND ${MATCH}` +
        ') h WHERE rn <= ? ORDER BY chat_id, create_time DESC, rn',
      [tenantId, ...chatIds, window.fromMs, window.toMs, likePattern(keyword), perChat],
    );
    return rows.map((row) => ({ chatId: row.chat_id, id: row.id, createTimeMs: Number(row.create_time), msg: row.msg }));
  }
}
