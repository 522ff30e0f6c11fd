import { ConfigError, loadConfig } from './app-config';

const load = (env: Record<string, string>) => loadConfig(env, '/srv/op');

describe('configuration', () => {
  it('runs on the embedded default with nothing set', () => {
    const config = load({});
    expect(config).toMatchObject({
      database: { type: 'sqlite', path: '/srv/op/data/op.sqlite' },
      port: 3000,
      listenHost: '0.0.0.0',
      timezone: 'Asia/Shanghai',
      servicePhone: '400800400',
      qiniu: null,
      masterKey: null,
    });
    expect(config.hostName.length).toBeGreaterThan(0);
    expect(load({ OP_LISTEN_HOST: '127.0.0.1' }).listenHost).toBe('127.0.0.1');
  });

  it('reads a MySQL URL', () => {
    expect(load({ OP_DATABASE_URL: 'mysql://op:p%40ss@db.local:3307/op_prod' }).database).toEqual({
      type: 'mysql',
      url: 'mysql://op:p%40ss@db.local:3307/op_prod',
      host: 'db.local',
      port: 3307,
      username: 'op',
      password: 'p@ss',
      database: 'op_prod',
      poolSize: 20,
      queryTimeoutMs: 10_000,
    });
    expect(load({ OP_DATABASE_URL: 'mysql://db.local/op', OP_DB_QUERY_TIMEOUT_MS: '2500' }).database).toMatchObject({
      queryTimeoutMs: 2500,
    });
    expect(load({ OP_DATABASE_URL: 'sqlite:var/op.db' }).database).toEqual({ type: 'sqlite', path: '/srv/op/var/op.db' });
  });

  it('reads the replicas: MySQL URLs beside a MySQL primary, named in every error without their password', () => {
    const primary = { OP_DATABASE_URL: 'mysql://op:pw@db.local/op' };
    expect(load(primary).replicas).toEqual({ databases: [], maxLagMs: 2000 });
    const config = load({
      ...primary,
      OP_DATABASE_REPLICA_URLS: ' mysql://reader:r%40@replica1:3307/op , mysql://reader:r@replica2/op ',
      OP_REPLICA_MAX_LAG_MS: '500',
      OP_DB_QUERY_TIMEOUT_MS: '3000',
    });
    expect(config.replicas.maxLagMs).toBe(500);
    expect(
      config.replicas.databases.map(({ host, port, username, password, database, queryTimeoutMs }) => ({
        host,
        port,
        username,
        password,
        database,
        queryTimeoutMs,
      })),
    ).toEqual([
      { host: 'replica1', port: 3307, username: 'reader', password: 'r@', database: 'op', queryTimeoutMs: 3000 },
      { host: 'replica2', port: 3306, username: 'reader', password: 'r', database: 'op', queryTimeoutMs: 3000 },
    ]);
    const errorOf = (env: Record<string, string>) => {
      try {
        load(env);
      } catch (error) {
        return error as ConfigError;
      }
      throw new Error('no error');
    };
    for (const [env, message] of [
      [{ OP_DATABASE_REPLICA_URLS: 'mysql://reader:secret-pw@replica1/op' }, '需要 MySQL/MariaDB 主库'],
      [{ ...primary, OP_DATABASE_REPLICA_URLS: 'sqlite:data/replica.sqlite' }, '只支持 mysql:// 或 mariadb:// 地址'],
      [{ ...primary, OP_DATABASE_REPLICA_URLS: 'mysql://reader:secret-pw@replica1' }, '缺少有效的数据库名'],
      [{ ...primary, OP_DATABASE_REPLICA_URLS: 'mysql://reader:secret-pw@replica1/op', OP_REPLICA_MAX_LAG_MS: '10' }, '100 到 3600000'],
    ] as const) {
      const error = errorOf(env);
      expect(error).toBeInstanceOf(ConfigError);
      expect(error.message).toContain(message);
      expect(error.message).not.toContain('secret-pw');
    }
  });

  it('reads the callback window and who may read the metrics', () => {
    expect(load({})).toMatchObject({ callbackWindowSeconds: 300, metrics: { token: null, listen: null } });
    expect(
      load({ OP_CALLBACK_WINDOW_SECONDS: '120', OP_METRICS_TOKEN: 't'.repeat(20), OP_METRICS_LISTEN: '127.0.0.1:9464' }),
    ).toMatchObject({
      callbackWindowSeconds: 120,
      metrics: { token: 't'.repeat(20), listen: { host: '127.0.0.1', port: 9464 } },
    });
  });

  it('reads the search window and the audit switch', () => {
    expect(load({})).toMatchObject({ searchWindowDays: 90, auditEnabled: true });
    expect(load({ OP_SEARCH_WINDOW_DAYS: '365', OP_AUDIT: 'off' })).toMatchObject({ searchWindowDays: 365, auditEnabled: false });
  });

  it('reads the shared Redis, in-process when unset', () => {
    expect(load({}).redis).toBeNull();
    expect(load({ OP_REDIS_URL: 'redis://127.0.0.1:6379/2' }).redis).toEqual({ url: 'redis://127.0.0.1:6379/2', prefix: 'op:' });
    expect(load({ OP_REDIS_URL: 'rediss://cache.local:6380', OP_REDIS_PREFIX: 'op-a:' }).redis).toEqual({
      url: 'rediss://cache.local:6380',
      prefix: 'op-a:',
    });
    for (const [env, variable] of [
      [{ OP_REDIS_URL: 'http://127.0.0.1:6379' }, 'OP_REDIS_URL'],
      [{ OP_REDIS_URL: 'not a url' }, 'OP_REDIS_URL'],
      [{ OP_REDIS_URL: 'redis://127.0.0.1', OP_REDIS_PREFIX: 'op {x}' }, 'OP_REDIS_PREFIX'],
    ] as const) {
      expect(() => load(env)).toThrow(ConfigError);
      expect(() => load(env)).toThrow(variable);
    }
  });

  it('reads Qiniu settings as a whole', () => {
    expect(load({ OP_QINIU_DOMAIN: 'http://img.example.com/', OP_QINIU_ACCESS_KEY: 'ak', OP_QINIU_SECRET_KEY: 'sk' }).qiniu).toEqual({
      domain: 'http://img.example.com',
      accessKey: 'ak',
      secretKey: 'sk',
      urlTtlSeconds: 3600,
    });
  });

  it.each([
    [{ OP_PORT: 'eighty' }, 'OP_PORT'],
    [{ OP_PORT: '70000' }, 'OP_PORT'],
    [{ OP_TIMEZONE: 'Mars/Olympus' }, 'OP_TIMEZONE'],
    [{ OP_DATABASE_URL: 'postgres://x/y' }, 'OP_DATABASE_URL'],
    [{ OP_DATABASE_URL: 'mysql://root@127.0.0.1:3306' }, 'OP_DATABASE_URL'],
    [{ OP_DATABASE_URL: 'not a url' }, 'OP_DATABASE_URL'],
    [{ OP_DATABASE_URL: 'sqlite:' }, 'OP_DATABASE_URL'],
    [{ OP_QINIU_DOMAIN: 'http://img.example.com' }, 'OP_QINIU_ACCESS_KEY'],
    [{ OP_QINIU_DOMAIN: 'img.example.com', OP_QINIU_ACCESS_KEY: 'a', OP_QINIU_SECRET_KEY: 's' }, 'OP_QINIU_DOMAIN'],
    [{ OP_QINIU_URL_TTL: '0' }, 'OP_QINIU_URL_TTL'],
    [{ OP_MASTER_KEY: 'short' }, 'OP_MASTER_KEY'],
    [{ OP_DATABASE_URL: 'mysql://root@h/db', OP_DB_POOL_SIZE: '0' }, 'OP_DB_POOL_SIZE'],
    [{ OP_SEARCH_WINDOW_DAYS: '0' }, 'OP_SEARCH_WINDOW_DAYS'],
    [{ OP_SEARCH_WINDOW_DAYS: 'ninety' }, 'OP_SEARCH_WINDOW_DAYS'],
    [{ OP_AUDIT: 'maybe' }, 'OP_AUDIT'],
    [{ OP_CALLBACK_WINDOW_SECONDS: '5' }, 'OP_CALLBACK_WINDOW_SECONDS'],
    [{ OP_DATABASE_URL: 'mysql://root@h/db', OP_DB_QUERY_TIMEOUT_MS: '0' }, 'OP_DB_QUERY_TIMEOUT_MS'],
    [{ OP_METRICS_TOKEN: 'short' }, 'OP_METRICS_TOKEN'],
    [{ OP_METRICS_LISTEN: '9464' }, 'OP_METRICS_LISTEN'],
    [{ OP_LISTEN_HOST: 'example.com' }, 'OP_LISTEN_HOST'],
  ])('stops on %j, naming %s', (env, variable) => {
    expect(() => load(env)).toThrow(ConfigError);
    expect(() => load(env)).toThrow(new RegExp(`^配置错误：${variable} `));
  });
});
