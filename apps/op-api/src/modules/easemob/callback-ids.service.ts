import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { dialectOf } from '../../database/dialect';
import { affectedRows, placeholders, valueRows } from '../../database/sql';
import { retryTransient } from '../../database/transaction';
import { SharedRedis } from '../access/shared-redis.service';
import { ascending } from '../../common/util/ascending';

const PRUNE_EVERY_MS = 60_000;

/**
 * The Easemob callIds accepted recently, each with the fingerprint of the content it carried.
 * Easemob's `security` signs callId and timestamp but not the content, so a callId seen once
 * may come again only with that content (a redelivery); with any other it is a forgery.
 * Entries outlive the timestamp window (a callId is bound to its timestamp by the signature,
 * so past the window it is refused anyway). Redis when OP_REDIS_URL is set (one
 * `SET NX GET`), else the database (`easemob_callback_ids`, pruned about once a minute).
 */
@Injectable()
export class CallbackIds {
  private readonly ttlMs: number;
  private lastPrune = 0;

  constructor(
    private readonly dataSource: DataSource,
    private readonly redis: SharedRedis,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.ttlMs = (2 * config.callbackWindowSeconds + 60) * 1000;
  }

  /** True when the callId is new, or known with this very fingerprint; false for other content. */
  async claim(tenantId: string, callId: string, fingerprint: string, now = Date.now()): Promise<boolean> {
    if (this.redis.client) {
      const key = this.redis.key('callback', tenantId, callId);
      const previous = await this.redis.run((redis) => redis.call('SET', key, fingerprint, 'PX', String(this.ttlMs), 'NX', 'GET'));
      return previous === null || previous === fingerprint;
    }
    await this.prune(now);
    const inserted = await this.insert(tenantId, [{ callId, fingerprint }], now);
    if (inserted > 0) return true;
    const rows: Array<{ fingerprint: string }> = await this.dataSource.query(
      'SELECT fingerprint FROM easemob_callback_ids WHERE tenant_id = ? AND call_id = ?',
      [tenantId, callId],
    );
    return rows.length > 0 && rows[0].fingerprint === fingerprint;
  }

  /**
   * {@link claim} for many callIds of one tenant in one multi-row insert, and one read of the
   * fingerprints when some were known: what group commit and the journal's drain use.
   */
  async claimMany(tenantId: string, claims: ReadonlyArray<{ callId: string; fingerprint: string }>, now = Date.now()): Promise<boolean[]> {
    if (claims.length === 0) return [];
    if (claims.length === 1) return [await this.claim(tenantId, claims[0].callId, claims[0].fingerprint, now)];
    if (this.redis.client) {
      const previous = await this.redis.run((redis) => {
        const pipeline = redis.pipeline();
        for (const { callId, fingerprint } of claims)
          pipeline.call('SET', this.redis.key('callback', tenantId, callId), fingerprint, 'PX', String(this.ttlMs), 'NX', 'GET');
        return pipeline.exec();
      });
      return claims.map(({ fingerprint }, i) => {
        const [error, value] = previous?.[i] ?? [new Error('no reply'), null];
        if (error) throw error;
        return value === null || value === fingerprint;
      });
    }
    await this.prune(now);
    const inserted = await this.insert(tenantId, claims, now);
    // All new (the usual case): nothing to compare. Else one of them was known (or came twice).
    if (inserted === claims.length) return claims.map(() => true);
    const rows: Array<{ call_id: string; fingerprint: string }> = await this.dataSource.query(
      `SELECT call_id, fingerprint FROM easemob_callback_ids WHERE tenant_id = ? AND call_id IN (${placeholders(claims.length)})`,
      [tenantId, ...claims.map(({ callId }) => callId)],
    );
    const known = new Map(rows.map((row) => [row.call_id, row.fingerprint]));
    return claims.map(({ callId, fingerprint }) => known.get(callId) === fingerprint);
  }

  /**
   * INSERT IGNORE of the claims, in callId order: two concurrent multi-row inserts naming the same
   * callIds in different orders deadlock in InnoDB (a redelivery arriving beside its original, seen
   * on a Spider front); in one order they queue. A deadlock or lock timeout left (beside a prune)
   * rolls the statement back whole, and it is sent again.
   */
  private insert(tenantId: string, claims: ReadonlyArray<{ callId: string; fingerprint: string }>, now: number): Promise<number> {
    const sorted = [...claims].sort((a, b) => ascending(a.callId, b.callId));
    return retryTransient(() =>
      affectedRows(
        this.dataSource,
        `${dialectOf(this.dataSource).insertIgnore} INTO easemob_callback_ids (tenant_id, call_id, fingerprint, expire_time) VALUES ${valueRows(sorted.length, 4)}`,
        sorted.flatMap(({ callId, fingerprint }) => [tenantId, callId, fingerprint, now + this.ttlMs]),
      ),
    );
  }

  private async prune(now: number): Promise<void> {
    if (now - this.lastPrune < PRUNE_EVERY_MS) return;
    this.lastPrune = now;
    await retryTransient(() => this.dataSource.query('DELETE FROM easemob_callback_ids WHERE expire_time < ?', [now]));
  }
}
