import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { SharedRedis } from './shared-redis.service';

export const NONCE_WINDOW_MS = 600_000;

/**
 * Remembers `(client, nonce)` pairs for the replay window: in Redis when OP_REDIS_URL is set
 * (one `SET NX PX`, so every process sharing it refuses a nonce any of them has seen), else
 * in this process.
 */
@Injectable()
export class NonceStore implements OnModuleDestroy {
  private readonly seen = new Map<string, number>();
  private readonly sweeper = setInterval(() => this.sweep(Date.now()), 60_000).unref();

  constructor(private readonly redis: SharedRedis) {}

  /** True the first time a pair is seen within the window; false for a replay. */
  async claim(clientId: string, nonce: string, now = Date.now()): Promise<boolean> {
    if (this.redis.client) {
      // The client id is hex and the nonce visible ASCII, so ':' keeps keys apart.
      const set = await this.redis.run((redis) => redis.set(this.redis.key('nonce', clientId, nonce), '1', 'PX', NONCE_WINDOW_MS, 'NX'));
      return set === 'OK';
    }
    const key = `${clientId}\n${nonce}`;
    const expiry = this.seen.get(key);
    if (expiry !== undefined && expiry > now) return false;
    this.seen.set(key, now + NONCE_WINDOW_MS);
    return true;
  }

  private sweep(now: number): void {
    for (const [key, expiry] of this.seen) if (expiry <= now) this.seen.delete(key);
  }

  onModuleDestroy(): void {
    clearInterval(this.sweeper);
  }
}
