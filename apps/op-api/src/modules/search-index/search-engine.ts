import type { EntityManager } from 'typeorm';
import { SqlFilter, placeholders } from '../../database/sql';
import { ascending } from '../../common/util/ascending';

export const SEARCH_ENGINE_NAMES = ['scan', 'fts5', 'mroonga', 'sphinx'] as const;
export type SearchEngineName = (typeof SEARCH_ENGINE_NAMES)[number];

/** One keyword search of one tenant. */
export interface SearchQuery {
  tenantId: string;
  /** The keyword's normalised form (`normalizeSearchText`), never empty. */
  normal: string;
  /** Message times covered, epoch ms, both ends inclusive; null: open at that end. */
  fromMs: number | null;
  toMs: number | null;
}

export interface MatchingChats {
  chatIds: string[];
  /** False when more chats match than were asked for. */
  complete: boolean;
}

/** A message an engine proposes as a match; the store's text decides (see SearchIndexService). */
export interface HitCandidate {
  chatId: string;
  id: string;
  createTimeMs: number;
}

/** A stored text message as the engines index it. */
export interface IndexedMessage {
  id: string;
  tenantId: string;
  chatId: string;
  createTimeMs: number;
  msg: string;
}

/** The order of hits: newest first (`desc`) for chatSearch, as in the chat for find-in-chat. */
export type HitOrder = 'desc' | 'asc';

/** Chat order of two hits: (create_time, id) ascending. */
export function compareHits(a: HitCandidate, b: HitCandidate): number {
  if (a.createTimeMs !== b.createTimeMs) return a.createTimeMs - b.createTimeMs;
  return ascending(BigInt(a.id), BigInt(b.id));
}

/** Hits grouped by chat (ids ascending), each chat's in `order`: how every engine's hits come back. */
export const hitsByChat =
  (order: HitOrder) =>
  (a: HitCandidate, b: HitCandidate): number =>
    ascending(a.chatId, b.chatId) || (order === 'desc' ? -1 : 1) * compareHits(a, b);

/**
 * A keyword index behind `chatSearch` and `chatMessageSearch`. Every engine answers with the
 * same semantics (the contracts' `normalizeSearchText` substring rule); the differential spec
 * holds them to the scan, which is the reference.
 */
export interface SearchEngine {
  readonly name: SearchEngineName;
  /**
   * Fed from `search_outbox` after the message's transaction (Mroonga, Sphinx), so the reader
   * also scans the outbox: a message is searchable once its write is acknowledged.
   */
  readonly outboxFed: boolean;
  /**
   * Matches the keyword in every tenant's messages, then keeps the tenant's (Mroonga): a small
   * tenant pays for a common keyword of the big ones. Engines whose words carry the tenant do not.
   */
  readonly tenantFilteredLate?: boolean;

  /**
   * Set by `open()` when it had to replace an index of an older layout: the engine is empty and
   * must be rebuilt before it answers (the service marks it not ready).
   */
  readonly replacedOnOpen?: boolean;

  /** Distinct chats with a matching message, at most `limit`. */
  matchingChats(query: SearchQuery, limit: number): Promise<MatchingChats>;
  /** Those of `chatIds` that hold a matching message. */
  chatsWithMatch(query: SearchQuery, chatIds: readonly string[]): Promise<Set<string>>;
  /** The `perChat` first matches of each chat in `order` of (create_time, id). */
  hits(query: SearchQuery, chatIds: readonly string[], perChat: number, order: HitOrder): Promise<HitCandidate[]>;
  /** How many messages of one chat match. */
  countInChat(query: SearchQuery, chatId: string): Promise<number>;
  /** Matches of one chat in chat order (create_time, id), `limit` from `offset`. */
  pageInChat(query: SearchQuery, chatId: string, offset: number, limit: number): Promise<HitCandidate[]>;

  /** Adds or replaces these messages (the feeder, rebuilds). */
  put(messages: readonly IndexedMessage[]): Promise<void>;
  /** Called inside the transaction that stored `messages` (FTS5 writes there; fed engines do not). */
  storedInTransaction(manager: EntityManager, messages: readonly IndexedMessage[]): Promise<void>;
  /** Called inside the transaction that deletes these messages from the store (likewise). */
  deletedInTransaction(manager: EntityManager, messageIds: readonly string[]): Promise<void>;
  /** Forgets every message of the tenant, or of these chats of it. */
  remove(tenantId: string, chatIds?: readonly string[]): Promise<void>;
  /** Forgets these messages of the tenant (deleted from the store). */
  forget(tenantId: string, messageIds: readonly string[]): Promise<void>;
  /** Messages indexed for the tenant. */
  count(tenantId: string): Promise<number>;
  /** Whether the message is indexed, by looking it up through its own text. */
  holds(message: IndexedMessage): Promise<boolean>;
  /** Bytes the index takes, when the engine can tell. */
  sizeBytes(): Promise<number | null>;
  /** Prepares the engine (tables, connections); false when it cannot run here. */
  open(): Promise<boolean>;
  close(): Promise<void>;
}

/** A candidate as a query reads it (`id` cast to text, the time as either driver gives it). */
export interface CandidateRow {
  chat_id: string;
  id: string;
  create_time: number | string;
}

export const candidateOf = (row: CandidateRow): HitCandidate => ({
  chatId: row.chat_id,
  id: row.id,
  createTimeMs: Number(row.create_time),
});

/**
 * The conditions on `messages` that scope a query, for a table written `${alias}` (`m.` or
 * ``): the tenant's text messages, in these chats when given, inside the query's window.
 */
export function messageScope(query: SearchQuery, alias: string, chatIds?: readonly string[]): { sql: string; params: unknown[] } {
  const scope = new SqlFilter(`${alias}tenant_id = ?`, query.tenantId).add(`${alias}type = 'txt'`);
  if (chatIds !== undefined) scope.add(chatIds.length === 0 ? '1 = 0' : `${alias}chat_id IN (${placeholders(chatIds.length)})`, ...chatIds);
  scope.addRange(`${alias}create_time`, { fromMs: query.fromMs ?? undefined, toMs: query.toMs ?? undefined });
  return { sql: scope.clause, params: scope.params };
}
