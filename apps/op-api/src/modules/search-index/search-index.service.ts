import { Inject, Injectable, Logger, Optional, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { containsKeyword } from '@op/contracts';
import { Gauge } from 'prom-client';
import { DataSource, type EntityManager } from 'typeorm';
import { OpError } from '../../common/errors/op-error';
import { chunks } from '../../common/util/chunks';
import { errorCode } from '../../common/filters/error-envelope';
import { throwIfInterrupted } from '../../common/util/interruption';
import { holderId } from '../../common/util/random-id';
import { DatabaseConnection } from '../../database/database-connection';
import { Snowflake } from '../../common/util/snowflake';
import type { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { dialectOf, isMysql, merge } from '../../database/dialect';
import { affectedRows, keysetAfter, placeholders, valueRows } from '../../database/sql';
import { DAY_MS } from '../../database/message-days';
import { MetricsService } from '../observability/metrics.service';
import { Fts5Engine } from './engines/fts5.engine';
import { MroongaEngine, WRITE_LOCK_TIMEOUT } from './engines/mroonga.engine';
import { firstPerChat, ScanEngine } from './engines/scan.engine';
import { SphinxEngine } from './engines/sphinx.engine';
import {
  compareHits,
  hitsByChat,
  messageScope,
  type HitCandidate,
  type HitOrder,
  type IndexedMessage,
  type MatchingChats,
  type SearchEngine,
  type SearchEngineName,
  type SearchQuery,
} from './search-engine';
import { groupBy } from '../../common/util/group-by';

/** A chat as the search service hands it over: its id and how many messages it holds. */
export interface ChatRef {
  id: string;
  messageCount: number;
}

/** A verified match: the message as the store has it. */
export interface SearchHit extends HitCandidate {
  msg: string;
}

export interface RebuildProgress {
  done: number;
  total: number;
}

const FEED_BATCH = 1_000;
// Between batches that did not fill: the outbox's tail is searched directly (pending), so
// waiting costs no freshness, and feeding fewer, fuller batches keeps the callback path's CPU.
const FEED_IDLE_MS = 250;
const LEASE_MS = 15_000;
const REBUILD_BATCH = 1_000;
/** A rebuild whose cursor has not moved this long was interrupted; the API resumes it. */
const REBUILD_ABANDONED_MS = 120_000;
const STATS_TTL_MS = 5_000;
const TENANT_SIZE_TTL_MS = 60_000;
const STATE_TTL_MS = 2_000;
/** Chats up to this many messages are read from the store, not the index, for a common keyword. */
const STORE_READ_MAX = 300;
/** search:verify draws a message of a day by its offset up to this many messages in the day; past it, after a random point. */
const SAMPLE_OFFSET_MAX = 20_000;
/** For a common keyword, a longer chat's newest messages are read from the store first: this many. */
const STORE_PROBE = 500;
/**
 * Chats an engine is asked about at once: a query names each (FTS5 caps an expression's depth
 * at 256; Groonga 7's in_values() ignores values past ~128).
 */
const ENGINE_CHATS_MAX = 100;

interface MessageRow {
  id: string;
  tenant_id: string;
  chat_id: string;
  create_time: number | string;
  msg: string | null;
}

/** A stored text message as the store reads give it. */
type StoredText = Pick<MessageRow, 'chat_id' | 'id' | 'create_time' | 'msg'>;

/** Those of `rows` whose text holds the keyword, as hits. */
const matchesAmong = (query: SearchQuery, rows: readonly StoredText[]): SearchHit[] =>
  rows
    .filter((row) => row.msg !== null && containsKeyword(row.msg, query.normal))
    .map((row) => ({ chatId: row.chat_id, id: row.id, createTimeMs: Number(row.create_time), msg: row.msg! }));

const indexed = (row: MessageRow): IndexedMessage => ({
  id: row.id,
  tenantId: row.tenant_id,
  chatId: row.chat_id,
  createTimeMs: Number(row.create_time),
  msg: row.msg ?? '',
});

/**
 * The keyword index as the rest of the API sees it: picks the engine (OP_SEARCH_ENGINE), is
 * told of every stored text message inside its transaction, feeds outbox-fed engines, rebuilds
 * an index that does not hold every message (searching with the scan meanwhile), and answers
 * reads with the engine's candidates checked against the message store.
 */
@Injectable()
export class SearchIndexService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('SearchIndex');
  private readonly owner = holderId();
  private readonly scanEngine: ScanEngine;
  /** Orders each enqueueing of a message (search_outbox.seq). */
  private readonly seqs: Snowflake;
  private engine!: SearchEngine;
  private ready = false;
  private running = false;
  private backgroundWanted = false;
  /** The active engine when this process cannot reach it (a Sphinx tier it has no address of). */
  private unreachable: SearchEngineName | null = null;
  /** opctl on a database with no active engine: it searches with the scan and activates none. */
  private undecided = false;
  /** Stores for an outbox-fed engine this process cannot reach: queue only, search with the scan. */
  private get queueOnly(): boolean {
    return this.unreachable !== null;
  }
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private stats: { at: number; depth: number; held: number; oldestMs: number | null; bytes: number | null } | null = null;
  /** When `ready` and the scopes being rebuilt were last read from the database. */
  private stateReadAt = 0;
  private rebuilding = new Set<string>();
  /** Until when this process holds the upkeep lease, as far as it knows. */
  private leaseUntil = 0;
  private readonly tenantSizes = new Map<string, { small: boolean; at: number }>();

  constructor(
    private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly connection: DatabaseConnection,
    @Optional() metrics?: MetricsService,
  ) {
    this.scanEngine = new ScanEngine(dataSource);
    this.seqs = new Snowflake(config.workerId);
    if (metrics) this.registerMetrics(metrics);
  }

  /** The configured engine, opened, and its state in `search_state` brought up to date (once the database answers). */
  onModuleInit(): Promise<void> {
    return this.connection.whenReady('search index', () => this.open());
  }

  private async open(): Promise<void> {
    const active = await this.activeEngine();
    const adopted = await this.adopt(active);
    if (adopted) {
      this.engine = adopted;
      if (!this.queueOnly) await this.refreshReady();
    } else {
      this.engine = await this.openEngine();
      await this.activate();
    }
    if (this.engine.replacedOnOpen) {
      // An index of an older layout was dropped: rebuilt in the background, the scan answers meanwhile.
      this.logger.warn(`the ${this.engine.name} search index had an older layout and is rebuilt`);
      await this.dataSource.query('UPDATE search_state SET ready = 0, update_time = ? WHERE engine = ?', [Date.now(), this.engine.name]);
      // A rebuild left unfinished wrote into the dropped table: its cursor would skip what it held.
      await this.dataSource.query('DELETE FROM search_rebuild WHERE engine = ?', [this.engine.name]);
      this.ready = false;
      this.stateReadAt = 0;
    }
    if (this.backgroundWanted) this.startBackground();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.stopBackground();
    await this.engine?.close();
  }

  /**
   * For commands that work on the index (`search:rebuild`, `search:verify`): refused where the
   * active engine cannot be reached from this process, which would check or rebuild the scan's
   * nothing and report it whole.
   */
  requireReachable(): void {
    if (this.undecided)
      throw OpError.conflict('这个数据库还没有启用关键词引擎（API 首次启动时按它的设置选定）：请先启动一次 API，再运行此命令');
    if (this.unreachable !== null)
      throw OpError.conflict(
        `当前关键词引擎 ${this.unreachable} 在此进程中不可用：请用与 API 相同的设置运行（如 OP_SEARCH_ENGINE、OP_SPHINX_SHARDS、OP_SPHINX_SEARCH）`,
      );
  }

  get engineName(): SearchEngineName {
    return this.engine.name;
  }

  /** Whether keyword searches use the engine (true) or the windowed scan while it is (re)built. */
  get indexed(): boolean {
    return this.ready && this.engine.name !== 'scan';
  }

  private async activeEngine(): Promise<SearchEngineName | null> {
    const rows: Array<{ engine: string }> = await this.dataSource.query('SELECT engine FROM search_state WHERE active = 1');
    return rows.length === 0 ? null : (rows[0].engine as SearchEngineName);
  }

  /**
   * With OP_SEARCH_ENGINE=auto, and in `opctl` whatever it says, a process keeps the engine the
   * database already uses (a command run without the API's settings must not switch it, nor
   * empty the index it switched from: only the API moves to another engine). Where that engine cannot
   * run here (a Sphinx tier this process has no address of), the process still queues what it
   * stores for it in the outbox, searches with the scan and leaves the feeding to the API.
   */
  private async adopt(active: SearchEngineName | null): Promise<SearchEngine | null> {
    const configured = this.config.searchEngine;
    const keep = this.config.keepSearchEngine === true;
    if (active === null && keep) {
      // A database no API has opened yet: the engine is the API's to choose (with `auto` it keeps
      // whatever is active, so one chosen here from opctl's settings stayed). What opctl stores
      // meanwhile is indexed by the rebuild that choice starts.
      this.undecided = true;
      return this.scanEngine;
    }
    if (active === null || (!keep && (configured !== 'auto' || active === 'scan'))) return null;
    if (configured !== 'auto' && configured !== active) {
      this.logger.warn(`OP_SEARCH_ENGINE=${configured} is not used here: the database uses ${active}, which only the API switches`);
    }
    if (active === 'scan') return this.scanEngine;
    const engine = this.create(active);
    if (engine && (await engine.open())) return engine;
    if (active === 'mroonga' || active === 'sphinx') {
      this.logger.warn(`the active search engine ${active} cannot be reached from this process: stored messages wait in the outbox for it`);
      this.unreachable = active;
      return this.scanEngine;
    }
    return null;
  }

  private create(name: SearchEngineName): SearchEngine | null {
    switch (name) {
      case 'sphinx':
        return this.config.sphinx ? new SphinxEngine(this.config.sphinx) : null;
      case 'fts5':
        return new Fts5Engine(this.dataSource);
      case 'mroonga':
        return new MroongaEngine(this.dataSource);
      case 'scan':
        return this.scanEngine;
    }
  }

  private async openEngine(): Promise<SearchEngine> {
    const setting = this.config.searchEngine;
    const name: SearchEngineName =
      setting !== 'auto' ? setting : this.config.sphinx ? 'sphinx' : isMysql(this.dataSource) ? 'mroonga' : 'fts5';
    const engine = this.create(name);
    if (engine && (await engine.open())) return engine;
    if (setting !== 'auto') throw new Error(`OP_SEARCH_ENGINE=${setting} cannot run on this database`);
    this.logger.warn(`search engine ${name} is not available here; keyword search scans the last ${this.config.searchWindowDays} days`);
    return this.scanEngine;
  }

  /**
   * Makes this engine the active one. An engine that was not active missed the messages stored
   * meanwhile, so it is marked not ready (unless there is nothing to index) and rebuilt.
   */
  private async activate(): Promise<void> {
    const name = this.engine.name;
    const now = Date.now();
    const rows: Array<{ engine: string; active: number | string; ready: number | string }> = await this.dataSource.query(
      'SELECT engine, active, ready FROM search_state',
    );
    const own = rows.find((row) => row.engine === name);
    const wasActive = own !== undefined && Number(own.active) === 1;
    if (!wasActive) {
      const [{ n }]: Array<{ n: number | string }> = await this.dataSource.query(
        "SELECT COUNT(*) AS n FROM (SELECT 1 FROM messages WHERE type = 'txt' LIMIT 1) x",
      );
      const ready = name === 'scan' || Number(n) === 0 ? 1 : 0;
      await this.dataSource.query('UPDATE search_state SET active = 0 WHERE engine <> ?', [name]);
      await this.forgetInactive(name, rows);
      // What waited for a fed engine that is no longer active is covered by this one's rebuild.
      if (!this.engine.outboxFed) await this.dataSource.query('DELETE FROM search_outbox');
      // An upsert, not an insert: two processes starting together on a new database both write
      // the row (the second failed to start on the duplicate key); they activate the same engine.
      const upsert = dialectOf(this.dataSource).onConflict(['engine'], {
        active: merge.replace,
        ready: merge.replace,
        update_time: merge.replace,
      });
      await this.dataSource.query(
        `INSERT INTO search_state (engine, active, ready, lease_until, update_time) VALUES (?, 1, ?, 0, ?) ${upsert}`,
        [name, ready, now],
      );
      this.ready = ready === 1;
    } else {
      this.ready = Number(own.ready) === 1;
    }
  }

  /**
   * Empties the index an engine no longer active kept in the database: erasure and retention
   * reach only the active engine, so its text would outlive them (and a switch back rebuilds
   * it whole). Mroonga's table goes (its engine makes it again); FTS5's, a migration's, is
   * emptied. A Sphinx tier is out of reach from here: said, for the operator to clear.
   */
  private async forgetInactive(active: SearchEngineName, states: ReadonlyArray<{ engine: string }>): Promise<void> {
    if (isMysql(this.dataSource)) {
      if (active !== 'mroonga') await this.dataSource.query('DROP TABLE IF EXISTS message_search');
    } else if (active !== 'fts5') {
      await this.dataSource.query("INSERT INTO message_search (message_search) VALUES ('delete-all')");
    }
    if (active !== 'sphinx' && states.some((state) => state.engine === 'sphinx'))
      this.logger.warn('keyword search left the Sphinx tier: its shards still hold the text they indexed; remove their data');
  }

  /**
   * Whether the index holds every message of the tenant: the engine is ready and no rebuild of
   * the tenant or of all tenants is under way (another process's too; read at most every 2 s).
   */
  private async refreshReady(tenantId?: string): Promise<boolean> {
    if (Date.now() - this.stateReadAt > STATE_TTL_MS) {
      const rows: Array<{ ready: number | string }> = await this.dataSource.query('SELECT ready FROM search_state WHERE engine = ?', [
        this.engine.name,
      ]);
      const scopes: Array<{ scope: string }> = await this.dataSource.query(
        'SELECT scope FROM search_rebuild WHERE engine = ? AND finish_time IS NULL',
        [this.engine.name],
      );
      this.ready = rows.length > 0 && Number(rows[0].ready) === 1;
      this.rebuilding = new Set(scopes.map((row) => row.scope));
      this.stateReadAt = Date.now();
    }
    return this.ready && !this.rebuilding.has('*') && (tenantId === undefined || !this.rebuilding.has(tenantId));
  }

  // ---- writes ------------------------------------------------------------------------------

  /**
   * Inside the transaction that stored these messages: FTS5 indexes them there; an outbox-fed
   * engine gets them queued in `search_outbox`, in the same transaction, for the feeder.
   */
  async stored(manager: EntityManager, messages: readonly IndexedMessage[]): Promise<void> {
    if (messages.length === 0 || (this.engine.name === 'scan' && !this.queueOnly)) return;
    if (!this.engine.outboxFed && !this.queueOnly) {
      await this.engine.storedInTransaction(manager, messages);
      return;
    }
    await this.enqueue(
      manager,
      messages.map((m) => ({ id: m.id, tenantId: m.tenantId })),
    );
  }

  /**
   * Inside the transaction that deletes these messages from the store (erasure, retention):
   * FTS5 forgets them there; for an outbox-fed engine they are queued again, and the feeder,
   * finding them gone from the store, deletes them from the engine. (Queued again, not
   * dequeued: a feeder that read them just before may be writing them into the engine now.)
   */
  async deleted(manager: EntityManager, tenantId: string, messageIds: readonly string[]): Promise<void> {
    if (messageIds.length === 0 || (this.engine.name === 'scan' && !this.queueOnly)) return;
    if (!this.engine.outboxFed && !this.queueOnly) {
      await this.engine.deletedInTransaction(manager, messageIds);
      return;
    }
    await this.enqueue(
      manager,
      messageIds.map((id) => ({ id, tenantId })),
    );
  }

  /**
   * After the transaction that called {@link deleted} committed: an outbox-fed engine forgets
   * the messages at once instead of at the feeder's next turn (which still runs, and covers a
   * feeder that was writing them meanwhile). A failure here is left to the feeder.
   */
  async forgetNow(tenantId: string, messageIds: readonly string[]): Promise<void> {
    if (messageIds.length === 0 || !this.engine.outboxFed || this.queueOnly) return;
    try {
      await this.engine.forget(tenantId, messageIds);
    } catch (error) {
      this.logger.warn(`search index forget failed, the feeder will retry: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /** Queues messages for the feeder; `attempts` > 0 queues them held back (see {@link holdMs}). */
  private async enqueue(manager: EntityManager, entries: ReadonlyArray<{ id: string; tenantId: string }>, attempts = 0): Promise<void> {
    const now = Date.now();
    const retryAfter = attempts === 0 ? 0 : now + holdMs(attempts);
    // Queued again, a held-back message is tried at once (its text or its fate changed).
    const upsert = dialectOf(manager).onConflict(['message_id'], {
      enqueue_time: merge.replace,
      seq: merge.replace,
      attempts: merge.replace,
      retry_after: merge.replace,
    });
    for (const chunk of chunks(entries, 1_000)) {
      await manager.query(
        `INSERT INTO search_outbox (message_id, tenant_id, enqueue_time, seq, attempts, retry_after) VALUES ${valueRows(chunk.length, 6)} ${upsert}`,
        chunk.flatMap((e) => [BigInt(e.id), e.tenantId, now, BigInt(this.seqs.next()), attempts, retryAfter]),
      );
    }
  }

  /** Forgets these chats of the tenant (or all of its messages) in the index and the outbox. */
  async remove(tenantId: string, chatIds?: readonly string[]): Promise<void> {
    if (this.engine.name === 'scan') return;
    await this.engine.remove(tenantId, chatIds);
    if (this.engine.outboxFed) {
      await this.dataSource.query(
        chatIds === undefined
          ? 'DELETE FROM search_outbox WHERE tenant_id = ?'
          : `DELETE FROM search_outbox WHERE tenant_id = ? AND message_id IN (SELECT id FROM messages WHERE tenant_id = ? AND chat_id IN (${placeholders(chatIds.length)}))`,
        chatIds === undefined ? [tenantId] : [tenantId, tenantId, ...chatIds],
      );
    }
  }

  // ---- reads -------------------------------------------------------------------------------

  /**
   * The engine that answers the tenant now, and whether it needs the scan's window: the index
   * once it holds every message, else the windowed scan. A small tenant on an engine that
   * matches every tenant's messages first is read whole from the store instead: its few
   * thousand messages cost less than a common keyword's postings of every tenant.
   */
  async reader(tenantId: string): Promise<{ engine: SearchEngine; windowed: boolean }> {
    if (this.engine.name === 'scan' || !(await this.refreshReady(tenantId))) return { engine: this.scanEngine, windowed: true };
    if (this.engine.tenantFilteredLate && (await this.isSmall(tenantId))) return { engine: this.scanEngine, windowed: false };
    return { engine: this.engine, windowed: false };
  }

  /** Whether the tenant holds at most OP_SEARCH_SMALL_TENANT messages (an index probe, remembered a minute). */
  private async isSmall(tenantId: string): Promise<boolean> {
    const limit = this.config.searchSmallTenant;
    if (limit === 0) return false;
    const known = this.tenantSizes.get(tenantId);
    if (known && Date.now() - known.at < TENANT_SIZE_TTL_MS) return known.small;
    const rows: Array<{ n: number | string }> = await this.dataSource.query(
      `SELECT COUNT(*) AS n FROM (SELECT 1 FROM messages WHERE tenant_id = ? LIMIT ${limit + 1}) t`,
      [tenantId],
    );
    const small = Number(rows[0].n) <= limit;
    if (this.tenantSizes.size >= 10_000) this.tenantSizes.clear();
    this.tenantSizes.set(tenantId, { small, at: Date.now() });
    return small;
  }

  /**
   * Matches stored but not yet fed to the engine, read before the engine is asked: the feeder
   * writes the engine before it deletes the outbox row, so a message is always in one of the two.
   */
  private async pending(engine: SearchEngine, query: SearchQuery, chatIds?: readonly string[]): Promise<HitCandidate[]> {
    if (!engine.outboxFed || chatIds?.length === 0) return [];
    const scope = messageScope(query, 'm.', chatIds);
    const rows: StoredText[] = await this.dataSource.query(
      `SELECT m.chat_id, CAST(m.id AS CHAR) AS id, m.create_time, m.msg FROM search_outbox o JOIN messages m ON m.id = o.message_id WHERE o.tenant_id = ? AND ${scope.sql}`,
      [query.tenantId, ...scope.params],
    );
    return matchesAmong(query, rows);
  }

  async matchingChats(engine: SearchEngine, query: SearchQuery, limit: number): Promise<MatchingChats> {
    const pending = await this.pending(engine, query);
    const found = await engine.matchingChats(query, limit);
    if (pending.length === 0) return found;
    const chats = new Set([...found.chatIds, ...pending.map((hit) => hit.chatId)]);
    return { chatIds: [...chats].slice(0, limit), complete: found.complete && chats.size <= limit };
  }

  /**
   * Those of `chats` that hold a match. For a common keyword (`common`: the engine found more
   * chats than the cap), the chats of at most STORE_READ_MAX messages are read from the store
   * and tested directly: a few thousand short rows cost less than the keyword's postings.
   */
  async chatsWithMatch(engine: SearchEngine, query: SearchQuery, chats: readonly ChatRef[], common: boolean): Promise<Set<string>> {
    const { small, large } = this.split(chats, common);
    const found = new Set<string>();
    const probed = common ? await this.newestStoreMatches(query, large, 1) : { hits: [], rest: large };
    for (const hit of [...(await this.storeMatches(query, small)), ...probed.hits]) found.add(hit.chatId);
    for (const chunk of chunks(probed.rest, ENGINE_CHATS_MAX)) {
      const pending = await this.pending(engine, query, chunk);
      for (const chatId of await engine.chatsWithMatch(query, chunk)) found.add(chatId);
      for (const hit of pending) found.add(hit.chatId);
    }
    return found;
  }

  /** The `perChat` newest (or first) verified matches of each chat. */
  async hits(
    engine: SearchEngine,
    query: SearchQuery,
    chats: readonly ChatRef[],
    perChat: number,
    order: HitOrder,
    common: boolean,
  ): Promise<SearchHit[]> {
    if (chats.length === 0) return [];
    const { small, large } = this.split(chats, common);
    const probed = common && order === 'desc' ? await this.newestStoreMatches(query, large, perChat) : { hits: [], rest: large };
    const verified = [...(await this.storeMatches(query, small)), ...probed.hits];
    for (const chunk of chunks(probed.rest, ENGINE_CHATS_MAX)) {
      const pending = await this.pending(engine, query, chunk);
      verified.push(...(await this.confirm(query, [...(await engine.hits(query, chunk, perChat, order)), ...pending])));
    }
    verified.sort(hitsByChat(order));
    return firstPerChat(verified, perChat);
  }

  private split(chats: readonly ChatRef[], common: boolean): { small: string[]; large: string[] } {
    const small: string[] = [];
    const large: string[] = [];
    for (const chat of chats) (common && chat.messageCount <= STORE_READ_MAX ? small : large).push(chat.id);
    return { small, large };
  }

  /**
   * For a common keyword, each longer chat's STORE_PROBE newest text messages, tested with the
   * contracts' rule: where at least `enough` match, or fewer than STORE_PROBE were read (so every
   * one was), those are its newest matches (`hits`); the other chats (`rest`) are asked of the
   * index, whose postings a common keyword makes long.
   */
  private async newestStoreMatches(query: SearchQuery, chatIds: readonly string[], enough: number) {
    const hits: SearchHit[] = [];
    const rest: string[] = [];
    for (const chatId of chatIds) {
      const scope = messageScope(query, '', [chatId]);
      const rows: StoredText[] = await this.dataSource.query(
        `SELECT chat_id, CAST(id AS CHAR) AS id, create_time, msg FROM messages WHERE ${scope.sql} ` +
          `ORDER BY messages.create_time DESC, messages.id DESC LIMIT ${STORE_PROBE}`,
        scope.params,
      );
      const found = matchesAmong(query, rows);
      if (found.length >= enough || rows.length < STORE_PROBE) hits.push(...found);
      else rest.push(chatId);
    }
    return { hits, rest };
  }

  /** Every match in these chats, read from the message store and tested with the contracts' rule. */
  private async storeMatches(query: SearchQuery, chatIds: readonly string[]): Promise<SearchHit[]> {
    const hits: SearchHit[] = [];
    for (const chunk of chunks(chatIds, 200)) {
      const scope = messageScope(query, '', chunk);
      const rows: StoredText[] = await this.dataSource.query(
        `SELECT chat_id, CAST(id AS CHAR) AS id, create_time, msg FROM messages WHERE ${scope.sql}`,
        scope.params,
      );
      hits.push(...matchesAmong(query, rows));
    }
    return hits;
  }

  /** How many messages of the chat match, and one page of them in chat order. */
  async inChat(
    engine: SearchEngine,
    query: SearchQuery,
    chatId: string,
    offset: number,
    limit: number,
  ): Promise<{ total: number; hits: SearchHit[] }> {
    const pending = await this.pending(engine, query, [chatId]);
    const fromEngine = await engine.countInChat(query, chatId);
    // Never more from the engine than it holds: a page past the last asks it for nothing (Sphinx
    // sizes its sorter by offset + limit, and pageNum may be a billion).
    if (pending.length === 0) {
      if (offset >= fromEngine) return { total: fromEngine, hits: [] };
      return { total: fromEngine, hits: await this.confirm(query, await engine.pageInChat(query, chatId, offset, limit)) };
    }
    // A few messages wait in the outbox: merge them into the engine's order (deduplicated, as
    // the feeder may have written one to both for an instant).
    const fromIndex = fromEngine === 0 ? [] : await engine.pageInChat(query, chatId, 0, Math.min(offset + limit, fromEngine));
    const merged = new Map([...fromIndex, ...pending].map((hit) => [hit.id, hit]));
    const all = [...merged.values()].sort(compareHits);
    const indexedIds = new Set(fromIndex.map((hit) => hit.id));
    const total = fromEngine + pending.filter((hit) => !indexedIds.has(hit.id)).length;
    return { total, hits: await this.confirm(query, all.slice(offset, offset + limit)) };
  }

  /** The candidates whose stored text holds the keyword, with that text: nothing stale or foreign is shown. */
  private async confirm(query: SearchQuery, candidates: readonly HitCandidate[]): Promise<SearchHit[]> {
    if (candidates.length === 0) return [];
    const ids = [...new Set(candidates.map((hit) => hit.id))];
    const texts = new Map<string, { chatId: string; msg: string | null; createTimeMs: number }>();
    for (const chunk of chunks(ids, 1_000)) {
      // By primary key alone (the tenant is checked below): with the tenant in the WHERE clause
      // SQLite's planner walked the tenant's index instead (0.7 s at 1M messages).
      const rows: Array<{
        id: string;
        tenant_id: string;
        chat_id: string;
        type: string;
        create_time: number | string;
        msg: string | null;
      }> = await this.dataSource.query(
        `SELECT CAST(id AS CHAR) AS id, tenant_id, chat_id, type, create_time, msg FROM messages WHERE id IN (${placeholders(chunk.length)})`,
        chunk.map(BigInt),
      );
      for (const row of rows) {
        if (row.tenant_id === query.tenantId && row.type === 'txt')
          texts.set(row.id, { chatId: row.chat_id, msg: row.msg, createTimeMs: Number(row.create_time) });
      }
    }
    const seen = new Set<string>();
    const hits: SearchHit[] = [];
    for (const candidate of candidates) {
      const stored = texts.get(candidate.id);
      if (seen.has(candidate.id) || !stored || stored.msg === null || stored.chatId !== candidate.chatId) continue;
      if (!containsKeyword(stored.msg, query.normal)) continue;
      seen.add(candidate.id);
      hits.push({ chatId: stored.chatId, id: candidate.id, createTimeMs: stored.createTimeMs, msg: stored.msg });
    }
    return hits;
  }

  // ---- background: the feeder and the first build -----------------------------------------

  /**
   * Starts feeding an outbox-fed engine and, when the index does not hold every message,
   * rebuilding it; only the process holding the lease in `search_state` does either.
   */
  startBackground(): void {
    this.backgroundWanted = true;
    // Before the module is initialised this only asks; onModuleInit starts it.
    if (this.engine === undefined || this.running || this.engine.name === 'scan') return;
    this.running = true;
    this.loop = this.background();
  }

  async stopBackground(): Promise<void> {
    this.backgroundWanted = false;
    this.running = false;
    this.wake?.();
    await this.loop;
    this.loop = null;
  }

  /** Waits until the outbox is empty (opctl import, tests and benches that need the index current). */
  async drain(timeoutMs = 600_000): Promise<void> {
    if (!this.engine.outboxFed) return; // queue-only processes leave the feeding to the API
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      // Held-back messages (refused by the engine, retried later) do not count: they would hold
      // an import's drain until their retry; `op_search_index_held_back` shows them.
      const waiting: unknown[] = await this.dataSource.query('SELECT 1 FROM search_outbox WHERE retry_after <= ? LIMIT 1', [Date.now()]);
      if (waiting.length === 0) return;
      if (Date.now() > deadline) throw new Error('search outbox did not drain in time');
      if (!this.running) await this.feedOnce();
      else await sleep(50);
    }
  }

  private async background(): Promise<void> {
    while (this.running) {
      try {
        if (!(await this.takeLease())) {
          await this.pause(LEASE_MS / 3);
          continue;
        }
        if (!this.ready) this.stateReadAt = 0;
        for (const scope of await this.abandonedRebuilds()) await this.rebuild(scope);
        if (!(await this.refreshReady()) && !this.rebuilding.has('*')) await this.rebuild('*');
        const fed = this.engine.outboxFed ? await this.feedOnce() : 0;
        if (fed < FEED_BATCH) await this.pause(this.engine.outboxFed ? FEED_IDLE_MS : LEASE_MS / 3);
      } catch (error) {
        this.logger.warn(`search index upkeep failed: ${error instanceof Error ? error.message : String(error)}`);
        await this.pause(1_000);
      }
    }
    this.leaseUntil = 0;
    await this.dataSource
      .query('UPDATE search_state SET lease_until = 0 WHERE engine = ? AND lease_owner = ?', [this.engine.name, this.owner])
      .catch(() => undefined);
  }

  /**
   * Rebuilds whose cursor has not moved for REBUILD_ABANDONED_MS: their process stopped (Ctrl-C on
   * `opctl search:rebuild`), and the scope they cover answers from the windowed scan until one
   * finishes. The process holding the lease resumes them from their cursor.
   */
  private async abandonedRebuilds(): Promise<string[]> {
    const rows: Array<{ scope: string }> = await this.dataSource.query(
      'SELECT scope FROM search_rebuild WHERE engine = ? AND finish_time IS NULL AND update_time < ?',
      [this.engine.name, Date.now() - REBUILD_ABANDONED_MS],
    );
    return rows.map((row) => row.scope);
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  private async takeLease(): Promise<boolean> {
    const now = Date.now();
    // Renewed a third of the way through, not on every batch: one write every few seconds.
    if (this.leaseUntil - now > (LEASE_MS * 2) / 3) return true;
    const affected = await affectedRows(
      this.dataSource,
      'UPDATE search_state SET lease_owner = ?, lease_until = ? WHERE engine = ? AND (lease_owner = ? OR lease_until < ?)',
      [this.owner, now + LEASE_MS, this.engine.name, this.owner, now],
    );
    this.leaseUntil = affected > 0 ? now + LEASE_MS : 0;
    return affected > 0;
  }

  /**
   * Moves one batch from the outbox into the engine: what the store holds is written, what it
   * no longer holds is deleted; then exactly the outbox rows read are deleted (a row queued
   * again meanwhile has a new `seq` and stays). A message the engine refuses while it takes
   * others is held back instead (see {@link putAll}). Returns how many outbox rows it took.
   */
  async feedOnce(): Promise<number> {
    const queued: Array<{ message_id: string; tenant_id: string; seq: string; attempts: number | string }> = await this.dataSource.query(
      `SELECT CAST(message_id AS CHAR) AS message_id, tenant_id, CAST(seq AS CHAR) AS seq, attempts FROM search_outbox WHERE retry_after <= ? ORDER BY search_outbox.message_id LIMIT ${FEED_BATCH}`,
      [Date.now()],
    );
    if (queued.length === 0) return 0;
    const ids = queued.map((row) => BigInt(row.message_id));
    const rows: Array<MessageRow & { type: string }> = await this.dataSource.query(
      `SELECT CAST(id AS CHAR) AS id, tenant_id, chat_id, create_time, msg, type FROM messages WHERE id IN (${placeholders(ids.length)})`,
      ids,
    );
    const texts = rows.filter((row) => row.type === 'txt');
    const refused = new Set(await this.putAll(texts.map(indexed)));
    const present = new Set(texts.map((row) => row.id));
    const gone = groupBy(
      queued.filter((row) => !present.has(row.message_id)),
      (row) => row.tenant_id,
      (row) => row.message_id,
    );
    for (const [tenantId, messageIds] of gone) await this.engine.forget(tenantId, messageIds);
    const held = queued.filter((row) => refused.has(row.message_id));
    const fed = queued.filter((row) => !refused.has(row.message_id));
    for (const row of held) {
      const attempts = Number(row.attempts) + 1;
      await this.dataSource.query('UPDATE search_outbox SET attempts = ?, retry_after = ? WHERE message_id = ? AND seq = ?', [
        attempts,
        Date.now() + holdMs(attempts),
        BigInt(row.message_id),
        BigInt(row.seq),
      ]);
    }
    if (fed.length > 0) {
      await this.dataSource.query(
        `DELETE FROM search_outbox WHERE message_id IN (${placeholders(fed.length)}) AND seq IN (${placeholders(fed.length)})`,
        [...fed.map((row) => BigInt(row.message_id)), ...fed.map((row) => BigInt(row.seq))],
      );
    }
    if (held.length > 0) this.stats = null;
    return queued.length;
  }

  /**
   * Writes messages to the engine and returns the ids of those it refused. A failed batch is
   * split in halves until the refused messages are alone, but only while the engine answers
   * otherwise (a count of a tenant): an engine that is down fails the whole batch, which waits
   * for the next turn, rather than holding every message back. Before, one message an engine
   * would not take (searchd's packet limit) was retried forever, and no message after it was
   * indexed for any tenant.
   */
  private async putAll(messages: readonly IndexedMessage[]): Promise<string[]> {
    if (messages.length === 0) return [];
    try {
      await this.engine.put(messages);
      return [];
    } catch (error) {
      // A lock not had in time says nothing of the messages: every one would fail alike. (A
      // connection lost does not say the engine is away: searchd drops the connection of a
      // write past its packet limit. The count below tells.)
      if (TRANSIENT_CODES.has(errorCode(error) ?? '')) throw error;
      await this.engine.count(messages[0].tenantId).catch(() => {
        throw error;
      });
      if (messages.length === 1) {
        // The id and the driver's code only: an engine's message may quote the text.
        const code = (error as { code?: unknown }).code;
        this.logger.warn(
          `search engine ${this.engine.name} refused message ${messages[0].id} of tenant ${messages[0].tenantId}` +
            `${typeof code === 'string' ? ` (${code})` : ''}; it stays searchable through search_outbox and is tried again later`,
        );
        return [messages[0].id];
      }
      const half = Math.ceil(messages.length / 2);
      return [...(await this.putAll(messages.slice(0, half))), ...(await this.putAll(messages.slice(half)))];
    }
  }

  // ---- rebuild and verify -------------------------------------------------------------------

  /**
   * Rebuilds the index of one tenant, or of all (`*`), from the message store, resumably: the
   * cursor (tenant, create_time, id) is saved after every batch, and a run that finds an
   * unfinished one continues it. The index keeps taking new messages meanwhile.
   */
  async rebuild(scope: string, onProgress?: (progress: RebuildProgress) => void): Promise<RebuildProgress> {
    const engine = this.engine;
    if (engine.name === 'scan') return { done: 0, total: 0 };
    const now = Date.now();
    const rows: Array<{
      cursor_tenant: string;
      cursor_time: number | string | null;
      cursor_id: string | null;
      done: number | string;
      total: number | string;
      finish_time: unknown;
    }> = await this.dataSource.query(
      'SELECT cursor_tenant, cursor_time, CAST(cursor_id AS CHAR) AS cursor_id, done, total, finish_time FROM search_rebuild WHERE engine = ? AND scope = ?',
      [engine.name, scope],
    );
    let cursor: { tenant: string; time: number | null; id: string | null };
    let done: number;
    let total: number;
    if (rows.length === 0 || rows[0].finish_time !== null) {
      total = await this.textMessages(scope);
      done = 0;
      cursor = { tenant: '', time: null, id: null };
      // Readers turn to the scan first (an unfinished rebuild row), then the index is emptied.
      await this.dataSource.query('DELETE FROM search_rebuild WHERE engine = ? AND scope = ?', [engine.name, scope]);
      await this.dataSource.query(
        "INSERT INTO search_rebuild (engine, scope, cursor_tenant, done, total, start_time, update_time) VALUES (?, ?, '', 0, ?, ?, ?)",
        [engine.name, scope, total, now, now],
      );
      this.rebuilding.add(scope);
      // Other processes re-read the rebuild rows every STATE_TTL_MS: let them turn away first.
      await sleep(STATE_TTL_MS + 500);
      await this.clear(scope);
    } else {
      cursor = {
        tenant: rows[0].cursor_tenant,
        time: rows[0].cursor_time === null ? null : Number(rows[0].cursor_time),
        id: rows[0].cursor_id,
      };
      done = Number(rows[0].done);
      total = Math.max(Number(rows[0].total), done);
    }
    onProgress?.({ done, total });
    const tenants: Array<{ id: string }> =
      scope === '*' ? await this.dataSource.query('SELECT id FROM tenants WHERE id >= ? ORDER BY id', [cursor.tenant]) : [{ id: scope }];
    for (const { id: tenantId } of tenants) {
      let after = tenantId === cursor.tenant && cursor.time !== null && cursor.id !== null ? { timeMs: cursor.time, id: cursor.id } : null;
      for (;;) {
        // Qualified: a bare `id` would name the CAST below (a string), and sort by it.
        const past = keysetAfter(after, 'messages');
        const batch: MessageRow[] = await this.dataSource.query(
          `SELECT CAST(id AS CHAR) AS id, tenant_id, chat_id, create_time, msg FROM messages WHERE tenant_id = ? AND type = 'txt'${past.sql}` +
            ` ORDER BY messages.create_time, messages.id LIMIT ${REBUILD_BATCH}`,
          [tenantId, ...past.params],
        );
        throwIfInterrupted(); // the cursor is saved: a re-run, or the API, resumes here
        if (batch.length > 0) {
          const refused = new Set(await this.putAll(batch.map(indexed)));
          // Refused ones wait in the outbox, where searches find them, for the feeder's retry.
          if (refused.size > 0)
            await this.enqueue(
              this.dataSource.manager,
              [...refused].map((id) => ({ id, tenantId })),
              1,
            );
          const last = batch[batch.length - 1];
          after = { timeMs: Number(last.create_time), id: last.id };
          done += batch.length;
          await this.dataSource.query(
            'UPDATE search_rebuild SET cursor_tenant = ?, cursor_time = ?, cursor_id = ?, done = ?, total = ?, update_time = ? WHERE engine = ? AND scope = ?',
            [tenantId, after.timeMs, BigInt(after.id), done, Math.max(total, done), Date.now(), engine.name, scope],
          );
          total = Math.max(total, done);
          onProgress?.({ done, total });
        }
        if (batch.length < REBUILD_BATCH) break;
      }
    }
    if (scope === '*') {
      await this.dataSource.query('UPDATE search_state SET ready = 1, update_time = ? WHERE engine = ?', [Date.now(), engine.name]);
    }
    await this.dataSource.query('UPDATE search_rebuild SET finish_time = ? WHERE engine = ? AND scope = ?', [
      Date.now(),
      engine.name,
      scope,
    ]);
    this.stateReadAt = 0;
    return { done, total };
  }

  private async clear(scope: string): Promise<void> {
    if (scope !== '*') {
      await this.engine.remove(scope);
      return;
    }
    const tenants: Array<{ id: string }> = await this.dataSource.query('SELECT id FROM tenants');
    for (const { id } of tenants) await this.engine.remove(id);
  }

  private async textMessages(scope: string): Promise<number> {
    const [{ n }]: Array<{ n: number | string }> = await this.dataSource.query(
      scope === '*'
        ? "SELECT COUNT(*) AS n FROM messages WHERE type = 'txt'"
        : "SELECT COUNT(*) AS n FROM messages WHERE tenant_id = ? AND type = 'txt'",
      scope === '*' ? [] : [scope],
    );
    return Number(n);
  }

  /**
   * Compares index and store for one tenant or all: the count of text messages each holds,
   * and whether each of `sample` random stored messages is found through its own text.
   */
  async verify(scope: string, sample: number): Promise<VerifyReport> {
    const tenants: Array<{ id: string }> =
      scope === '*' ? await this.dataSource.query('SELECT id FROM tenants ORDER BY id') : [{ id: scope }];
    const report: VerifyReport = { engine: this.engine.name, tenants: [], missing: [], ok: true };
    this.stateReadAt = 0;
    await this.refreshReady();
    for (const { id: tenantId } of tenants) {
      const stored = await this.textMessages(tenantId);
      const [outbox]: Array<{ n: number | string; held: number | string | null }> = await this.dataSource.query(
        'SELECT COUNT(*) AS n, SUM(CASE WHEN attempts > 0 THEN 1 ELSE 0 END) AS held FROM search_outbox WHERE tenant_id = ?',
        [tenantId],
      );
      const queued = Number(outbox.n);
      const held = Number(outbox.held ?? 0);
      const inIndex = await this.engine.count(tenantId);
      // An unfinished rebuild: its tenants' searches use the windowed scan, however whole the index.
      const rebuilding = this.rebuilding.has('*') || this.rebuilding.has(tenantId);
      const entry = { tenantId, stored, indexed: inIndex, queued, held, rebuilding, checked: 0, missing: 0 };
      const rows: MessageRow[] = stored === 0 ? [] : await this.sampleMessages(tenantId, Math.min(sample, stored));
      for (const row of rows) {
        entry.checked++;
        const message = indexed(row);
        if (!(await this.engine.holds(message))) {
          entry.missing++;
          if (report.missing.length < 100) report.missing.push({ tenantId, messageId: message.id, chatId: message.chatId });
        }
      }
      if (entry.missing > 0 || held > 0 || rebuilding || entry.indexed + entry.queued < entry.stored || entry.indexed > entry.stored)
        report.ok = false;
      report.tenants.push(entry);
    }
    return report;
  }

  /**
   * Up to `n` of the tenant's text messages, spread by count rather than by time: a day is drawn
   * with the weight of its messages (the chats' day counts, every type), then a message of that
   * day, by a random offset when the day holds few, else at a random point of it, and from there
   * the first text message. Points
   * drawn over the tenant's whole time range all fell, once one message was dated 9999, on the
   * few messages after the long gap: 2 of 7,000 were checked and verify said ok. A tenant whose
   * messages have no day counts (stored before them) is sampled by time, as before.
   */
  private async sampleMessages(tenantId: string, n: number): Promise<MessageRow[]> {
    const days: Array<{ utc_day: number | string; n: number | string }> = await this.dataSource.query(
      'SELECT utc_day, SUM(message_count) AS n FROM chat_message_days WHERE tenant_id = ? GROUP BY utc_day',
      [tenantId],
    );
    const weights = days.map((day) => ({ day: Number(day.utc_day), n: Number(day.n) })).filter((day) => day.n > 0);
    const total = weights.reduce((sum, day) => sum + day.n, 0);
    const picked = new Map<string, MessageRow>();
    const take = (rows: MessageRow[]) => rows.length > 0 && picked.set(rows[0].id, rows[0]);
    for (let i = 0; i < n * 4 && picked.size < n; i++) {
      if (total === 0) {
        await this.sampleByTime(tenantId, take);
        continue;
      }
      let rank = Math.floor(Math.random() * total);
      const { day, n: count } = weights.find((d) => (rank -= d.n) < 0)!;
      const [from, to] = [day * DAY_MS, (day + 1) * DAY_MS];
      // A message of the day (any type: the day counts count them all), then the first text message from it on.
      const [at]: Array<{ id: string; create_time: number | string }> =
        count <= SAMPLE_OFFSET_MAX
          ? await this.dataSource.query(
              'SELECT CAST(id AS CHAR) AS id, create_time FROM messages WHERE tenant_id = ? AND create_time >= ? AND create_time < ? ' +
                `ORDER BY messages.create_time, messages.id LIMIT 1 OFFSET ${Math.floor(Math.random() * count)}`,
              [tenantId, from, to],
            )
          : [{ id: '0', create_time: from + Math.floor(Math.random() * DAY_MS) }];
      if (at !== undefined) take(await this.firstTextFrom(tenantId, Number(at.create_time), BigInt(at.id)));
    }
    return [...picked.values()];
  }

  /** The tenant's first text message at or after (`timeMs`, `id`), itself included: one row or none. */
  private firstTextFrom(tenantId: string, timeMs: number, id: bigint): Promise<MessageRow[]> {
    // The keyset is "after": after the id before this one.
    const after = keysetAfter({ timeMs, id: id - 1n });
    return this.dataSource.query(
      'SELECT CAST(id AS CHAR) AS id, tenant_id, chat_id, create_time, msg FROM messages ' +
        `WHERE tenant_id = ? AND type = 'txt'${after.sql} ORDER BY messages.create_time, messages.id LIMIT 1`,
      [tenantId, ...after.params],
    );
  }

  /** One message after a random point of the tenant's time range (its messages have no day counts). */
  private async sampleByTime(tenantId: string, take: (rows: MessageRow[]) => unknown): Promise<void> {
    const [range]: Array<{ lo: number | string | null; hi: number | string | null }> = await this.dataSource.query(
      "SELECT MIN(create_time) AS lo, MAX(create_time) AS hi FROM messages WHERE tenant_id = ? AND type = 'txt'",
      [tenantId],
    );
    if (range.lo === null || range.hi === null) return;
    const at = Number(range.lo) + Math.floor(Math.random() * (Number(range.hi) - Number(range.lo) + 1));
    take(await this.firstTextFrom(tenantId, at, 0n));
  }

  // ---- metrics -----------------------------------------------------------------------------

  private async currentStats(): Promise<NonNullable<SearchIndexService['stats']>> {
    if (this.stats && Date.now() - this.stats.at < STATS_TTL_MS) return this.stats;
    // Counted up to a million (an import can queue many more; the lag says the rest), and
    // the oldest by message id, which the feeder takes first.
    const [row]: Array<{ n: number | string; held: number | string | null }> = await this.dataSource.query(
      'SELECT COUNT(*) AS n, SUM(CASE WHEN attempts > 0 THEN 1 ELSE 0 END) AS held FROM (SELECT attempts FROM search_outbox LIMIT 1000000) q',
    );
    // The lag is the feeder's: a message held back is counted apart, not as a lag that grows.
    const first: Array<{ oldest: number | string }> = await this.dataSource.query(
      'SELECT enqueue_time AS oldest FROM search_outbox WHERE attempts = 0 ORDER BY search_outbox.message_id LIMIT 1',
    );
    const previous = this.stats;
    const sizeDue = !previous || previous.bytes === null || Date.now() - previous.at > 60_000;
    this.stats = {
      at: Date.now(),
      depth: Number(row.n),
      held: Number(row.held ?? 0),
      oldestMs: first.length === 0 ? null : Number(first[0].oldest),
      bytes: sizeDue ? await this.engine.sizeBytes().catch(() => null) : previous.bytes,
    };
    return this.stats;
  }

  private registerMetrics(metrics: MetricsService): void {
    const engineLabel = () => this.engine?.name ?? 'none';
    const stats = () => this.currentStats().catch(() => null);
    const gauge = (name: string, help: string, read: () => Promise<number | null> | number | null) =>
      new Gauge({
        name,
        help,
        labelNames: ['engine'],
        registers: [metrics.registry],
        async collect() {
          const value = await read();
          if (value !== null) this.set({ engine: engineLabel() }, value);
        },
      });
    gauge('op_search_index_lag_seconds', 'Age of the oldest stored message not yet in the keyword index (0: none waiting)', async () => {
      const current = await stats();
      // Its age when it was read: the figures are kept a few seconds, and now − oldest would
      // add their age to a lag that may be long gone.
      return current === null ? null : current.oldestMs === null ? 0 : Math.max(0, (current.at - current.oldestMs) / 1000);
    });
    gauge(
      'op_search_outbox_depth',
      'Stored messages waiting in search_outbox for the keyword index',
      async () => (await stats())?.depth ?? null,
    );
    gauge(
      'op_search_index_held_back',
      'Stored messages the keyword engine refused, waiting in search_outbox for a retry (found by searches all the same)',
      async () => (await stats())?.held ?? null,
    );
    gauge(
      'op_search_index_bytes',
      'Bytes the keyword index takes, where the engine reports it',
      async () => (await stats())?.bytes ?? null,
    );
    gauge('op_search_index_ready', '1 when keyword search uses the index, 0 while it is rebuilt (the windowed scan answers)', () =>
      this.indexed ? 1 : 0,
    );
  }
}

export interface VerifyReport {
  engine: SearchEngineName;
  ok: boolean;
  /**
   * Per tenant. `held`: queued messages the engine refused, waiting for a retry (searchable
   * through the outbox). `rebuilding`: a rebuild covering the tenant is unfinished, and its
   * searches use the windowed scan until it ends.
   */
  tenants: Array<{
    tenantId: string;
    stored: number;
    indexed: number;
    queued: number;
    held: number;
    rebuilding: boolean;
    checked: number;
    missing: number;
  }>;
  missing: Array<{ tenantId: string; messageId: string; chatId: string }>;
}

/**
 * Failures of a write that say nothing of the messages written (another writer held a lock):
 * the batch waits for the next turn whole. Not a query timeout: one message can be what makes
 * a write that slow, and it would stall the feeder for good.
 */
const TRANSIENT_CODES = new Set(['ER_LOCK_WAIT_TIMEOUT', 'ER_LOCK_DEADLOCK', WRITE_LOCK_TIMEOUT]);

/** How long a message the engine refused waits before its next try: 1 minute, doubling to 1 hour. */
export const holdMs = (attempts: number): number => Math.min(60_000 * 2 ** Math.max(0, attempts - 1), 3_600_000);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
