import { OpClient } from '@op/contracts/node';
import type { OperatorLoginResult } from '@op/contracts';
import { ENGINES } from './support/databases';
import { record } from './support/records';
import { startTestApp, type TestApp, type TestTenant } from './support/test-app';

describe.each(ENGINES)('operator sign-in and sign-out on %s', (engine) => {
  let t: TestApp;
  let a: TestTenant;
  let b: TestTenant;
  let anonymous: OpClient;

  const login = (username: string, password: string, client = anonymous) =>
    client.call<OperatorLoginResult>('operatorLogin', { username, password }, { token: null });

  beforeAll(async () => {
    t = await startTestApp(engine);
    a = await t.createTenant();
    b = await t.createTenant();
    await t.operators.create({ tenantId: a.tenantId, username: 'alice', password: 'alice-password', role: 'agent' });
    await t.operators.create({ tenantId: a.tenantId, username: 'mallory', password: 'mallory-password' });
    await t.operators.create({ tenantId: b.tenantId, username: 'bob', password: 'bob-password' });
    await t.importRecords(a.tenantId, [record({ chatId: 'u0001login' })]);
    anonymous = new OpClient({ baseUrl: t.baseUrl, clientId: a.clientId, secret: a.secret });
  });

  afterAll(async () => {
    await t?.close();
  });

  it('signs in with a password and the token it returns works until sign-out', async () => {
    const { status, envelope } = await login('alice', 'alice-password');
    expect(status).toBe(200);
    expect(envelope.data).toEqual({
      token: expect.stringMatching(/^o0001[0-9a-f]{32}$/),
      expiresAt: expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/),
      operator: { operatorId: expect.any(String), username: 'alice', role: 'agent' },
    });
    const token = envelope.data!.token;
    const alice = new OpClient({ baseUrl: t.baseUrl, clientId: a.clientId, secret: a.secret, token });
    await t.dataSource.query('UPDATE chats SET operator_id = ? WHERE tenant_id = ? AND id = ?', [
      envelope.data!.operator.operatorId,
      a.tenantId,
      'u0001login',
    ]);
    expect((await alice.call('chatMessageList', { chatId: 'u0001login' })).status).toBe(200);
    expect((await alice.call('operatorLogout', {})).envelope).toMatchObject({ code: 200, data: null });
    expect((await alice.call('chatMessageList', { chatId: 'u0001login' })).envelope).toMatchObject({
      code: 401,
      message: 'token 无效或已过期',
    });
  });

  it('says the same for a wrong password and an unknown user, and never signs in across tenants', async () => {
    expect((await login('alice', 'wrong-password')).envelope).toMatchObject({ code: 401, message: '用户名或密码错误', data: null });
    expect((await login('nobody', 'alice-password')).envelope).toMatchObject({ code: 401, message: '用户名或密码错误' });
    expect((await login('bob', 'bob-password')).envelope).toMatchObject({ code: 401, message: '用户名或密码错误' });
    expect((await login('bob', 'bob-password', new OpClient({ baseUrl: t.baseUrl, clientId: b.clientId, secret: b.secret }))).status).toBe(
      200,
    );
    expect((await anonymous.call('operatorLogin', { username: 'alice' }, { token: null })).envelope).toMatchObject({
      code: 400,
      message: 'password 不能为空',
    });
  });

  it('slows down repeated failures of one user with 429 and a retry hint', async () => {
    for (let i = 0; i < 5; i++) expect((await login('mallory', `guess-${i}`)).status).toBe(401);
    expect((await login('mallory', 'guess-5')).status).toBe(401);
    const blocked = await login('mallory', 'mallory-password');
    expect(blocked.status).toBe(429);
    expect(blocked.envelope.message).toMatch(/^登录失败次数过多，请 \d+ 秒后再试$/);
    const raw = anonymous.signedRequest('operatorLogin', { username: 'mallory', password: 'mallory-password' }, { token: null });
    const response = await fetch(raw.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: raw.body });
    expect(response.status).toBe(429);
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    // Another user from the same address is not locked out by mallory's failures.
    expect((await login('alice', 'alice-password')).status).toBe(200);
  });
});
