import { randomBytes } from 'node:crypto';
import { loadConfig } from '../src/config/app-config';
import { RateLimiter } from '../src/modules/access/rate-limiter.service';
import { SharedRedis } from '../src/modules/access/shared-redis.service';
import { startTestApp, type TestApp, type TestTenant } from './support/test-app';

const REDIS_URL = process.env.OP_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('per-client rate limit', () => {
  let t: TestApp;
  let a: TestTenant;
  let b: TestTenant;

  beforeAll(async () => {
    t = await startTestApp('sqlite', { OP_RATE_LIMIT: '5' });
    a = await t.createTenant();
    b = await t.createTenant();
  });

  afterAll(async () => {
    await t?.close();
  });

  it('answers 429 in the envelope with a retry hint past the limit, for that client only', async () => {
    const results = await Promise.all(Array.from({ length: 12 }, () => a.client.call('chatMessageList', { chatId: 'u0001none' })));
    const limited = results.filter((r) => r.status === 429);
    // 12 calls fall in at most two one-second windows of 5: at least two are refused.
    expect(limited.length).toBeGreaterThanOrEqual(2);
    expect(limited[0].envelope).toMatchObject({
      code: 429,
      data: null,
      message: expect.stringMatching(/^client 请求过于频繁，请 1 秒后再试$/),
    });
    expect(results.filter((r) => r.status !== 429).every((r) => r.status === 404)).toBe(true);
    const raw = a.client.signedRequest('chatMessageList', { chatId: 'u0001none' }, { nonce: null });
    const burst = await Promise.all(
      Array.from({ length: 12 }, () => fetch(raw.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: raw.body })),
    );
    const refused = burst.find((r) => r.status === 429);
    expect(refused?.headers.get('retry-after')).toBe('1');
    expect((await b.client.call('chatMessageList', { chatId: 'u0001none' })).status).toBe(404);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect((await a.client.call('chatMessageList', { chatId: 'u0001none' })).status).toBe(404);
  });

  it('does not let replays of a captured request spend the client’s allowance', async () => {
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const captured = b.client.signedRequest('chatMessageList', { chatId: 'u0001none' }, { nonce: 'captured-1' });
    const replays = await Promise.all(
      Array.from({ length: 10 }, () =>
        fetch(captured.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: captured.body }),
      ),
    );
    expect(replays.filter((r) => r.status === 404)).toHaveLength(1);
    expect(replays.filter((r) => r.status === 401)).toHaveLength(9);
    expect((await b.client.call('chatMessageList', { chatId: 'u0001none' })).status).toBe(404);
  });

  it('counts one client across processes through Redis', async () => {
    const env = { OP_REDIS_URL: REDIS_URL, OP_REDIS_PREFIX: `op-test-${randomBytes(4).toString('hex')}:`, OP_RATE_LIMIT: '5' };
    const config = loadConfig(env);
    const redisA = new SharedRedis(config);
    const redisB = new SharedRedis(config);
    try {
      const processA = new RateLimiter(redisA, config);
      const processB = new RateLimiter(redisB, config);
      const now = 1_800_000_000_250;
      const waits = [];
      for (let i = 0; i < 3; i++) waits.push(await processA.take('client-x', now), await processB.take('client-x', now));
      expect(waits).toEqual([0, 0, 0, 0, 0, 750]);
      expect(await processA.take('client-y', now)).toBe(0);
      expect(await processB.take('client-x', now + 1000)).toBe(0);
    } finally {
      await redisA.onApplicationShutdown();
      await redisB.onApplicationShutdown();
    }
  });
});
