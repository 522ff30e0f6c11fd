import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { Redis, ReplyError } from 'ioredis';
import { OpError } from '../../common/errors/op-error';
import type { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';

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
   * Runs commands on the shared Redis. When it cannot be reached the caller gets 503 with
   * Retry-After, as for a database outage, and the process recovers by itself once Redis is
   * back. Redis answering with an error (a bug of ours) stays a 500.
   */
  async run<T>(commands: (client: Redis) => Promise<T>): Promise<T> {
    if (!this.client) throw new Error('OP_REDIS_URL is not set');
    try {
      return await commands(this.client);
    } catch (error) {
      if (error instanceof ReplyError) throw error;
      throw new OpError(503, '共享状态服务（Redis）暂不可用，请稍后重试', { 'retry-after': '5' });
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
