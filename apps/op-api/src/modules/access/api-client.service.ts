import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DEFAULT_SIGN_METHOD, SIGN_METHODS, type SignMethod } from '@op/contracts';
import { DataSource, IsNull } from 'typeorm';
import { OpError } from '../../common/errors/op-error';
import { randomHex32 } from '../../common/util/random-id';
import { affectedRows } from '../../database/sql';
import { ApiClientEntity } from './api-client.entity';
import { MasterKeyBox } from './master-key-box';
import { TenantService } from './tenant.service';

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

/**
 * How long an API client (row + unsealed secret) is reused without asking the database.
 * Clients are created, never re-keyed, by this service; a revocation made elsewhere is seen
 * within this bound, one made through this process at once.
 */
export const CLIENT_CACHE_MS = 5_000;
const CLIENT_CACHE_MAX = 10_000;

/** API clients: the callers that sign `/op/v2` requests, with their secrets sealed at rest. */
@Injectable()
export class ApiClientService {
  private readonly cache = new Map<string, { client: ApiClient | null; until: number }>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly box: MasterKeyBox,
    private readonly tenants: TenantService,
  ) {}

  async create(tenantId: string, signMethod: string = DEFAULT_SIGN_METHOD, options: { panel?: boolean } = {}): Promise<CreatedClient> {
    if (!(SIGN_METHODS as readonly string[]).includes(signMethod)) {
      throw OpError.badRequest(`sign-method 只能是 ${SIGN_METHODS.join(' 或 ')}`);
    }
    await this.tenants.requireExists(tenantId);
    const clientId = randomHex32();
    const secret = randomBytes(32).toString('hex');
    await this.box.sealing((manager) =>
      manager.getRepository(ApiClientEntity).insert({
        id: clientId,
        tenantId,
        secretSealed: this.box.seal(secret, clientId),
        signMethod: signMethod as SignMethod,
        createTime: Date.now(),
        revokeTime: null,
        panel: options.panel ? 1 : 0,
      }),
    );
    return { clientId, secret, signMethod: signMethod as SignMethod, tenantId };
  }

  /**
   * An active client with its secret unsealed, or null. Every signed call needs it, so it is
   * cached for {@link CLIENT_CACHE_MS} (unknown ids too, so a flood of bad ids costs one query
   * per id per bound; the map is bounded).
   */
  async find(clientId: string): Promise<ApiClient | null> {
    const now = Date.now();
    const cached = this.cache.get(clientId);
    if (cached && cached.until > now) return cached.client;
    const client = await this.load(clientId);
    if (this.cache.size >= CLIENT_CACHE_MAX) this.cache.clear();
    this.cache.set(clientId, { client, until: now + CLIENT_CACHE_MS });
    return client;
  }

  /** Forgets a cached client: a revocation through this process takes effect at once. */
  forget(clientId: string): void {
    this.cache.delete(clientId);
  }

  /**
   * A new secret for a client, shown once and stored sealed. This process forgets the old one
   * at once; other API processes within {@link CLIENT_CACHE_MS} (their client cache).
   */
  async rotateSecret(clientId: string): Promise<{ clientId: string; secret: string }> {
    const repository = this.dataSource.getRepository(ApiClientEntity);
    if (!(await repository.existsBy({ id: clientId, revokeTime: IsNull() }))) throw OpError.notFound(`client ${clientId} 不存在或已停用`);
    const secret = randomBytes(32).toString('hex');
    await this.box.sealing((manager) =>
      manager.getRepository(ApiClientEntity).update({ id: clientId }, { secretSealed: this.box.seal(secret, clientId) }),
    );
    this.forget(clientId);
    return { clientId, secret };
  }

  /**
   * Stops a client for good (a leaked id and secret, a caller gone): its calls are refused 401
   * `client 无效`, by this process at once and by others within {@link CLIENT_CACHE_MS}.
   */
  async revoke(clientId: string): Promise<{ clientId: string; revoked: true }> {
    const changed = await affectedRows(this.dataSource, 'UPDATE api_clients SET revoke_time = ? WHERE id = ? AND revoke_time IS NULL', [
      Date.now(),
      clientId,
    ]);
    if (changed === 0) throw OpError.notFound(`client ${clientId} 不存在或已停用`);
    this.forget(clientId);
    return { clientId, revoked: true };
  }

  private async load(clientId: string): Promise<ApiClient | null> {
    const row = await this.dataSource.getRepository(ApiClientEntity).findOneBy({ id: clientId, revokeTime: IsNull() });
    // A method set by hand outside SIGN_METHODS signs nothing: an invalid client (401), not a 500 per call.
    if (!row || !(SIGN_METHODS as readonly string[]).includes(row.signMethod)) return null;
    return {
      id: row.id,
      tenantId: row.tenantId,
      signMethod: row.signMethod,
      secret: this.box.open(row.secretSealed, row.id),
      panel: Number(row.panel) === 1,
    };
  }
}
