import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { OpError } from '../../common/errors/op-error';
import type { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { callbackSecretContext, MasterKeyBox, restSecretContext } from './master-key-box';
import { TenantService } from './tenant.service';

export interface EasemobApp {
  tenantId: string;
  callbackSecret: string;
}

export interface EasemobRestApp {
  tenantId: string;
  appkey: string;
  clientId: string;
  clientSecret: string;
  restUrl: string | null;
}

/** An appkey's REST credentials, as the Easemob console shows them. */
export interface EasemobRestCredentials {
  clientId: string;
  clientSecret: string;
  /** The app's REST host, when it is not OP_EASEMOB_BASE_URL. */
  restUrl?: string;
}

function checkRestCredentials({ clientId, clientSecret, restUrl }: EasemobRestCredentials): void {
  if (!/^[\x21-\x7e]{1,128}$/.test(clientId)) throw OpError.badRequest('client-id 必须是 1 到 128 个可见 ASCII 字符');
  if (clientSecret.length < 1 || clientSecret.length > 256) throw OpError.badRequest('client-secret 长度必须在 1 到 256 个字符之间');
  if (restUrl !== undefined && !/^https?:\/\/[^/\s]+(\/[^\s]*)?$/.test(restUrl))
    throw OpError.badRequest('rest-url 必须是带协议的地址，例如 https://a1.easemob.com');
}

export const EASEMOB_APP_CACHE_MS = 5_000;

const SAVE_EVERY_MS = 60_000;

interface SavedApp {
  appkey: string;
  tenant_id: string;
  callback_secret_sealed: string;
}
const EASEMOB_APP_CACHE_MAX = 10_000;

/**
 * Tenants' Easemob appkeys: the callback secret that signs their callbacks, and the REST
 * credentials reconciliation uses, both sealed at rest.
 */
@Injectable()
export class EasemobAppService implements OnApplicationShutdown {
  private readonly logger = new Logger('EasemobApps');
  private readonly cache = new Map<string, { app: EasemobApp | null; until: number }>();
  /** The registrations as last read from the database, secrets still sealed: read at a start without the database. */
  private readonly savedFile: string;
  private refresh: NodeJS.Timeout | null = null;

  constructor(
    private readonly dataSource: DataSource,
    private readonly box: MasterKeyBox,
    private readonly tenants: TenantService,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.savedFile = join(config.dataDir, 'easemob-apps.json');
  }

  /**
   * Registers (or re-keys) a tenant's Easemob appkey and its callback secret, sealed; with
   * `rest`, its REST credentials too. Every value is checked before anything is written, and
   * both are written in one transaction: a refused command leaves the app as it was.
   */
  async register(
    tenantId: string,
    appkey: string,
    callbackSecret: string,
    rest?: EasemobRestCredentials,
  ): Promise<{ tenantId: string; appkey: string }> {
    if (!/^[A-Za-z0-9_.-]{1,64}#[A-Za-z0-9_.-]{1,63}$/.test(appkey)) throw OpError.badRequest('appkey 格式应为 <org>#<app>');
    if (callbackSecret.length < 1 || callbackSecret.length > 256)
      throw OpError.badRequest('callback-secret 长度必须在 1 到 256 个字符之间');
    if (rest) checkRestCredentials(rest);
    await this.tenants.requireExists(tenantId);
    await this.box.sealing(async (manager) => {
      const owner: Array<{ tenant_id: string }> = await manager.query('SELECT tenant_id FROM easemob_apps WHERE appkey = ?', [appkey]);
      if (owner.length > 0 && owner[0].tenant_id !== tenantId) throw OpError.conflict(`appkey ${appkey} 已属于其他租户`);
      const sealed = this.box.seal(callbackSecret, callbackSecretContext(appkey));
      if (owner.length > 0) {
        await manager.query('UPDATE easemob_apps SET callback_secret_sealed = ? WHERE appkey = ?', [sealed, appkey]);
      } else {
        await manager.query('INSERT INTO easemob_apps (appkey, tenant_id, callback_secret_sealed, create_time) VALUES (?, ?, ?, ?)', [
          appkey,
          tenantId,
          sealed,
          Date.now(),
        ]);
      }
      if (rest) await this.writeRestCredentials(manager, tenantId, appkey, rest);
    });
    this.cache.delete(appkey);
    return { tenantId, appkey };
  }

  /**
   * Sets the REST credentials of a registered appkey (Easemob console: Client ID and Client
   * Secret), the secret sealed like client secrets; `restUrl` is the app's REST host when it
   * is not OP_EASEMOB_BASE_URL.
   */
  async setRestCredentials(tenantId: string, appkey: string, rest: EasemobRestCredentials): Promise<void> {
    checkRestCredentials(rest);
    await this.box.sealing((manager) => this.writeRestCredentials(manager, tenantId, appkey, rest));
  }

  private async writeRestCredentials(
    manager: EntityManager,
    tenantId: string,
    appkey: string,
    rest: EasemobRestCredentials,
  ): Promise<void> {
    await manager.query(
      'UPDATE easemob_apps SET client_id = ?, client_secret_sealed = ?, rest_base_url = ? WHERE appkey = ? AND tenant_id = ?',
      [
        rest.clientId,
        this.box.seal(rest.clientSecret, restSecretContext(appkey)),
        rest.restUrl?.replace(/\/+$/, '') ?? null,
        appkey,
        tenantId,
      ],
    );
  }

  /** The appkeys of a tenant that have REST credentials (those reconciliation covers), in order; nothing unsealed. */
  async restAppkeys(tenantId: string): Promise<string[]> {
    const rows: Array<{ appkey: string }> = await this.dataSource.query(
      'SELECT appkey FROM easemob_apps WHERE tenant_id = ? AND client_secret_sealed IS NOT NULL ORDER BY appkey',
      [tenantId],
    );
    return rows.map((row) => row.appkey);
  }

  /** Every appkey with REST credentials (of one tenant, or all), secrets unsealed: for reconciliation only. */
  async restApps(tenantId?: string): Promise<EasemobRestApp[]> {
    const rows: Array<{
      tenant_id: string;
      appkey: string;
      client_id: string;
      client_secret_sealed: string;
      rest_base_url: string | null;
    }> = await this.dataSource.query(
      'SELECT tenant_id, appkey, client_id, client_secret_sealed, rest_base_url FROM easemob_apps WHERE client_secret_sealed IS NOT NULL' +
        (tenantId === undefined ? '' : ' AND tenant_id = ?') +
        ' ORDER BY tenant_id, appkey',
      tenantId === undefined ? [] : [tenantId],
    );
    return rows.map((row) => ({
      tenantId: row.tenant_id,
      appkey: row.appkey,
      clientId: row.client_id,
      clientSecret: this.box.open(row.client_secret_sealed, restSecretContext(row.appkey)),
      restUrl: row.rest_base_url,
    }));
  }

  /**
   * The tenant and unsealed callback secret of an Easemob appkey, or null. Cached for
   * {@link EASEMOB_APP_CACHE_MS}: every callback needs it. A change made through this process is
   * seen at once, one made elsewhere (`opctl easemob:app` re-keying a leaked secret) within that
   * time, as for client secrets (at 30 s, the old secret signed callbacks for half a minute).
   */
  async find(appkey: string): Promise<EasemobApp | null> {
    const cached = this.cache.get(appkey);
    if (cached && cached.until > Date.now()) return cached.app;
    let app: EasemobApp | null;
    try {
      app = await this.load(appkey);
    } catch (error) {
      // The database is away: the last known registration still verifies callbacks, so they
      // can be journalled (issue 13) instead of refused.
      if (cached?.app) return cached.app;
      throw error;
    }
    if (this.cache.size > EASEMOB_APP_CACHE_MAX) this.cache.clear();
    this.cache.set(appkey, { app, until: Date.now() + EASEMOB_APP_CACHE_MS });
    return app;
  }

  /**
   * Caches every registered appkey, so callbacks verify during a later database outage, and
   * saves them (secrets sealed, as in the database) under the data folder, so they verify
   * after a restart during one too.
   */
  async preload(): Promise<number> {
    const rows: SavedApp[] = await this.dataSource.query('SELECT appkey, tenant_id, callback_secret_sealed FROM easemob_apps');
    this.cacheSealed(rows.slice(0, EASEMOB_APP_CACHE_MAX));
    try {
      const staging = `${this.savedFile}.tmp`;
      writeFileSync(staging, JSON.stringify(rows.slice(0, EASEMOB_APP_CACHE_MAX)), { mode: 0o600 });
      renameSync(staging, this.savedFile);
    } catch (error) {
      this.logger.warn(`could not save the Easemob registrations for a start without the database: ${(error as Error).name}`);
    }
    return rows.length;
  }

  /** Preloads now and every minute after (failures wait for the next), so the saved registrations follow new appkeys. */
  async keepPreloaded(): Promise<void> {
    await this.preload();
    if (this.refresh) return;
    this.refresh = setInterval(() => void this.preload().catch(() => undefined), SAVE_EVERY_MS);
    this.refresh.unref();
  }

  onApplicationShutdown(): void {
    if (this.refresh) clearInterval(this.refresh);
  }

  /** Caches the registrations {@link preload} saved last: a start without the database verifies callbacks with them. */
  preloadSaved(): number {
    let rows: SavedApp[];
    try {
      rows = JSON.parse(readFileSync(this.savedFile, 'utf8')) as SavedApp[];
    } catch {
      return 0; // never saved (a first start): callbacks wait for the database
    }
    return this.cacheSealed(rows);
  }

  private cacheSealed(rows: readonly SavedApp[]): number {
    let cached = 0;
    for (const row of rows) {
      let callbackSecret: string;
      try {
        callbackSecret = this.box.open(row.callback_secret_sealed, callbackSecretContext(row.appkey));
      } catch {
        continue; // sealed under a key since rotated away: the database has it re-sealed
      }
      this.cache.set(row.appkey, { app: { tenantId: row.tenant_id, callbackSecret }, until: Date.now() + EASEMOB_APP_CACHE_MS });
      cached++;
    }
    return cached;
  }

  /** Drops every cached appkey (after the secrets were re-sealed under another key). */
  forgetAll(): void {
    this.cache.clear();
  }

  private async load(appkey: string): Promise<EasemobApp | null> {
    const rows: Array<{ tenant_id: string; callback_secret_sealed: string }> = await this.dataSource.query(
      'SELECT tenant_id, callback_secret_sealed FROM easemob_apps WHERE appkey = ?',
      [appkey],
    );
    if (rows.length === 0) return null;
    return { tenantId: rows[0].tenant_id, callbackSecret: this.box.open(rows[0].callback_secret_sealed, callbackSecretContext(appkey)) };
  }
}
