// What an agent may see and change (the chats assigned to them) across reads, search, marks and
// favorites; auditList for admins only; nothing crosses tenants. agent-rules.spec.ts walks the
// role table endpoint by endpoint.
import type { AuditListData, ChatSearchData, FavoriteListData } from '@op/contracts';
import type { TestTenant } from './support/test-app';
import { STORE_ENGINES } from './support/databases';
import {
  startTwoTenants,
  assign as assignIn,
  list,
  markAdd,
  markRemove,
  favAdd,
  favRemove,
  type Operator,
  type TwoTenants,
} from './support/two-tenants';

describe.each(STORE_ENGINES)('roles and tenancy on %s', (engine) => {
  let world: TwoTenants;
  let b: TestTenant;
  let admin2: Operator;
  let agent1: Operator;
  let agent2: Operator;
  let ids: Record<string, string[]>;
  const assign = (chatId: string, operatorId: string | null) => assignIn(world, chatId, operatorId);

  beforeAll(async () => {
    world = await startTwoTenants(engine);
    ({ b, admin2, agent1, agent2, ids } = world);
  });

  afterAll(async () => {
    await world?.t.close();
  });

  it('lets an agent read only the chats assigned to them; an admin reads all', async () => {
    expect((await list(agent1, { chatId: 'c1' })).status).toBe(200);
    for (const chatId of ['c2', 'c3']) {
      const { status, envelope } = await list(agent1, { chatId });
      expect({ status, message: envelope.message }).toEqual({ status: 403, message: `chatId ${chatId} 未分配给当前客服，无权查看` });
    }
    expect((await list(agent1, { chatId: 'missing' })).status).toBe(404);
    for (const chatId of ['c1', 'c2', 'c3']) expect((await list(admin2, { chatId })).status).toBe(200);
  });

  it('forbids an agent marks and favorites on another agent’s chat', async () => {
    const message = `messageId ${ids.c2[0]} 所在的会话未分配给当前客服，无权操作`;
    for (const response of [
      await markAdd(agent1, ids.c2[0], 'x'),
      await markRemove(agent1, ids.c2[0], 'x'),
      await favAdd(agent1, ids.c2[0]),
      await favRemove(agent1, ids.c2[0]),
    ]) {
      expect({ status: response.status, message: response.envelope.message }).toEqual({ status: 403, message });
    }
    expect((await markAdd(agent1, ids.c1[0], '跟进')).status).toBe(200);
    expect((await favAdd(agent1, ids.c1[0])).status).toBe(200);
  });

  it('never shows an agent another agent’s chat in search', async () => {
    const ids1 = async (body: Record<string, unknown>) =>
      (await agent1.client.call<ChatSearchData>('chatSearch', body)).envelope.data!.chats.map((c) => c.chatId);
    expect(await ids1({})).toEqual(['c1']);
    expect(await ids1({ keyword: '退款' })).toEqual(['c1']);
    expect(await ids1({ chatId: 'c2' })).toEqual([]);
    expect(await ids1({ operatorId: agent2.operatorId })).toEqual([]);
    expect(await ids1({ keyword: 'c2 第0条' })).toEqual([]);
    const admin = (await admin2.client.call<ChatSearchData>('chatSearch', { keyword: '退款' })).envelope.data!.chats.map((c) => c.chatId);
    expect([...admin].sort()).toEqual(['c1', 'c2', 'c3', 'c4']);
  });

  it('drops favorites from an agent’s list once the chat is assigned to someone else', async () => {
    const before = await agent1.client.call<FavoriteListData>('favoriteList', {});
    expect(before.envelope.data!.favorites.map((f) => f.message.userMessageId)).toEqual([ids.c1[0]]);
    await assign('c1', agent2.operatorId);
    try {
      const after = await agent1.client.call<FavoriteListData>('favoriteList', {});
      expect(after.envelope).toMatchObject({ data: { favorites: [] }, page: { total: 0 } });
      expect((await list(agent1, { chatId: 'c1' })).status).toBe(403);
    } finally {
      await assign('c1', agent1.operatorId);
    }
  });

  it('keeps auditList to admins', async () => {
    const { status, envelope } = await agent1.client.call('auditList', {});
    expect({ status, message: envelope.message }).toEqual({ status: 403, message: 'auditList 只允许管理员（admin）调用' });
  });

  it('lets nothing cross tenants', async () => {
    expect((await list(b, { chatId: 'c2' })).status).toBe(404);
    const search = await b.client.call<ChatSearchData>('chatSearch', { keyword: '退款' });
    expect(search.envelope.data!.chats).toEqual([]);
    expect((await b.client.call<ChatSearchData>('chatSearch', {})).envelope.data!.chats.map((c) => c.chatId)).toEqual(['c1']);
    expect((await b.client.call<FavoriteListData>('favoriteList', {})).envelope.data!.favorites).toEqual([]);
    const audit = (await b.client.call<AuditListData>('auditList', { pageSize: 100 })).envelope.data!.records;
    expect(audit.every((r) => r.operatorId === b.operatorId)).toBe(true);
  });
});
