import { Injectable } from '@nestjs/common';
import { ChatStatus, isOpen } from '@op/contracts';
import { DataSource } from 'typeorm';
import { inTransaction } from '../../database/transaction';
import { ChatRepository } from '../chats/chat.repository';
import { ChatMessageRepository, type StoredMessage } from './chat-message.repository';
import { customerOf } from './customer';
import { byChat, planAppend, UNNUMBERED } from '../chats/chat-numbering';
import { MessageIds } from './message-ids';
import { MessageSequence } from './message-sequence';
import type { NewMessage } from './easemob-message';

export interface IngestRecord extends NewMessage {
  chatId: string;
  /** Set for group messages: the group is the chat's customer. */
  groupId?: string | null;
  /** Sets the chat's status when given. */
  chatStatus: ChatStatus | null;
}

export interface IngestResult {
  imported: number;
  duplicates: number;
}

/**
 * What records do to their chats: the status each chat is left in (its last record's that names
 * one; null: none did) and each chat's earliest record (its creation time and customer).
 */
function effectsOnChats(records: readonly IngestRecord[]) {
  const statusByChat = new Map<string, ChatStatus | null>();
  const firstByChat = new Map<string, IngestRecord>();
  for (const record of records) {
    if (!statusByChat.has(record.chatId) || record.chatStatus !== null) statusByChat.set(record.chatId, record.chatStatus);
    const first = firstByChat.get(record.chatId);
    if (!first || record.createTimeMs < first.createTimeMs) firstByChat.set(record.chatId, record);
  }
  return { statusByChat, firstByChat };
}

/** Status of a chat that an import creates without saying: history is of ended sessions. */
export const IMPORTED_CHAT_STATUS = ChatStatus.Ended;

/**
 * Stores messages idempotently (one row per tenant and Easemob id) and keeps each chat's
 * message count, latest time and numbering (MessageSequence) current in the same transaction.
 */
@Injectable()
export class MessageStore {
  constructor(
    private readonly dataSource: DataSource,
    private readonly messages: ChatMessageRepository,
    private readonly chats: ChatRepository,
    private readonly ids: MessageIds,
    private readonly sequence: MessageSequence,
  ) {}

  async ingest(tenantId: string, all: readonly IngestRecord[]): Promise<IngestResult> {
    if (all.length === 0) return { imported: 0, duplicates: 0 };
    return inTransaction(this.dataSource, async (manager) => {
      const { stored: known, erased } = await this.messages.existingHxIds(manager, tenantId, [
        ...new Set(all.map((r) => r.hxMsgId).filter((id): id is string => id !== null)),
      ]);
      // A message customerErase deleted is not stored again, nor is its chat made again: it
      // counts as a duplicate (the archive holds of it what it means to hold, nothing).
      const records = erased.size === 0 ? all : all.filter((r) => r.hxMsgId === null || !erased.has(r.hxMsgId));
      if (records.length === 0) return { imported: 0, duplicates: all.length };
      const fresh: Array<IngestRecord & StoredMessage> = [];
      for (const record of records) {
        if (record.hxMsgId !== null && known.has(record.hxMsgId)) continue;
        if (record.hxMsgId !== null) known.add(record.hxMsgId); // a repeat inside the batch is a duplicate too
        fresh.push({ ...record, id: this.ids.next() });
      }
      if (fresh.length === 0) return { imported: 0, duplicates: all.length };
      // Only the records stored now act on their chats: a duplicate changes nothing (docs/CONTRACT.md
      // §5), neither the status of its chat nor, under another chatId, an empty chat of its own.
      let { statusByChat, firstByChat } = effectsOnChats(fresh);

      // A chat the import creates gets its customer as a live one would: the first message's
      // party that is neither an operator nor a service account of the tenant.
      const staffOf = (firsts: Map<string, IngestRecord>) =>
        this.messages.staffAmong(
          manager,
          tenantId,
          [...firsts.values()].flatMap((r) => [r.form, r.to]),
        );
      let staff = await staffOf(firstByChat);
      // The batch's chats that exist are locked before any message is written, as callbacks and
      // purges take them: a purge holding a chat's row never waits on messages this batch wrote
      // while the batch waits on that row (on Spider no server would see that cycle). Positions
      // are planned from the chats so read (a chat not there yet starts empty), written with the
      // rows; settle keeps a plan whose chat did not change meanwhile, else numbers them again.
      const freshByChat = byChat(fresh);
      const read = await this.chats.numbering(manager, tenantId, [...statusByChat.keys()], { lock: 'found' });
      const plans = new Map([...freshByChat].map(([chatId, messages]) => [chatId, planAppend(read.get(chatId) ?? UNNUMBERED, messages)]));
      for (const message of fresh) message.seq = plans.get(message.chatId)?.seqs.get(message.id) ?? null;
      const stored = await this.messages.insertMessages(manager, tenantId, fresh);
      if (stored.length === 0) return { imported: 0, duplicates: all.length };
      // Fewer rows written than planned means a concurrent writer stored some first: only the
      // records stored here act on their chats, whose counts are taken again.
      const exact = stored.length === fresh.length;
      if (!exact) {
        ({ statusByChat, firstByChat } = effectsOnChats(stored));
        staff = await staffOf(firstByChat);
      }
      const added = new Map<string, { added: number; latest: number }>();
      for (const message of stored) {
        const entry = added.get(message.chatId) ?? { added: 0, latest: -Infinity };
        added.set(message.chatId, { added: entry.added + 1, latest: Math.max(entry.latest, message.createTimeMs) });
      }
      // The upsert moves each chat's numbering on with its count when the row is as planned, and
      // sets the status the import names (a final one stamps the end).
      await this.chats.upsertCounts(
        manager,
        tenantId,
        [...statusByChat].map(([chatId, status]) => ({
          chatId,
          status: status ?? IMPORTED_CHAT_STATUS,
          statusGiven: status !== null,
          customerId: customerOf(firstByChat.get(chatId)!, staff),
          createTimeMs: firstByChat.get(chatId)!.createTimeMs,
          added: exact ? (added.get(chatId)?.added ?? 0) : 0,
          // Moved on even when the batch is recounted below: a final status stamps its end from it.
          latestMs: added.get(chatId)?.latest ?? null,
          plan: exact ? (plans.get(chatId) ?? null) : null,
        })),
      );
      if (exact) {
        await this.messages.addToDays(manager, tenantId, fresh);
        await this.sequence.settle(manager, tenantId, fresh, { inDays: true, plans });
      } else {
        for (const chatId of added.keys()) {
          await this.chats.recount(manager, tenantId, chatId);
          await this.messages.recountDays(manager, tenantId, chatId);
        }
      }
      // A chat the import ended frees its customer; one it left open (or whose status it did not
      // name: it may be open) holds its customer's one open chat, as live ones do. A chat read
      // ended (its row locked since) holds no claim to give back.
      const ended = [...statusByChat].flatMap(([chatId, status]) => {
        const before = read.get(chatId);
        if (status === null || isOpen(status) || (before && !isOpen(before.status))) return [];
        return [{ chatId, customerId: before ? before.customerId : customerOf(firstByChat.get(chatId)!, staff) }];
      });
      await this.chats.release(manager, tenantId, ended);
      await this.chats.claimOpen(
        manager,
        tenantId,
        [...statusByChat].filter(([, status]) => status === null || isOpen(status)).map(([chatId]) => chatId),
      );
      await this.messages.applyEarlyRecalls(
        manager,
        tenantId,
        stored.map((m) => m.hxMsgId).filter((id): id is string => id !== null),
      );
      return { imported: stored.length, duplicates: all.length - stored.length };
    });
  }
}
