import { createHash, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { OpError } from '../../common/errors/op-error';
import type { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { EasemobAppService } from '../access/easemob-app.service';
import { idText, mapEasemobMessage, RecordError } from '../chat-message/easemob-message';
import { CallbackIds } from './callback-ids.service';
import { isDatabaseDown } from '../../common/filters/error-envelope';
import { isTransient } from '../../database/transaction';
import { CallbackSpool, journalledCustomers } from './callback-spool.service';
import { MessageRouter, type Delivered, type RoutedMessage } from './message-router.service';
import { GroupCommit, type Settled } from './group-commit';
import type { SpoolEntry } from './spool-journal';
import { groupBy } from '../../common/util/group-by';

export type CallbackOutcome = 'stored' | 'duplicate' | 'recalled' | 'ignored' | 'spooled';

/** A delivered message's answer: `ignored` for one older than its tenant's retention (not stored). */
const outcomeOf = (delivered: Delivered): CallbackOutcome =>
  delivered === 'stored' ? 'stored' : delivered === 'known' ? 'duplicate' : 'ignored';

/** What a verified callback asks of the store. */
type Plan = { kind: 'ignored' } | { kind: 'recall'; recallId: string; timeMs: number } | { kind: 'message'; routed: RoutedMessage };

/** How a store routes its messages: `backfill`, by their time (MessageRouter.deliverBatch). */
type Routing = { backfill?: boolean };

/** A verified callback on its way to the store. */
interface Pending {
  tenantId: string;
  callId: string;
  plan: Exclude<Plan, { kind: 'ignored' }>;
  print: string;
  now: number;
}

/**
 * Group commit's sizes: up to 100 callbacks a transaction, two transactions at once (one fills
 * while the other commits; at 32 senders four at once made smaller batches and cost 30 % more
 * API CPU per callback: decision 0009), and a batch that would start while the other commits
 * waits up to 5 ms to fill (decision 0010).
 */
const GROUP_COMMIT = { maxBatch: 100, maxInFlight: 2, lingerMs: 5 };
/** Group commit off: each callback its own transaction, as many at once as arrive. */
const ONE_BY_ONE = { maxBatch: 1, maxInFlight: Number.MAX_SAFE_INTEGER, lingerMs: 0 };

const MESSAGE_EVENTS = new Set(['chat', 'chat_offline']);
const MESSAGE_CHAT_TYPES = new Set(['chat', 'groupchat']);

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** `security = hex(MD5(callId + secret + timestamp))`, compared in constant time. */
export function easemobSecurity(callId: string, secret: string, timestamp: string): string {
  return createHash('md5')
    .update(callId + secret + timestamp, 'utf8')
    .digest('hex');
}

/** What a callback asks us to store, in a fixed order: equal for a redelivery, different for a forgery. */
const fingerprint = (content: unknown) => createHash('sha256').update(JSON.stringify(content), 'utf8').digest('hex');

const MAX_CALL_ID_LENGTH = 255;

/**
 * A callback's `timestamp` as Easemob may send it, a number or its decimal digits: its
 * milliseconds, or NaN. The signature covers it as sent; the message is stored at this time.
 */
const callbackTime = (timestamp: unknown): number =>
  typeof timestamp === 'number' ? timestamp : typeof timestamp === 'string' && /^\d{1,16}$/.test(timestamp) ? Number(timestamp) : NaN;

interface Verified {
  tenantId: string;
  callId: string;
}

/**
 * Easemob's post-send callback (发送后回调). Easemob retries once on any status but 200, so
 * 200 means committed (or deliberately ignored) and nothing else does.
 */
@Injectable()
export class EasemobCallbackService {
  private readonly windowMs: number;

  constructor(
    private readonly easemobApps: EasemobAppService,
    private readonly router: MessageRouter,
    private readonly callIds: CallbackIds,
    private readonly spool: CallbackSpool,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.windowMs = config.callbackWindowSeconds * 1000;
    this.spoolAfterMs = config.spool.afterMs;
    spool.setHandler((entries) => this.storeSpooled(entries));
    this.group = new GroupCommit((items) => this.storeMany(items), config.spool.groupCommit ? GROUP_COMMIT : ONE_BY_ONE);
  }

  private readonly spoolAfterMs: number;
  /** Concurrent live callbacks share one transaction (issue 13); off: each its own, as many at once as arrive. */
  private readonly group: GroupCommit<Pending, CallbackOutcome>;

  async receive(body: unknown): Promise<CallbackOutcome> {
    if (!isObject(body)) throw OpError.badRequest('回调内容必须是 JSON 对象');
    const { tenantId, callId } = await this.authenticate(body);
    const plan = this.plan(body);
    if (plan.kind === 'ignored') return 'ignored';
    const receivedAt = Date.now();
    const print = fingerprint(plan.kind === 'recall' ? { recall: plan.recallId } : plan.routed);
    if (this.spool.conflicts(tenantId, callId, print)) throw OpError.unauthorized('callId 已被使用，内容与首次不同：视为重放或伪造');
    if (!this.spool.started) return this.store(tenantId, callId, plan, print, receivedAt);
    // While the journal holds entries, a new callback joins its end: order is kept, and the
    // database is not asked twice (a store that times out still runs, and the replay repeats it)
    // while the drain catches up in batches. So does one that reaches a process started without
    // its database, until that answers and the process is ready.
    if (this.spool.status().entries > 0 || !this.spool.databaseReady) {
      await this.spool.append({ t: receivedAt, tenant: tenantId, callId, body, print });
      return 'spooled';
    }

    // The database gets spoolAfterMs to store it; past that, or when it is down, the callback
    // goes to the fsynced journal and is stored by the drainer (the late store, if it still
    // lands, makes the replay a duplicate: stored once either way).
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), this.spoolAfterMs)));
    const storing = this.group.submit({ tenantId, callId, plan, print, now: receivedAt });
    try {
      const outcome = await Promise.race([storing, late]);
      if (outcome !== 'late') return outcome;
      storing.catch(() => undefined);
    } catch (error) {
      // Refused (4xx) or failing for a reason of ours: the answer says so. Down, or still
      // deadlocked or waiting on a lock after its retries: the drain tries it again later, where
      // a 500 would leave one more try to Easemob before it drops the message.
      if (!isDatabaseDown(error) && !isTransient(error) && !(error instanceof OpError && error.code === 503)) throw error;
    } finally {
      clearTimeout(timer);
    }
    await this.spool.append({ t: receivedAt, tenant: tenantId, callId, body, print });
    return 'spooled';
  }

  /** Stores journalled callbacks (verified when they arrived) through the same path, in order, in one transaction. */
  async storeSpooled(entries: readonly SpoolEntry[]): Promise<Array<Settled<CallbackOutcome>>> {
    const results: Array<Settled<CallbackOutcome> | undefined> = [];
    const pending: Array<{ index: number; item: Pending }> = [];
    entries.forEach((entry, index) => {
      try {
        const plan = this.plan(entry.body);
        if (plan.kind === 'ignored') return void (results[index] = { ok: true, value: 'ignored' });
        const print = entry.print ?? fingerprint(plan.kind === 'recall' ? { recall: plan.recallId } : plan.routed);
        pending.push({ index, item: { tenantId: entry.tenant, callId: entry.callId, plan, print, now: entry.t } });
      } catch (error) {
        results[index] = { ok: false, error };
      }
    });
    // A callback of a customer erased after it was journalled went with the erasure.
    let erased: Set<number>;
    try {
      erased = await this.router.dropErased(
        pending.map(({ index, item }) => ({
          tenantId: item.tenantId,
          customers: item.plan.kind === 'recall' ? [] : journalledCustomers(entries[index].body),
          receivedAt: item.now,
          hxMsgId: item.plan.kind === 'recall' ? null : item.plan.routed.hxMsgId,
        })),
      );
    } catch (error) {
      // The database is away (or failing): each entry waits for the next try, as a store would.
      for (const { index } of pending) results[index] = { ok: false, error };
      return results as Array<Settled<CallbackOutcome>>;
    }
    const kept = pending.filter((_, i) => !erased.has(i));
    for (const i of erased) results[pending[i].index] = { ok: true, value: 'ignored' };
    // Routed by their time, as an export's records are: one sent during a chat that has ended
    // since (the database away meanwhile) goes to that chat, the session it was sent in.
    const stored = await this.storeMany(
      kept.map(({ item }) => item),
      { backfill: true },
    );
    kept.forEach(({ index }, i) => (results[index] = stored[i]));
    return results as Array<Settled<CallbackOutcome>>;
  }

  /**
   * Stores callbacks together: their callIds claimed per tenant in two statements, their
   * messages and recalls routed in one transaction. When that transaction fails for a reason
   * other than the database being away, each is tried alone, so one bad callback fails only itself.
   * `backfill`: route the messages by their time (MessageRouter.deliverBatch).
   */
  private async storeMany(items: readonly Pending[], options: Routing = {}): Promise<Array<Settled<CallbackOutcome>>> {
    if (items.length === 1) {
      const [item] = items;
      return this.store(item.tenantId, item.callId, item.plan, item.print, item.now, options).then(
        (value) => [{ ok: true as const, value }],
        (error: unknown) => [{ ok: false as const, error }],
      );
    }
    const results: Array<Settled<CallbackOutcome> | undefined> = new Array(items.length);
    const byTenant = groupBy(items.keys(), (i) => items[i].tenantId);
    try {
      for (const [tenantId, indexes] of byTenant) {
        const claimed = await this.callIds.claimMany(
          tenantId,
          indexes.map((i) => ({ callId: items[i].callId, fingerprint: items[i].print })),
        );
        indexes.forEach((i, k) => {
          if (!claimed[k]) results[i] = { ok: false, error: OpError.unauthorized('callId 已被使用，内容与首次不同：视为重放或伪造') };
        });
      }
    } catch (error) {
      return items.map(() => ({ ok: false, error }));
    }
    const live = items.map((_, i) => i).filter((i) => results[i] === undefined);
    try {
      const delivered = await this.router.deliverBatch(
        live.map((i) => {
          const { tenantId, plan } = items[i];
          return plan.kind === 'recall'
            ? { tenantId, recall: { hxMsgId: plan.recallId, timeMs: plan.timeMs } }
            : { tenantId, message: plan.routed };
        }),
        options,
      );
      live.forEach((i, k) => (results[i] = { ok: true, value: items[i].plan.kind === 'recall' ? 'recalled' : outcomeOf(delivered[k]) }));
    } catch (error) {
      if (isDatabaseDown(error)) {
        for (const i of live) results[i] = { ok: false, error };
      } else {
        // Claimed already (same content): the lone store claims again, which succeeds.
        for (const i of live) {
          const item = items[i];
          results[i] = await this.store(item.tenantId, item.callId, item.plan, item.print, item.now, options).then(
            (value) => ({ ok: true as const, value }),
            (failure: unknown) => ({ ok: false as const, error: failure }),
          );
        }
      }
    }
    return results as Array<Settled<CallbackOutcome>>;
  }

  private plan(body: Record<string, unknown>): Plan {
    const chatType = body.chat_type;
    if (chatType === 'recall') {
      const recallId = this.field(() => idText(body.recall_id, 'recall_id', true))!;
      return { kind: 'recall', recallId, timeMs: callbackTime(body.timestamp) };
    }
    if (!MESSAGE_EVENTS.has(String(body.eventType)) || !MESSAGE_CHAT_TYPES.has(String(chatType))) return { kind: 'ignored' };
    // The time as authenticate read it: a timestamp sent as digits passed the signature, and a
    // 400 now would lose the message (Easemob retries the same body once, then drops it).
    const message = this.field(() => mapEasemobMessage({ ...body, timestamp: callbackTime(body.timestamp) }));
    if (message.form === null || message.to === null) throw OpError.badRequest('from 和 to 不能为空');
    const groupId = chatType === 'groupchat' ? this.field(() => idText(body.group_id ?? body.to, 'group_id', true)) : null;
    return { kind: 'message', routed: { ...message, qiniuKey: null, groupId } };
  }

  private async store(
    tenantId: string,
    callId: string,
    plan: Exclude<Plan, { kind: 'ignored' }>,
    print: string,
    now: number,
    options: Routing = {},
  ): Promise<CallbackOutcome> {
    if (!(await this.callIds.claim(tenantId, callId, print, now))) {
      throw OpError.unauthorized('callId 已被使用，内容与首次不同：视为重放或伪造');
    }
    if (plan.kind === 'recall') {
      await this.router.recall(tenantId, plan.recallId, plan.timeMs);
      return 'recalled';
    }
    return outcomeOf(await this.router.deliver(tenantId, plan.routed, options));
  }

  /**
   * The tenant of a callback whose appkey is registered, whose security is right and whose
   * timestamp (ms) is within the window of the server clock: the signature binds the callId
   * to that timestamp, so an old callback cannot be sent again once the window has passed.
   */
  private async authenticate(body: Record<string, unknown>): Promise<Verified> {
    const { appkey, callId, security, timestamp } = body;
    if (appkey === undefined || appkey === null || appkey === '') throw OpError.unauthorized('appkey 不能为空');
    if (typeof appkey !== 'string' || appkey.length > 128) throw OpError.unauthorized('appkey 未注册');
    const app = await this.easemobApps.find(appkey);
    if (!app) throw OpError.unauthorized('appkey 未注册');
    if (
      typeof callId !== 'string' ||
      callId === '' ||
      callId.length > MAX_CALL_ID_LENGTH ||
      typeof security !== 'string' ||
      (typeof timestamp !== 'number' && typeof timestamp !== 'string')
    ) {
      throw OpError.unauthorized('security 校验失败');
    }
    const expected = Buffer.from(easemobSecurity(callId, app.callbackSecret, String(timestamp)), 'utf8');
    const given = Buffer.from(security.toLowerCase(), 'utf8');
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw OpError.unauthorized('security 校验失败');
    const time = callbackTime(timestamp);
    if (!Number.isSafeInteger(time) || time <= 0) throw OpError.unauthorized('timestamp 必须是毫秒时间戳（正整数）');
    if (Math.abs(Date.now() - time) > this.windowMs) {
      throw OpError.unauthorized(`timestamp 与服务器时间相差超过 ${this.windowMs / 1000} 秒`);
    }
    return { tenantId: app.tenantId, callId };
  }

  /** Runs a field mapping, turning a bad field into a 400 that names it. */
  private field<T>(map: () => T): T {
    try {
      return map();
    } catch (error) {
      if (error instanceof RecordError) throw OpError.badRequest(error.message);
      throw error;
    }
  }
}
