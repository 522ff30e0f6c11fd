import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { nextTurn, rest } from '../../common/util/next-turn';
import { dialectOf, isMysql } from '../../database/dialect';
import { deleteCounted, keysetAfter, placeholders } from '../../database/sql';
import { inTransaction } from '../../database/transaction';
import { rememberErased } from '../chat-message/erased-customers';
import { ChatRepository } from '../chats/chat.repository';
import { SearchIndexService } from '../search-index/search-index.service';

/** What a purge deleted. */
export interface PurgeCounts {
  chats: number;
  messages: number;
  marks: number;
  favorites: number;
}

export const noPurge = (): PurgeCounts => ({ chats: 0, messages: 0, marks: 0, favorites: 0 });

interface Keyset {
  timeMs: number;
  id: string;
}

interface BatchResult {
  counts: PurgeCounts;
  /** Text messages deleted: the ones an outbox-fed index forgets at once. */
  forgotten: string[];
  /** Where the next batch starts; null when this one was the last. */
  last: Keyset | null;
}

/** Rows one statement deletes at most: a purge never holds long locks or a huge transaction. */
export const PURGE_BATCH = 1_000;
const SQLITE_PURGE_BATCH = 250;

/**
 * Deletes whole chats with everything derived from them: messages, marks, favorites, the day
 * counts, the open-chat claim, early recalls and keyword-index entries (every engine: FTS5 in
 * the transaction, Mroonga and Sphinx through the outbox and at once after it). Used by
 * `customerErase` and retention.
 *
 * A chat's messages go in batches of {@link PURGE_BATCH} (250 on SQLite), one short transaction each, resting between them, so the
 * callback path and 2.37 keep running meanwhile. The last step locks the chat row, deletes what
 * is left (a message a callback committed meanwhile) and the chat itself; a callback that joined
 * the chat before and writes after finds the chat gone and routes again into a new chat
 * (MessageRouter), so nothing lands in, or brings back, a purged chat.
 */
@Injectable()
export class ChatPurger {
  /** Messages a batch deletes: fewer on SQLite, whose batches run on the API's own thread. */
  private readonly batchSize: number;

  constructor(
    private readonly dataSource: DataSource,
    private readonly chats: ChatRepository,
    private readonly search: SearchIndexService,
  ) {
    this.batchSize = isMysql(dataSource) ? PURGE_BATCH : SQLITE_PURGE_BATCH;
  }

  /**
   * Purges these chats of the tenant, adding to `into`; `stop` is asked before each chat.
   * `rememberErased` (customerErase) records the Easemob ids of the messages deleted in
   * `erased_messages`, in the same transactions, so no writer stores one of them again.
   */
  async purgeChats(
    tenantId: string,
    chatIds: readonly string[],
    into: PurgeCounts = noPurge(),
    stop: () => boolean = () => false,
    options: { rememberErased?: boolean } = {},
  ): Promise<PurgeCounts> {
    // The keyword engine forgets the deleted messages a batch's worth at a time, not a chat at a
    // time (three round trips under Mroonga's write lock per call); a search meanwhile does not
    // show them, as its hits are read from the messages themselves.
    const forgotten: string[] = [];
    const forget = async (ids: readonly string[], all = false) => {
      forgotten.push(...ids);
      if (forgotten.length >= this.batchSize || (all && forgotten.length > 0)) await this.search.forgetNow(tenantId, forgotten.splice(0));
    };
    try {
      for (const chatId of chatIds) {
        if (stop()) break;
        await this.purgeChat(tenantId, chatId, into, options.rememberErased ?? false, forget);
        await nextTurn();
      }
    } finally {
      await forget([], true);
    }
    return into;
  }

  private async purgeChat(
    tenantId: string,
    chatId: string,
    into: PurgeCounts,
    remember: boolean,
    forget: (ids: readonly string[]) => Promise<void>,
  ): Promise<void> {
    // Walks the chat by keyset, so no batch re-reads the index entries of rows deleted before it
    // (InnoDB keeps them, delete-marked, until its purge thread catches up).
    let after: Keyset | null = null;
    for (;;) {
      const from: Keyset | null = after;
      const started = Date.now();
      // The chat's row first, then its messages by key only (deleteBatch). A batch that held
      // messages and then waited for the row deadlocked with a callback that had counted one
      // message in the chat and was storing the next (group commit); a callback that stored a
      // message and waits for the row is not in the way of a read by key.
      const batch: BatchResult = await inTransaction(this.dataSource, async (manager) => {
        await this.chats.lock(manager, tenantId, chatId);
        const walked = await this.deleteBatch(manager, tenantId, chatId, false, remember, from);
        if (walked.last !== null) return walked;
        // The walk's last batch: the chat goes in the same transaction (one commit for a chat
        // of fewer than a batch of messages, as most are).
        const finished = await this.finishChat(manager, tenantId, chatId, remember);
        add(finished.counts, walked.counts);
        return { counts: finished.counts, forgotten: [...walked.forgotten, ...finished.forgotten], last: null };
      });
      const worked = Date.now() - started;
      add(into, batch.counts);
      await forget(batch.forgotten);
      if (batch.last === null) return;
      after = batch.last;
      await rest(worked);
    }
  }

  /**
   * With the chat's row locked: deletes what is left of it, reading its messages with a locking
   * read (a message a callback committed meanwhile), what hangs on none of them, and the chat.
   */
  private async finishChat(manager: EntityManager, tenantId: string, chatId: string, remember: boolean) {
    const counts = noPurge();
    const forgotten: string[] = [];
    for (;;) {
      const batch = await this.deleteBatch(manager, tenantId, chatId, true, remember);
      add(counts, batch.counts);
      forgotten.push(...batch.forgotten);
      if (batch.counts.messages < this.batchSize) break;
    }
    // Leftovers a writer added without a message row of this batch (none expected; cheap by index).
    counts.marks += await deleteCounted(manager, 'message_marks', 'tenant_id = ? AND chat_id = ?', [tenantId, chatId]);
    counts.favorites += await deleteCounted(manager, 'message_favorites', 'tenant_id = ? AND chat_id = ?', [tenantId, chatId]);
    await manager.query('DELETE FROM chat_message_days WHERE tenant_id = ? AND chat_id = ?', [tenantId, chatId]);
    counts.chats += await this.chats.remove(manager, tenantId, chatId);
    return { counts, forgotten };
  }

  /** Deletes up to `batchSize` messages of the chat and what hangs on them. */
  private async deleteBatch(
    manager: EntityManager,
    tenantId: string,
    chatId: string,
    locking: boolean,
    remember: boolean,
    after: Keyset | null = null,
  ): Promise<BatchResult> {
    const past = keysetAfter(after, 'messages');
    const rows: Array<{ id: string; type: string; hx_msg_id: string | null; create_time: number | string }> = await manager.query(
      `SELECT CAST(id AS CHAR) AS id, type, hx_msg_id, create_time FROM messages WHERE tenant_id = ? AND chat_id = ?${past.sql}` +
        ` ORDER BY messages.create_time, messages.id LIMIT ${this.batchSize}` +
        (locking ? dialectOf(manager).lockingRead : ''),
      [tenantId, chatId, ...past.params],
    );
    const counts = noPurge();
    if (rows.length === 0) return { counts, forgotten: [], last: null };
    const ids = rows.map((row) => BigInt(row.id));
    const inIds = placeholders(ids.length);
    counts.marks = await deleteCounted(manager, 'message_marks', `tenant_id = ? AND chat_id = ? AND message_id IN (${inIds})`, [
      tenantId,
      chatId,
      ...ids,
    ]);
    counts.favorites = await deleteCounted(manager, 'message_favorites', `tenant_id = ? AND chat_id = ? AND message_id IN (${inIds})`, [
      tenantId,
      chatId,
      ...ids,
    ]);
    const texts = rows.filter((row) => row.type === 'txt').map((row) => row.id);
    await this.search.deleted(manager, tenantId, texts);
    const hxIds = rows.map((row) => row.hx_msg_id).filter((id): id is string => id !== null);
    if (hxIds.length > 0) {
      await manager.query(`DELETE FROM message_recalls WHERE tenant_id = ? AND hx_msg_id IN (${placeholders(hxIds.length)})`, [
        tenantId,
        ...hxIds,
      ]);
      if (remember) await rememberErased(manager, tenantId, hxIds);
    }
    // By key (the ids were read keyed by tenant and chat): a plan along the chat's index would
    // lock a message a concurrent callback stored and not yet committed.
    counts.messages = await deleteCounted(manager, 'messages', `tenant_id = ? AND id IN (${inIds})`, [tenantId, ...ids]);
    // 2.37 on a chat being purged keeps a consistent total (positions fall back to counting).
    await this.chats.subtractMessages(manager, tenantId, chatId, counts.messages);
    const end = rows[rows.length - 1];
    return { counts, forgotten: texts, last: rows.length < this.batchSize ? null : { timeMs: Number(end.create_time), id: end.id } };
  }
}

function add(into: PurgeCounts, counts: PurgeCounts): void {
  into.chats += counts.chats;
  into.messages += counts.messages;
  into.marks += counts.marks;
  into.favorites += counts.favorites;
}
