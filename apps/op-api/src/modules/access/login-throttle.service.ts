import { Injectable } from '@nestjs/common';
import { SharedRedis } from './shared-redis.service';

export const LOGIN_WINDOW_MS = 15 * 60_000;
/** Failures allowed per user, and per source address, before sign-in slows down. */
export const FREE_FAILURES_PER_USER = 5;
export const FREE_FAILURES_PER_ADDRESS = 20;
const MAX_LOCK_MS = 15 * 60_000;

/**
 * The in-memory rule as one atomic step in Redis: the count lives as long as the window from
 * the first failure, or as long as the lock if that is longer. ARGV: free, now, window, max lock.
 */
const RECORD_FAILURE = `
local count = redis.call('HINCRBY', KEYS[1], 'count', 1)
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[3]) end
local free = tonumber(ARGV[1])
if count > free then
  local lock = math.min(tonumber(ARGV[4]), 1000 * 2 ^ (count - free - 1))
  redis.call('HSET', KEYS[1], 'lockedUntil', tonumber(ARGV[2]) + lock)
  if redis.call('PTTL', KEYS[1]) < lock then redis.call('PEXPIRE', KEYS[1], lock) end
end
return count`;

interface Failures {
  count: number;
  firstAt: number;
  lockedUntil: number;
}

/**
 * Slows down password guessing: past the free failures of a user or an address within the
 * window, each further failure locks that key for twice as long as the last (1 s, 2 s, …,
 * at most 15 min). Shared by every process through Redis when OP_REDIS_URL is set (one
 * atomic script per failure), else in this process.
 */
@Injectable()
export class LoginThrottle {
  private readonly failures = new Map<string, Failures>();

  constructor(private readonly redis: SharedRedis) {}

  /** Milliseconds to wait before this user or address may try again; 0 when free. */
  async waitMs(user: string, address: string, now = Date.now()): Promise<number> {
    if (this.redis.client) {
      const [u, a] = await this.redis.run((redis) =>
        Promise.all([`u:${user}`, `a:${address}`].map((key) => redis.hget(this.redis.key('login', key), 'lockedUntil'))),
      );
      return Math.max(0, Number(u ?? 0) - now, Number(a ?? 0) - now);
    }
    return Math.max(this.lockOf(`u:${user}`, now), this.lockOf(`a:${address}`, now));
  }

  async fail(user: string, address: string, now = Date.now()): Promise<void> {
    if (this.redis.client) {
      await this.redis.run((redis) =>
        Promise.all([
          redis.eval(RECORD_FAILURE, 1, this.redis.key('login', `u:${user}`), FREE_FAILURES_PER_USER, now, LOGIN_WINDOW_MS, MAX_LOCK_MS),
          redis.eval(RECORD_FAILURE, 1, this.redis.key('login', `a:${address}`), FREE_FAILURES_PER_ADDRESS, now, LOGIN_WINDOW_MS, MAX_LOCK_MS),
        ]),
      );
      return;
    }
    this.record(`u:${user}`, FREE_FAILURES_PER_USER, now);
    this.record(`a:${address}`, FREE_FAILURES_PER_ADDRESS, now);
  }

  async succeed(user: string): Promise<void> {
    if (this.redis.client) {
      await this.redis.run((redis) => redis.del(this.redis.key('login', `u:${user}`)));
      return;
    }
    this.failures.delete(`u:${user}`);
  }

  private lockOf(key: string, now: number): number {
    const entry = this.failures.get(key);
    if (!entry) return 0;
    if (now - entry.firstAt > LOGIN_WINDOW_MS && entry.lockedUntil <= now) {
      this.failures.delete(key);
      return 0;
    }
    return Math.max(0, entry.lockedUntil - now);
  }

  private record(key: string, free: number, now: number): void {
    const entry = this.failures.get(key);
    const current = entry && now - entry.firstAt <= LOGIN_WINDOW_MS ? entry : { count: 0, firstAt: now, lockedUntil: 0 };
    current.count++;
    if (current.count > free) current.lockedUntil = now + Math.min(MAX_LOCK_MS, 1000 * 2 ** (current.count - free - 1));
    if (this.failures.size > 100_000) this.failures.clear(); // bounded memory under a flood of names
    this.failures.set(key, current);
  }
}
