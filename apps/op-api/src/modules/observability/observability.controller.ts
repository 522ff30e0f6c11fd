import { Controller, Get, Header, Inject, Req, ServiceUnavailableException } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { HealthCheckService, HealthIndicatorService, type HealthCheckResult } from '@nestjs/terminus';
import { RawResponse } from '../../common/decorators/raw-response.decorator';
import { SkipSignature } from '../access/skip-signature.decorator';
import { OpError } from '../../common/errors/op-error';
import type { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { ReadReplicas } from '../../database/read-replicas';
import type { BackendState } from '../../database/spider-shards';
import { checkMetricsAccess } from './metrics-access';
import { DatabaseHealthIndicator, RedisHealthIndicator } from './database.health';
import { MetricsService, type SpoolStatus } from './metrics.service';
import { OpenApiService } from './openapi.service';

/** Liveness, readiness, metrics and the API description: outside the `/op/v2` signature scheme. */
@Controller()
@SkipSignature()
export class ObservabilityController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: DatabaseHealthIndicator,
    private readonly redis: RedisHealthIndicator,
    private readonly metrics: MetricsService,
    private readonly openApi: OpenApiService,
    private readonly healthIndicators: HealthIndicatorService,
    private readonly replicas: ReadReplicas,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Live: the process answers. */
  @Get('healthz')
  healthz(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** Ready: the database (and the shared Redis, when configured) answers; 503 in the envelope otherwise. */
  @Get('readyz')
  async readyz(): Promise<HealthCheckResult> {
    const spool = this.metrics.spoolStatus?.();
    // Side by side: each within the readiness timeout, the whole too.
    const database = this.database.check();
    const backends = await this.database.backends();
    try {
      return await this.health.check([
        () => database,
        ...(this.redis.configured ? [() => this.redis.check()] : []),
        ...(spool ? [() => this.spoolIndicator(spool)] : []),
        ...(this.replicas.configured ? [() => this.replicaIndicator()] : []),
        ...(backends.length > 0 ? [() => this.shardIndicator(backends)] : []),
      ]);
    } catch (error) {
      if (error instanceof ServiceUnavailableException) {
        // The envelope's data is null on errors: the journal's depth and age ride in headers and the message.
        const headers: Record<string, string> = { 'retry-after': '5' };
        let note = '';
        if (spool) {
          headers['x-op-spool-entries'] = String(spool.entries);
          headers['x-op-spool-oldest-age-seconds'] = String(Math.floor(spool.oldestAgeSeconds));
          if (spool.entries > 0)
            note = `（回调暂存 ${spool.entries} 条待写入，最早的 ${Math.floor(spool.oldestAgeSeconds)} 秒前${spool.full ? '，暂存已满' : ''}）`;
        }
        // What is down, in the indicators' own words (`数据库分片后端 2 不可用`, `Redis 不可用`).
        const failed = (error.getResponse() as { error?: Record<string, { message?: unknown }> }).error ?? {};
        const reasons = Object.values(failed).flatMap((entry) => (typeof entry.message === 'string' ? [entry.message] : []));
        throw new OpError(503, `${reasons.length > 0 ? reasons.join('；') : '数据库或 Redis 不可用'}，服务暂未就绪${note}`, headers);
      }
      throw error;
    }
  }

  /**
   * Always up, as replicas are: a backend down fails the calls of its tenants (503) while the
   * other backends' tenants are served, and a process taken out of a balancer would fail those
   * too, callbacks included. Each backend's state is listed, and the message names the ones down.
   */
  private shardIndicator(backends: BackendState[]) {
    const down = backends.filter((state) => !state.up).map((state) => state.backend);
    return this.healthIndicators.check('shards').up({
      backends: backends.map((state) => ({ backend: state.backend, state: state.up ? 'up' : 'down' })),
      message: down.length === 0 ? '全部分片后端可用' : `分片后端 ${down.join('、')} 不可用：其上租户的调用返回 503`,
    });
  }

  /** Down only when the journal is full (callbacks are then refused); depth and age either way. */
  private spoolIndicator(spool: SpoolStatus) {
    const details = { entries: spool.entries, bytes: spool.bytes, oldestAgeSeconds: Math.floor(spool.oldestAgeSeconds) };
    const indicator = this.healthIndicators.check('spool');
    return spool.full ? indicator.down({ ...details, message: '回调暂存已满' }) : indicator.up(details);
  }

  /**
   * Always up (reads fall back to the primary, which the database check covers); each replica's
   * state, lag and last error say which replicas serve.
   */
  private replicaIndicator() {
    const replicas = this.replicas.status();
    const serving = replicas.filter((replica) => replica.state === 'serving').length;
    return this.healthIndicators.check('replicas').up({
      serving,
      message:
        serving === replicas.length ? '只读副本均可用' : `${replicas.length - serving} 个只读副本不可用或延迟过大，相应读取改由主库承担`,
      replicas: replicas.map(({ replica, state, lagMs, error }) => ({ replica, state, lagMs, error })),
    });
  }

  @Get('metrics')
  @RawResponse()
  @Header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
  metricsText(@Req() request: FastifyRequest): Promise<string> {
    checkMetricsAccess(this.config.metrics, '/metrics', request.headers);
    return this.metrics.registry.metrics();
  }

  @Get('openapi.json')
  @RawResponse()
  openApiDocument(@Req() request: FastifyRequest): object {
    checkMetricsAccess(this.config.metrics, '/openapi.json', request.headers);
    return this.openApi.document();
  }
}
