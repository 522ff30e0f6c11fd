import { Inject, Injectable, Logger, Module, Optional, type OnApplicationBootstrap } from '@nestjs/common';
import { ScheduleModule, SchedulerRegistry } from '@nestjs/schedule';
import { CronJob } from 'cron';
import { Gauge } from 'prom-client';
import type { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { MetricsService } from '../observability/metrics.service';
import { ImporterModule } from './importer.module';
import { ReconcileService } from './reconcile.service';

const LAST_SUCCESS_TTL_MS = 30_000;

/**
 * The API's hourly reconciliation (OP_RECONCILE=on, off by default): at OP_RECONCILE_MINUTE
 * past each hour, the previous hour of every app with REST credentials, then a few hours of
 * the last day that no run completed. One run at a time per process; with several API
 * processes, turn it on in one of them (a second would only find everything already stored).
 */
@Injectable()
export class ReconcileScheduler implements OnApplicationBootstrap {
  private readonly logger = new Logger('ReconcileScheduler');
  private running: Promise<unknown> | null = null;
  private lastSuccess: { at: number; rows: Array<{ tenantId: string; time: number }> } | null = null;

  constructor(
    private readonly reconcile: ReconcileService,
    private readonly registry: SchedulerRegistry,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Optional() metrics?: MetricsService,
  ) {
    if (metrics) this.registerMetrics(metrics);
  }

  onApplicationBootstrap(): void {
    if (!this.config.reconcile.enabled) return;
    const job = CronJob.from({ cronTime: `0 ${this.config.reconcile.minute} * * * *`, onTick: () => void this.runOnce(), start: true });
    this.registry.addCronJob('easemob-reconcile', job);
    this.logger.log(`Easemob reconciliation scheduled at minute ${this.config.reconcile.minute} of every hour`);
  }

  /** One scheduled run (skipped while the previous one still runs). */
  async runOnce(now = Date.now()): Promise<void> {
    if (this.running) return;
    this.running = this.reconcile.reconcileRecent(now).then(
      (hours) => this.logger.log(`reconciled ${hours.length} app-hours: ${hours.filter((h) => h.status === 'ok').length} ok`),
      (error: unknown) => this.logger.error(`scheduled reconciliation failed: ${(error as Error).message}`),
    );
    try {
      await this.running;
    } finally {
      this.running = null;
      this.lastSuccess = null;
    }
  }

  private registerMetrics(metrics: MetricsService): void {
    const read = async () => {
      if (this.lastSuccess && Date.now() - this.lastSuccess.at < LAST_SUCCESS_TTL_MS) return this.lastSuccess.rows;
      const rows = await this.reconcile.lastSuccess();
      this.lastSuccess = { at: Date.now(), rows };
      return rows;
    };
    new Gauge({
      name: 'op_easemob_reconcile_last_success_timestamp_seconds',
      help: 'End of the last reconciliation run that completed an hour with no failure, per tenant (unix seconds)',
      labelNames: ['tenant'],
      registers: [metrics.registry],
      async collect() {
        this.reset();
        try {
          for (const row of await read()) this.set({ tenant: row.tenantId }, Math.floor(row.time / 1000));
        } catch {
          // The database is away: the scrape still answers, without this series.
        }
      },
    });
  }
}

@Module({ imports: [ScheduleModule.forRoot(), ImporterModule], providers: [ReconcileScheduler], exports: [ReconcileScheduler] })
export class ReconcileScheduleModule {}
