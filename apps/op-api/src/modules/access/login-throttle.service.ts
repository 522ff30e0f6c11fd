import { Injectable } from '@nestjs/common';
import { SharedRedis } from './shared-redis.service';

export const LOGIN_WINDOW_MS = 15 * 60_000;
/** Failures allowed per user, and per source address, before sign-in slows down. */
export const FREE_FAILURES_PER_USER = 5;
export const FREE_FAILURES_PER_ADDRESS = 20;
const MAX_LOCK_MS = 15 * 60_000;
/** How long a user who signed in from an address is known there (exempt from that address's lock). */
export const KNOWN_ADDRESS_MS = 30 * 24 * 3600_000;

/**
 * One attempt, counted before the password is hashed, as one atomic step: refused (the wait
 * in ms) while the user is locked, or while the address is locked and the user is not known
 * there; otherwise counted on both keys, each locking for 1 s, 2 s, 4 s… (at most 15 min)
 * past its free failures. KEYS: user, address, known pair. ARGV: now, window, max lock, free
 * per user, free per address.
 */
const BEGIN = `
local now = tonumber(ARGV[1])
local user = tonumber(redis.call('HGET', KEYS[1], 'lockedUntil') or '0')
local address = 0
if redis.call('EXISTS', KEYS[3]) == 0 then address = tonumber(redis.call('HGET', KEYS[2], 'lockedUntil') or '0') end
local wait = math.max(user - now, address - now, 0)
if wait > 0 then return wait end
for i = 1, 2 do
  local count = redis.call('HINCRBY', KEYS[i], 'count', 1)
  if count == 1 then redis.call('PEXPIRE', KEYS[i], ARGV[2]) end
  local free = tonumber(ARGV[3 + i])
  if count > free then
    local lock = math.min(tonumber(ARGV[3]), 1000 * 2 ^ (count - free - 1))
    redis.call('HSET', KEYS[i], 'lockedUntil', now + lock)
    if redis.call('PTTL', KEYS[i]) < lock then redis.call('PEXPIRE', KEYS[i], lock) end
  end
end
return 0`;

/**
 * A success gives its attempt back: the user starts afresh, the address loses one count (and
 * its lock, back within its free failures), and the user is known at the address.
 * KEYS: user, address, known pair. ARGV: free per address, known for.
 */
const SUCCEED = `
redis.call('DEL', KEYS[1])
if redis.call('EXISTS', KEYS[2]) == 1 then
  local count = redis.call('HINCRBY', KEYS[2], 'count', -1)
  if count <= tonumber(ARGV[1]) then redis.call('HDEL', KEYS[2], 'lockedUntil') end
end
redis.call('SET', KEYS[3], '1', 'PX', ARGV[2])
return 0`;

interface Failures {
  count: number;
  firstAt: number;
  lockedUntil: number;
}

/**
 * Slows down password guessing. A user's failures lock that user; an address's failures (any
 * names) lock that address, except for users who signed in from it before, so failures on
 * other names never lock out a user known there (and with the panel naming the browser's
 * address, never a user anywhere else). Each attempt is counted before the slow hash, in one
 * atomic step, so a parallel burst meets the same limit as a sequence. Shared by every
 * process through Redis when OP_REDIS_URL is set, else in this process.
 */
@Injectable()
export class LoginThrottle {
  private readonly failures = new Map<string, Failures>();
  private readonly known = new Map<string, number>();

  constructor(private readonly redis: SharedRedis) {}

  /** Counts an attempt; 0 when it may go on, else the milliseconds to wait (nothing counted). */
  async begin(user: string, address: string, now = Date.now()): Promise<number> {
    const [userKey, addressKey, knownKey] = [`u:${user}`, `a:${address}`, `k:${user}\n${address}`];
    if (this.redis.client) {
      const wait = await this.redis.run((redis) =>
        redis.eval(
          BEGIN,
          3,
          ...[userKey, addressKey, knownKey].map((key) => this.redis.key('login', key)),
          now,
          LOGIN_WINDOW_MS,
          MAX_LOCK_MS,
          FREE_FAILURES_PER_USER,
          FREE_FAILURES_PER_ADDRESS,
        ),
      );
      return Number(wait);
    }
    const knownHere = (this.known.get(knownKey) ?? 0) > now;
    const wait = Math.max(this.lockOf(userKey, now), knownHere ? 0 : this.lockOf(addressKey, now));
    if (wait > 0) return wait;
    this.record(userKey, FREE_FAILURES_PER_USER, now);
    this.record(addressKey, FREE_FAILURES_PER_ADDRESS, now);
    return 0;
  }

  async succeed(user: string, address: string, now = Date.now()): Promise<void> {
    const [userKey, addressKey, knownKey] = [`u:${user}`, `a:${address}`, `k:${user}\n${address}`];
    if (this.redis.client) {
      await this.redis.run((redis) =>
        redis.eval(
          SUCCEED,
          3,
          ...[userKey, addressKey, knownKey].map((key) => this.redis.key('login', key)),
          FREE_FAILURES_PER_ADDRESS,
          KNOWN_ADDRESS_MS,
        ),
      );
      return;
    }
    this.failures.delete(userKey);
    const entry = this.failures.get(addressKey);
    if (entry) {
      entry.count = Math.max(0, entry.count - 1);
      if (entry.count <= FREE_FAILURES_PER_ADDRESS) entry.lockedUntil = 0;
    }
    if (this.known.size > 100_000) this.known.clear(); // bounded memory
    this.known.set(knownKey, now + KNOWN_ADDRESS_MS);
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
