import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { OpError } from '../../common/errors/op-error';
import { randomHex32, sha256Hex } from '../../common/util/random-id';
import { dialectOf } from '../../database/dialect';
import { affectedRows } from '../../database/sql';
import { OperatorTokenEntity } from './operator-token.entity';
import { OperatorEntity, type OperatorRole } from './operator.entity';

export interface IssuedToken {
  token: string;
  /** `yyyy-MM-dd HH:mm:ss` is for responses; this is epoch ms. */
  expiresAtMs: number;
}

export interface TokenOperator {
  id: string;
  tenantId: string;
  role: OperatorRole;
}

export const DEFAULT_TOKEN_TTL_SECONDS = 7 * 24 * 3600;
const TOKEN_CACHE_MAX = 100_000;

/** Operators' session tokens: issued, verified on every call (cached), revoked at sign-out. */
@Injectable()
export class OperatorTokenService {
  /** Verified tokens by hash (only live ones: an unknown token always asks the database). */
  private readonly cache = new Map<string, { operator: TokenOperator; until: number }>();
  private readonly cacheMs: number;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.cacheMs = config.tokenCacheMs;
  }

  /** A new session token in the original's shape (`o0001` + 32 hex); only its hash is stored. */
  async issue(operatorId: string, ttlSeconds = DEFAULT_TOKEN_TTL_SECONDS): Promise<IssuedToken> {
    if (!Number.isSafeInteger(ttlSeconds) || ttlSeconds < 60 || ttlSeconds > 366 * 24 * 3600) {
      throw OpError.badRequest('ttl 必须是 60 到 31622400 之间的整数（秒）');
    }
    const operator = await this.dataSource.getRepository(OperatorEntity).findOneBy({ id: operatorId });
    if (!operator) throw OpError.notFound(`operator ${operatorId} 不存在`);
    const token = `o0001${randomHex32()}`;
    const now = Date.now();
    const expiresAtMs = now + ttlSeconds * 1000;
    await this.dataSource.getRepository(OperatorTokenEntity).insert({
      tokenHash: sha256Hex(token),
      operatorId,
      tenantId: operator.tenantId,
      expireTime: expiresAtMs,
      revokeTime: null,
      createTime: now,
    });
    return { token, expiresAtMs };
  }

  /**
   * The operator behind a live token, or null when unknown, revoked or expired. One indexed
   * round trip (token by its hash, joined to its operator). With OP_TOKEN_CACHE_MS > 0 a live
   * token is reused for that long (never past its own expiry); a revocation through this
   * process drops it at once, one written elsewhere is honoured within the bound.
   */
  async verify(token: string): Promise<TokenOperator | null> {
    const hash = sha256Hex(token);
    const now = Date.now();
    if (this.cacheMs > 0) {
      const cached = this.cache.get(hash);
      if (cached && cached.until > now) return cached.operator;
    }
    const dialect = dialectOf(this.dataSource);
    const rows: Array<{ id: string; tenant_id: string; role: OperatorRole; expire_time: number | string }> = await this.dataSource.query(
      // By key, whatever the statistics: after an ANALYZE of small tables SQLite scanned both.
      `SELECT o.id, o.tenant_id, o.role, t.expire_time FROM operator_tokens t ${dialect.forcePrimaryKey('operator_tokens')} ` +
        `JOIN operators o ${dialect.forcePrimaryKey('operators')} ON o.id = t.operator_id WHERE t.token_hash = ? AND t.revoke_time IS NULL`,
      [hash],
    );
    const expireTime = rows.length === 0 ? 0 : Number(rows[0].expire_time);
    if (expireTime <= now) {
      this.cache.delete(hash);
      return null;
    }
    const operator: TokenOperator = { id: rows[0].id, tenantId: rows[0].tenant_id, role: rows[0].role };
    if (this.cacheMs > 0) {
      if (this.cache.size >= TOKEN_CACHE_MAX) this.cache.clear();
      this.cache.set(hash, { operator, until: Math.min(now + this.cacheMs, expireTime) });
    }
    return operator;
  }

  /**
   * Revokes every live token of an operator (a leaked token, a person who left): their calls
   * are refused at once, by other processes within OP_TOKEN_CACHE_MS when it is set.
   */
  async revokeAll(operatorId: string): Promise<{ operatorId: string; revoked: number }> {
    const operator = await this.dataSource.getRepository(OperatorEntity).findOneBy({ id: operatorId });
    if (!operator) throw OpError.notFound(`operator ${operatorId} 不存在`);
    const now = Date.now();
    const revoked = await affectedRows(
      this.dataSource,
      'UPDATE operator_tokens SET revoke_time = ? WHERE operator_id = ? AND revoke_time IS NULL AND expire_time > ?',
      [now, operatorId, now],
    );
    for (const [hash, { operator: cached }] of this.cache) if (cached.id === operatorId) this.cache.delete(hash);
    return { operatorId, revoked };
  }

  async revoke(token: string): Promise<void> {
    const hash = sha256Hex(token);
    this.cache.delete(hash);
    await this.dataSource.getRepository(OperatorTokenEntity).update({ tokenHash: hash }, { revokeTime: Date.now() });
    this.cache.delete(hash); // a check that raced the update may have cached it again
  }
}
