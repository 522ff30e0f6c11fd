import { Injectable, type OnModuleDestroy } from '@nestjs/common';

export const NONCE_WINDOW_MS = 600_000;

/** Remembers `(client, nonce)` pairs for the replay window (in this process). */
@Injectable()
export class ReplayGuard implements OnModuleDestroy {
  private readonly seen = new Map<string, number>();
  private readonly sweeper = setInterval(() => this.sweep(Date.now()), 60_000).unref();

  /** True the first time a pair is seen within the window; false for a replay. */
  claim(clientId: string, nonce: string, now = Date.now()): boolean {
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
