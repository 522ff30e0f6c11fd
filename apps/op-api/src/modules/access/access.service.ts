import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DEFAULT_SIGN_METHOD, SIGN_METHODS, type SignMethod } from '@op/contracts';
import { DataSource, IsNull } from 'typeorm';
import { APP_CONFIG } from '../../config/config.module';
import type { AppConfig } from '../../config/app-config';
import { OpError } from '../../common/errors/op-error';
import { hashPassword, verifyPassword } from '../../common/util/password';
import { randomHex32, sha256Hex } from '../../common/util/random-id';
import { SecretBox } from '../../common/util/secret-box';
import { ApiClientEntity } from './api-client.entity';
import { resolveMasterKey } from './master-key';
import { OperatorTokenEntity } from './operator-token.entity';
import { OPERATOR_ROLES, OperatorEntity, type OperatorRole } from './operator.entity';
import { TenantEntity } from './tenant.entity';

export interface ApiClient {
  id: string;
  tenantId: string;
  signMethod: SignMethod;
  secret: string;
  /** The admin panel's client: its `x-op-user-ip` header is trusted as the browser's address. */
  panel: boolean;
}

export interface CreatedClient {
  clientId: string;
  secret: string;
  signMethod: SignMethod;
  tenantId: string;
}

export interface CreatedOperator {
  operatorId: string;
  username: string;
  role: OperatorRole;
  tenantId: string;
}

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

export const EASEMOB_APP_CACHE_MS = 30_000;
/**
 * How long an API client (row + unsealed secret) is reused without asking the database.
 * Clients are created, never re-keyed, by this service; a revocation made elsewhere is seen
 * within this bound, one made through this process at once.
 */
export const CLIENT_CACHE_MS = 5_000;
const CLIENT_CACHE_MAX = 10_000;
const TOKEN_CACHE_MAX = 100_000;
export const DEFAULT_TOKEN_TTL_SECONDS = 7 * 24 * 3600;
const USERNAME = /^[A-Za-z0-9_.@-]{1,64}$/;

/** Tenants, API clients, operators and their tokens. */
@Injectable()
export class AccessService {
  private readonly box: SecretBox;
  /** Verified against for unknown users, so a wrong username costs what a wrong password does. */
  private dummyHash?: Promise<string>;
  private readonly clients = new Map<string, { client: ApiClient | null; until: number }>();
  /** Verified tokens by hash (only live ones: an unknown token always asks the database). */
  private readonly tokens = new Map<string, { operator: TokenOperator; until: number }>();
  private readonly tokenCacheMs: number;
  private readonly easemobApps = new Map<string, { app: { tenantId: string; callbackSecret: string } | null; until: number }>();

  constructor(
    private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.box = new SecretBox(resolveMasterKey(config));
    this.tokenCacheMs = config.tokenCacheMs;
  }

  async createTenant(name: string): Promise<{ tenantId: string }> {
    const trimmed = name.trim();
    if (trimmed.length < 1 || trimmed.length > 128) throw OpError.badRequest('name 长度必须在 1 到 128 个字符之间');
    const tenant = this.dataSource.getRepository(TenantEntity).create({ id: randomHex32(), name: trimmed, createTime: Date.now() });
    await this.dataSource.getRepository(TenantEntity).insert(tenant);
    return { tenantId: tenant.id };
  }

  async requireTenant(tenantId: string): Promise<void> {
    const found = await this.dataSource.getRepository(TenantEntity).existsBy({ id: tenantId });
    if (!found) throw OpError.notFound(`租户 ${tenantId} 不存在`);
  }

  async createClient(tenantId: string, signMethod: string = DEFAULT_SIGN_METHOD, options: { panel?: boolean } = {}): Promise<CreatedClient> {
    if (!(SIGN_METHODS as readonly string[]).includes(signMethod)) {
      throw OpError.badRequest(`sign-method 只能是 ${SIGN_METHODS.join(' 或 ')}`);
    }
    await this.requireTenant(tenantId);
    const clientId = randomHex32();
    const secret = randomBytes(32).toString('hex');
    await this.dataSource.getRepository(ApiClientEntity).insert({
      id: clientId,
      tenantId,
      secretSealed: this.box.seal(secret, clientId),
      signMethod: signMethod as SignMethod,
      createTime: Date.now(),
      revokeTime: null,
      panel: options.panel ? 1 : 0,
    });
    return { clientId, secret, signMethod: signMethod as SignMethod, tenantId };
  }

  /**
   * An active client with its secret unsealed, or null. Every signed call needs it, so it is
   * cached for {@link CLIENT_CACHE_MS} (unknown ids too, so a flood of bad ids costs one query
   * per id per bound; the map is bounded).
   */
  async findClient(clientId: string): Promise<ApiClient | null> {
    const now = Date.now();
    const cached = this.clients.get(clientId);
    if (cached && cached.until > now) return cached.client;
    const client = await this.loadClient(clientId);
    if (this.clients.size >= CLIENT_CACHE_MAX) this.clients.clear();
    this.clients.set(clientId, { client, until: now + CLIENT_CACHE_MS });
    return client;
  }

  /** Forgets a cached client: a revocation through this process takes effect at once. */
  forgetClient(clientId: string): void {
    this.clients.delete(clientId);
  }

  private async loadClient(clientId: string): Promise<ApiClient | null> {
    const row = await this.dataSource.getRepository(ApiClientEntity).findOneBy({ id: clientId, revokeTime: IsNull() });
    if (!row) return null;
    return { id: row.id, tenantId: row.tenantId, signMethod: row.signMethod, secret: this.box.open(row.secretSealed, row.id), panel: Number(row.panel) === 1 };
  }

  async createOperator(input: {
    tenantId: string;
    username: string;
    password?: string;
    role?: string;
    imUsername?: string;
  }): Promise<CreatedOperator> {
    const role = (input.role ?? 'agent') as OperatorRole;
    if (!OPERATOR_ROLES.includes(role)) throw OpError.badRequest(`role 只能是 ${OPERATOR_ROLES.join(' 或 ')}`);
    if (!USERNAME.test(input.username)) throw OpError.badRequest('username 只能由 1 到 64 个字母、数字或 _ . @ - 组成');
    if (input.password !== undefined && (input.password.length < 8 || input.password.length > 128)) {
      throw OpError.badRequest('password 长度必须在 8 到 128 个字符之间');
    }
    if (input.imUsername !== undefined && (input.imUsername.length < 1 || input.imUsername.length > 128)) {
      throw OpError.badRequest('im-username 长度必须在 1 到 128 个字符之间');
    }
    await this.requireTenant(input.tenantId);
    const repository = this.dataSource.getRepository(OperatorEntity);
    if (await repository.existsBy({ tenantId: input.tenantId, username: input.username })) {
      throw OpError.conflict(`username ${input.username} 已存在`);
    }
    const operator = repository.create({
      id: randomHex32(),
      tenantId: input.tenantId,
      username: input.username,
      passwordHash: input.password === undefined ? null : await hashPassword(input.password),
      role,
      imUsername: input.imUsername ?? null,
      createTime: Date.now(),
    });
    await repository.insert(operator);
    return { operatorId: operator.id, username: operator.username, role, tenantId: operator.tenantId };
  }

  /**
   * A new secret for a client, shown once and stored sealed. This process forgets the old one
   * at once; other API processes within {@link CLIENT_CACHE_MS} (their client cache).
   */
  async rotateClientSecret(clientId: string): Promise<{ clientId: string; secret: string }> {
    const repository = this.dataSource.getRepository(ApiClientEntity);
    if (!(await repository.existsBy({ id: clientId, revokeTime: IsNull() }))) throw OpError.notFound(`client ${clientId} 不存在或已停用`);
    const secret = randomBytes(32).toString('hex');
    await repository.update({ id: clientId }, { secretSealed: this.box.seal(secret, clientId) });
    this.forgetClient(clientId);
    return { clientId, secret };
  }

  /**
   * Re-seals every stored secret (client secrets, Easemob callback secrets) under a new
   * master key, in one transaction: after it, only the new key opens them.
   */
  async resealAll(newKey: Buffer): Promise<{ resealed: number }> {
    const next = new SecretBox(newKey);
    return this.dataSource.transaction(async (manager) => {
      let resealed = 0;
      const clients: Array<{ id: string; secret_sealed: string }> = await manager.query('SELECT id, secret_sealed FROM api_clients');
      for (const row of clients) {
        const sealed = next.seal(this.box.open(row.secret_sealed, row.id), row.id);
        await manager.query('UPDATE api_clients SET secret_sealed = ? WHERE id = ?', [sealed, row.id]);
        resealed++;
      }
      const apps: Array<{ appkey: string; callback_secret_sealed: string }> = await manager.query('SELECT appkey, callback_secret_sealed FROM easemob_apps');
      for (const row of apps) {
        const context = `easemob:${row.appkey}`;
        const sealed = next.seal(this.box.open(row.callback_secret_sealed, context), context);
        await manager.query('UPDATE easemob_apps SET callback_secret_sealed = ? WHERE appkey = ?', [sealed, row.appkey]);
        resealed++;
      }
      const rest: Array<{ appkey: string; client_secret_sealed: string }> = await manager.query(
        'SELECT appkey, client_secret_sealed FROM easemob_apps WHERE client_secret_sealed IS NOT NULL',
      );
      for (const row of rest) {
        const context = `easemob-rest:${row.appkey}`;
        const sealed = next.seal(this.box.open(row.client_secret_sealed, context), context);
        await manager.query('UPDATE easemob_apps SET client_secret_sealed = ? WHERE appkey = ?', [sealed, row.appkey]);
        resealed++;
      }
      this.easemobApps.clear();
      return { resealed };
    });
  }

  /** An operator of this tenant, or null. */
  findOperator(tenantId: string, operatorId: string): Promise<OperatorEntity | null> {
    return this.dataSource.getRepository(OperatorEntity).findOneBy({ tenantId, id: operatorId });
  }

  /** Checks a password; the same slow work is done for an unknown user, so timing tells nothing. */
  async verifyOperatorPassword(tenantId: string, username: string, password: string): Promise<OperatorEntity | null> {
    const operator = await this.dataSource.getRepository(OperatorEntity).findOneBy({ tenantId, username });
    this.dummyHash ??= hashPassword('timing-equaliser');
    const stored = operator?.passwordHash ?? (await this.dummyHash);
    const valid = await verifyPassword(password, stored);
    return operator && operator.passwordHash && valid ? operator : null;
  }

  /** A new session token in the original's shape (`o0001` + 32 hex); only its hash is stored. */
  async issueToken(operatorId: string, ttlSeconds = DEFAULT_TOKEN_TTL_SECONDS): Promise<IssuedToken> {
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
  async verifyToken(token: string): Promise<TokenOperator | null> {
    const hash = sha256Hex(token);
    const now = Date.now();
    if (this.tokenCacheMs > 0) {
      const cached = this.tokens.get(hash);
      if (cached && cached.until > now) return cached.operator;
    }
    const rows: Array<{ id: string; tenant_id: string; role: OperatorRole; expire_time: number | string }> = await this.dataSource.query(
      'SELECT o.id, o.tenant_id, o.role, t.expire_time FROM operator_tokens t JOIN operators o ON o.id = t.operator_id ' +
        'WHERE t.token_hash = ? AND t.revoke_time IS NULL',
      [hash],
    );
    const expireTime = rows.length === 0 ? 0 : Number(rows[0].expire_time);
    if (expireTime <= now) {
      this.tokens.delete(hash);
      return null;
    }
    const operator: TokenOperator = { id: rows[0].id, tenantId: rows[0].tenant_id, role: rows[0].role };
    if (this.tokenCacheMs > 0) {
      if (this.tokens.size >= TOKEN_CACHE_MAX) this.tokens.clear();
      this.tokens.set(hash, { operator, until: Math.min(now + this.tokenCacheMs, expireTime) });
    }
    return operator;
  }

  /** Registers (or re-keys) a tenant's Easemob appkey and its callback secret, sealed. */
  async registerEasemobApp(tenantId: string, appkey: string, callbackSecret: string): Promise<{ tenantId: string; appkey: string }> {
    if (!/^[A-Za-z0-9_.-]{1,64}#[A-Za-z0-9_.-]{1,63}$/.test(appkey)) throw OpError.badRequest('appkey 格式应为 <org>#<app>');
    if (callbackSecret.length < 1 || callbackSecret.length > 256) throw OpError.badRequest('callback-secret 长度必须在 1 到 256 个字符之间');
    await this.requireTenant(tenantId);
    const owner: Array<{ tenant_id: string }> = await this.dataSource.query('SELECT tenant_id FROM easemob_apps WHERE appkey = ?', [appkey]);
    if (owner.length > 0 && owner[0].tenant_id !== tenantId) throw OpError.conflict(`appkey ${appkey} 已属于其他租户`);
    const sealed = this.box.seal(callbackSecret, `easemob:${appkey}`);
    this.easemobApps.delete(appkey);
    if (owner.length > 0) {
      await this.dataSource.query('UPDATE easemob_apps SET callback_secret_sealed = ? WHERE appkey = ?', [sealed, appkey]);
    } else {
      await this.dataSource.query(
        'INSERT INTO easemob_apps (appkey, tenant_id, callback_secret_sealed, create_time) VALUES (?, ?, ?, ?)',
        [appkey, tenantId, sealed, Date.now()],
      );
    }
    return { tenantId, appkey };
  }

  /**
   * Sets the REST credentials of a registered appkey (Easemob console: Client ID and Client
   * Secret), the secret sealed like client secrets; `restUrl` is the app's REST host when it
   * is not OP_EASEMOB_BASE_URL.
   */
  async setEasemobRestCredentials(tenantId: string, appkey: string, clientId: string, clientSecret: string, restUrl?: string): Promise<void> {
    if (!/^[\x21-\x7e]{1,128}$/.test(clientId)) throw OpError.badRequest('client-id 必须是 1 到 128 个可见 ASCII 字符');
    if (clientSecret.length < 1 || clientSecret.length > 256) throw OpError.badRequest('client-secret 长度必须在 1 到 256 个字符之间');
    if (restUrl !== undefined && !/^https?:\/\/[^/\s]+(\/[^\s]*)?$/.test(restUrl)) throw OpError.badRequest('rest-url 必须是带协议的地址，例如 https://a1.easemob.com');
    const updated: unknown = await this.dataSource.query(
      'UPDATE easemob_apps SET client_id = ?, client_secret_sealed = ?, rest_base_url = ? WHERE appkey = ? AND tenant_id = ?',
      [clientId, this.box.seal(clientSecret, `easemob-rest:${appkey}`), restUrl?.replace(/\/+$/, '') ?? null, appkey, tenantId],
    );
    void updated;
  }

  /** Every appkey with REST credentials (of one tenant, or all), secrets unsealed: for reconciliation only. */
  async easemobRestApps(tenantId?: string): Promise<Array<{ tenantId: string; appkey: string; clientId: string; clientSecret: string; restUrl: string | null }>> {
    const rows: Array<{ tenant_id: string; appkey: string; client_id: string; client_secret_sealed: string; rest_base_url: string | null }> =
      await this.dataSource.query(
        'SELECT tenant_id, appkey, client_id, client_secret_sealed, rest_base_url FROM easemob_apps WHERE client_secret_sealed IS NOT NULL' +
          (tenantId === undefined ? '' : ' AND tenant_id = ?') +
          ' ORDER BY tenant_id, appkey',
        tenantId === undefined ? [] : [tenantId],
      );
    return rows.map((row) => ({
      tenantId: row.tenant_id,
      appkey: row.appkey,
      clientId: row.client_id,
      clientSecret: this.box.open(row.client_secret_sealed, `easemob-rest:${row.appkey}`),
      restUrl: row.rest_base_url,
    }));
  }

  /**
   * The tenant and unsealed callback secret of an Easemob appkey, or null. Cached for
   * {@link EASEMOB_APP_CACHE_MS}: every callback needs it, and appkeys change rarely (a change
   * made through this process is seen at once).
   */
  async findEasemobApp(appkey: string): Promise<{ tenantId: string; callbackSecret: string } | null> {
    const cached = this.easemobApps.get(appkey);
    if (cached && cached.until > Date.now()) return cached.app;
    let app: { tenantId: string; callbackSecret: string } | null;
    try {
      app = await this.loadEasemobApp(appkey);
    } catch (error) {
      // The database is away: the last known registration still verifies callbacks, so they
      // can be journalled (issue 13) instead of refused.
      if (cached?.app) return cached.app;
      throw error;
    }
    if (this.easemobApps.size > 10_000) this.easemobApps.clear();
    this.easemobApps.set(appkey, { app, until: Date.now() + EASEMOB_APP_CACHE_MS });
    return app;
  }

  /** Caches every registered appkey, so callbacks verify during a later database outage. */
  async preloadEasemobApps(): Promise<number> {
    const rows: Array<{ appkey: string; tenant_id: string; callback_secret_sealed: string }> = await this.dataSource.query(
      'SELECT appkey, tenant_id, callback_secret_sealed FROM easemob_apps',
    );
    for (const row of rows.slice(0, 10_000)) {
      const app = { tenantId: row.tenant_id, callbackSecret: this.box.open(row.callback_secret_sealed, `easemob:${row.appkey}`) };
      this.easemobApps.set(row.appkey, { app, until: Date.now() + EASEMOB_APP_CACHE_MS });
    }
    return rows.length;
  }

  private async loadEasemobApp(appkey: string): Promise<{ tenantId: string; callbackSecret: string } | null> {
    const rows: Array<{ tenant_id: string; callback_secret_sealed: string }> = await this.dataSource.query(
      'SELECT tenant_id, callback_secret_sealed FROM easemob_apps WHERE appkey = ?',
      [appkey],
    );
    if (rows.length === 0) return null;
    return { tenantId: rows[0].tenant_id, callbackSecret: this.box.open(rows[0].callback_secret_sealed, `easemob:${appkey}`) };
  }

  /** Adds one of the tenant's own IM accounts (not a customer); idempotent. */
  async addServiceAccount(tenantId: string, imUsername: string): Promise<{ tenantId: string; imUsername: string }> {
    if (imUsername.length < 1 || imUsername.length > 128) throw OpError.badRequest('im-username 长度必须在 1 到 128 个字符之间');
    await this.requireTenant(tenantId);
    const found: unknown[] = await this.dataSource.query(
      'SELECT 1 FROM service_accounts WHERE tenant_id = ? AND im_username = ?',
      [tenantId, imUsername],
    );
    if (found.length === 0) {
      await this.dataSource.query('INSERT INTO service_accounts (tenant_id, im_username, create_time) VALUES (?, ?, ?)', [
        tenantId,
        imUsername,
        Date.now(),
      ]);
    }
    return { tenantId, imUsername };
  }

  async revokeToken(token: string): Promise<void> {
    const hash = sha256Hex(token);
    this.tokens.delete(hash);
    await this.dataSource.getRepository(OperatorTokenEntity).update({ tokenHash: hash }, { revokeTime: Date.now() });
    this.tokens.delete(hash); // a check that raced the update may have cached it again
  }
}
