import { Injectable, Logger, Optional, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { codeOrName } from '../../common/filters/error-envelope';
import { rest } from '../../common/util/next-turn';
import { isMysql } from '../../database/dialect';
import { inTransaction } from '../../database/transaction';
import { dayNumber } from '../../database/message-days';
import {
  byChat,
  compareKeys,
  endOfDay,
  keyOf,
  NO_KEY,
  sortedKeys,
  type AppendPlan,
  type ChatKey,
  type NewKey,
} from '../chats/chat-numbering';
import { ChatRepository } from '../chats/chat.repository';
import { MetricsService } from '../observability/metrics.service';
import { ChatMessageRepository } from './chat-message.repository';

/** Rows one renumbering step reads and writes: a short transaction, the chat locked briefly. */
const BATCH = 1_000;
const SQLITE_BATCH = 250;

/**
 * Keeps `messages.seq`, each message's position in its chat, so that `aroundMessageId` and a page
 * deep in a chat are one range read of idx_messages_chat_seq whatever the shape of the chat (a
 * million messages in one day, or with one timestamp). A message appended after the chat's last
 * one takes the next position as it is stored; one that arrives out of order (an import of old
 * history, a late callback) shortens the numbered part to the messages before it, and the
 * renumbering here, asked for by the next 2.37 read of the chat, numbers the rest again in
 * batches, in the background. Until it is done reads fall back to the day counts: slower, never wrong.
 */
@Injectable()
export class MessageSequence implements OnApplicationShutdown {
  private readonly logger = new Logger(MessageSequence.name);
  private readonly batchSize: number;
  private readonly queue = new Map<string, { tenantId: string; chatId: string }>();
  private running: Promise<void> | null = null;
  private stopping = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly messages: ChatMessageRepository,
    private readonly chats: ChatRepository,
    @Optional() private readonly metrics?: MetricsService,
  ) {
    this.batchSize = isMysql(dataSource) ? BATCH : SQLITE_BATCH;
    metrics?.registerRenumbering(() => this.queue.size);
  }

  /**
   * After messages were stored and counted in this transaction (their chats' rows locked by the
   * count): numbers those appended after their chat's last numbered message when nothing
   * unnumbered lies between, and shortens the numbered part of a chat that one of them landed in.
   * `inDays`: whether they are in the chats' counts per day yet. `plans`: positions they were
   * stored with, planned before (planAppend); a plan whose chat is as it was read stands as is.
   */
  async settle(
    manager: EntityManager,
    tenantId: string,
    fresh: ReadonlyArray<NewKey & { chatId: string }>,
    { inDays, plans }: { inDays: boolean; plans?: ReadonlyMap<string, AppendPlan | null> },
  ): Promise<void> {
    const chats = byChat(fresh);
    if (chats.size === 0) return;
    const states = await this.chats.numbering(manager, tenantId, [...chats.keys()], { lock: true });
    const seqs: Array<{ id: string; seq: number | null }> = [];
    const numbered: Array<{ chatId: string; upto: number; last: ChatKey }> = [];
    const inside: Array<{ chatId: string; day: number; count: number }> = [];
    for (const [chatId, messages] of chats) {
      const state = states.get(chatId);
      if (!state) continue; // gone: the caller's count said so already
      const sorted = sortedKeys(messages);
      const before = state.count - sorted.length;
      const plan = plans?.get(chatId);
      // Applied already, with the count (MessageStore's upsert): the row says the plan's numbering
      // (its last a message just stored: no other writer sets it) on the count it was planned on.
      if (plan && plan.before.count === before && plan.upto === state.upto && compareKeys(plan.last, state.last) === 0) continue;
      if (plan && plan.before.count === before && plan.before.upto === state.upto && compareKeys(plan.before.last, state.last) === 0) {
        numbered.push({ chatId, upto: plan.upto, last: plan.last });
        continue;
      }
      if ((state.upto === 0 || compareKeys(sorted[0].key, state.last) > 0) && state.upto === before) {
        // Right after the numbered part: numbered too.
        sorted.forEach((m, i) => seqs.push({ id: m.id, seq: before + i + 1 }));
        numbered.push({ chatId, upto: state.count, last: sorted[sorted.length - 1].key });
        continue;
      }
      // Stored with positions planned on a chat that changed meanwhile: no reader may take them
      // for right (one that read the chat's row before this commits would, for a moment).
      if (plan) sorted.forEach((m) => seqs.push({ id: m.id, seq: null }));
      if (state.upto > 0 && compareKeys(sorted[0].key, state.last) <= 0) {
        // Inside it: the messages after the first new one have moved.
        inside.push({ chatId, day: dayNumber(sorted[0].key.timeMs), count: state.count - (inDays ? 0 : sorted.length) });
      }
    }
    // The numbered part of those now ends before the new one's day, whose start the day counts
    // give without reading (or locking) a message; 0 when they do not add up (see
    // ChatMessageRepository.positionInChat).
    const days = await this.messages.dayCountsBefore(manager, tenantId, inside);
    for (const { chatId, day, count } of inside) {
      const counted = days.get(chatId);
      const upto = counted && counted.all === count ? counted.before : 0;
      numbered.push({ chatId, upto, last: upto === 0 ? NO_KEY : endOfDay(day - 1) });
    }
    await this.chats.setNumbering(manager, tenantId, numbered);
    await this.messages.setSeqs(manager, tenantId, seqs);
  }

  /** Numbers the rest of the chat in the background, once; a 2.37 read of a chat numbered in part asks. */
  request(tenantId: string, chatId: string): void {
    if (this.stopping) return;
    const key = `${tenantId}\u0000${chatId}`;
    if (!this.queue.has(key)) this.queue.set(key, { tenantId, chatId });
    if (!this.running) this.startDrain();
  }

  private startDrain(): void {
    this.running = this.drain().finally(() => {
      this.running = null;
      // A request made after the loop's last look at the queue.
      if (this.queue.size > 0 && !this.stopping) this.startDrain();
    });
  }

  /** Resolves when every requested renumbering has ended (tests, the benchmark's warm-up). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await this.running;
  }

  private async drain(): Promise<void> {
    while (!this.stopping && this.queue.size > 0) {
      const [key, job] = this.queue.entries().next().value!;
      try {
        await this.renumber(job.tenantId, job.chatId);
      } catch (error) {
        // Reads keep their fallback; the next read asks again.
        this.logger.warn(`renumbering chat ${job.chatId} stopped: ${codeOrName(error)}`);
      }
      this.queue.delete(key);
    }
  }

  /** Numbers the chat's messages past its numbered part, batch by batch, resting between batches. */
  async renumber(tenantId: string, chatId: string): Promise<void> {
    while (!this.stopping) {
      const started = Date.now();
      const more = await inTransaction(this.dataSource, (manager) => this.renumberBatch(manager, tenantId, chatId));
      if (!more) return;
      await rest(Date.now() - started);
    }
  }

  /** One step: under the chat's lock, the next messages after the numbered part take their positions. */
  private async renumberBatch(manager: EntityManager, tenantId: string, chatId: string): Promise<boolean> {
    // The locking read comes first, so the reads after it see every writer that committed before.
    const state = (await this.chats.numbering(manager, tenantId, [chatId], { lock: true })).get(chatId);
    if (!state || state.upto >= state.count) return false;
    const rows = await this.messages.keysAfter(manager, tenantId, chatId, state.upto === 0 ? null : state.last, this.batchSize);
    if (rows.length === 0) return false; // the count says more than there is: nothing to number
    const wrong = rows.flatMap((row, i) => (row.seq === state.upto + i + 1 ? [] : [{ id: row.id, seq: state.upto + i + 1 }]));
    await this.messages.setSeqs(manager, tenantId, wrong);
    this.metrics?.renumbered.inc(wrong.length);
    const end = rows[rows.length - 1];
    await this.chats.setNumbering(manager, tenantId, [{ chatId, upto: state.upto + rows.length, last: keyOf(end.createTimeMs, end.id) }]);
    return state.upto + rows.length < state.count && rows.length === this.batchSize;
  }
}
