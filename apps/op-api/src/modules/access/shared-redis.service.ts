import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { Redis, ReplyError } from 'ioredis';
import { OpError } from '../../common/errors/op-error';
import type { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';

const UNAVAILABLE_REPLY = /^(LOADING|READONLY|MASTERDOWN|BUSY|OOM|TRYAGAIN|CLUSTERDOWN)\b/;

/** ioredis's own failures (connection closed, retries spent, socket errors) and replies that mean "not now". */
function isRedisUnavailable(error: unknown): boolean {
  if (error instanceof ReplyError) return UNAVAILABLE_REPLY.test((error as Error).message);
  if (error instanceof OpError || error instanceof TypeError || error instanceof RangeError || error instanceof ReferenceError)
    return false;
  return error instanceof Error;
}

/**
 * The Redis that several API processes share (OP_REDIS_URL), or none: then the replay check
 * and the sign-in throttle stay in this process. Keys start with OP_REDIS_PREFIX.
 */
@Injectable()
export class SharedRedis implements OnApplicationShutdown {
  readonly client: Redis | null;
  readonly prefix: string;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.prefix = config.redis?.prefix ?? '';
    this.client = config.redis
      ? new Redis(config.redis.url, {
          // A request waits for Redis at most a few seconds, then fails (503), rather than hanging.
          maxRetriesPerRequest: 2,
          connectTimeout: 3_000,
          lazyConnect: false,
        })
      : null;
    // Connection errors surface on the commands that need Redis; keep them out of the process log loop.
    this.client?.on('error', () => undefined);
  }

  /**
   * Runs commands on the shared Redis. When it cannot be reached, or answers that it cannot
   * serve (loading, read-only replica, no master, busy, out of memory), the caller gets 503
   * with Retry-After, as for a database outage, and the process recovers by itself once
   * Redis is back. Any other reply error, and any error of our own code, stays what it is.
   */
  async run<T>(commands: (client: Redis) => Promise<T>): Promise<T> {
    if (!this.client) throw new Error('OP_REDIS_URL is not set');
    try {
      return await commands(this.client);
    } catch (error) {
      if (isRedisUnavailable(error)) throw new OpError(503, '共享状态服务（Redis）暂不可用，请稍后重试', { 'retry-after': '5' });
      throw error;
    }
  }

  key(...parts: string[]): string {
    return this.prefix + parts.join(':');
  }

  async onApplicationShutdown(): Promise<void> {
    if (!this.client) return;
    try {
      await this.client.quit();
    } catch {
      this.client.disconnect();
    }
  }
}
