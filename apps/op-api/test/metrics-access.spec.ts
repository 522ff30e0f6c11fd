import { ENGINES } from './support/databases';
import { freePort } from './support/processes';
import { startTestApp, type TestApp } from './support/test-app';

// Issue 12, finding 9: /metrics and /openapi.json were open to anyone who reached the port.
const TOKEN = 'metrics-token-0123456789abcdef';

describe.each(ENGINES)('/metrics and /openapi.json behind a bearer token (%s)', (engine) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp(engine, { OP_METRICS_TOKEN: TOKEN });
  });

  afterAll(async () => {
    await t?.close();
  });

  it.each(['/metrics', '/openapi.json'])('%s answers 401 without the token, 200 with it', async (path) => {
    for (const authorization of [undefined, 'Bearer wrong', `Basic ${TOKEN}`, `Bearer ${TOKEN}x`]) {
      const response = await fetch(`${t.baseUrl}${path}`, { headers: authorization ? { authorization } : {} });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer');
      expect(await response.json()).toMatchObject({
        code: 401,
        message: `${path} 需要 Authorization: Bearer 令牌（OP_METRICS_TOKEN）`,
        data: null,
      });
    }
    const allowed = await fetch(`${t.baseUrl}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(allowed.status).toBe(200);
    expect(await allowed.text()).toMatch(path === '/metrics' ? /op_http_requests_total/ : /"openapi":"3\.1\.0"/);
  });

  it('keeps the health checks open', async () => {
    expect((await fetch(`${t.baseUrl}/healthz`)).status).toBe(200);
    expect((await fetch(`${t.baseUrl}/readyz`)).status).toBe(200);
  });
});

describe.each(ENGINES)('/metrics and /openapi.json on a listen address of their own (%s)', (engine) => {
  let t: TestApp;
  let port: number;

  beforeAll(async () => {
    port = await freePort();
    t = await startTestApp(engine, { OP_METRICS_LISTEN: `127.0.0.1:${port}` });
  });

  afterAll(async () => {
    await t?.close();
  });

  it('serves them there only; the API port does not know them', async () => {
    for (const path of ['/metrics', '/openapi.json']) {
      const onApi = await fetch(`${t.baseUrl}${path}`);
      expect([onApi.status, ((await onApi.json()) as { message: string }).message]).toEqual([404, '接口不存在']);
      const own = await fetch(`http://127.0.0.1:${port}${path}`);
      expect(own.status).toBe(200);
    }
    expect((await fetch(`http://127.0.0.1:${port}/op/v2/chatMessageList`, { method: 'POST' })).status).toBe(404);
  });
});
