import { Injectable } from '@nestjs/common';
import { ChatStatus, OPEN_CHAT_STATUSES, isOpen } from '@op/contracts';
import { DataSource, type EntityManager } from 'typeorm';
import { randomHex32 } from '../../common/util/random-id';
import { dialectOf, merge, type Merge } from '../../database/dialect';
import { chunks } from '../../common/util/chunks';
import { affectedRows, CASE_ROWS, caseById, deleteCounted, placeholders, valueRows } from '../../database/sql';
import { ascending } from '../../common/util/ascending';
import { CHAT_COLUMNS } from './chat-info';
import { numberingOf, type AppendPlan, type ChatKey, type Numbering } from './chat-numbering';
import { ChatEntity } from './chat.entity';

/** A new session id in the original's shape: a letter, four digits, 32 hex. */
export const newChatId = () => `u0001${randomHex32()}`;

/** When an ended chat ended: its end time, or for one an import ended without one, its last message (or creation). */
export const endOf = (chat: ChatEntity): number => Number(chat.endTime ?? chat.lastMessageTime ?? chat.createTime);

/** One chat of an ingest batch: created when missing, its count and latest time moved on. */
export interface ChatUpsert {
  chatId: string;
  /** Status of the chat if this creates it; with `statusGiven`, its status whatever it was. */
  status: number;
  /** The import named the status: it replaces the stored one, and a final one stamps the end. */
  statusGiven: boolean;
  customerId: string | null;
  createTimeMs: number;
  added: number;
  /** The latest of the batch's new messages; null when it has none. */
  latestMs: number | null;
  /** Positions the added messages were stored with (planAppend): the numbering moves on with the count if the row is as planned. */
  plan: AppendPlan | null;
}

/**
 * The row is as `plan` read it, in an upsert's conflict clause: its count is the plan's before
 * (the planned `upto` less the added), all of it numbered, and the added messages come after its
 * last numbered one (by time, the first one's whole second as stored: a tie is left to
 * MessageSequence.settle). It reads
 * `message_count`, `seq_upto` and `seq_last_time`: the clause assigns `seq_last_id` first and
 * the count after the numbering, so the first test reads them as stored on both engines.
 */
const asPlanned = (v: (column: string) => string) =>
  `(message_count = ${v('seq_upto')} - ${v('message_count')} AND seq_upto = message_count AND ${v('seq_upto')} > seq_upto ` +
  `AND (seq_upto = 0 OR seq_last_time < ${v('create_time')} - ${v('create_time')} % 1000))`;

/**
 * The conflict clause of {@link ChatRepository.upsertCounts}, in the order its assignments must
 * run: `seq_last_id` moves when the row is as planned; after it, under MySQL's left-to-right
 * reading, the test reads the moved value (a fresh message's id: no other writer sets it).
 */
const countsConflict = (statusGiven: boolean): Record<string, Merge> => {
  const planned = (v: (column: string) => string) => `(${asPlanned(v)} OR (${v('seq_upto')} > 0 AND seq_last_id = ${v('seq_last_id')}))`;
  const ifPlanned: Merge = (current, incoming, v) => `CASE WHEN ${planned(v)} THEN ${incoming} ELSE ${current} END`;
  return {
    seq_last_id: (current, incoming, v) => `CASE WHEN ${asPlanned(v)} THEN ${incoming} ELSE ${current} END`,
    seq_last_time: ifPlanned,
    seq_upto: ifPlanned,
    ...(statusGiven
      ? {
          // Before last_message_time moves: both engines read the stored one.
          end_time: (current: string, _incoming: string, v: (column: string) => string) =>
            `CASE WHEN ${v('status')} IN (${OPEN_CHAT_STATUSES.join(', ')}) THEN ${current} ` +
            `ELSE COALESCE(${current}, ${merge.max('last_message_time', v('last_message_time'))}, create_time) END`,
          status: merge.replace,
        }
      : {}),
    message_count: merge.add,
    last_message_time: merge.max,
  };
};

/**
 * Read by the primary key whatever the statistics say, for statements on a list of chat ids: a
 * planner that judged a scan of the tenant's few chats cheaper than the lookups (early in an
 * import, say) made a locking read or update take every chat of the tenant, and two import lanes
 * then waited on each other's rows and gaps (an import ran at 350 records/s instead of 7,000).
 */
const byId = (source: DataSource | EntityManager) => dialectOf(source).forcePrimaryKey('chats');

/** A chat's numbering as {@link ChatRepository.numbering} reads it, with its status and customer. */
export type ChatState = Numbering & { status: ChatStatus; customerId: string | null };

/**
 * The chats table and its `chat_open` claims: the one place that reads chats by key and the
 * only writer of both (live sessions, ingest counts, imports' statuses, purges). Other
 * modules call it; a hand-written search over `chats c` reads {@link CHAT_COLUMNS}.
 */
@Injectable()
export class ChatRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * The tenant's chat, or null (read on every 2.37 call: one lookup by primary key); `current`
   * reads it past the transaction's snapshot, locked until the transaction ends.
   */
  async find(
    tenantId: string,
    chatId: string,
    manager: EntityManager = this.dataSource.manager,
    current = false,
  ): Promise<ChatEntity | null> {
    const rows: ChatEntity[] = await manager.query(
      `SELECT ${CHAT_COLUMNS} FROM chats c WHERE c.tenant_id = ? AND c.id = ?${current ? dialectOf(manager).lockingRead : ''}`,
      [tenantId, chatId],
    );
    return rows.length === 0 ? null : rows[0];
  }

  /** The tenant's chats among these ids, in no particular order. */
  async findMany(tenantId: string, chatIds: readonly string[]): Promise<ChatEntity[]> {
    if (chatIds.length === 0) return [];
    return this.dataSource.query(
      `SELECT ${CHAT_COLUMNS} FROM chats c ${byId(this.dataSource)} WHERE c.tenant_id = ? AND c.id IN (${placeholders(chatIds.length)})`,
      [tenantId, ...chatIds],
    );
  }

  /** The customer's open chat, or null; `current` reads past the transaction's snapshot. */
  async openChatOf(manager: EntityManager, tenantId: string, customerId: string, current = false): Promise<ChatEntity | null> {
    const rows: ChatEntity[] = await manager.query(
      `SELECT ${CHAT_COLUMNS} FROM chat_open o JOIN chats c ON c.tenant_id = o.tenant_id AND c.id = o.chat_id ` +
        `WHERE o.tenant_id = ? AND o.customer_id = ?${current ? dialectOf(manager).lockingRead : ''}`,
      [tenantId, customerId],
    );
    return rows.length === 0 ? null : rows[0];
  }

  /**
   * The chats of these customers that were open at `fromMs` or began after it (open ones, and
   * ended ones that ended then or later, by {@link endOf}): where a message of that time or later
   * that Easemob's export brings back may belong. One read of the customers' chats, as their
   * index has them.
   */
  async chatsSince(manager: EntityManager, tenantId: string, customerIds: readonly string[], fromMs: number): Promise<ChatEntity[]> {
    if (customerIds.length === 0) return [];
    return manager.query(
      `SELECT ${CHAT_COLUMNS} FROM chats c WHERE c.tenant_id = ? AND c.customer_id IN (${placeholders(customerIds.length)}) ` +
        `AND (c.status IN (${OPEN_CHAT_STATUSES.join(', ')}) OR COALESCE(c.end_time, c.last_message_time, c.create_time) >= ?)`,
      [tenantId, ...customerIds, fromMs],
    );
  }

  /** The open chats of these customers (one read for a batch of callbacks), by customer; `current` reads past the snapshot, locking. */
  async openChatsOf(
    manager: EntityManager,
    tenantId: string,
    customerIds: readonly string[],
    current = false,
  ): Promise<Map<string, ChatEntity>> {
    if (customerIds.length === 0) return new Map();
    const rows: Array<ChatEntity & { openCustomer: string }> = await manager.query(
      `SELECT ${CHAT_COLUMNS}, o.customer_id AS openCustomer FROM chat_open o JOIN chats c ON c.tenant_id = o.tenant_id AND c.id = o.chat_id ` +
        `WHERE o.tenant_id = ? AND o.customer_id IN (${placeholders(customerIds.length)})${current ? dialectOf(manager).lockingRead : ''}`,
      [tenantId, ...customerIds],
    );
    return new Map(rows.map(({ openCustomer, ...chat }) => [openCustomer, chat]));
  }

  /**
   * The customer's open chat, opening one (status `status`) when there is none. Safe under
   * concurrency: the `chat_open` key admits one open chat per customer.
   */
  async openOrJoin(
    manager: EntityManager,
    tenantId: string,
    customerId: string,
    opening: { status: ChatStatus; timeMs: number; operatorId: string | null },
  ): Promise<{ chat: ChatEntity; created: boolean }> {
    const existing = await this.openChatOf(manager, tenantId, customerId);
    if (existing) return { chat: existing, created: false };
    return (await this.openMany(manager, tenantId, [{ customerId, timeMs: opening.timeMs }], opening)).get(customerId)!;
  }

  /**
   * Opens a chat (status `status`, created at `timeMs`) for each of these customers, who had no
   * open chat when read: their `chat_open` claims in one insert and the chats in another,
   * however many. A customer a concurrent writer opened a chat for meanwhile joins that one
   * (the key admits one open chat per customer). Each customer's open chat, and whether this made it.
   */
  async openMany(
    manager: EntityManager,
    tenantId: string,
    openings: ReadonlyArray<{ customerId: string; timeMs: number }>,
    { status, operatorId }: { status: ChatStatus; operatorId: string | null },
  ): Promise<Map<string, { chat: ChatEntity; created: boolean }>> {
    const opened = new Map<string, { chat: ChatEntity; created: boolean }>();
    const repository = manager.getRepository(ChatEntity);
    // One chat per customer named, claimed in key order (two batches then meet on the first
    // claim they share rather than each holding one the other waits for).
    const first = new Map<string, number>();
    for (const { customerId, timeMs } of openings) if (!first.has(customerId)) first.set(customerId, timeMs);
    if (first.size === 0) return opened;
    const fresh = [...first]
      .sort(([a], [b]) => ascending(a, b))
      .map(([customerId, timeMs]) =>
        repository.create({
          tenantId,
          id: newChatId(),
          status,
          customerId,
          operatorId,
          createTime: timeMs,
          acceptTime: status === ChatStatus.Chatting ? timeMs : null,
          endTime: null,
          lastMessageTime: null,
          messageCount: 0,
          seqUpto: 0,
          seqLastTime: 0,
          seqLastId: '0',
        }),
      );
    const claimed = await affectedRows(
      manager,
      `${dialectOf(manager).insertIgnore} INTO chat_open (tenant_id, customer_id, chat_id) VALUES ${valueRows(fresh.length, 3)}`,
      fresh.flatMap((chat) => [tenantId, chat.customerId, chat.id]),
    );
    let ours = fresh;
    let lost: string[] = [];
    if (claimed < fresh.length) {
      // Some claims were taken first (read locked, as they stand): those customers join the chats that hold them.
      const claims: Array<{ customer_id: string; chat_id: string }> = await manager.query(
        `SELECT customer_id, chat_id FROM chat_open WHERE tenant_id = ? AND customer_id IN (${placeholders(fresh.length)})${dialectOf(manager).lockingRead}`,
        [tenantId, ...fresh.map((chat) => chat.customerId)],
      );
      const holder = new Map(claims.map((claim) => [claim.customer_id, claim.chat_id]));
      ours = fresh.filter((chat) => holder.get(chat.customerId!) === chat.id);
      lost = fresh.filter((chat) => holder.get(chat.customerId!) !== chat.id).map((chat) => chat.customerId!);
    }
    if (ours.length > 0) {
      await manager.query(
        `INSERT INTO chats (tenant_id, id, status, customer_id, operator_id, create_time, accept_time, end_time, last_message_time, ` +
          `message_count, seq_upto, seq_last_time, seq_last_id) VALUES ${valueRows(ours.length, 13)}`,
        ours.flatMap((c) => [
          c.tenantId,
          c.id,
          c.status,
          c.customerId,
          c.operatorId,
          c.createTime,
          c.acceptTime,
          c.endTime,
          c.lastMessageTime,
          c.messageCount,
          c.seqUpto,
          c.seqLastTime,
          c.seqLastId,
        ]),
      );
    }
    for (const chat of ours) opened.set(chat.customerId!, { chat, created: true });
    const winners = await this.openChatsOf(manager, tenantId, lost, true);
    for (const customerId of lost) {
      // Not found by its own spelling: claimed under one the key takes for the same (MariaDB's
      // collation pads with spaces: 'x' is 'x '), perhaps by this very batch; SQL compares as the key does.
      const winner = winners.get(customerId) ?? (await this.openChatOf(manager, tenantId, customerId, true));
      if (!winner) throw new Error('chat_open claimed but no open chat found');
      opened.set(customerId, { chat: winner, created: false });
    }
    return opened;
  }

  /** Moves a chat to `status`, stamping accept/end times and freeing the customer when final. */
  async moveStatus(manager: EntityManager, chat: ChatEntity, status: ChatStatus, timeMs: number): Promise<void> {
    const changes: Partial<ChatEntity> = { status };
    if (status === ChatStatus.Chatting && chat.acceptTime === null) changes.acceptTime = timeMs;
    if (!isOpen(status) && chat.endTime === null) changes.endTime = timeMs;
    await manager.getRepository(ChatEntity).update({ tenantId: chat.tenantId, id: chat.id }, changes);
    if (!isOpen(status) && chat.customerId !== null) {
      await manager.query('DELETE FROM chat_open WHERE tenant_id = ? AND customer_id = ? AND chat_id = ?', [
        chat.tenantId,
        chat.customerId,
        chat.id,
      ]);
    }
    Object.assign(chat, changes);
  }

  /**
   * An operator's first message in a waiting chat accepts it (1 → 3) at that message's time and
   * assigns the operator if none was: for many chats in one statement, their rows in key order.
   */
  async acceptBy(manager: EntityManager, tenantId: string, accepts: ReadonlyArray<{ chatId: string; operatorId: string; timeMs: number }>) {
    const sorted = [...accepts].sort((a, b) => ascending(a.chatId, b.chatId));
    for (const some of chunks(sorted, CASE_ROWS)) {
      const cases = caseById(some.length);
      await manager.query(
        `UPDATE chats ${byId(manager)} SET status = ?, accept_time = COALESCE(accept_time, ${cases}), operator_id = COALESCE(operator_id, ${cases}) ` +
          `WHERE tenant_id = ? AND id IN (${placeholders(some.length)}) AND status = ?`,
        [
          ChatStatus.Chatting,
          ...some.flatMap((a) => [a.chatId, a.timeMs]),
          ...some.flatMap((a) => [a.chatId, a.operatorId]),
          tenantId,
          ...some.map((a) => a.chatId),
          ChatStatus.Waiting,
        ],
      );
    }
  }

  async assign(manager: EntityManager, chat: ChatEntity, operatorId: string): Promise<void> {
    await manager.getRepository(ChatEntity).update({ tenantId: chat.tenantId, id: chat.id }, { operatorId });
    chat.operatorId = operatorId;
  }

  /**
   * Creates missing chats and adds newly stored messages to each chat's count and latest
   * time, in one statement for the whole batch.
   */
  async upsertCounts(manager: EntityManager, tenantId: string, chats: readonly ChatUpsert[]): Promise<void> {
    for (const statusGiven of [true, false]) {
      const rows = chats.filter((c) => c.statusGiven === statusGiven);
      if (rows.length === 0) continue;
      const conflict = dialectOf(manager).onConflict(['tenant_id', 'id'], countsConflict(statusGiven));
      await manager.query(
        'INSERT INTO chats (tenant_id, id, status, customer_id, create_time, end_time, message_count, last_message_time, seq_upto, seq_last_time, seq_last_id) ' +
          `VALUES ${valueRows(rows.length, 11)} ${conflict}`,
        rows.flatMap((c) => {
          const ends = statusGiven && !isOpen(c.status);
          const { plan } = c;
          return [
            tenantId,
            c.chatId,
            c.status,
            c.customerId,
            c.createTimeMs,
            ends ? (c.latestMs ?? c.createTimeMs) : null,
            c.added,
            c.latestMs,
            plan ? plan.upto : 0,
            plan ? plan.last.timeMs : 0,
            plan ? plan.last.id : 0,
          ];
        }),
      );
    }
  }

  /**
   * Adds newly stored messages to their open chats' counts and latest times ({@link CASE_ROWS}
   * chats a statement, the rows locked in key order), and moves a chat's creation back to
   * `beganMs` when that is earlier (see sessionStart). How many of the chats were there and
   * open (fewer: one was erased or ended after the caller read it). The numbering is the
   * caller's (MessageSequence.settle, under those locks).
   */
  async addCounts(
    manager: EntityManager,
    tenantId: string,
    chats: ReadonlyArray<{ chatId: string; added: number; beganMs: number; latestMs: number }>,
  ): Promise<number> {
    let found = 0;
    for (const some of chunks(chats, CASE_ROWS)) {
      const cases = caseById(some.length);
      found += await affectedRows(
        manager,
        `UPDATE chats ${byId(manager)} SET message_count = message_count + ${cases}, create_time = ${merge.min('create_time', cases)}, ` +
          `last_message_time = ${merge.max('last_message_time', cases)} ` +
          `WHERE tenant_id = ? AND id IN (${placeholders(some.length)}) AND status IN (${OPEN_CHAT_STATUSES.join(', ')})`,
        [
          ...some.flatMap((c) => [c.chatId, c.added]),
          ...some.flatMap((c) => [c.chatId, c.beganMs]),
          ...some.flatMap((c) => [c.chatId, c.beganMs]),
          ...some.flatMap((c) => [c.chatId, c.latestMs]),
          ...some.flatMap((c) => [c.chatId, c.latestMs]),
          tenantId,
          ...some.map((c) => c.chatId),
        ],
      );
    }
    return found;
  }

  /**
   * A final status frees these chats' customers: the `chat_open` claims these chats hold go,
   * found by customer, the claims' key, so that only they are locked (a DELETE naming the
   * customers by a subquery walked the tenant's every claim, locking each). A customer freed so
   * who has another open chat (one a concurrent writer opened while this chat held the claim)
   * has it claimed.
   */
  async release(
    manager: EntityManager,
    tenantId: string,
    chats: ReadonlyArray<{ chatId: string; customerId: string | null }>,
  ): Promise<void> {
    const held = chats.filter((chat): chat is { chatId: string; customerId: string } => chat.customerId !== null);
    if (held.length === 0) return;
    // Read before they go (Spider answers 0 affected rows for every DELETE): usually none are.
    const claims: Array<{ customer_id: string }> = await manager.query(
      `SELECT customer_id FROM chat_open WHERE tenant_id = ? AND customer_id IN (${placeholders(held.length)}) ` +
        `AND chat_id IN (${placeholders(held.length)})${dialectOf(manager).lockingRead}`,
      [tenantId, ...held.map((chat) => chat.customerId), ...held.map((chat) => chat.chatId)],
    );
    if (claims.length === 0) return;
    const customers = claims.map((claim) => claim.customer_id);
    await manager.query(`DELETE FROM chat_open WHERE tenant_id = ? AND customer_id IN (${placeholders(customers.length)})`, [
      tenantId,
      ...customers,
    ]);
    await manager.query(
      `${dialectOf(manager).insertIgnore} INTO chat_open (tenant_id, customer_id, chat_id) SELECT tenant_id, customer_id, id FROM chats ` +
        `${dialectOf(manager).forceIndex('idx_chats_tenant_customer')} WHERE tenant_id = ? AND customer_id IN (${placeholders(customers.length)}) ` +
        `AND status IN (${OPEN_CHAT_STATUSES.join(', ')})`,
      [tenantId, ...customers],
    );
  }

  /** Open chats among these claim their customer's one open chat, when it is free. */
  async claimOpen(manager: EntityManager, tenantId: string, chatIds: readonly string[]): Promise<void> {
    if (chatIds.length === 0) return;
    await manager.query(
      `${dialectOf(manager).insertIgnore} INTO chat_open (tenant_id, customer_id, chat_id) SELECT tenant_id, customer_id, id FROM chats ${byId(manager)} ` +
        `WHERE tenant_id = ? AND id IN (${placeholders(chatIds.length)}) AND customer_id IS NOT NULL AND status IN (${OPEN_CHAT_STATUSES.join(', ')})`,
      [tenantId, ...chatIds],
    );
  }

  /**
   * Adds newly stored messages to a chat's count and latest time, and its creation back to
   * `beganMs` when that is earlier (as addCounts). With `plan` (their positions,
   * planned from the chat's numbering as read) it moves the numbering on too, if the row still
   * says what was read; without, it requires them to come after the chat's numbered part (from
   * `first`, the earliest of them). Either in the same statement: no extra round trip for a
   * message appended to its chat. `unsettled` when that did not hold (a concurrent writer, a
   * message out of order): counted, the numbering left to MessageSequence.settle; `gone` when
   * the chat is (erased meanwhile).
   */
  async addMessages(
    manager: EntityManager,
    tenantId: string,
    chatId: string,
    added: number,
    latestMs: number,
    order: { plan: AppendPlan | null; first: ChatKey; beganMs: number },
  ): Promise<'settled' | 'unsettled' | 'gone'> {
    const { plan, first, beganMs } = order;
    const add =
      `UPDATE chats SET message_count = message_count + ?, create_time = ${merge.min('create_time', '?')}, ` +
      `last_message_time = ${merge.max('last_message_time', '?')}`;
    const counts = [added, beganMs, beganMs, latestMs, latestMs];
    const settled = plan
      ? await affectedRows(
          manager,
          `${add}, seq_upto = ?, seq_last_time = ?, seq_last_id = ? WHERE tenant_id = ? AND id = ? ` +
            'AND message_count = ? AND seq_upto = ? AND seq_last_time = ? AND seq_last_id = ?',
          [
            ...counts,
            plan.upto,
            plan.last.timeMs,
            plan.last.id,
            tenantId,
            chatId,
            plan.before.count,
            plan.before.upto,
            plan.before.last.timeMs,
            plan.before.last.id,
          ],
        )
      : await affectedRows(
          manager,
          `${add} WHERE tenant_id = ? AND id = ? AND (seq_upto = 0 OR seq_last_time < ? OR (seq_last_time = ? AND seq_last_id < ?))`,
          [...counts, tenantId, chatId, first.timeMs, first.timeMs, first.id],
        );
    if (settled > 0) return 'settled';
    return (await affectedRows(manager, `${add} WHERE tenant_id = ? AND id = ?`, [...counts, tenantId, chatId])) > 0 ? 'unsettled' : 'gone';
  }

  /**
   * The numbering of these chats that exist: as the transaction's snapshot has it, or with
   * `lock`, as last committed, their rows locked until the transaction ends (MySQL; SQLite has
   * one writer). `'found'` locks only the rows the snapshot holds: a locking read of a missing
   * key takes the gap where it would go, and two importers creating chats in one gap deadlock.
   */
  async numbering(
    manager: EntityManager,
    tenantId: string,
    chatIds: readonly string[],
    { lock }: { lock: boolean | 'found' },
  ): Promise<Map<string, ChatState>> {
    if (chatIds.length === 0) return new Map<string, ChatState>();
    if (lock === 'found') {
      const found = await this.numbering(manager, tenantId, chatIds, { lock: false });
      return dialectOf(manager).lockingRead === '' ? found : this.numbering(manager, tenantId, [...found.keys()], { lock: true });
    }
    const rows: ChatEntity[] = await manager.query(
      `SELECT ${CHAT_COLUMNS} FROM chats c ${byId(manager)} WHERE c.tenant_id = ? AND c.id IN (${placeholders(chatIds.length)})${lock ? dialectOf(manager).lockingRead : ''}`,
      [tenantId, ...chatIds],
    );
    return new Map(rows.map((row) => [row.id, { ...numberingOf(row), status: Number(row.status), customerId: row.customerId }]));
  }

  /** Records, for each chat, how many of its first messages carry their position, and the last of them ({@link CASE_ROWS} chats a statement). */
  async setNumbering(manager: EntityManager, tenantId: string, all: ReadonlyArray<{ chatId: string; upto: number; last: ChatKey }>) {
    for (const chats of chunks(all, CASE_ROWS)) {
      const cases = caseById(chats.length);
      await manager.query(
        `UPDATE chats ${byId(manager)} SET seq_upto = ${cases}, seq_last_time = ${cases}, seq_last_id = ${cases} WHERE tenant_id = ? AND id IN (${placeholders(chats.length)})`,
        [
          ...chats.flatMap((c) => [c.chatId, c.upto]),
          ...chats.flatMap((c) => [c.chatId, c.last.timeMs]),
          ...chats.flatMap((c) => [c.chatId, c.last.id]),
          tenantId,
          ...chats.map((c) => c.chatId),
        ],
      );
    }
  }

  /** Takes `removed` messages off a chat's count (a purge in progress keeps a consistent total); no position holds after it. */
  async subtractMessages(manager: EntityManager, tenantId: string, chatId: string, removed: number): Promise<void> {
    await manager.query(
      'UPDATE chats SET message_count = CASE WHEN message_count > ? THEN message_count - ? ELSE 0 END, seq_upto = 0, seq_last_time = 0, seq_last_id = 0 ' +
        'WHERE tenant_id = ? AND id = ?',
      [removed, removed, tenantId, chatId],
    );
  }

  /**
   * Recounts a chat's count and latest time (to the millisecond, as chats' times are) from its
   * rows: only after a concurrent writer raced an insert. Its numbering starts again (the
   * renumbering catches up).
   */
  async recount(manager: EntityManager, tenantId: string, chatId: string): Promise<void> {
    await manager.query(
      'UPDATE chats SET message_count = (SELECT COUNT(*) FROM messages WHERE tenant_id = ? AND chat_id = ?), ' +
        'last_message_time = (SELECT MAX(create_time + create_ms) FROM messages WHERE tenant_id = ? AND chat_id = ?), ' +
        'seq_upto = 0, seq_last_time = 0, seq_last_id = 0 WHERE tenant_id = ? AND id = ?',
      [tenantId, chatId, tenantId, chatId, tenantId, chatId],
    );
  }

  /** Gives an imported chat its customer and assignee (accepted at its start when assigned), as chatCreate and chatAssign would have. */
  async seat(tenantId: string, chatId: string, customerId: string | null, operatorId: string | null): Promise<void> {
    await this.dataSource.query(
      'UPDATE chats SET customer_id = ?, operator_id = ?, accept_time = CASE WHEN ? IS NULL THEN NULL ELSE create_time END WHERE tenant_id = ? AND id = ?',
      [customerId, operatorId, operatorId, tenantId, chatId],
    );
  }

  /** Locks the chat's row until the transaction ends (MySQL; SQLite has one writer) and says its status then; null when it is gone. */
  async lock(manager: EntityManager, tenantId: string, chatId: string): Promise<ChatStatus | null> {
    const rows: Array<{ status: number | string }> = await manager.query(
      `SELECT status FROM chats WHERE tenant_id = ? AND id = ?${dialectOf(manager).lockingRead}`,
      [tenantId, chatId],
    );
    return rows.length === 0 ? null : Number(rows[0].status);
  }

  /**
   * The customers of the tenant's chats whose id starts with `prefix`, in id order, at most
   * `limit`, with how many chats each has and their latest message time; with `operatorId`
   * (an agent), over the chats assigned to that operator only. Keyed by tenant (and operator)
   * along an index whose next column is the customer id: it reads the prefix's range in order
   * and stops after `limit` customers, never the tenant's other chats.
   */
  async customersByPrefix(
    tenantId: string,
    prefix: string,
    limit: number,
    operatorId: string | null,
  ): Promise<Array<{ customerId: string; chats: number; lastMessageTimeMs: number | null }>> {
    const dialect = dialectOf(this.dataSource);
    const starts = dialect.startsWith('c.customer_id', prefix);
    const rows: Array<{ customer_id: string; chats: number | string; last_message_time: number | string | null }> =
      await this.dataSource.query(
        'SELECT c.customer_id, COUNT(*) AS chats, MAX(c.last_message_time) AS last_message_time ' +
          `FROM chats c ${dialect.forceIndex(operatorId === null ? 'idx_chats_tenant_customer' : 'idx_chats_tenant_operator_customer')} ` +
          `WHERE c.tenant_id = ?${operatorId === null ? '' : ' AND c.operator_id = ?'} AND ${starts.sql} ` +
          'GROUP BY c.customer_id ORDER BY c.customer_id LIMIT ?',
        [tenantId, ...(operatorId === null ? [] : [operatorId]), ...starts.params, limit],
      );
    return rows.map((row) => ({
      customerId: row.customer_id,
      chats: Number(row.chats),
      lastMessageTimeMs: row.last_message_time === null ? null : Number(row.last_message_time),
    }));
  }

  /** Deletes the chat and its open claim; returns how many chats went (0 or 1). */
  async remove(manager: EntityManager, tenantId: string, chatId: string): Promise<number> {
    await manager.query('DELETE FROM chat_open WHERE tenant_id = ? AND chat_id = ?', [tenantId, chatId]);
    return deleteCounted(manager, 'chats', 'tenant_id = ? AND id = ?', [tenantId, chatId]);
  }
}
