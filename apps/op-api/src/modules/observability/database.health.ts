import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { DataSource } from 'typeorm';
import { within } from '../../common/util/within';
import { backendStates, type BackendState } from '../../database/spider-shards';
import { SharedRedis } from '../access/shared-redis.service';

export const READINESS_TIMEOUT_MS = 2_000;

/** Ready when the database answers `SELECT 1` within the timeout. */
@Injectable()
export class DatabaseHealthIndicator {
  constructor(
    private readonly dataSource: DataSource,
    private readonly health: HealthIndicatorService,
  ) {}

  async check(key = 'database') {
    const indicator = this.health.check(key);
    try {
      await within(this.dataSource.query('SELECT 1'), READINESS_TIMEOUT_MS);
      return indicator.up();
    } catch {
      return indicator.down({ message: '数据库不可用' });
    }
  }

  /** On a Spider front, whether each backend answers now (within half the timeout); empty anywhere else, or when the front does not answer. */
  async backends(): Promise<BackendState[]> {
    return within(backendStates(this.dataSource, READINESS_TIMEOUT_MS / 2), READINESS_TIMEOUT_MS).catch(() => []);
  }
}

/** Ready when the shared Redis (OP_REDIS_URL) answers PING, if one is configured. */
@Injectable()
export class RedisHealthIndicator {
  constructor(
    private readonly redis: SharedRedis,
    private readonly health: HealthIndicatorService,
  ) {}

  get configured(): boolean {
    return this.redis.client !== null;
  }

  async check(key = 'redis') {
    const indicator = this.health.check(key);
    try {
      await within(this.redis.client!.ping(), READINESS_TIMEOUT_MS);
      return indicator.up();
    } catch {
      return indicator.down({ message: 'Redis 不可用' });
    }
  }
}
