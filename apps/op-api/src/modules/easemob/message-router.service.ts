import { Injectable } from '@nestjs/common';
import { ChatStatus, isOpen } from '@op/contracts';
import { DataSource, type EntityManager } from 'typeorm';
import { DAY_MS } from '../../database/message-days';
import { messageCutoff } from '../../database/retention-policies';
import { inTransaction, StaleReadError } from '../../database/transaction';
import { ChatMessageRepository } from '../chat-message/chat-message.repository';
import { customerOf } from '../chat-message/customer';
import { erasureTimes, rememberErased } from '../chat-message/erased-customers';
import { MessageIds } from '../chat-message/message-ids';
import { MessageSequence } from '../chat-message/message-sequence';
import { recalledExt, type NewMessage } from '../chat-message/easemob-message';
import { byChat, firstKey, numberingOf, planAppend, type AppendPlan, type NewKey } from '../chats/chat-numbering';
import { ChatRepository, endOf } from '../chats/chat.repository';
import type { ChatEntity } from '../chats/chat.entity';
import { ascending } from '../../common/util/ascending';
import { groupBy } from '../../common/util/group-by';

/** A message whose session is found by who sent it (live callbacks, Easemob's own exports). */
export interface RoutedMessage extends NewMessage {
  /** Set for group messages: the group is the session's party. */
  groupId: string | null;
}

/** What a batch's messages are: Easemob ids stored or erased, ids recalled already, and the tenant's staff among their parties. */
interface Seen {
  known: Set<string>;
  recalled: Set<string>;
  staff: Map<string, string | null>;
}

/**
 * How long before its chat began a message that arrives late may still be the message that
 * opened it: it then moves the chat's creation back to itself. An older one joins as routed
 * but moves nothing (an import of old history must not stretch a chat back by months), and is
 * never taken for the first message of a chat that has ended.
 */
const SESSION_LEAD_MS = DAY_MS;

/**
 * The creation of `chat` once these messages join it: moved back to the earliest (its exact
 * millisecond, not the whole second it is ordered by) by at most {@link SESSION_LEAD_MS}.
 */
function sessionStart(chat: ChatEntity, added: readonly NewKey[]): number {
  const began = Number(chat.createTime);
  const earliestMs = Math.min(...added.map((m) => m.createTimeMs));
  return earliestMs < began && began - earliestMs <= SESSION_LEAD_MS ? earliestMs : began;
}

/** A tenant's retention cutoff as a batch reads it: once, when first needed (null: no policy). */
type Retention = { cutoffMs?: number | null };

/** A batch lost a race with another writer for one of its messages: route it one by one. */
class RaceLost extends Error {}

/** One step of {@link MessageRouter.deliverBatch}: a message to route, or a recall. */
export type BatchItem = { tenantId: string; message: RoutedMessage } | { tenantId: string; recall: { hxMsgId: string; timeMs: number } };

/**
 * What became of a routed message: stored; known already (stored before, or erased by
 * customerErase: never stored again); or expired: older than its tenant's retention and with no
 * open chat to join, so it would open a chat the next retention run deletes (a reconciliation
 * of old hours must not bring back what retention removed).
 */
export type Delivered = 'stored' | 'known' | 'expired';

export interface DeliveryResult {
  delivered: Delivered;
  /** The chat that holds the message; null when none does (erased, expired). */
  chatId: string | null;
}

/**
 * Routes each message to its session and stores it, once: the customer is the party that is
 * neither an operator nor a service account of the tenant; the message joins the customer's
 * open chat (1, 3 or 30) or opens a new waiting one; an operator's first message in a waiting
 * chat accepts it.
 */
@Injectable()
export class MessageRouter {
  constructor(
    private readonly dataSource: DataSource,
    private readonly messages: ChatMessageRepository,
    private readonly chats: ChatRepository,
    private readonly ids: MessageIds,
    private readonly sequence: MessageSequence,
  ) {}

  /** Stores one message (a live callback); with `backfill`, routed by its time as deliverBatch does. */
  async deliver(tenantId: string, message: RoutedMessage, options: { backfill?: boolean } = {}): Promise<Delivered> {
    if (options.backfill === true) return (await this.deliverBatch([{ tenantId, message }], options))[0];
    return (await inTransaction(this.dataSource, (manager) => this.route(manager, tenantId, message))).delivered;
  }

  /**
   * Which of these journalled callbacks (received at `receivedAt`) belong to a customer erased
   * after they arrived (`customers`: who may be it, see journalledCustomers): their indexes. A
   * spooled copy is part of what the erasure removed, so the drain does not store it, and its
   * Easemob id joins `erased_messages` in the same transaction, so no reconciliation adds it.
   */
  dropErased(
    items: ReadonlyArray<{ tenantId: string; customers: readonly string[]; receivedAt: number; hxMsgId: string | null }>,
  ): Promise<Set<number>> {
    return inTransaction(this.dataSource, async (manager) => {
      const byTenant = new Map<string, Set<string>>();
      for (const item of items)
        for (const name of item.customers) byTenant.set(item.tenantId, (byTenant.get(item.tenantId) ?? new Set()).add(name));
      const erased = new Set<number>();
      for (const [tenantId, names] of byTenant) {
        const times = await erasureTimes(manager, tenantId, names);
        if (times.size === 0) continue;
        const ids: string[] = [];
        items.forEach((item, i) => {
          if (item.tenantId !== tenantId || !item.customers.some((name) => (times.get(name) ?? -Infinity) >= item.receivedAt)) return;
          erased.add(i);
          if (item.hxMsgId !== null) ids.push(item.hxMsgId);
        });
        await rememberErased(manager, tenantId, ids);
      }
      return erased;
    });
  }

  /**
   * Routes many messages in one transaction (backfill: an import, a reconciliation); returns
   * how many were new, known and expired. A message of a time when one of its customer's
   * chats, since ended, was under way goes to that chat: the session it was sent in (see
   * endedSessions).
   */
  async deliverAll(
    tenantId: string,
    messages: readonly RoutedMessage[],
  ): Promise<{ imported: number; duplicates: number; expired: number }> {
    const delivered =
      messages.length === 0
        ? []
        : await this.deliverBatch(
            messages.map((message) => ({ tenantId, message })),
            { backfill: true },
          );
    const count = (what: Delivered) => delivered.filter((d) => d === what).length;
    return { imported: count('stored'), duplicates: count('known'), expired: count('expired') };
  }

  /**
   * Messages and recalls of any tenants, in order, in one transaction (one commit for all:
   * group commit of concurrent callbacks, the journal's drain, import batches); for each,
   * what became of it (a recall: stored). `backfill` (imports, reconciliations, the journal's
   * drain: messages that may come after their session ended) routes each by its time first.
   */
  async deliverBatch(items: readonly BatchItem[], options: { backfill?: boolean } = {}): Promise<Delivered[]> {
    const backfill = options.backfill === true;
    try {
      return await inTransaction(this.dataSource, (manager) => this.batchIn(manager, items, true, backfill));
    } catch (error) {
      if (!(error instanceof RaceLost)) throw error;
      // Another writer stored one of these between our read and our insert: one at a time instead.
      return inTransaction(this.dataSource, (manager) => this.batchIn(manager, items, false, backfill));
    }
  }

  private async batchIn(manager: EntityManager, items: readonly BatchItem[], together: boolean, backfill: boolean): Promise<Delivered[]> {
    const stored: Delivered[] = new Array<Delivered>(items.length);
    /** Messages stored together, by tenant, that may have been recalled since the batch read recalls. */
    const probes = new Map<string, string[]>();
    const byTenant = groupBy(
      items.flatMap((item, i) => ('recall' in item ? [] : [i])),
      (i) => items[i].tenantId,
    );
    const messageOf = (i: number) => (items[i] as { message: RoutedMessage }).message;
    for (const [tenantId, all] of byTenant) {
      let indexes = all;
      // A backfill reads what the batch's messages are once, for its sessions and for routeMany.
      let read: Seen | undefined;
      const retention: Retention = {};
      if (backfill) {
        read = await this.seen(manager, tenantId, all.map(messageOf));
        const sessions = await this.endedSessions(manager, tenantId, all.map(messageOf), read, retention);
        // In chat order, as every writer takes chats' rows.
        const inOrder = [...sessions].sort(([ka, a], [kb, b]) => ascending(a.id, b.id) || ka - kb);
        for (const [k, chat] of inOrder) stored[all[k]] = (await this.route(manager, tenantId, messageOf(all[k]), chat)).delivered;
        indexes = all.filter((_, k) => !sessions.has(k));
        if (indexes.length === 0) continue;
      }
      const messages = indexes.map(messageOf);
      const results = together
        ? await this.routeMany(manager, tenantId, messages, probes, read, retention)
        : await this.routeEach(manager, tenantId, messages);
      indexes.forEach((i, k) => (stored[i] = results[k]));
    }
    // Recalls after the messages: a recall finds its message stored, or is remembered for it (the same end state in any order).
    for (const [i, item] of items.entries()) {
      if (!('recall' in item)) continue;
      await this.recallIn(manager, item.tenantId, item.recall.hxMsgId, item.recall.timeMs);
      stored[i] = 'stored';
    }
    // Then the messages' look for recalls committed meanwhile: after this batch's own recall rows,
    // so that two batches never each hold the gap the other's recall goes into while waiting on it.
    for (const [tenantId, ids] of probes) await this.messages.applyEarlyRecalls(manager, tenantId, ids);
    return stored;
  }

  /**
   * Of messages Easemob's export brings back, those that belong to one of their customer's
   * ended chats, each with that chat, by index: the chat under way when the message was sent
   * (from its creation to its end); or, when none was and no open chat had begun by then, the
   * customer's next chat if it has ended and began at most {@link SESSION_LEAD_MS} later: the
   * session this message opened, whose first message to arrive came later. A message older than
   * its tenant's retention is not brought into a chat so (routeMany finds it expired). The rest
   * join the open chat or open one, as live callbacks do (routeMany).
   */
  private async endedSessions(
    manager: EntityManager,
    tenantId: string,
    messages: readonly RoutedMessage[],
    { known, staff }: Seen,
    retention: Retention,
  ): Promise<Map<number, ChatEntity>> {
    const sessions = new Map<number, ChatEntity>();
    // What the archive has (or erased) is known wherever it would go: left to routeMany.
    const fresh = messages.flatMap((m, k) => (m.hxMsgId !== null && known.has(m.hxMsgId) ? [] : [k]));
    if (fresh.length === 0) return sessions;
    const customers = new Map(fresh.map((k) => [k, customerOf(messages[k], staff) ?? 'unknown']));
    const since = Math.min(...fresh.map((k) => messages[k].createTimeMs));
    const chatsOf = groupBy(
      await this.chats.chatsSince(manager, tenantId, [...new Set(customers.values())], since),
      (chat) => chat.customerId,
    );
    const begun = (chat: ChatEntity) => Number(chat.createTime);
    for (const [k, customer] of customers) {
      const t = messages[k].createTimeMs;
      const theirs = chatsOf.get(customer) ?? [];
      // Overlapping sessions (an import can make them): the one begun last.
      const underWay = theirs
        .filter((chat) => !isOpen(chat.status) && begun(chat) <= t && endOf(chat) >= t)
        .reduce<ChatEntity | undefined>((best, chat) => (best && begun(best) >= begun(chat) ? best : chat), undefined);
      if (underWay) {
        sessions.set(k, underWay);
        continue;
      }
      if (theirs.some((chat) => isOpen(chat.status) && begun(chat) <= t)) continue;
      const next = theirs
        .filter((chat) => begun(chat) > t)
        .reduce<ChatEntity | undefined>((first, chat) => (first && begun(first) <= begun(chat) ? first : chat), undefined);
      if (!next || isOpen(next.status) || begun(next) - t > SESSION_LEAD_MS) continue;
      if (await this.withinRetention(manager, tenantId, t, retention)) sessions.set(k, next);
    }
    return sessions;
  }

  /**
   * Which of these messages' Easemob ids are stored or erased (`known`) and which recalled
   * already (one read), and which of their parties are the tenant's staff (another).
   */
  private async seen(manager: EntityManager, tenantId: string, messages: readonly RoutedMessage[]): Promise<Seen> {
    const staff = await this.messages.staffAmong(
      manager,
      tenantId,
      messages.flatMap((m) => [m.form, m.to]),
    );
    const ids = [...new Set(messages.map((m) => m.hxMsgId).filter((id): id is string => id !== null))];
    const { stored, erased, recalled } = await this.messages.existingHxIds(manager, tenantId, ids, { recalls: true });
    return { known: new Set([...stored, ...erased]), recalled, staff };
  }

  private async routeEach(manager: EntityManager, tenantId: string, messages: readonly RoutedMessage[]): Promise<Delivered[]> {
    const delivered: Delivered[] = [];
    for (const message of messages) delivered.push((await this.route(manager, tenantId, message)).delivered);
    return delivered;
  }

  /**
   * Whether a message of this time is within the tenant's retention (`retention`: read once per
   * batch). A message less than a day old always is (no policy keeps less), so live callbacks
   * read no policy.
   */
  private async withinRetention(manager: EntityManager, tenantId: string, timeMs: number, retention: Retention): Promise<boolean> {
    if (timeMs >= Date.now() - DAY_MS) return true;
    // null once read means no policy: read it once per batch, not per message.
    if (retention.cutoffMs === undefined) retention.cutoffMs = await messageCutoff(manager, tenantId);
    return retention.cutoffMs === null || timeMs >= retention.cutoffMs;
  }

  /**
   * Whether a message of this time may not open a chat for this customer: older than the
   * tenant's retention while the customer has no open chat.
   */
  private async expired(
    manager: EntityManager,
    tenantId: string,
    customer: string,
    timeMs: number,
    retention: Retention,
  ): Promise<boolean> {
    if (await this.withinRetention(manager, tenantId, timeMs, retention)) return false;
    return (await this.chats.openChatOf(manager, tenantId, customer)) === null;
  }

  /**
   * {@link route} for many messages of one tenant with statements shared: one read of the
   * known ids and early recalls, one of the staff, one open-or-join per customer, one
   * multi-row insert, one count update per chat and one for the days. Same outcome as routing
   * them one by one in order; when a concurrent writer stored one of them first it throws
   * {@link RaceLost} and the caller routes them one by one.
   */
  private async routeMany(
    manager: EntityManager,
    tenantId: string,
    messages: readonly RoutedMessage[],
    probes: Map<string, string[]>,
    read?: Seen,
    retention: Retention = {},
  ): Promise<Delivered[]> {
    if (messages.length === 1) return [(await this.route(manager, tenantId, messages[0])).delivered];
    const { known, recalled, staff } = read ?? (await this.seen(manager, tenantId, messages));
    // The open chats of the batch's customers in one read; a customer without one opens it below.
    const chats = await this.chats.openChatsOf(manager, tenantId, [
      ...new Set(messages.filter((m) => m.hxMsgId === null || !known.has(m.hxMsgId)).map((m) => customerOf(m, staff) ?? 'unknown')),
    ]);
    const delivered: Delivered[] = [];
    const kept: Array<{ message: RoutedMessage; customer: string }> = [];
    // The customers without an open chat, each with its first message's time: opened together below.
    const opening = new Map<string, number>();
    for (const message of messages) {
      if (message.hxMsgId !== null && known.has(message.hxMsgId)) {
        delivered.push('known');
        continue;
      }
      const customer = customerOf(message, staff) ?? 'unknown';
      if (!chats.has(customer) && !opening.has(customer)) {
        if (await this.expired(manager, tenantId, customer, message.createTimeMs, retention)) {
          delivered.push('expired');
          continue;
        }
        opening.set(customer, message.createTimeMs);
      }
      if (message.hxMsgId !== null) known.add(message.hxMsgId); // a repeat inside the batch is a duplicate
      kept.push({ message, customer });
      delivered.push('stored');
    }
    const opened = await this.chats.openMany(
      manager,
      tenantId,
      [...opening].map(([customerId, timeMs]) => ({ customerId, timeMs })),
      { status: ChatStatus.Waiting, operatorId: null },
    );
    for (const [customer, { chat }] of opened) chats.set(customer, chat);
    // An operator's first message in a waiting chat accepts it.
    const accepts = new Map<string, { chatId: string; operatorId: string; timeMs: number }>();
    const fresh = kept.map(({ message, customer }) => {
      const chat = chats.get(customer)!;
      const senderOperator = message.form === null ? undefined : staff.get(message.form);
      if (senderOperator && chat.status === (ChatStatus.Waiting as number) && !accepts.has(chat.id)) {
        accepts.set(chat.id, { chatId: chat.id, operatorId: senderOperator, timeMs: message.createTimeMs });
      }
      const ext = message.hxMsgId !== null && recalled.has(message.hxMsgId) ? recalledExt(message.ext) : message.ext;
      return { ...message, ext, id: this.ids.next(), chatId: chat.id, seq: null as number | null };
    });
    await this.chats.acceptBy(manager, tenantId, [...accepts.values()]);
    const perChat = byChat(fresh);
    const plans = new Map<string, AppendPlan | null>();
    for (const chat of chats.values()) if (perChat.has(chat.id)) plans.set(chat.id, planAppend(numberingOf(chat), perChat.get(chat.id)!));
    for (const message of fresh) message.seq = plans.get(message.chatId)?.seqs.get(message.id) ?? null;
    // The counts first, in one statement (rows locked in key order), then the messages and their
    // keyword-index entries: the chats' rows before anything else, as a purge takes them (the
    // other way round, a purge and a batch each held what the other waited for; on a Spider
    // front, where the outbox is local and the chats are not, no server saw the cycle and both
    // waited out the lock timeout). A batch that then stores fewer messages rolls back whole.
    const chatById = new Map([...chats.values()].map((chat) => [chat.id, chat]));
    const counts = [...perChat]
      .sort(([a], [b]) => ascending(a, b))
      .map(([chatId, added]) => ({
        chatId,
        added: added.length,
        beganMs: sessionStart(chatById.get(chatId)!, added),
        latestMs: Math.max(...added.map((m) => m.createTimeMs)),
      }));
    // A chat erased or ended since it was read (the read is the transaction's snapshot, the
    // update reads the row as it is now): roll back and route again, to the customer's next chat.
    if ((await this.chats.addCounts(manager, tenantId, counts)) < counts.length) throw new StaleReadError('chat gone or ended');
    if ((await this.messages.insertMessages(manager, tenantId, fresh)).length !== fresh.length) throw new RaceLost();
    // A recall committed since the snapshot above was read: looked for once the batch's own are in (batchIn).
    const late = fresh.flatMap((m) => (m.hxMsgId === null || recalled.has(m.hxMsgId) ? [] : [m.hxMsgId]));
    const probing = probes.get(tenantId);
    if (probing) probing.push(...late);
    else probes.set(tenantId, late);
    // The numbering under the chats' locks: the plans of chats unchanged since read, the rest settled.
    await this.sequence.settle(manager, tenantId, fresh, { inDays: false, plans });
    await this.messages.addToDays(manager, tenantId, fresh);
    return delivered;
  }

  /**
   * Adds a chat's new messages to its count and numbering (planned, or settled under its lock
   * when the plan no longer held). The chat erased (customerErase, retention) while this ran:
   * roll back and route again, which opens a new chat instead of leaving messages in a deleted one.
   */
  private async count(manager: EntityManager, tenantId: string, chat: ChatEntity, added: readonly NewKey[], plan: AppendPlan | null) {
    const chatId = chat.id;
    const latest = Math.max(...added.map((m) => m.createTimeMs));
    const outcome = await this.chats.addMessages(manager, tenantId, chatId, added.length, latest, {
      plan,
      first: firstKey(added),
      beganMs: sessionStart(chat, added),
    });
    if (outcome === 'gone') throw new StaleReadError('chat gone');
    // The router counts the days after the chat (every writer takes the chat's row first).
    if (outcome !== 'unsettled') return;
    await this.sequence.settle(
      manager,
      tenantId,
      added.map((m) => ({ ...m, chatId })),
      { inDays: false, plans: new Map([[chatId, plan]]) },
    );
  }

  /** Records a recall: the message stays (records are evidence), flagged `ext.recalled`. */
  recall(tenantId: string, hxMsgId: string, timeMs: number): Promise<void> {
    return inTransaction(this.dataSource, (manager) => this.recallIn(manager, tenantId, hxMsgId, timeMs));
  }

  /**
   * The recall is remembered first, then its message flagged if it is stored: a message stored
   * at the same time either is seen here (waited for, if not committed yet) or sees the recall
   * once it is written (applyEarlyRecalls).
   */
  private async recallIn(manager: EntityManager, tenantId: string, hxMsgId: string, timeMs: number): Promise<void> {
    await this.messages.rememberRecall(manager, tenantId, hxMsgId, timeMs);
    await this.messages.markRecalled(manager, tenantId, hxMsgId);
  }

  /** Stores one message in its customer's open chat (or a new one), or with `session`, in that chat, ended. */
  private async route(
    manager: EntityManager,
    tenantId: string,
    message: RoutedMessage,
    session: ChatEntity | null = null,
  ): Promise<DeliveryResult> {
    let recalled = false;
    if (message.hxMsgId !== null) {
      // One round trip: is it stored already (or erased), and did its recall arrive before it?
      const [state]: Array<{ known_chat: string | null; erased: number | string; recalled: number | string }> = await manager.query(
        'SELECT (SELECT chat_id FROM messages WHERE tenant_id = ? AND hx_msg_id = ?) AS known_chat, ' +
          '(SELECT COUNT(*) FROM erased_messages WHERE tenant_id = ? AND hx_msg_id = ?) AS erased, ' +
          '(SELECT COUNT(*) FROM message_recalls WHERE tenant_id = ? AND hx_msg_id = ?) AS recalled',
        [tenantId, message.hxMsgId, tenantId, message.hxMsgId, tenantId, message.hxMsgId],
      );
      if (state.known_chat !== null) return { delivered: 'known', chatId: state.known_chat };
      // A message customerErase deleted is not stored again (a redelivery, a replay).
      if (Number(state.erased) > 0) return { delivered: 'known', chatId: null };
      recalled = Number(state.recalled) > 0;
    }
    const chat = session ?? (await this.openChatFor(manager, tenantId, message));
    if (chat === null) return { delivered: 'expired', chatId: null };
    // The chat's row before the message and its keyword-index entry, as a batch and a purge take
    // them; read so, the chat may have ended (or gone) since this transaction's snapshot saw it
    // open: route again, to the customer's next chat.
    const status = await this.chats.lock(manager, tenantId, chat.id);
    if (status === null || (session === null && !isOpen(status))) throw new StaleReadError('chat gone or ended');
    const ext = recalled ? recalledExt(message.ext) : message.ext;
    const stored = { ...message, ext, id: this.ids.next(), chatId: chat.id };
    const plan = planAppend(numberingOf(chat), [stored]);
    const written = await this.messages.insertMessages(manager, tenantId, [{ ...stored, seq: plan?.seqs.get(stored.id) ?? null }]);
    if (written.length === 0) return { delivered: 'known', chatId: chat.id };
    // A recall committed since this transaction's first read.
    if (message.hxMsgId !== null && !recalled) await this.messages.applyEarlyRecalls(manager, tenantId, [message.hxMsgId]);
    await this.count(manager, tenantId, chat, [stored], plan);
    await this.messages.addToDays(manager, tenantId, [{ chatId: chat.id, createTimeMs: message.createTimeMs }]);
    return { delivered: 'stored', chatId: chat.id };
  }

  /** The customer's open chat, opened (and accepted by an operator who sends) as needed; null: expired. */
  private async openChatFor(manager: EntityManager, tenantId: string, message: RoutedMessage): Promise<ChatEntity | null> {
    const staff = await this.messages.staffAmong(manager, tenantId, [message.form, message.to]);
    const senderOperator = message.form === null ? undefined : staff.get(message.form);
    const customer = customerOf(message, staff) ?? 'unknown';
    if (await this.expired(manager, tenantId, customer, message.createTimeMs, {})) return null;
    const { chat } = await this.chats.openOrJoin(manager, tenantId, customer, {
      status: ChatStatus.Waiting,
      timeMs: message.createTimeMs,
      operatorId: null,
    });
    if (senderOperator && chat.status === (ChatStatus.Waiting as number)) {
      await this.chats.acceptBy(manager, tenantId, [{ chatId: chat.id, operatorId: senderOperator, timeMs: message.createTimeMs }]);
    }
    return chat;
  }
}
