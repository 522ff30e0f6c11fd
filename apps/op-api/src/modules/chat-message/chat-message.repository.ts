import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { dialectOf, isMysql, merge } from '../../database/dialect';
import { RoutedDataSource } from '../../database/read-replicas';
import { DAY_MS, dayNumber, millisecondOf, storedSecond } from '../../database/message-days';
import { oneAtATime } from '../../database/transaction';
import { chunks } from '../../common/util/chunks';
import { affectedRows, CASE_ROWS, caseById, keysetAfter, placeholders, statementRows, valueRows } from '../../database/sql';
import { SearchIndexService } from '../search-index/search-index.service';
import { compareKeys, keyOf, type ChatKey, type Numbering } from '../chats/chat-numbering';
import { recalledExt, type NewMessage } from './easemob-message';
import { ascending } from '../../common/util/ascending';
import { groupBy } from '../../common/util/group-by';
import { parseExact } from '@op/contracts';

/** A stored message as the page query reads it. */
export interface MessageRow {
  id: string;
  hx_msg_id: string | null;
  from_user: string | null;
  to_user: string | null;
  type: string;
  msg: string | null;
  url: string | null;
  filename: string | null;
  thumb: string | null;
  secret: string | null;
  thumb_secret: string | null;
  length: number | string | null;
  file_length: number | string | null;
  addr: string | null;
  lat: number | string | null;
  lng: number | string | null;
  create_time: number | string;
  qiniu_key: string | null;
  ext: string | null;
}

export interface PageWindow {
  /** Index of the first message, 0-based, in (create_time, id) order. */
  offset: number;
  limit: number;
  /** The chat's numbering (its `count` is all its messages), as its row was read. */
  numbering: Numbering;
}

export interface StoredMessage extends NewMessage {
  id: string;
  chatId: string;
  /** Its position in the chat, when planned as it is appended (MessageSequence). */
  seq?: number | null;
}

export const MESSAGE_COLUMNS =
  'CAST(m.id AS CHAR) AS id, m.hx_msg_id, m.from_user, m.to_user, m.type, m.msg, m.url, m.filename, m.thumb, m.secret, ' +
  'm.thumb_secret, m.length, m.file_length, m.addr, m.lat, m.lng, m.create_time, m.qiniu_key, m.ext';

const INSERT_COLUMNS = [
  'id',
  'tenant_id',
  'chat_id',
  'hx_msg_id',
  'from_user',
  'to_user',
  'type',
  'msg',
  'url',
  'filename',
  'thumb',
  'secret',
  'thumb_secret',
  'length',
  'file_length',
  'addr',
  'lat',
  'lng',
  'create_time',
  'create_ms',
  'qiniu_key',
  'ext',
  'seq',
];

/**
 * Up to this many skipped entries the page reads rows directly in index order; past it the
 * id-only inner query (a derived table) avoids fetching the rows it skips.
 */
const DIRECT_SKIP_MAX = 200;

/** A page in the numbered part of a chat: positions from, to, then no further than the numbered part's last message (time, time, id). */
const NUMBERED_RANGE = 'm.seq >= ? AND m.seq <= ? AND m.create_time <= ? AND (m.create_time < ? OR m.id <= ?)';

/**
 * Messages of a chat from a time up to, not including, the message at (create_time, id):
 * bounded on create_time at both ends, so the index range is [from, the message]. Parameters:
 * from, time, time, id.
 */
const BEFORE_MESSAGE_FROM = 'create_time >= ? AND create_time <= ? AND (create_time < ? OR id < ?)';

/**
 * The message queries, written by hand: every one is keyed by tenant and chat (or by the
 * tenant's Easemob id), so messages can later be sharded by (tenant, chat) without a
 * cross-shard query. Message ids travel as BigInt parameters and come back as text.
 */
@Injectable()
export class ChatMessageRepository {
  constructor(
    private readonly dataSource: DataSource,
    private readonly search: SearchIndexService,
  ) {}

  /**
   * Every read of one chat's messages names idx_messages_chat_page: left to its statistics,
   * MariaDB read page 1 of a chat holding most of its tenant's messages along
   * idx_messages_tenant_time instead (thousands of rows for 20; query-plans.spec).
   */
  private chatPage(): string {
    return dialectOf(this.dataSource).forceIndex('idx_messages_chat_page');
  }

  /**
   * Runs `read` on one snapshot of the store: a read of several statements (a chat's count, then
   * a page counted from its end) that a message stored in between would otherwise shift by one.
   * MySQL: a REPEATABLE READ transaction, its snapshot taken at its first read, on the replica
   * the request reads (RoutedDataSource.snapshot). SQLite: a read transaction (WAL: its
   * snapshot taken at its first read, whatever other processes commit, `opctl import` beside the
   * API), in the queue of the process's transactions, the connection being one.
   */
  snapshot<T>(read: (db: EntityManager) => Promise<T>): Promise<T> {
    if (!isMysql(this.dataSource)) return oneAtATime(this.dataSource, () => this.dataSource.transaction(read));
    return this.dataSource instanceof RoutedDataSource
      ? this.dataSource.snapshot(read)
      : this.dataSource.transaction('REPEATABLE READ', read);
  }

  /** The chat of one of the tenant's messages (by primary key), or null. */
  async chatOfMessage(tenantId: string, messageId: string): Promise<string | null> {
    const rows: Array<{ chat_id: string }> = await this.dataSource.query('SELECT chat_id FROM messages WHERE id = ? AND tenant_id = ?', [
      BigInt(messageId),
      tenantId,
    ]);
    return rows.length === 0 ? null : rows[0].chat_id;
  }

  /**
   * How many messages of the chat come before this one in (create_time, id) order, or null when
   * the message is not in the chat. In the chat's numbered part, its `seq` (one lookup by key).
   * Past it, the chat's counts of the days before the message's own day (chat_message_days) plus
   * a count inside that day along idx_messages_chat_page: the cost follows one day of the chat.
   * When the day counts do not add up to the chat's total (rows stored by a process older than
   * them, or a write between the two reads) it counts every earlier message: slower, never wrong.
   */
  async positionInChat(
    tenantId: string,
    chatId: string,
    messageId: string,
    numbering: Numbering,
    db: DataSource | EntityManager = this.dataSource,
  ): Promise<number | null> {
    const id = BigInt(messageId);
    const found: Array<{ create_time: number | string; seq: number | string | null }> = await db.query(
      'SELECT create_time, seq FROM messages WHERE tenant_id = ? AND chat_id = ? AND id = ?',
      [tenantId, chatId, id],
    );
    if (found.length === 0) return null;
    const time = Number(found[0].create_time);
    const seq = found[0].seq === null ? null : Number(found[0].seq);
    if (seq !== null && seq <= numbering.upto && compareKeys(keyOf(time, id), numbering.last) <= 0) return seq - 1;
    const total = numbering.count;
    const day = dayNumber(time);
    const rows: Array<{ all_days: number | string | null; earlier: number | string | null; same_day: number | string }> = await db.query(
      'SELECT (SELECT SUM(message_count) FROM chat_message_days WHERE tenant_id = ? AND chat_id = ?) AS all_days, ' +
        '(SELECT SUM(message_count) FROM chat_message_days WHERE tenant_id = ? AND chat_id = ? AND utc_day < ?) AS earlier, ' +
        `(SELECT COUNT(*) FROM messages ${this.chatPage()} WHERE tenant_id = ? AND chat_id = ? AND ${BEFORE_MESSAGE_FROM}) AS same_day`,
      [tenantId, chatId, tenantId, chatId, day, tenantId, chatId, day * DAY_MS, time, time, id],
    );
    if (Number(rows[0].all_days ?? 0) === total) return Number(rows[0].earlier ?? 0) + Number(rows[0].same_day);
    const counted: Array<{ n: number | string }> = await db.query(
      `SELECT COUNT(*) AS n FROM messages ${this.chatPage()} WHERE tenant_id = ? AND chat_id = ? AND ${BEFORE_MESSAGE_FROM}`,
      [tenantId, chatId, Number.MIN_SAFE_INTEGER, time, time, id],
    );
    return Number(counted[0].n);
  }

  /**
   * One page in (create_time, id) order. In the chat's numbered part (MessageSequence), one range
   * of positions along idx_messages_chat_seq, at any depth. Elsewhere, near either end of the chat
   * the rows are read straight from a walk of idx_messages_chat_page from that end: no derived
   * table, no temporary table, no sort; deeper in, the chat's counts per day (chat_message_days)
   * name the day the page starts in and how far into it; an id-only inner query then skips only
   * within that day, so skipped entries never fetch their rows.
   */
  async page(
    tenantId: string,
    chatId: string,
    { offset, limit, numbering }: PageWindow,
    db: DataSource | EntityManager = this.dataSource,
  ): Promise<MessageRow[]> {
    const total = numbering.count;
    const count = Math.min(limit, total - offset);
    if (count <= 0) return [];
    // In the numbered part, by position first: positions stay put while messages are appended,
    // where an offset counted from the chat's end (read a moment before) moves with them.
    if (offset + count <= numbering.upto) {
      const { last } = numbering;
      const rows: MessageRow[] = await db.query(
        `SELECT ${MESSAGE_COLUMNS} FROM messages m ${dialectOf(this.dataSource).forceIndex('idx_messages_chat_seq')} ` +
          `WHERE m.tenant_id = ? AND m.chat_id = ? AND ${NUMBERED_RANGE} ORDER BY m.seq`,
        [tenantId, chatId, offset + 1, offset + count, last.timeMs, last.timeMs, last.id],
      );
      // Fewer (a renumbering moved them between the chat's read and this one): as if unnumbered.
      if (rows.length === count) return rows;
    }
    const fromEndSkip = total - offset - count;
    const fromEnd = fromEndSkip < offset;
    if (Math.min(offset, fromEndSkip) <= DIRECT_SKIP_MAX) {
      const direction = fromEnd ? 'DESC' : 'ASC';
      const rows: MessageRow[] = await db.query(
        `SELECT ${MESSAGE_COLUMNS} FROM messages m ${this.chatPage()} WHERE m.tenant_id = ? AND m.chat_id = ? ` +
          `ORDER BY m.create_time ${direction}, m.id ${direction} LIMIT ? OFFSET ?`,
        [tenantId, chatId, count, fromEnd ? fromEndSkip : offset],
      );
      return fromEnd ? rows.reverse() : rows;
    }
    const start = await this.dayOfPosition(tenantId, chatId, offset, total, db);
    return db.query(
      `SELECT ${MESSAGE_COLUMNS} FROM messages m JOIN (` +
        `SELECT id FROM messages ${this.chatPage()} WHERE tenant_id = ? AND chat_id = ? AND create_time >= ? ORDER BY create_time, id LIMIT ? OFFSET ?` +
        ') p ON p.id = m.id WHERE m.tenant_id = ? AND m.chat_id = ? ORDER BY m.create_time, m.id',
      [tenantId, chatId, start.fromMs, count, start.skip, tenantId, chatId],
    );
  }

  /**
   * Where the message at `position` lies: the start of its day and how many of that day's
   * messages come before it. When the day counts do not add up to the chat's `total` (see
   * positionInChat), the chat's start and the position: slower, never wrong.
   */
  private async dayOfPosition(
    tenantId: string,
    chatId: string,
    position: number,
    total: number,
    db: DataSource | EntityManager,
  ): Promise<{ fromMs: number; skip: number }> {
    const days: Array<{ utc_day: number | string; message_count: number | string }> = await db.query(
      'SELECT utc_day, message_count FROM chat_message_days WHERE tenant_id = ? AND chat_id = ? ORDER BY utc_day',
      [tenantId, chatId],
    );
    const fromStart = { fromMs: Number.MIN_SAFE_INTEGER, skip: position };
    if (days.reduce((sum, day) => sum + Number(day.message_count), 0) !== total) return fromStart;
    let before = 0;
    for (const day of days) {
      const inDay = Number(day.message_count);
      if (before + inDay > position) return { fromMs: Number(day.utc_day) * DAY_MS, skip: position - before };
      before += inDay;
    }
    return fromStart;
  }

  /**
   * The next `limit` messages of the chat after (create_time, id) in chat order, or its first
   * ones: a keyset walk along idx_messages_chat_page that costs the same at any depth (exports).
   */
  messagesAfter(tenantId: string, chatId: string, after: { timeMs: number; id: string } | null, limit: number): Promise<MessageRow[]> {
    return this.walk(this.dataSource, MESSAGE_COLUMNS, tenantId, chatId, after && keyOf(after.timeMs, after.id), limit);
  }

  /**
   * The lengths of the text and ext of the chat's next `limit` messages after `after` (or its
   * first), in chat order (bytes on MySQL, characters on SQLite): how many of them an export
   * batch may hold, asked before they are read.
   */
  async sizesAfter(tenantId: string, chatId: string, after: { timeMs: number; id: string } | null, limit: number): Promise<number[]> {
    const rows: Array<{ size: number | string }> = await this.walk(
      this.dataSource,
      'COALESCE(LENGTH(m.msg), 0) + COALESCE(LENGTH(m.ext), 0) AS size',
      tenantId,
      chatId,
      after && keyOf(after.timeMs, after.id),
      limit,
    );
    return rows.map((row) => Number(row.size));
  }

  /** The chat's `limit` messages after `after` (or its first), keys and positions only, in chat order: what a renumbering step reads. */
  async keysAfter(
    manager: EntityManager,
    tenantId: string,
    chatId: string,
    after: ChatKey | null,
    limit: number,
  ): Promise<Array<{ id: string; createTimeMs: number; seq: number | null }>> {
    const rows: Array<{ id: string; create_time: number | string; seq: number | string | null }> = await this.walk(
      manager,
      'CAST(m.id AS CHAR) AS id, m.create_time, m.seq',
      tenantId,
      chatId,
      after,
      limit,
    );
    return rows.map((row) => ({ id: row.id, createTimeMs: Number(row.create_time), seq: row.seq === null ? null : Number(row.seq) }));
  }

  /** The keyset walk of a chat along idx_messages_chat_page: `columns` of the `limit` messages after `after`, or its first. */
  private walk<T>(
    source: DataSource | EntityManager,
    columns: string,
    tenantId: string,
    chatId: string,
    after: ChatKey | null,
    limit: number,
  ): Promise<T[]> {
    const past = keysetAfter(after, 'm');
    return source.query(
      `SELECT ${columns} FROM messages m ${this.chatPage()} WHERE m.tenant_id = ? AND m.chat_id = ?${past.sql} ORDER BY m.create_time, m.id LIMIT ?`,
      [tenantId, chatId, ...past.params, limit],
    );
  }

  /**
   * For each chat, its messages before UTC day `day` and all of them, by its counts per day as
   * the transaction's snapshot has them: a plain read, which neither waits nor locks (a locking
   * one held gaps of chat_message_days that another writer's new day row waits on). A count
   * committed after the snapshot makes `all` differ from the chat's count as last committed,
   * which the caller checks.
   */
  async dayCountsBefore(
    manager: EntityManager,
    tenantId: string,
    chats: ReadonlyArray<{ chatId: string; day: number }>,
  ): Promise<Map<string, { before: number; all: number }>> {
    const counts = new Map<string, { before: number; all: number }>();
    // {@link CASE_ROWS} chats a statement: its cost is its rows times its cases.
    for (const some of chunks(chats, CASE_ROWS)) {
      const rows: Array<{ chat_id: string; before_day: number | string | null; all_days: number | string | null }> = await manager.query(
        `SELECT chat_id, SUM(CASE WHEN utc_day < CASE chat_id ${some.map(() => 'WHEN ? THEN ?').join(' ')} END THEN message_count ELSE 0 END) AS before_day, ` +
          `SUM(message_count) AS all_days FROM chat_message_days WHERE tenant_id = ? AND chat_id IN (${placeholders(some.length)}) ` +
          'GROUP BY chat_id',
        [...some.flatMap((c) => [c.chatId, c.day]), tenantId, ...some.map((c) => c.chatId)],
      );
      for (const row of rows) counts.set(row.chat_id, { before: Number(row.before_day ?? 0), all: Number(row.all_days ?? 0) });
    }
    return counts;
  }

  /**
   * Writes these messages' positions, {@link CASE_ROWS} per statement: a `CASE` is read row by
   * row, so a statement costs its rows times its cases (500 of each slowed an import by a quarter).
   */
  async setSeqs(manager: EntityManager, tenantId: string, seqs: ReadonlyArray<{ id: string; seq: number | null }>): Promise<void> {
    for (const batch of chunks(seqs, CASE_ROWS)) {
      await manager.query(
        // By the primary key whatever the statistics say: a scan of the tenant's messages instead would lock them all.
        `UPDATE messages ${dialectOf(manager).forcePrimaryKey('messages')} SET seq = ${caseById(batch.length)} WHERE tenant_id = ? AND id IN (${placeholders(batch.length)})`,
        [...batch.flatMap(({ id, seq }) => [BigInt(id), seq]), tenantId, ...batch.map(({ id }) => BigInt(id))],
      );
    }
  }

  async marks(tenantId: string, chatId: string, messageIds: readonly string[]): Promise<Map<string, string[]>> {
    if (messageIds.length === 0) return new Map();
    const rows: Array<{ message_id: string; mark: string }> = await this.dataSource.query(
      `SELECT CAST(message_id AS CHAR) AS message_id, mark FROM message_marks ` +
        `WHERE tenant_id = ? AND chat_id = ? AND message_id IN (${placeholders(messageIds.length)}) ORDER BY create_time, mark`,
      [tenantId, chatId, ...messageIds.map(BigInt)],
    );
    return groupBy(
      rows,
      (row) => row.message_id,
      (row) => row.mark,
    );
  }

  async favorites(tenantId: string, operatorId: string, messageIds: readonly string[]): Promise<Set<string>> {
    if (messageIds.length === 0) return new Set();
    const rows: Array<{ message_id: string }> = await this.dataSource.query(
      // By key: with few favorites both engines preferred the operator's time index, which reads them all.
      `SELECT CAST(message_id AS CHAR) AS message_id FROM message_favorites ${dialectOf(this.dataSource).forcePrimaryKey('message_favorites')} ` +
        `WHERE operator_id = ? AND tenant_id = ? AND message_id IN (${placeholders(messageIds.length)})`,
      [operatorId, tenantId, ...messageIds.map(BigInt)],
    );
    return new Set(rows.map((row) => row.message_id));
  }

  /**
   * Those of these Easemob ids that are stored, those customerErase deleted (never to be stored
   * again) and, when asked, those recalled already: one read.
   */
  async existingHxIds(
    manager: EntityManager,
    tenantId: string,
    hxIds: readonly string[],
    { recalls = false } = {},
  ): Promise<{ stored: Set<string>; erased: Set<string>; recalled: Set<string> }> {
    const found = { s: new Set<string>(), e: new Set<string>(), r: new Set<string>() };
    if (hxIds.length > 0) {
      const marks = placeholders(hxIds.length);
      const tables = [['messages', 's'], ['erased_messages', 'e'], ...(recalls ? [['message_recalls', 'r']] : [])];
      const rows: Array<{ hx_msg_id: string; kind: 's' | 'e' | 'r' }> = await manager.query(
        tables
          .map(([table, kind]) => `SELECT hx_msg_id, '${kind}' AS kind FROM ${table} WHERE tenant_id = ? AND hx_msg_id IN (${marks})`)
          .join(' UNION ALL '),
        tables.flatMap(() => [tenantId, ...hxIds]),
      );
      for (const row of rows) found[row.kind].add(row.hx_msg_id);
    }
    return { stored: found.s, erased: found.e, recalled: found.r };
  }

  /**
   * Inserts messages, skipping any whose Easemob id exists, and tells the keyword index of the
   * text messages written, in the same transaction; returns those written.
   */
  async insertMessages<M extends StoredMessage>(manager: EntityManager, tenantId: string, messages: readonly M[]): Promise<M[]> {
    if (messages.length === 0) return [];
    const row = (m: M) => [
      BigInt(m.id),
      tenantId,
      m.chatId,
      m.hxMsgId,
      m.form,
      m.to,
      m.type,
      m.msg,
      m.url,
      m.filename,
      m.thumb,
      m.secret,
      m.thumbSecret,
      m.length,
      m.fileLength,
      m.addr,
      m.lat,
      m.lng,
      storedSecond(m.createTimeMs),
      millisecondOf(m.createTimeMs),
      m.qiniuKey,
      JSON.stringify(m.ext),
      m.seq ?? null,
    ];
    // In statements of a size every server takes (a batch of messages near their size limits is tens of MiB).
    let written = 0;
    for (const some of statementRows(messages, INSERT_COLUMNS.length, row)) {
      written += await affectedRows(
        manager,
        `${dialectOf(manager).insertIgnore} INTO messages (${INSERT_COLUMNS.join(', ')}) VALUES ${valueRows(some.length, INSERT_COLUMNS.length)}`,
        some.flat(),
      );
    }
    let stored = [...messages];
    if (written < messages.length) {
      // Some were skipped as duplicates (a concurrent writer stored them first): the rows that are
      // there are these statements' (fresh ids are unique).
      const there: Array<{ id: string }> = await manager.query(
        `SELECT CAST(id AS CHAR) AS id FROM messages WHERE tenant_id = ? AND id IN (${placeholders(messages.length)})`,
        [tenantId, ...messages.map((m) => BigInt(m.id))],
      );
      const ids = new Set(there.map((r) => r.id));
      stored = stored.filter((m) => ids.has(m.id));
    }
    await this.search.stored(
      manager,
      stored
        .filter((m) => m.type === 'txt' && m.msg !== null)
        .map((m) => ({ id: m.id, tenantId, chatId: m.chatId, createTimeMs: storedSecond(m.createTimeMs), msg: m.msg! })),
    );
    return stored;
  }

  /**
   * Marks a stored message recalled (`ext.recalled = true`); false when it is not stored yet. A
   * current read on MySQL: a message another transaction has written is waited for, not missed.
   */
  async markRecalled(manager: EntityManager, tenantId: string, hxMsgId: string): Promise<boolean> {
    const rows: Array<{ id: string; ext: string | null }> = await manager.query(
      `SELECT CAST(id AS CHAR) AS id, ext FROM messages WHERE tenant_id = ? AND hx_msg_id = ?${dialectOf(manager).lockingRead}`,
      [tenantId, hxMsgId],
    );
    if (rows.length === 0) return false;
    let ext: Record<string, unknown> = {};
    try {
      const parsed = parseExact(rows[0].ext ?? '{}');
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) ext = parsed as Record<string, unknown>;
    } catch {
      // a malformed ext is replaced: the recall flag matters more than an unreadable map
    }
    await manager.query('UPDATE messages SET ext = ? WHERE tenant_id = ? AND id = ?', [
      JSON.stringify(recalledExt(ext)),
      tenantId,
      BigInt(rows[0].id),
    ]);
    return true;
  }

  /** Remembers a recall, for a message that may not have arrived yet. */
  async rememberRecall(manager: EntityManager, tenantId: string, hxMsgId: string, timeMs: number): Promise<void> {
    await manager.query(`${dialectOf(manager).insertIgnore} INTO message_recalls (tenant_id, hx_msg_id, recall_time) VALUES (?, ?, ?)`, [
      tenantId,
      hxMsgId,
      timeMs,
    ]);
  }

  /**
   * Applies recalls that arrived before these messages did, once the messages are written: a
   * current read on MySQL, which sees (or waits for) a recall committed after this transaction
   * began. With a recall writing its row before it looks for the message, one of the two always
   * sees the other, whichever commits first.
   */
  async applyEarlyRecalls(manager: EntityManager, tenantId: string, hxIds: readonly string[]): Promise<void> {
    if (hxIds.length === 0) return;
    const rows: Array<{ hx_msg_id: string }> = await manager.query(
      `SELECT hx_msg_id FROM message_recalls WHERE tenant_id = ? AND hx_msg_id IN (${placeholders(hxIds.length)})${dialectOf(manager).lockingRead}`,
      [tenantId, ...hxIds],
    );
    for (const row of rows) await this.markRecalled(manager, tenantId, row.hx_msg_id);
  }

  /** Adds newly stored messages to their chats' counts per day (chat_message_days). */
  async addToDays(
    manager: EntityManager,
    tenantId: string,
    messages: ReadonlyArray<{ chatId: string; createTimeMs: number }>,
  ): Promise<void> {
    const counts = new Map<string, { chatId: string; day: number; added: number }>();
    for (const { chatId, createTimeMs } of messages) {
      const day = dayNumber(createTimeMs);
      const key = `${chatId}\u0000${day}`;
      const entry = counts.get(key) ?? { chatId, day, added: 0 };
      entry.added += 1;
      counts.set(key, entry);
    }
    if (counts.size === 0) return;
    // One order for every writer, so concurrent batches lock the same rows in the same order.
    const rows = [...counts.values()].sort((a, b) => ascending(a.chatId, b.chatId) || a.day - b.day);
    const conflict = dialectOf(manager).onConflict(['tenant_id', 'chat_id', 'utc_day'], { message_count: merge.add });
    await manager.query(
      `INSERT INTO chat_message_days (tenant_id, chat_id, utc_day, message_count) VALUES ${valueRows(rows.length, 4)} ${conflict}`,
      rows.flatMap((row) => [tenantId, row.chatId, row.day, row.added]),
    );
  }

  /** Recounts a chat's counts per day from its rows: only after a concurrent writer raced an insert. */
  async recountDays(manager: EntityManager, tenantId: string, chatId: string): Promise<void> {
    const day = dialectOf(manager).dayOf('create_time');
    await manager.query('DELETE FROM chat_message_days WHERE tenant_id = ? AND chat_id = ?', [tenantId, chatId]);
    await manager.query(
      `INSERT INTO chat_message_days (tenant_id, chat_id, utc_day, message_count) ` +
        `SELECT tenant_id, chat_id, ${day}, COUNT(*) FROM messages WHERE tenant_id = ? AND chat_id = ? GROUP BY tenant_id, chat_id, ${day}`,
      [tenantId, chatId],
    );
  }

  /** The tenant's own accounts among these IM names: operator id for operators, null for service accounts. */
  async staffAmong(manager: EntityManager, tenantId: string, names: Array<string | null>): Promise<Map<string, string | null>> {
    const wanted = [...new Set(names.filter((name): name is string => name !== null))];
    const staff = new Map<string, string | null>();
    if (wanted.length === 0) return staff;
    const marks = placeholders(wanted.length);
    const rows: Array<{ name: string; operator_id: string | null }> = await manager.query(
      `SELECT im_username AS name, id AS operator_id FROM operators WHERE tenant_id = ? AND im_username IN (${marks}) ` +
        `UNION ALL SELECT im_username AS name, NULL AS operator_id FROM service_accounts WHERE tenant_id = ? AND im_username IN (${marks})`,
      [tenantId, ...wanted, tenantId, ...wanted],
    );
    for (const row of rows) if (!staff.get(row.name)) staff.set(row.name, row.operator_id);
    return staff;
  }
}
