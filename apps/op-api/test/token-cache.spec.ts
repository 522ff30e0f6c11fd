import { startTestApp, type TestApp, type TestTenant } from './support/test-app';

// OP_TOKEN_CACHE_MS: a verified token is reused for the bound; a sign-out through the same
// process still takes effect at once, a change written elsewhere within the bound.
describe('the token cache (OP_TOKEN_CACHE_MS=1500) on sqlite', () => {
  let t: TestApp;
  let a: TestTenant;

  beforeAll(async () => {
    t = await startTestApp('sqlite', { OP_TOKEN_CACHE_MS: '1500' });
    a = await t.createTenant();
  });
  afterAll(async () => t.close());

  it('refuses a token revoked through this process at once', async () => {
    const { token } = await t.tokens.issue(a.operatorId, 3600);
    expect((await a.client.call('chatMessageList', { chatId: 'u0001none' }, { token })).envelope.code).toBe(404);
    expect((await a.client.call('operatorLogout', {}, { token })).envelope.code).toBe(200);
    expect((await a.client.call('chatMessageList', { chatId: 'u0001none' }, { token })).envelope).toMatchObject({
      code: 401,
      message: 'token 无效或已过期',
    });
  });

  it('honours a revocation written elsewhere within the bound', async () => {
    const { token, expiresAtMs } = await t.tokens.issue(a.operatorId, 3600);
    expect((await a.client.call('chatMessageList', { chatId: 'u0001none' }, { token })).envelope.code).toBe(404);
    await t.dataSource.query('UPDATE operator_tokens SET revoke_time = ? WHERE expire_time = ?', [Date.now(), expiresAtMs]);
    // Still served from the cache inside the bound (this is the stated trade-off) ...
    expect((await a.client.call('chatMessageList', { chatId: 'u0001none' }, { token })).envelope.code).toBe(404);
    await new Promise((resolve) => setTimeout(resolve, 1_600));
    // ... and refused once it has passed.
    expect((await a.client.call('chatMessageList', { chatId: 'u0001none' }, { token })).envelope).toMatchObject({ code: 401 });
  });

  it('never caches an unknown token', async () => {
    const { token, expiresAtMs } = await t.tokens.issue(a.operatorId, 3600);
    await t.dataSource.query('UPDATE operator_tokens SET revoke_time = ? WHERE expire_time = ?', [Date.now(), expiresAtMs]);
    expect((await a.client.call('chatMessageList', { chatId: 'u0001none' }, { token })).envelope.code).toBe(401);
    await t.dataSource.query('UPDATE operator_tokens SET revoke_time = NULL WHERE expire_time = ?', [expiresAtMs]);
    expect((await a.client.call('chatMessageList', { chatId: 'u0001none' }, { token })).envelope.code).toBe(404);
  });
});
