import { Injectable } from '@nestjs/common';

export const LOGIN_WINDOW_MS = 15 * 60_000;
/** Failures allowed per user, and per source address, before sign-in slows down. */
export const FREE_FAILURES_PER_USER = 5;
export const FREE_FAILURES_PER_ADDRESS = 20;
const MAX_LOCK_MS = 15 * 60_000;

interface Failures {
  count: number;
  firstAt: number;
  lockedUntil: number;
}

/**
 * Slows down password guessing: past the free failures of a user or an address within the
 * window, each further failure locks that key for twice as long as the last (1 s, 2 s, …,
 * at most 15 min). In this process; several processes share it through Redis later.
 */
@Injectable()
export class LoginThrottle {
  private readonly failures = new Map<string, Failures>();

  /** Milliseconds to wait before this user or address may try again; 0 when free. */
  waitMs(user: string, address: string, now = Date.now()): number {
    return Math.max(this.lockOf(`u:${user}`, now), this.lockOf(`a:${address}`, now));
  }

  fail(user: string, address: string, now = Date.now()): void {
    this.record(`u:${user}`, FREE_FAILURES_PER_USER, now);
    this.record(`a:${address}`, FREE_FAILURES_PER_ADDRESS, now);
  }

  succeed(user: string): void {
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
