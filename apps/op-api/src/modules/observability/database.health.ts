import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { DataSource } from 'typeorm';
import { unreachableBackends } from '../../database/spider-shards';
import { SharedRedis } from '../access/shared-redis.service';

export const READINESS_TIMEOUT_MS = 2_000;

/** Ready when the database answers `SELECT 1` within the timeout, and on a Spider front each of its backends too. */
@Injectable()
export class DatabaseHealthIndicator {
  constructor(
    private readonly dataSource: DataSource,
    private readonly health: HealthIndicatorService,
  ) {}

  async check(key = 'database') {
    const indicator = this.health.check(key);
    let timer: NodeJS.Timeout | undefined;
    try {
      const down = await Promise.race([
        this.dataSource.query('SELECT 1').then(() => unreachableBackends(this.dataSource, READINESS_TIMEOUT_MS / 2)),
        new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('timeout')), READINESS_TIMEOUT_MS))),
      ]);
      return down.length === 0 ? indicator.up() : indicator.down({ message: `数据库分片后端 ${down.join('、')} 不可用`, backends: down });
    } catch {
      return indicator.down({ message: '数据库不可用' });
    } finally {
      clearTimeout(timer);
    }
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
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.redis.client!.ping(),
        new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('timeout')), READINESS_TIMEOUT_MS))),
      ]);
      return indicator.up();
    } catch {
      return indicator.down({ message: 'Redis 不可用' });
    } finally {
      clearTimeout(timer);
    }
  }
}
