import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { RetentionPolicy, RetentionRunResult, RetentionRunTenant } from '@op/contracts';
import { CronJob } from 'cron';
import { DataSource } from 'typeorm';
import { OpError } from '../../common/errors/op-error';
import type { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { dialectOf, merge } from '../../database/dialect';
import { JobLease } from '../../database/job-lease';
import { interrupted } from '../../common/util/interruption';
import { cutoffOf, policyDays, type RetentionPolicyRow } from '../../database/retention-policies';
import { deleteCounted, placeholders } from '../../database/sql';
import { inTransaction } from '../../database/transaction';
import { ChatPurger, noPurge, PURGE_BATCH } from './chat-purge.service';
import { rest } from '../../common/util/next-turn';

/** The answer while another process runs retention. */
export const RETENTION_BUSY = '另一个进程正在执行保留策略（retention:run），请稍后再试';

/** Days a policy may name: up to 100 years. */
const MAX_DAYS = 36_500;

/**
 * Each tenant's retention: chats whose last message is older than `messageDays` are deleted
 * whole (ChatPurger: messages, marks, favorites, index entries), audit records older than
 * `auditDays` too; both in statements of at most PURGE_BATCH rows. Set and run with `opctl`;
 * the API runs it on OP_RETENTION_SCHEDULE (RetentionScheduler).
 */
@Injectable()
export class RetentionService {
  private readonly logger = new Logger('Retention');
  /** Set at shutdown: a run stops after the chat or batch at hand. */
  private stopping = false;

  /** One run at a time across every API process and `opctl` on the database. */
  private readonly lease: JobLease;

  constructor(
    private readonly dataSource: DataSource,
    private readonly purger: ChatPurger,
  ) {
    this.lease = new JobLease(dataSource, 'retention');
  }

  stop(): void {
    this.stopping = true;
  }

  /** The API shutting down, or opctl told to stop: the run ends after the batch under way. */
  private stopped(): boolean {
    return this.stopping || interrupted();
  }

  async setPolicy(tenantId: string, messageDays: number | undefined, auditDays: number | undefined): Promise<RetentionPolicy> {
    const tenants: unknown[] = await this.dataSource.query('SELECT id FROM tenants WHERE id = ?', [tenantId]);
    if (tenants.length === 0) throw OpError.notFound(`--tenant ${tenantId} 对应的租户不存在`);
    for (const [flag, value] of [
      ['message-days', messageDays],
      ['audit-days', auditDays],
    ] as const) {
      if (value !== undefined && value > MAX_DAYS) throw OpError.badRequest(`--${flag} 不能大于 ${MAX_DAYS}`);
    }
    const policy: RetentionPolicy = { tenantId, messageDays: messageDays || null, auditDays: auditDays || null };
    const upsert = dialectOf(this.dataSource).onConflict(['tenant_id'], {
      message_days: merge.replace,
      audit_days: merge.replace,
      update_time: merge.replace,
    });
    await this.dataSource.query(
      `INSERT INTO retention_policies (tenant_id, message_days, audit_days, update_time) VALUES (?, ?, ?, ?) ${upsert}`,
      [tenantId, policy.messageDays, policy.auditDays, Date.now()],
    );
    return policy;
  }

  async policy(tenantId: string): Promise<RetentionPolicy | null> {
    const rows: RetentionPolicyRow[] = await this.dataSource.query(
      'SELECT tenant_id, message_days, audit_days FROM retention_policies WHERE tenant_id = ?',
      [tenantId],
    );
    return rows.length === 0
      ? null
      : { tenantId, messageDays: policyDays(rows[0].message_days), auditDays: policyDays(rows[0].audit_days) };
  }

  /**
   * Applies the policies of every tenant that has one, or of one tenant (zeros when it has none).
   * 409 while another process runs it (the API's schedule on another machine, an `opctl` run).
   */
  async run(tenantId?: string, now = Date.now()): Promise<RetentionRunResult> {
    if (tenantId !== undefined) {
      const tenants: unknown[] = await this.dataSource.query('SELECT id FROM tenants WHERE id = ?', [tenantId]);
      if (tenants.length === 0) throw OpError.notFound(`--tenant ${tenantId} 对应的租户不存在`);
    }
    const held = await this.lease.run(() => this.apply(tenantId, now));
    if (held === null) throw OpError.conflict(RETENTION_BUSY);
    return held.value;
  }

  private async apply(tenantId: string | undefined, now: number): Promise<RetentionRunResult> {
    const rows: RetentionPolicyRow[] = await this.dataSource.query(
      `SELECT tenant_id, message_days, audit_days FROM retention_policies${tenantId === undefined ? '' : ' WHERE tenant_id = ?'} ORDER BY tenant_id`,
      tenantId === undefined ? [] : [tenantId],
    );
    const result: RetentionRunResult = { tenants: [] };
    if (tenantId !== undefined && rows.length === 0) result.tenants.push({ tenantId, chats: 0, messages: 0, auditRecords: 0 });
    for (const row of rows) {
      if (this.stopped()) break;
      const entry: RetentionRunTenant = { tenantId: row.tenant_id, chats: 0, messages: 0, auditRecords: 0 };
      const messageCutoff = cutoffOf(policyDays(row.message_days), now);
      const auditCutoff = cutoffOf(policyDays(row.audit_days), now);
      if (messageCutoff !== null) {
        const counts = await this.purgeChatsBefore(row.tenant_id, messageCutoff);
        entry.chats = counts.chats;
        entry.messages = counts.messages;
      }
      if (auditCutoff !== null) entry.auditRecords = await this.purgeAuditBefore(row.tenant_id, auditCutoff);
      // A run stopped part-way did not apply the policy: its time is not recorded.
      if (!this.stopped())
        await this.dataSource.query('UPDATE retention_policies SET last_run_time = ? WHERE tenant_id = ?', [Date.now(), row.tenant_id]);
      if (entry.chats + entry.auditRecords > 0) {
        this.logger.log(
          `retention ${row.tenant_id}: ${entry.chats} chats, ${entry.messages} messages, ${entry.auditRecords} audit records deleted`,
        );
      }
      result.tenants.push(entry);
    }
    return result;
  }

  /** Chats whose last message (or, with none, whose creation) is before `cutoffMs`, along idx_chats_tenant_last. */
  private async purgeChatsBefore(tenantId: string, cutoffMs: number) {
    const counts = noPurge();
    for (;;) {
      const rows: Array<{ id: string }> = await this.dataSource.query(
        'SELECT id FROM chats WHERE tenant_id = ? AND (last_message_time < ? OR (last_message_time IS NULL AND create_time < ?)) ' +
          `ORDER BY last_message_time LIMIT ${PURGE_BATCH}`,
        [tenantId, cutoffMs, cutoffMs],
      );
      if (rows.length === 0 || this.stopped()) return counts;
      const before = counts.chats;
      const chatIds = rows.map((row) => row.id);
      // Free their customers first, as an erasure does: a message arriving now opens a new chat.
      await this.dataSource.query(`DELETE FROM chat_open WHERE tenant_id = ? AND chat_id IN (${placeholders(chatIds.length)})`, [
        tenantId,
        ...chatIds,
      ]);
      await this.purger.purgeChats(tenantId, chatIds, counts, () => this.stopped());
      // A chat that took a new message meanwhile is kept: stop when a round deletes nothing.
      if (counts.chats === before) return counts;
    }
  }

  private async purgeAuditBefore(tenantId: string, cutoffMs: number): Promise<number> {
    let deleted = 0;
    for (;;) {
      const rows: Array<{ id: string }> = await this.dataSource.query(
        `SELECT CAST(id AS CHAR) AS id FROM audit_logs WHERE tenant_id = ? AND create_time < ? LIMIT ${PURGE_BATCH}`,
        [tenantId, cutoffMs],
      );
      if (rows.length === 0 || this.stopped()) return deleted;
      const started = Date.now();
      deleted += await inTransaction(this.dataSource, (manager) =>
        deleteCounted(manager, 'audit_logs', `tenant_id = ? AND id IN (${placeholders(rows.length)})`, [
          tenantId,
          ...rows.map((row) => BigInt(row.id)),
        ]),
      );
      await rest(Date.now() - started);
    }
  }
}

/**
 * Runs the retention policies inside the API on OP_RETENTION_SCHEDULE (cron, in OP_TIMEZONE),
 * one run at a time per process; with no policy set a run costs one query. Several API
 * processes may run at the same moment: deletions are idempotent, the second finds less to do.
 */
@Injectable()
export class RetentionScheduler implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger('RetentionScheduler');
  private job: CronJob | null = null;
  private running: Promise<unknown> | null = null;

  constructor(
    private readonly retention: RetentionService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    if (this.config.retentionSchedule === null) return;
    this.job = CronJob.from({
      cronTime: this.config.retentionSchedule,
      timeZone: this.config.timezone,
      start: true,
      onTick: () => {
        if (this.running) return;
        this.running = this.retention
          .run()
          .catch((error: unknown) => {
            // Another process (another API machine, an opctl run) has it: its run covers this tick.
            if (error instanceof OpError && error.code === 409) this.logger.log('retention run skipped: another process runs it');
            else this.logger.error(`retention run failed: ${error instanceof Error ? error.message : String(error)}`);
          })
          .finally(() => {
            this.running = null;
          });
      },
    });
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.job?.stop();
    this.retention.stop();
    await this.running;
  }
}
