// Issue 15: operatorList and customerList, what each caller sees, on both engines. An admin
// gets every operator of the tenant and every customer of its chats; an agent only itself and
// the customers of the chats assigned to it; another tenant's never; a prefix is literal (`%`,
// `_`, the escape characters and a tab after it); limit; bad input is a 400 naming the field.
import type { ChatCreateResult, CustomerListData, CustomerSummary, OperatorListData } from '@op/contracts';
import type { OpClient } from '@op/contracts/node';
import { ENGINES } from './support/databases';
import { record, T0 } from './support/records';
import { startTestApp, type TestApp, type TestOperator, type TestTenant } from './support/test-app';

const MINUTE = 60_000;

describe.each(ENGINES)('operatorList and customerList on %s', (engine) => {
  let t: TestApp;
  let a: TestTenant;
  let b: TestTenant;
  let zoe: TestOperator;
  let amy: TestOperator;
  let bob: TestOperator;
  let bAgent: TestOperator;
  let usernameOfA: string;

  /** A chat of `customerId` in `tenant` assigned to `operatorId` (or nobody), with `messages` messages from `at` on. */
  const chat = async (tenant: TestTenant, customerId: string, operatorId: string | null, messages = 0, at = T0) => {
    const created = (await tenant.client.expect<ChatCreateResult>('chatCreate', operatorId ? { customerId, operatorId } : { customerId }))
      .data!;
    expect(created.created).toBe(true);
    if (messages > 0) {
      await t.importRecords(
        tenant.tenantId,
        Array.from({ length: messages }, (_, i) =>
          record({
            chatId: created.chatId,
            timestamp: at + i * MINUTE,
            from: customerId,
            to: 'kefu',
            body: { type: 'txt', msg: `${customerId} ${i}` },
          }),
        ),
      );
    }
    return created.chatId;
  };

  const customers = async (client: OpClient, body: Record<string, unknown>): Promise<CustomerSummary[]> => {
    const { status, envelope } = await client.call<CustomerListData>('customerList', body);
    expect({ status, message: envelope.message, page: envelope.page }).toEqual({ status: 200, message: '成功', page: undefined });
    return envelope.data!.customers;
  };
  const ids = async (client: OpClient, body: Record<string, unknown>) => (await customers(client, body)).map((c) => c.customerId);

  beforeAll(async () => {
    t = await startTestApp(engine);
    a = await t.createTenant({ role: 'admin' });
    b = await t.createTenant({ role: 'admin' });
    zoe = await t.addOperator(a, { username: 'zoe', role: 'admin', password: 'zoe-password-1' });
    amy = await t.addOperator(a, { username: 'amy', role: 'agent', password: 'amy-password-1' });
    bob = await t.addOperator(a, { username: 'Bob', role: 'agent' });
    bAgent = await t.addOperator(b, { username: 'b-agent', role: 'agent' });
    usernameOfA = (await t.operators.find(a.tenantId, a.operatorId))!.username;

    // cust-a1: an ended chat of amy's (2 messages), then a new one of bob's (1 message, later).
    const first = await chat(a, 'cust-a1', amy.operatorId, 2);
    await a.client.expect('chatStatusUpdate', { chatId: first, status: 5 });
    await chat(a, 'cust-a1', bob.operatorId, 1, T0 + 60 * MINUTE);
    await chat(a, 'cust-a2', bob.operatorId, 3, T0 + 5 * MINUTE);
    await chat(a, 'cust-a3', null);
    // `lit\tx`: MariaDB's utf8mb4_bin pads with spaces, so it sorts before `lit`, and MariaDB's
    // indexed LIKE 'lit%' (or a range from `lit`) leaves it out.
    for (const customerId of ['a%b', 'a_b', 'axb', 'a!b', 'a\\b', 'A%B', 'lit\tx', 'lity']) await chat(a, customerId, amy.operatorId);
    for (let i = 0; i < 25; i++) await chat(a, `many-${String(i).padStart(2, '0')}`, null);
    await chat(b, 'cust-b1', bAgent.operatorId, 1);
    await chat(b, 'a%b-of-b', null);
  });

  afterAll(async () => {
    await t?.close();
  });

  describe('operatorList', () => {
    it('gives an admin every operator of the tenant by username, and only the id, username and role', async () => {
      const { status, envelope } = await zoe.client.call<OperatorListData>('operatorList', {});
      expect(status).toBe(200);
      expect(envelope.page).toBeUndefined();
      const expected = [
        { operatorId: zoe.operatorId, username: 'zoe', role: 'admin' },
        { operatorId: amy.operatorId, username: 'amy', role: 'agent' },
        { operatorId: bob.operatorId, username: 'Bob', role: 'agent' },
        { operatorId: a.operatorId, username: usernameOfA, role: 'admin' },
      ].sort((x, y) => (x.username < y.username ? -1 : 1));
      expect(envelope.data).toEqual({ operators: expected });
      // The first admin asks too: the same list, whoever the admin.
      expect((await a.client.operatorList()).data).toEqual({ operators: expected });
    });

    it('never answers a secret: no password hash, no token', async () => {
      const { envelope } = await zoe.client.call<OperatorListData>('operatorList', {});
      const raw = JSON.stringify(envelope);
      const [row] = await t.dataSource.query('SELECT password_hash FROM operators WHERE id = ?', [amy.operatorId]);
      expect(typeof row.password_hash).toBe('string');
      for (const secret of [row.password_hash as string, amy.token, zoe.token, a.secret]) expect(raw).not.toContain(secret);
      expect(raw).not.toMatch(/password|hash|token|imUsername/i);
    });

    it('gives an agent only itself', async () => {
      expect((await amy.client.operatorList()).data).toEqual({
        operators: [{ operatorId: amy.operatorId, username: 'amy', role: 'agent' }],
      });
      expect((await bAgent.client.operatorList()).data).toEqual({
        operators: [{ operatorId: bAgent.operatorId, username: 'b-agent', role: 'agent' }],
      });
    });

    it("never shows another tenant's operators", async () => {
      const ofB = (await b.client.operatorList()).data.operators.map((o) => o.operatorId);
      expect(ofB.sort()).toEqual([b.operatorId, bAgent.operatorId].sort());
      const ofA = (await zoe.client.operatorList()).data.operators.map((o) => o.operatorId);
      expect(ofA).not.toContain(b.operatorId);
      expect(ofA).not.toContain(bAgent.operatorId);
    });
  });

  describe('customerList', () => {
    it('gives an admin the customers of every chat of the tenant, with their chats and latest message time', async () => {
      expect(await customers(zoe.client, { prefix: 'cust-' })).toEqual([
        { customerId: 'cust-a1', chats: 2, lastMessageTime: '2016-02-19 19:43:00' },
        { customerId: 'cust-a2', chats: 1, lastMessageTime: '2016-02-19 18:50:00' },
        { customerId: 'cust-a3', chats: 1, lastMessageTime: null },
      ]);
    });

    it('gives an agent only the customers of the chats assigned to it, counting those chats only', async () => {
      expect(await customers(amy.client, { prefix: 'cust-' })).toEqual([
        { customerId: 'cust-a1', chats: 1, lastMessageTime: '2016-02-19 18:44:00' },
      ]);
      expect(await customers(bob.client, { prefix: 'cust-' })).toEqual([
        { customerId: 'cust-a1', chats: 1, lastMessageTime: '2016-02-19 19:43:00' },
        { customerId: 'cust-a2', chats: 1, lastMessageTime: '2016-02-19 18:50:00' },
      ]);
      // Nobody's chats (cust-a3, many-*) are no agent's.
      expect(await ids(bob.client, {})).toEqual(['cust-a1', 'cust-a2']);
      expect(await ids(amy.client, { prefix: 'many-' })).toEqual([]);
    });

    it("never shows another tenant's customers", async () => {
      const all = await ids(zoe.client, { limit: 50 });
      expect(all).not.toContain('cust-b1');
      expect(all).not.toContain('a%b-of-b');
      expect(await ids(b.client, {})).toEqual(['a%b-of-b', 'cust-b1']);
      expect(await ids(bAgent.client, {})).toEqual(['cust-b1']);
    });

    it.each([
      ['a%', ['a%b']],
      ['a_', ['a_b']],
      ['a!', ['a!b']],
      ['a\\', ['a\\b']],
      ['A%', ['A%B']],
      ['%', []],
      ['_', []],
      ['a', ['a!b', 'a%b', 'a\\b', 'a_b', 'axb']],
      ['lit', ['lit\tx', 'lity']],
      ['lit\tx', ['lit\tx']],
    ])('reads the prefix %j literally, case and all', async (prefix, expected) => {
      expect(await ids(zoe.client, { prefix })).toEqual(expected);
    });

    it('trims the prefix; without one, lists from the first customer id', async () => {
      expect(await ids(zoe.client, { prefix: '  cust-a ' })).toEqual(['cust-a1', 'cust-a2', 'cust-a3']);
      const all = await ids(zoe.client, { prefix: '', limit: 50 });
      expect(all).toEqual([...all].sort());
      expect(all).toHaveLength(3 + 8 + 25);
      expect(await ids(zoe.client, { prefix: null })).toEqual(all.slice(0, 20));
    });

    it('answers at most limit customers, 20 by default, in customer id order', async () => {
      const many = Array.from({ length: 25 }, (_, i) => `many-${String(i).padStart(2, '0')}`);
      expect(await ids(zoe.client, { prefix: 'many-' })).toEqual(many.slice(0, 20));
      expect(await ids(zoe.client, { prefix: 'many-', limit: 50 })).toEqual(many);
      expect(await ids(zoe.client, { prefix: 'many-', limit: 1 })).toEqual(['many-00']);
      expect(await ids(zoe.client, { prefix: 'many-', limit: '3' })).toEqual(many.slice(0, 3));
    });

    it.each([
      [{ prefix: 'x'.repeat(129) }, 'prefix 长度必须在 0 到 128 个字符之间（不计首尾空白）'],
      [{ prefix: 7 }, 'prefix 必须是字符串'],
      [{ prefix: ['cust'] }, 'prefix 必须是字符串'],
      [{ limit: 0 }, 'limit 不能小于 1'],
      [{ limit: 51 }, 'limit 不能大于 50'],
      [{ limit: 1.5 }, 'limit 必须是整数'],
      [{ limit: 'all' }, 'limit 必须是整数'],
    ])('refuses %j with a 400 naming the field', async (body, message) => {
      const { status, envelope } = await zoe.client.call('customerList', body);
      expect({ status, code: envelope.code, message: envelope.message, data: envelope.data }).toEqual({
        status: 400,
        code: 400,
        message,
        data: null,
      });
    });
  });
});
