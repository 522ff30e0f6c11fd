import { isIP } from 'node:net';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { CronTime } from 'cron';

export type DatabaseConfig =
  | {
      type: 'mysql';
      url: string;
      host: string;
      port: number;
      username: string;
      password: string;
      database: string;
      poolSize: number;
      /** Every query (but migrations) fails after this long, so a hung server answers 503, not never (OP_DB_QUERY_TIMEOUT_MS). */
      queryTimeoutMs: number;
    }
  | { type: 'sqlite'; path: string };

export type MysqlDatabaseConfig = Extract<DatabaseConfig, { type: 'mysql' }>;

/** Servers replicating the primary that serve the review reads (issue 14). */
export interface ReplicaConfig {
  /** Each replica (OP_DATABASE_REPLICA_URLS, comma-separated `mysql://` URLs); none by default. */
  databases: MysqlDatabaseConfig[];
  /** A replica further behind the primary than this is not read (OP_REPLICA_MAX_LAG_MS). */
  maxLagMs: number;
}

export interface QiniuConfig {
  domain: string;
  accessKey: string;
  secretKey: string;
  urlTtlSeconds: number;
}

export interface RedisConfig {
  /** `redis://[user:pass@]host:port[/db]` or `rediss://…` (OP_REDIS_URL). */
  url: string;
  /** Prefix of every key this process writes (OP_REDIS_PREFIX, default `op:`). */
  prefix: string;
}

export interface SphinxAddress {
  host: string;
  port: number;
}

/** The Sphinx / Manticore search tier (OP_SPHINX_SHARDS, OP_SPHINX_SEARCH). */
export interface SphinxConfig {
  /** SphinxQL (mysql41) address of each shard's real-time index; a tenant lives on one. */
  shards: SphinxAddress[];
  /** SphinxQL address of the node whose distributed index spans the shards; null: read each tenant's shard. */
  search: SphinxAddress | null;
}

export const SEARCH_ENGINE_SETTINGS = ['auto', 'scan', 'fts5', 'mroonga', 'sphinx'] as const;
export type SearchEngineSetting = (typeof SEARCH_ENGINE_SETTINGS)[number];

export interface AppConfig {
  database: DatabaseConfig;
  replicas: ReplicaConfig;
  port: number;
  /** The address the API listens on (OP_LISTEN_HOST): every interface by default; `npm start` uses loopback. */
  listenHost: string;
  timezone: string;
  servicePhone: string;
  hostName: string;
  qiniu: QiniuConfig | null;
  /** 32-byte key that encrypts client secrets at rest; null: a key file under the data folder. */
  masterKey: Buffer | null;
  /** Where the embedded database and the development key file live. */
  dataDir: string;
  /** Snowflake worker id (0–1023) of this process. */
  workerId: number;
  bodyLimitBytes: number;
  /** Signed calls a second allowed per API client (OP_RATE_LIMIT); 0 turns the limit off. */
  rateLimitPerSecond: number;
  /** pino level of the JSON logs (OP_LOG_LEVEL). */
  logLevel: LogLevel;
  /** Days back from now that a keyword search by the scan covers (OP_SEARCH_WINDOW_DAYS). */
  searchWindowDays: number;
  /** The keyword index (OP_SEARCH_ENGINE); `auto` picks the best one the database offers. */
  searchEngine: SearchEngineSetting;
  /**
   * Set by opctl: this process keeps the engine the database uses whatever OP_SEARCH_ENGINE says
   * (only the API moves a database to another engine, rebuilding it; a command run with other
   * settings had switched it, and emptied its index).
   */
  keepSearchEngine?: boolean;
  /** The search tier, when OP_SPHINX_SHARDS is set. */
  sphinx: SphinxConfig | null;
  /** Above this many matching chats a keyword search's `page.total` is capped (OP_SEARCH_TOTAL_CAP; 0: always exact). */
  searchTotalCap: number;
  /**
   * Tenants of at most this many messages are searched in the store where the index matches
   * every tenant's messages before it filters (Mroonga): OP_SEARCH_SMALL_TENANT, 0: never.
   */
  searchSmallTenant: number;
  /** Whether reads and changes are recorded in the audit trail (OP_AUDIT, on by default). */
  auditEnabled: boolean;
  /** Shared state of several processes (nonces, sign-in throttle); null: in this process. */
  redis: RedisConfig | null;
  /**
   * How long a verified token is reused without asking the database (OP_TOKEN_CACHE_MS);
   * 0, the default, checks every call. A sign-out through the same process is seen at once
   * either way; one made elsewhere (another process, opctl, SQL) within this bound.
   */
  tokenCacheMs: number;
  /** How far an Easemob callback's `timestamp` may be from the server clock (OP_CALLBACK_WINDOW_SECONDS). */
  callbackWindowSeconds: number;
  /** Who may read /metrics and /openapi.json (OP_METRICS_TOKEN, OP_METRICS_LISTEN). */
  metrics: MetricsAccess;
  /**
   * When the API applies the tenants' retention policies (OP_RETENTION_SCHEDULE): a cron
   * expression (5 or 6 fields, seconds first when 6) in OP_TIMEZONE; null: never (`off`).
   */
  retentionSchedule: string | null;
  /** The durable journal of callbacks the database could not take in time (issue 13). */
  spool: SpoolConfig;
  /** The scheduled reconciliation with Easemob's hourly history export (issue 13). */
  reconcile: ReconcileConfig;
}

export interface SpoolConfig {
  /** Where each process keeps its journal (OP_SPOOL_DIR, default `<OP_DATA_DIR>/spool`). */
  dir: string;
  /** Past this many bytes of journal per process, callbacks are answered 503 (OP_SPOOL_MAX_BYTES). */
  maxBytes: number;
  /** A callback the database has not stored within this is journalled instead (OP_SPOOL_AFTER_MS). */
  afterMs: number;
  /** Concurrent callbacks share one transaction (OP_CALLBACK_GROUP_COMMIT, on by default: decision 0009). */
  groupCommit: boolean;
}

export interface ReconcileConfig {
  /** Reconcile the previous hour of every tenant with Easemob credentials (OP_RECONCILE, off by default). */
  enabled: boolean;
  /** Minute past each hour at which the job runs (OP_RECONCILE_MINUTE, default 10: the export lags the hour). */
  minute: number;
  /** Easemob REST host, e.g. https://a1.easemob.com (OP_EASEMOB_BASE_URL). */
  baseUrl: string;
  /** Per HTTP request to Easemob, download included (OP_EASEMOB_TIMEOUT_MS). */
  timeoutMs: number;
  /** The zone of Easemob's yyyyMMddHH hours as an offset from UTC in hours (OP_EASEMOB_UTC_OFFSET: 8 on China clusters, 0 overseas). */
  utcOffsetHours: number;
  /** Besides the previous hour, each run retries up to this many unreconciled hours of the last day (OP_RECONCILE_RETRY_HOURS). */
  retryHours: number;
  /**
   * Hours after an hour's end by which Easemob's export of it is final (OP_RECONCILE_SETTLE_HOURS,
   * default 2): an hour whose ok runs all began sooner is redone, and is a gap (`early`) until then.
   */
  settleHours: number;
}

export interface MetricsAccess {
  /** A bearer token the API port requires for them; null: none. */
  token: string | null;
  /** A separate address that serves them (and the API port then does not); null: the API port. */
  listen: { host: string; port: number } | null;
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** A configuration value that stops the start; the message names the variable. */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    reason: string,
  ) {
    super(`配置错误：${variable} ${reason}`);
    this.name = 'ConfigError';
  }
}

type Env = Readonly<Record<string, string | undefined>>;

function value(env: Env, name: string): string | undefined {
  const raw = env[name];
  return raw === undefined || raw.trim() === '' ? undefined : raw.trim();
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = value(env, name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new ConfigError(name, `必须是 ${min} 到 ${max} 之间的整数，当前值无效`);
  }
  return Number(raw);
}

export const DEFAULT_DB_POOL_SIZE = 20;
export const DEFAULT_DB_QUERY_TIMEOUT_MS = 10_000;

export function parseDatabaseUrl(
  raw: string,
  cwd: string,
  name = 'OP_DATABASE_URL',
  poolSize = DEFAULT_DB_POOL_SIZE,
  queryTimeoutMs = DEFAULT_DB_QUERY_TIMEOUT_MS,
): DatabaseConfig {
  if (raw.startsWith('sqlite:')) {
    const path = raw.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (path === '') throw new ConfigError(name, '缺少 SQLite 文件路径（例如 sqlite:data/op.sqlite）');
    return { type: 'sqlite', path: path === ':memory:' ? path : resolve(cwd, path) };
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(name, '不是有效的地址（应为 mysql://user:pass@host:port/db 或 sqlite:<路径>）');
  }
  if (url.protocol !== 'mysql:' && url.protocol !== 'mariadb:') {
    throw new ConfigError(name, '只支持 mysql://、mariadb:// 或 sqlite: 地址');
  }
  const decoded = (part: string, what: string) => {
    try {
      return decodeURIComponent(part);
    } catch {
      // The part itself is not shown: it may be the password.
      throw new ConfigError(name, `中的${what}含有无效的 % 转义（特殊字符应写成 %XX，例如 % 写成 %25）`);
    }
  };
  const database = decoded(url.pathname.replace(/^\//, ''), '数据库名');
  if (!/^[A-Za-z0-9_$]{1,64}$/.test(database)) {
    throw new ConfigError(name, '缺少有效的数据库名（mysql://user:pass@host:port/db）');
  }
  const port = url.port === '' ? 3306 : Number(url.port);
  return {
    type: 'mysql',
    url: raw,
    host: url.hostname,
    port,
    username: decoded(url.username || 'root', '用户名'),
    password: decoded(url.password, '密码'),
    database,
    poolSize,
    queryTimeoutMs,
  };
}

function onOff(env: Env, name: string, fallback: boolean): boolean {
  const raw = value(env, name)?.toLowerCase();
  if (raw === undefined) return fallback;
  if (raw === 'on' || raw === 'true' || raw === '1') return true;
  if (raw === 'off' || raw === 'false' || raw === '0') return false;
  throw new ConfigError(name, '只能是 on 或 off');
}

/** Daily at 03:30 in OP_TIMEZONE: purges run at night; a tenant without a policy costs one query. */
export const DEFAULT_RETENTION_SCHEDULE = '0 30 3 * * *';

function retentionSchedule(env: Env): string | null {
  const raw = value(env, 'OP_RETENTION_SCHEDULE')?.trim() ?? DEFAULT_RETENTION_SCHEDULE;
  if (raw.toLowerCase() === 'off') return null;
  const fields = raw.split(/\s+/).length;
  let valid = fields === 5 || fields === 6;
  try {
    if (valid) new CronTime(raw);
  } catch {
    valid = false;
  }
  if (!valid) throw new ConfigError('OP_RETENTION_SCHEDULE', '必须是 cron 表达式（5 或 6 个字段，例如 0 30 3 * * *）或 off');
  return raw;
}

function logLevel(env: Env): LogLevel {
  const raw = value(env, 'OP_LOG_LEVEL') ?? 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(raw)) throw new ConfigError('OP_LOG_LEVEL', `只能是 ${LOG_LEVELS.join('、')} 之一`);
  return raw as LogLevel;
}

function isValidTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** A 32-byte key written as 64 hex or base64; `name` is what the message names. */
export function parseMasterKey(raw: string, name = 'OP_MASTER_KEY'): Buffer {
  const key = /^[0-9a-fA-F]{64}$/.test(raw) ? Buffer.from(raw, 'hex') : Buffer.from(raw, 'base64');
  if (key.length !== 32) throw new ConfigError(name, '必须是 32 字节的密钥（64 位十六进制或 base64）');
  return key;
}

function parseQiniu(env: Env): QiniuConfig | null {
  const domain = value(env, 'OP_QINIU_DOMAIN');
  const accessKey = value(env, 'OP_QINIU_ACCESS_KEY');
  const secretKey = value(env, 'OP_QINIU_SECRET_KEY');
  const urlTtlSeconds = integer(env, 'OP_QINIU_URL_TTL', 3600, 1, 31_536_000);
  const given = [domain, accessKey, secretKey].filter((v) => v !== undefined).length;
  if (given === 0) return null;
  if (given < 3) {
    const missing = [
      ['OP_QINIU_DOMAIN', domain],
      ['OP_QINIU_ACCESS_KEY', accessKey],
      ['OP_QINIU_SECRET_KEY', secretKey],
    ].find(([, v]) => v === undefined)![0] as string;
    throw new ConfigError(missing, '未设置：七牛配置需要 OP_QINIU_DOMAIN、OP_QINIU_ACCESS_KEY 和 OP_QINIU_SECRET_KEY 三项');
  }
  if (!/^https?:\/\/[^/\s]+$/.test(domain!.replace(/\/$/, ''))) {
    throw new ConfigError('OP_QINIU_DOMAIN', '必须是带协议的域名，例如 http://img.example.com');
  }
  return { domain: domain!.replace(/\/$/, ''), accessKey: accessKey!, secretKey: secretKey!, urlTtlSeconds };
}

function parseRedis(env: Env): RedisConfig | null {
  const url = value(env, 'OP_REDIS_URL');
  const prefix = value(env, 'OP_REDIS_PREFIX') ?? 'op:';
  if (!/^[A-Za-z0-9:_.-]{1,64}$/.test(prefix)) throw new ConfigError('OP_REDIS_PREFIX', '只能由 1 到 64 个字母、数字或 : _ . - 组成');
  if (url === undefined) return null;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError('OP_REDIS_URL', '不是有效的地址（应为 redis://host:port 或 rediss://host:port）');
  }
  if ((parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') || parsed.hostname === '') {
    throw new ConfigError('OP_REDIS_URL', '只支持 redis:// 或 rediss:// 地址');
  }
  return { url, prefix };
}

function parseMetrics(env: Env): MetricsAccess {
  const token = value(env, 'OP_METRICS_TOKEN') ?? null;
  if (token !== null && !/^[\x21-\x7e]{16,256}$/.test(token))
    throw new ConfigError('OP_METRICS_TOKEN', '必须是 16 到 256 个可见 ASCII 字符');
  const listen = value(env, 'OP_METRICS_LISTEN');
  return { token, listen: listen === undefined ? null : sphinxAddress('OP_METRICS_LISTEN', listen) };
}

function sphinxAddress(name: string, raw: string): SphinxAddress {
  const match = /^([A-Za-z0-9.-]+|\[[0-9a-fA-F:]+\]):(\d{1,5})$/.exec(raw.trim());
  if (!match || Number(match[2]) < 1 || Number(match[2]) > 65535)
    throw new ConfigError(name, `的地址 ${raw.trim()} 无效（应为 host:port）`);
  return { host: match[1].replace(/^\[|\]$/g, ''), port: Number(match[2]) };
}

function parseSphinx(env: Env): SphinxConfig | null {
  const shards = value(env, 'OP_SPHINX_SHARDS');
  const search = value(env, 'OP_SPHINX_SEARCH');
  if (shards === undefined) {
    if (search !== undefined) throw new ConfigError('OP_SPHINX_SHARDS', '未设置：OP_SPHINX_SEARCH 需要同时设置各分片的地址');
    return null;
  }
  return {
    shards: shards.split(',').map((address) => sphinxAddress('OP_SPHINX_SHARDS', address)),
    search: search === undefined ? null : sphinxAddress('OP_SPHINX_SEARCH', search),
  };
}

function searchEngine(env: Env, sphinx: SphinxConfig | null): SearchEngineSetting {
  const raw = value(env, 'OP_SEARCH_ENGINE')?.toLowerCase() ?? 'auto';
  if (!(SEARCH_ENGINE_SETTINGS as readonly string[]).includes(raw)) {
    throw new ConfigError('OP_SEARCH_ENGINE', `只能是 ${SEARCH_ENGINE_SETTINGS.join('、')} 之一`);
  }
  if (raw === 'sphinx' && sphinx === null) throw new ConfigError('OP_SPHINX_SHARDS', '未设置：OP_SEARCH_ENGINE=sphinx 需要各分片的地址');
  return raw as SearchEngineSetting;
}

/** Reads and validates the §4 environment; throws {@link ConfigError} naming the bad variable. */
export function loadConfig(env: Env = process.env, cwd: string = process.cwd()): AppConfig {
  const dataDir = resolve(cwd, value(env, 'OP_DATA_DIR') ?? 'data');
  const timezone = value(env, 'OP_TIMEZONE') ?? 'Asia/Shanghai';
  if (!isValidTimeZone(timezone)) throw new ConfigError('OP_TIMEZONE', '不是有效的时区（例如 Asia/Shanghai）');
  const databaseUrl = value(env, 'OP_DATABASE_URL');
  const sphinx = parseSphinx(env);
  const poolSize = integer(env, 'OP_DB_POOL_SIZE', DEFAULT_DB_POOL_SIZE, 1, 500);
  const queryTimeoutMs = integer(env, 'OP_DB_QUERY_TIMEOUT_MS', DEFAULT_DB_QUERY_TIMEOUT_MS, 1_000, 3_600_000);
  const database: DatabaseConfig = databaseUrl
    ? parseDatabaseUrl(databaseUrl, cwd, 'OP_DATABASE_URL', poolSize, queryTimeoutMs)
    : { type: 'sqlite', path: resolve(dataDir, 'op.sqlite') };
  return {
    database,
    replicas: parseReplicas(env, database, poolSize, queryTimeoutMs),
    port: integer(env, 'OP_PORT', 3000, 0, 65535),
    listenHost: listenHost(env),
    timezone,
    servicePhone: value(env, 'OP_SERVICE_PHONE') ?? '400800400',
    hostName: value(env, 'OP_HOST_NAME') ?? hostname(),
    qiniu: parseQiniu(env),
    masterKey: value(env, 'OP_MASTER_KEY') === undefined ? null : parseMasterKey(value(env, 'OP_MASTER_KEY')!),
    dataDir,
    workerId: integer(env, 'OP_WORKER_ID', Math.floor(Math.random() * 1024), 0, 1023),
    bodyLimitBytes: integer(env, 'OP_BODY_LIMIT', 64 * 1024, 1024, 16 * 1024 * 1024),
    logLevel: logLevel(env),
    rateLimitPerSecond: integer(env, 'OP_RATE_LIMIT', 200, 0, 1_000_000),
    searchWindowDays: integer(env, 'OP_SEARCH_WINDOW_DAYS', 90, 1, 3660),
    searchEngine: searchEngine(env, sphinx),
    sphinx,
    searchTotalCap: integer(env, 'OP_SEARCH_TOTAL_CAP', 1_000, 0, 1_000_000),
    searchSmallTenant: integer(env, 'OP_SEARCH_SMALL_TENANT', 20_000, 0, 1_000_000),
    auditEnabled: onOff(env, 'OP_AUDIT', true),
    redis: parseRedis(env),
    tokenCacheMs: integer(env, 'OP_TOKEN_CACHE_MS', 0, 0, 60_000),
    callbackWindowSeconds: integer(env, 'OP_CALLBACK_WINDOW_SECONDS', 300, 30, 3600),
    metrics: parseMetrics(env),
    retentionSchedule: retentionSchedule(env),
    spool: {
      dir: resolve(dataDir, value(env, 'OP_SPOOL_DIR') ?? 'spool'),
      maxBytes: integer(env, 'OP_SPOOL_MAX_BYTES', 1024 * 1024 * 1024, 64 * 1024, 1024 * 1024 * 1024 * 1024),
      afterMs: integer(env, 'OP_SPOOL_AFTER_MS', 2_000, 50, 60_000),
      groupCommit: onOff(env, 'OP_CALLBACK_GROUP_COMMIT', true),
    },
    reconcile: {
      enabled: onOff(env, 'OP_RECONCILE', false),
      minute: integer(env, 'OP_RECONCILE_MINUTE', 10, 0, 59),
      baseUrl: easemobBaseUrl(env),
      timeoutMs: integer(env, 'OP_EASEMOB_TIMEOUT_MS', 60_000, 1_000, 3_600_000),
      utcOffsetHours: integer(env, 'OP_EASEMOB_UTC_OFFSET', 8, 0, 14),
      retryHours: integer(env, 'OP_RECONCILE_RETRY_HOURS', 3, 0, 24),
      settleHours: integer(env, 'OP_RECONCILE_SETTLE_HOURS', 2, 0, 12),
    },
  };
}

function parseReplicas(env: Env, primary: DatabaseConfig, poolSize: number, queryTimeoutMs: number): ReplicaConfig {
  const name = 'OP_DATABASE_REPLICA_URLS';
  const maxLagMs = integer(env, 'OP_REPLICA_MAX_LAG_MS', 2_000, 100, 3_600_000);
  const urls =
    value(env, name)
      ?.split(',')
      .map((url) => url.trim())
      .filter((url) => url !== '') ?? [];
  if (urls.length > 0 && primary.type !== 'mysql')
    throw new ConfigError(name, '需要 MySQL/MariaDB 主库（OP_DATABASE_URL 为 mysql:// 地址）');
  const databases = urls.map((url) => {
    const replica = parseDatabaseUrl(url, '', name, poolSize, queryTimeoutMs);
    if (replica.type !== 'mysql') throw new ConfigError(name, '只支持 mysql:// 或 mariadb:// 地址');
    return replica;
  });
  return { databases, maxLagMs };
}

function easemobBaseUrl(env: Env): string {
  const raw = (value(env, 'OP_EASEMOB_BASE_URL') ?? 'https://a1.easemob.com').replace(/\/+$/, '');
  if (!/^https?:\/\/[^/\s]+(\/[^\s]*)?$/.test(raw))
    throw new ConfigError('OP_EASEMOB_BASE_URL', '必须是带协议的地址，例如 https://a1.easemob.com');
  return raw;
}

/** OP_LISTEN_HOST: an IPv4 or IPv6 address (`127.0.0.1`, `::1`, `0.0.0.0`) or `localhost`. */
function listenHost(env: Env): string {
  const host = value(env, 'OP_LISTEN_HOST');
  if (host === undefined) return '0.0.0.0';
  if (host !== 'localhost' && isIP(host) === 0)
    throw new ConfigError('OP_LISTEN_HOST', '必须是 IP 地址（如 127.0.0.1、0.0.0.0）或 localhost');
  return host;
}
