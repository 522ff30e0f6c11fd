import type { ChatCreateResult, ChatInfo, ChatMessageListData, FavoriteListData, MarkListData } from '@op/contracts';
import { OpClient } from '@op/contracts/node';
import { STORE_ENGINES } from './support/databases';
import { record } from './support/records';
import { startTestApp, type TestApp, type TestTenant } from './support/test-app';

// Issue 12, finding 4: the role table, endpoint by endpoint. An admin acts on every chat of
// the tenant; an agent reads only the chats assigned to them, acts on those and on chats
// assigned to nobody, and assigns only to themselves; another tenant's chat is 404.

describe.each(STORE_ENGINES)('agent rules on every endpoint (%s)', (engine) => {
  let t: TestApp;
  let a: TestTenant;
  let other: TestTenant;
  let agent: OpClient;
  let agentId: string;
  let peerId: string;
  const chat: Record<'own' | 'free' | 'peer' | 'foreign', { chatId: string; messageId: string }> = {} as never;

  const open = async (tenant: TestTenant, customerId: string, operatorId: string | null) => {
    const created = (await tenant.client.expect<ChatCreateResult>('chatCreate', operatorId ? { customerId, operatorId } : { customerId }))
      .data!;
    await t.importRecords(tenant.tenantId, [record({ chatId: created.chatId, from: customerId, to: 'kefu' })]);
    const page = await tenant.client.expect<ChatMessageListData>('chatMessageList', { chatId: created.chatId });
    return { chatId: created.chatId, messageId: page.data!.msg[0].userMessageId };
  };

  beforeAll(async () => {
    t = await startTestApp(engine);
    a = await t.createTenant({ role: 'admin' });
    other = await t.createTenant({ role: 'admin' });
    ({ operatorId: agentId, client: agent } = await t.addOperator(a, { username: 'rules-agent' }));
    peerId = (await t.operators.create({ tenantId: a.tenantId, username: 'rules-peer', role: 'agent' })).operatorId;
    chat.own = await open(a, 'cust-own', agentId);
    chat.free = await open(a, 'cust-free', null);
    chat.peer = await open(a, 'cust-peer', peerId);
    chat.foreign = await open(other, 'cust-foreign', null);
    await a.client.expect('messageMarkAdd', { messageId: chat.peer.messageId, mark: '同事的标记' });
    await a.client.expect('messageMarkAdd', { messageId: chat.own.messageId, mark: '我的标记' });
  });

  afterAll(async () => {
    await t?.close();
  });

  const code = async (name: string, body: Record<string, unknown>) => (await agent.call(name, body)).envelope.code;

  it('chatCreate: never returns another agent’s open chat, never assigns to another agent', async () => {
    expect(await agent.call('chatCreate', { customerId: 'cust-peer' })).toMatchObject({
      status: 403,
      envelope: { code: 403, data: null, message: `customerId cust-peer 已有进行中的会话，且已分配给其他坐席` },
    });
    expect(await agent.call('chatCreate', { customerId: 'cust-new', operatorId: peerId })).toMatchObject({
      status: 403,
      envelope: { message: '坐席只能把会话分配给自己' },
    });
    expect(
      (await t.dataSource.query('SELECT id FROM chats WHERE tenant_id = ? AND customer_id = ?', [a.tenantId, 'cust-new'])).length,
    ).toBe(0);
    // Their own open chat, an unassigned one, and new chats (to nobody or to themselves) are theirs to act on.
    expect((await agent.call<ChatCreateResult>('chatCreate', { customerId: 'cust-own' })).envelope.data).toMatchObject({
      chatId: chat.own.chatId,
      created: false,
    });
    expect((await agent.call<ChatCreateResult>('chatCreate', { customerId: 'cust-free' })).envelope.data).toMatchObject({
      chatId: chat.free.chatId,
      created: false,
    });
    expect(
      (await agent.call<ChatCreateResult>('chatCreate', { customerId: 'cust-mine', operatorId: agentId })).envelope.data,
    ).toMatchObject({ created: true, operatorId: agentId });
    // Admins act on every chat.
    expect(
      (await a.client.call<ChatCreateResult>('chatCreate', { customerId: 'cust-peer', operatorId: agentId })).envelope.data,
    ).toMatchObject({ chatId: chat.peer.chatId, created: false });
  });

  it.each([
    ['chatMessageList', (c: { chatId: string }) => ({ chatId: c.chatId }), { own: 200, free: 403, peer: 403, foreign: 404 }],
    ['chatDetail', (c: { chatId: string }) => ({ chatId: c.chatId }), { own: 200, free: 403, peer: 403, foreign: 404 }],
    [
      'messageMarkAdd',
      (c: { messageId: string }) => ({ messageId: c.messageId, mark: '坐席' }),
      { own: 200, free: 403, peer: 403, foreign: 404 },
    ],
    [
      'messageMarkRemove',
      (c: { messageId: string }) => ({ messageId: c.messageId, mark: '坐席' }),
      { own: 200, free: 403, peer: 403, foreign: 404 },
    ],
    ['messageFavoriteAdd', (c: { messageId: string }) => ({ messageId: c.messageId }), { own: 200, free: 403, peer: 403, foreign: 404 }],
    ['messageFavoriteRemove', (c: { messageId: string }) => ({ messageId: c.messageId }), { own: 200, free: 403, peer: 403, foreign: 404 }],
    [
      'chatAssign',
      (c: { chatId: string }) => ({ chatId: c.chatId, operatorId: agentId }),
      { own: 200, free: 200, peer: 403, foreign: 404 },
    ],
  ] as const)('%s: own, unassigned, another agent’s, another tenant’s chat', async (name, body, expected) => {
    const got: Record<string, number> = {};
    for (const which of ['own', 'free', 'peer', 'foreign'] as const) got[which] = await code(name, body(chat[which]));
    expect(got).toEqual(expected);
  });

  it('chatStatusUpdate: own and unassigned chats only', async () => {
    const free = await open(a, 'cust-free2', null);
    expect({
      own: await code('chatStatusUpdate', { chatId: chat.own.chatId, status: 30 }),
      free: await code('chatStatusUpdate', { chatId: free.chatId, status: 3 }),
      peer: await code('chatStatusUpdate', { chatId: chat.peer.chatId, status: 30 }),
      foreign: await code('chatStatusUpdate', { chatId: chat.foreign.chatId, status: 30 }),
    }).toEqual({ own: 200, free: 200, peer: 403, foreign: 404 });
    expect(await code('chatAssign', { chatId: chat.own.chatId, operatorId: peerId })).toBe(403);
  });

  it('chatStatusUpdate: the agent who accepts a waiting chat nobody has takes it, and reads it', async () => {
    const waiting = await open(a, 'cust-waiting', null);
    const accepted = await agent.call<ChatInfo>('chatStatusUpdate', { chatId: waiting.chatId, status: 3 });
    expect(accepted.envelope.data).toMatchObject({ statusCode: 3, operatorId: agentId });
    expect(await code('chatMessageList', { chatId: waiting.chatId })).toBe(200);
    expect(await code('chatDetail', { chatId: waiting.chatId })).toBe(200);
    // Taken: another agent may no longer move it.
    const { client: peer } = await t.addOperator(a, { username: 'rules-late' });
    expect((await peer.call('chatStatusUpdate', { chatId: waiting.chatId, status: 30 })).envelope.code).toBe(403);
    // An admin accepting a chat nobody has takes it too; one already assigned keeps its operator.
    const byAdmin = await open(a, 'cust-admin-accepts', null);
    expect((await a.client.expect<ChatInfo>('chatStatusUpdate', { chatId: byAdmin.chatId, status: 3 })).data).toMatchObject({
      operatorId: a.operatorId,
    });
    const kept = await open(a, 'cust-kept', agentId);
    await a.client.expect('chatStatusUpdate', { chatId: kept.chatId, status: 30 });
    expect((await a.client.expect<ChatInfo>('chatStatusUpdate', { chatId: kept.chatId, status: 3 })).data).toMatchObject({
      operatorId: agentId,
    });
  });

  it('chatAssign: two agents taking the same unassigned chats at once: each chat goes to one, the other is refused', async () => {
    const { operatorId: rivalId, client: rival } = await t.addOperator(a, { username: 'rules-rival' });
    const chats = await Promise.all(Array.from({ length: 8 }, (_, i) => open(a, `cust-race-${i}`, null)));
    for (const { chatId } of chats) {
      const [mine, theirs] = await Promise.all([
        agent.call('chatAssign', { chatId, operatorId: agentId }),
        rival.call('chatAssign', { chatId, operatorId: rivalId }),
      ]);
      const stored: Array<{ operator_id: string }> = await t.dataSource.query(
        'SELECT operator_id FROM chats WHERE tenant_id = ? AND id = ?',
        [a.tenantId, chatId],
      );
      const winner = mine.status === 200 ? agentId : rivalId;
      // Exactly one 200, the other 403 (the chat was the winner's by the time it looked), and the chat is the winner's.
      expect([mine.status, theirs.status].sort()).toEqual([200, 403]);
      expect(stored[0].operator_id).toBe(winner);
    }
  });

  it('lists: search, favorites and marks cover only the agent’s chats; the audit trail is for admins', async () => {
    await agent.expect('messageFavoriteAdd', { messageId: chat.own.messageId });
    const favorites = (await agent.expect<FavoriteListData>('favoriteList', {})).data!.favorites;
    expect(favorites.map((f) => f.chat.chatId)).toEqual([chat.own.chatId]);
    const marks = (await agent.expect<MarkListData>('markList', {})).data!.marks.map((m) => m.mark);
    expect(marks).toContain('我的标记');
    expect(marks).not.toContain('同事的标记');
    const admins = (await a.client.expect<MarkListData>('markList', {})).data!.marks.map((m) => m.mark);
    expect(admins).toEqual(expect.arrayContaining(['我的标记', '同事的标记']));
    expect(await code('auditList', {})).toBe(403);
  });
});
