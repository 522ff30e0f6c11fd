import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { AuditAction, AuditTarget, AuditTargets } from '@op/contracts';
import { DataSource } from 'typeorm';
import type { OpContext } from '../access/op-context';
import { Snowflake } from '../../common/util/snowflake';
import type { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';

export interface AuditEntry {
  tenantId: string;
  operatorId: string;
  clientId: string;
  action: AuditAction;
  /** The chat_id column: the chat acted on (the target's own `chatId`), or null. */
  chatId: string | null;
  /** What was acted on, stored as JSON text without the `chatId` the chat_id column holds. */
  target: Partial<AuditTarget>;
  ip: string;
  timeMs: number;
}

/**
 * The actions whose target names the chat acted on. Their `chatId` is stored once, in the
 * chat_id column (which auditList filters on), and put back into the target when read. The
 * type makes this list follow {@link AuditTargets}.
 */
export const TARGET_NAMES_CHAT: { readonly [A in keyof AuditTargets]: 'chatId' extends keyof AuditTargets[A] ? true : false } = {
  chatMessageList: true,
  chatSearch: true,
  chatMessageSearch: true,
  messageMarkAdd: true,
  messageMarkRemove: true,
  messageFavoriteAdd: true,
  messageFavoriteRemove: true,
  chatExport: true,
  customerErase: false,
  auditExport: false,
};

const COLUMNS = ['id', 'tenant_id', 'operator_id', 'client_id', 'action', 'chat_id', 'target', 'ip', 'create_time'];
const FLUSH_EVERY_MS = 1_000;
const BATCH = 500;
/** Past this many unwritten entries (the database is down) the oldest are dropped, loudly. */
const MAX_PENDING = 100_000;

/**
 * The audit trail, written off the request path: a request only appends to a buffer; a timer
 * (and a full buffer) writes it in multi-row inserts, and the buffer is written before the
 * database closes at shutdown. The price: entries of the last second are lost if the process
 * is killed outright.
 */
@Injectable()
export class AuditLog implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger('AuditLog');
  private readonly ids: Snowflake;
  private pending: AuditEntry[] = [];
  private flushing: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | null = null;
  readonly enabled: boolean;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.ids = new Snowflake(config.workerId);
    this.enabled = config.auditEnabled;
  }

  onModuleInit(): void {
    if (!this.enabled) return;
    this.timer = setInterval(() => void this.flush(), FLUSH_EVERY_MS);
    this.timer.unref();
  }

  /**
   * Records one action by the caller of `context`; returns at once. The record's chat is the
   * target's `chatId` when the target names one, else `chatId` (auditExport's chat filter).
   */
  record<A extends AuditAction>(context: OpContext, action: A, target: AuditTargets[A], chatId: string | null = null): void {
    if (!this.enabled || !context.operator) return;
    const { chatId: named, ...rest } = target as AuditTarget & { chatId?: string };
    const namesChat = TARGET_NAMES_CHAT[action] && named !== undefined;
    this.pending.push({
      tenantId: context.tenantId,
      operatorId: context.operator.id,
      clientId: context.clientId,
      action,
      chatId: namesChat ? named : chatId,
      target: namesChat ? rest : target,
      ip: context.ip.slice(0, 64),
      timeMs: Date.now(),
    });
    if (this.pending.length > MAX_PENDING) {
      const dropped = this.pending.splice(0, this.pending.length - MAX_PENDING).length;
      this.logger.error(`audit buffer full: dropped ${dropped} oldest entries`);
    }
    if (this.pending.length >= BATCH) void this.flush();
  }

  /** Writes everything recorded so far; resolves when it is stored. Tests call this before reading. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(() => this.writePending());
    return this.flushing;
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    // Runs before DatabaseModule closes the data source (onApplicationShutdown).
    await this.flush();
  }

  private async writePending(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0, BATCH);
      try {
        await this.insert(batch);
      } catch (error) {
        this.pending.unshift(...batch);
        this.logger.error(`audit write failed, will retry: ${error instanceof Error ? error.message : String(error)}`);
        return;
      }
    }
  }

  private async insert(batch: AuditEntry[]): Promise<void> {
    const row = `(${COLUMNS.map(() => '?').join(', ')})`;
    const values = batch.flatMap((e) => [
      BigInt(this.ids.next()),
      e.tenantId,
      e.operatorId,
      e.clientId,
      e.action,
      e.chatId,
      JSON.stringify(e.target),
      e.ip,
      e.timeMs,
    ]);
    await this.dataSource.query(`INSERT INTO audit_logs (${COLUMNS.join(', ')}) VALUES ${batch.map(() => row).join(', ')}`, values);
  }
}
