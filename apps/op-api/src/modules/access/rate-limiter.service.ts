import { Inject, Injectable } from '@nestjs/common';
import type { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { OpError } from '../../common/errors/op-error';
import { SharedRedis } from './shared-redis.service';

const WINDOW_MS = 1_000;

/**
 * Per-client request limit: at most `OP_RATE_LIMIT` signed calls a second per client, counted
 * in one-second windows, across every process through Redis when OP_REDIS_URL is set.
 */
@Injectable()
export class RateLimiter {
  private readonly limit: number;
  private readonly local = new Map<string, { window: number; count: number }>();

  constructor(
    private readonly redis: SharedRedis,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.limit = config.rateLimitPerSecond;
  }

  /** 0 when the call may go on; otherwise the milliseconds until the client's next window. */
  async take(clientId: string, now = Date.now()): Promise<number> {
    if (this.limit === 0) return 0;
    const window = Math.floor(now / WINDOW_MS);
    const wait = (window + 1) * WINDOW_MS - now;
    if (this.redis.client) {
      const key = this.redis.key('rate', clientId, String(window));
      const results = await this.redis.run((redis) =>
        redis
          .multi()
          .incr(key)
          .pexpire(key, 2 * WINDOW_MS)
          .exec(),
      );
      const [error, count] = results?.[0] ?? [new Error('no reply'), null];
      // A limit that cannot be counted fails closed, as unavailable, not silently open.
      if (error || typeof count !== 'number') throw new OpError(503, '限流服务暂不可用，请稍后重试', { 'retry-after': '1' });
      return count > this.limit ? wait : 0;
    }
    const entry = this.local.get(clientId);
    const current = entry && entry.window === window ? entry : { window, count: 0 };
    current.count++;
    if (this.local.size > 100_000) this.local.clear(); // bounded memory
    this.local.set(clientId, current);
    return current.count > this.limit ? wait : 0;
  }
}
