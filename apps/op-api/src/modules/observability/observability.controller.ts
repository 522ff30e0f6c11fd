import { Controller, Get, Header, ServiceUnavailableException } from '@nestjs/common';
import { HealthCheckService, type HealthCheckResult } from '@nestjs/terminus';
import { RawResponse } from '../../common/decorators/raw-response.decorator';
import { SkipSignature } from '../../common/decorators/skip-signature.decorator';
import { OpError } from '../../common/errors/op-error';
import { DatabaseHealthIndicator, RedisHealthIndicator } from './database.health';
import { MetricsService } from './metrics.service';
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
  ) {}

  /** Live: the process answers. */
  @Get('healthz')
  healthz(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** Ready: the database (and the shared Redis, when configured) answers; 503 in the envelope otherwise. */
  @Get('readyz')
  async readyz(): Promise<HealthCheckResult> {
    try {
      return await this.health.check([() => this.database.check(), ...(this.redis.configured ? [() => this.redis.check()] : [])]);
    } catch (error) {
      if (error instanceof ServiceUnavailableException) throw new OpError(503, '数据库或 Redis 不可用，服务暂未就绪', { 'retry-after': '5' });
      throw error;
    }
  }

  @Get('metrics')
  @RawResponse()
  @Header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
  metricsText(): Promise<string> {
    return this.metrics.registry.metrics();
  }

  @Get('openapi.json')
  @RawResponse()
  openApiDocument(): object {
    return this.openApi.document();
  }
}
