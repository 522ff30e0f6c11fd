import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OpClient } from '@op/contracts/node';
import { Redis } from 'ioredis';
import { createTestDatabase, type TestDatabase } from './support/databases';
import { freePort, MAIN, OPCTL, opctlTenant, runNode, startServer, type RunningServer } from './support/processes';

// Two built API processes sharing one Redis and one MariaDB database, as a deployment runs them.
const REDIS_URL = process.env.OP_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
/** Unique per run, so parallel runs on one Redis never see each other's keys. */
const PREFIX = `op-test-${process.pid}-${randomBytes(4).toString('hex')}:`;

async function opctl(args: string[], env: Record<string, string>): Promise<Record<string, unknown>> {
  const run = await runNode(OPCTL, args, env);
  if (run.code !== 0) throw new Error(`${args[0]} exited ${run.code}: ${run.stderr}`);
  return JSON.parse(run.stdout) as Record<string, unknown>;
}

describe('two API processes sharing Redis and MariaDB', () => {
  let redis: Redis;
  let db: TestDatabase;
  let dataDir: string;
  const apis: RunningServer[] = [];
  let one: OpClient;
  let other: OpClient;
  let secret: string;
  let clientId: string;

  beforeAll(async () => {
    if (!existsSync(MAIN)) throw new Error('apps/op-api/dist is missing: run `npm test` (it builds first) or `npm run build`');
    // Not reachable is a failure, never a skip: .ci/run starts Redis when it is down.
    redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1, connectTimeout: 3_000, lazyConnect: true });
    redis.on('error', () => undefined);
    await redis.connect().catch((error: unknown) => {
      throw new Error(`Redis is not reachable at ${REDIS_URL} (start it, or set OP_TEST_REDIS_URL): ${String(error)}`);
    });
    db = await createTestDatabase('mariadb');
    dataDir = mkdtempSync(join(tmpdir(), 'op-two-'));
    const env = {
      OP_DATABASE_URL: db.url,
      OP_DATA_DIR: dataDir,
      OP_MASTER_KEY: '22'.repeat(32),
      OP_REDIS_URL: REDIS_URL,
      OP_REDIS_PREFIX: PREFIX,
    };
    await opctl(['migrate'], env);
    let token: string;
    ({ clientId, secret, token } = await opctlTenant(env, {
      name: 'two',
      username: 'alice',
      password: 'a-long-password',
      ttlSeconds: 600,
    }));
    const [a, b] = await Promise.all([startServer({ ...env, OP_HOST_NAME: 'a' }), startServer({ ...env, OP_HOST_NAME: 'b' })]);
    apis.push(a, b);
    one = new OpClient({ baseUrl: a.baseUrl, clientId, secret, token });
    other = new OpClient({ baseUrl: b.baseUrl, clientId, secret, token });
  }, 60_000);

  afterAll(async () => {
    await Promise.all(apis.map((api) => api.stop()));
    if (redis?.status === 'ready') {
      const keys = await redis.keys(`${PREFIX}*`);
      if (keys.length > 0) await redis.del(...keys);
      await redis.quit();
    }
    await db?.drop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('refuses on one a nonce already used on the other', async () => {
    const first = await one.call('chatMessageList', { chatId: 'u0001none' }, { nonce: 'shared-nonce-1' });
    expect(first.envelope).toMatchObject({ code: 404 }); // signed and accepted: the chat does not exist
    expect(first.envelope.foot).toMatchObject({ host: 'a' });
    const replay = await other.call('chatMessageList', { chatId: 'u0001none' }, { nonce: 'shared-nonce-1' });
    expect(replay.envelope).toMatchObject({ code: 401, message: 'nonce 已使用，请求被视为重放' });
    expect(replay.envelope.foot).toMatchObject({ host: 'b' });
    expect(await redis.exists(`${PREFIX}nonce:${clientId}:shared-nonce-1`)).toBe(1);
    // A fresh nonce still works on either.
    expect((await other.call('chatMessageList', { chatId: 'u0001none' }, { nonce: 'shared-nonce-2' })).envelope.code).toBe(404);
  });

  it('counts sign-in failures made on either process', async () => {
    const login = (client: OpClient) => client.call('operatorLogin', { username: 'alice', password: 'wrong-password' }, { token: null });
    // Ten wrong passwords at once, five on each process. Attempts are counted before the slow
    // hash, so the burst meets the limit a sequence does: five free failures and a sixth that
    // locks the user for 1 s everywhere, the other four refused. Counted per process, all ten
    // would be 401 (six allowed on each). A burst, not a sequence: under load one hash can take
    // longer than the 1 s lock, and a sequence would then find the lock gone.
    const codes = (await Promise.all(Array.from({ length: 10 }, (_, i) => login(i % 2 === 0 ? one : other)))).map(
      (answer) => answer.envelope.code,
    );
    expect(codes.filter((code) => code === 401)).toHaveLength(6);
    expect(codes.filter((code) => code === 429)).toHaveLength(4);
  });

  it('refuses on one a token signed out on the other at once', async () => {
    await new Promise((resolve) => setTimeout(resolve, 1_100)); // the 1 s lock of the previous case
    const signIn = await one.call<{ token: string }>('operatorLogin', { username: 'alice', password: 'a-long-password' }, { token: null });
    expect(signIn.envelope.code).toBe(200);
    const token = signIn.envelope.data!.token;
    expect((await other.call('chatMessageList', { chatId: 'u0001none' }, { token })).envelope.code).toBe(404);
    expect((await one.call('operatorLogout', {}, { token })).envelope.code).toBe(200);
    expect((await other.call('chatMessageList', { chatId: 'u0001none' }, { token })).envelope).toMatchObject({
      code: 401,
      message: 'token 无效或已过期',
    });
  });
});

/** A Redis of the spec's own on a free port, so the spec can stop and start it. */
async function startPrivateRedis(port: number): Promise<ChildProcess> {
  const server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
  });
  const probe = new Redis(port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  probe.on('error', () => undefined);
  for (let i = 0; i < 100; i++) {
    if (
      await probe.connect().then(
        () => true,
        () => false,
      )
    ) {
      probe.disconnect();
      return server;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  server.kill('SIGKILL');
  throw new Error(`redis-server did not start on ${port} (is it installed?)`);
}

function stopRedis(server: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    server.once('exit', () => resolve());
    server.kill('SIGKILL');
  });
}

describe('an API whose Redis goes away', () => {
  let db: TestDatabase;
  let dataDir: string;
  let redisServer: ChildProcess | null = null;
  let api: RunningServer | null = null;

  afterAll(async () => {
    await api?.stop();
    if (redisServer) await stopRedis(redisServer);
    await db?.drop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers 503 with Retry-After while Redis is down, and recovers by itself', async () => {
    const port = await freePort();
    redisServer = await startPrivateRedis(port);
    db = await createTestDatabase('sqlite');
    dataDir = mkdtempSync(join(tmpdir(), 'op-redis-down-'));
    const env = {
      OP_DATABASE_URL: db.url,
      OP_DATA_DIR: dataDir,
      OP_MASTER_KEY: '33'.repeat(32),
      OP_REDIS_URL: `redis://127.0.0.1:${port}`,
    };
    await opctl(['migrate'], env);
    const { clientId, secret, token } = await opctlTenant(env, {
      name: 'down',
      username: 'bob',
      password: 'a-long-password',
      role: 'agent',
      ttlSeconds: 600,
    });
    api = await startServer(env);
    const client = new OpClient({ baseUrl: api.baseUrl, clientId, secret, token });
    const list = (nonce: string) => client.call('chatMessageList', { chatId: 'u0001none' }, { nonce });

    expect((await list('before')).envelope.code).toBe(404); // signed, counted, accepted: no such chat

    await stopRedis(redisServer);
    redisServer = null;
    const during = client.signedRequest('chatMessageList', { chatId: 'u0001none' }, { nonce: 'during' });
    const down = await fetch(during.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: during.body });
    expect(down.status).toBe(503);
    expect(down.headers.get('retry-after')).toBe('5');
    expect(await down.json()).toMatchObject({ code: 503, message: '共享状态服务（Redis）暂不可用，请稍后重试', data: null });
    const login = await client.call('operatorLogin', { username: 'bob', password: 'a-long-password' }, { token: null });
    expect(login.envelope.code).toBe(503);
    expect((await fetch(`${api.baseUrl}/readyz`)).status).toBe(503);

    redisServer = await startPrivateRedis(port);
    let recovered = 0;
    for (let i = 0; i < 100 && recovered !== 404; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      recovered = (await list(`after-${i}`)).envelope.code;
    }
    expect(recovered).toBe(404);
  }, 60_000);
});
