import { OpClient } from '@op/contracts/node';
import { OP_ENDPOINT_NAMES } from '@op/contracts';
import { APPKEY, CALLBACK_SECRET, callbackBody, postCallback } from './support/easemob';
import { ENGINES } from './support/databases';
import { startServer } from './support/processes';
import { startTestApp, type TestApp, type TestTenant } from './support/test-app';

describe.each(ENGINES)('health, metrics and the API description on %s', (engine) => {
  let t: TestApp;
  let a: TestTenant;

  beforeAll(async () => {
    t = await startTestApp(engine);
    a = await t.createTenant();
    await t.easemobApps.register(a.tenantId, APPKEY, CALLBACK_SECRET);
  });

  afterAll(async () => {
    await t?.close();
  });

  it('answers liveness and readiness without a signature', async () => {
    const live = await fetch(`${t.baseUrl}/healthz`);
    expect(live.status).toBe(200);
    expect(await live.json()).toMatchObject({ code: 200, data: { status: 'ok' } });
    const ready = await fetch(`${t.baseUrl}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ code: 200, data: { status: 'ok', info: { database: { status: 'up' } } } });
  });

  it('counts requests per route and code, callback outcomes and pool use in Prometheus format', async () => {
    await a.client.call('chatMessageList', { chatId: 'u0001nothing' });
    await a.client.call('chatMessageList', { chatId: 'u0001nothing' });
    await postCallback(t.baseUrl, callbackBody({ from: 'u0001m', to: 'kefu01' }));
    await postCallback(t.baseUrl, callbackBody({ from: 'u0001m', to: 'kefu01', secret: 'wrong' }));
    const response = await fetch(`${t.baseUrl}/metrics`);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await response.text();
    expect(text).toMatch(/op_http_requests_total\{route="\/op\/v2\/chatMessageList",method="POST",code="404"\} 2/);
    expect(text).toMatch(
      /op_http_request_duration_seconds_bucket\{le="[^"]+",route="\/op\/v2\/chatMessageList",method="POST",code="404"\} \d+/,
    );
    expect(text).toMatch(/op_easemob_callbacks_total\{outcome="stored"\} 1/);
    expect(text).toMatch(/op_easemob_callbacks_total\{outcome="rejected"\} 1/);
    if (engine === 'mariadb') expect(text).toMatch(/op_db_pool_connections\{state="limit"\} 20/);
    expect(text).toMatch(/op_process_resident_memory_bytes \d+/);
  });

  it('serves an OpenAPI document of every endpoint, with request schemas from the contracts', async () => {
    const doc = (await (await fetch(`${t.baseUrl}/openapi.json`)).json()) as {
      openapi: string;
      paths: Record<string, { post?: { requestBody: { content: Record<string, { schema: { $ref?: string } }> } } }>;
      components: { schemas: Record<string, { properties?: Record<string, unknown>; required?: string[] }> };
    };
    expect(doc.openapi).toBe('3.1.0');
    for (const name of OP_ENDPOINT_NAMES) expect(doc.paths[`/op/v2/${name}`]?.post).toBeDefined();
    expect(doc.paths['/hx/callback'].post).toBeDefined();
    expect(doc.paths['/op/v2/chatMessageList'].post!.requestBody.content['application/json'].schema.$ref).toBe(
      '#/components/schemas/ChatMessageListRequest',
    );
    const request = doc.components.schemas.ChatMessageListRequest;
    expect(Object.keys(request.properties ?? {})).toEqual(
      expect.arrayContaining(['chatId', 'pageNum', 'pageSize', 'needMark', 'needFavorite']),
    );
    expect(request.required).toContain('chatId');
  });
});

describe('readiness with a shared Redis', () => {
  it('is ready when Redis answers and not ready, in the envelope, when it does not', async () => {
    const up = await startTestApp('sqlite', {
      OP_REDIS_URL: process.env.OP_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
      OP_REDIS_PREFIX: 'op-test-ready:',
    });
    try {
      const ready = await fetch(`${up.baseUrl}/readyz`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({ data: { info: { database: { status: 'up' }, redis: { status: 'up' } } } });
    } finally {
      await up.close();
    }
    const down = await startTestApp('sqlite', { OP_REDIS_URL: 'redis://127.0.0.1:1', OP_REDIS_PREFIX: 'op-test-ready:' });
    try {
      const ready = await fetch(`${down.baseUrl}/readyz`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toMatchObject({ code: 503, data: null, message: 'Redis 不可用，服务暂未就绪' });
      expect((await fetch(`${down.baseUrl}/healthz`)).status).toBe(200);
    } finally {
      await down.close();
    }
  });
});

describe('structured request logs of the built server', () => {
  it('writes one JSON line a request with its request id, and no token, sign, secret or password', async () => {
    const seed = await startTestApp('sqlite');
    const tenant = await seed.createTenant();
    const dataDir = seed.config.dataDir;
    const server = await startServer({ OP_DATABASE_URL: seed.database.url, OP_DATA_DIR: dataDir, OP_LOG_LEVEL: 'info' });
    try {
      const client = new OpClient({ baseUrl: server.baseUrl, clientId: tenant.clientId, secret: tenant.secret, token: tenant.token });
      const request = client.signedRequest(
        'operatorLogin',
        { username: 'op1', password: 'hunter2-hunter2' },
        { token: tenant.token, nonce: 'n-log-1' },
      );
      const response = await fetch(request.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-request-id': 'trace-42' },
        body: request.body,
      });
      expect(response.headers.get('x-request-id')).toBe('trace-42');
      const generated = await fetch(`${server.baseUrl}/healthz`);
      expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
      // Refused before any route runs: still traced and logged.
      const refused = await fetch(request.url, {
        method: 'POST',
        headers: { 'content-type': 'text/plain', 'x-request-id': 'trace-415' },
        body: 'x',
      });
      expect(refused.status).toBe(415);
      expect(refused.headers.get('x-request-id')).toBe('trace-415');
      await new Promise((r) => setTimeout(r, 300));
      const stdout = server.stdout();
      const lines = stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { level: number; req?: { id: string; url: string }; res?: { statusCode: number } });
      const logged = lines.find((line) => line.req?.id === 'trace-42');
      expect(logged?.req?.url).toContain('/op/v2/operatorLogin?');
      expect(logged?.req?.url).toContain('token=%5BREDACTED%5D');
      expect(logged?.res?.statusCode).toBe(response.status);
      const refusedLine = lines.find((line) => line.req?.id === 'trace-415');
      expect(refusedLine?.res?.statusCode).toBe(415);
      expect(refusedLine?.level).toBe(40); // warn
      for (const secret of [tenant.token, tenant.secret, request.query.sign, 'hunter2-hunter2', 'n-log-1'])
        expect(stdout).not.toContain(secret);
    } finally {
      await server.stop();
      await seed.close();
    }
  });
});
