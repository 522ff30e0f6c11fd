// Favorites: per operator, idempotent, shown by 2.37, listed newest first with the message
// (its marks too) and the chat; 404 for a message not in the tenant.
import { CHAT_MESSAGE_FIELDS, type FavoriteListData } from '@op/contracts';
import type { TestTenant } from './support/test-app';
import { STORE_ENGINES } from './support/databases';
import { startTwoTenants, list, markAdd, markRemove, favAdd, favRemove, type Operator, type TwoTenants } from './support/two-tenants';

describe.each(STORE_ENGINES)('favorites on %s', (engine) => {
  let world: TwoTenants;
  let a: TestTenant;
  let b: TestTenant;
  let admin2: Operator;
  let agent1: Operator;
  let ids: Record<string, string[]>;

  beforeAll(async () => {
    world = await startTwoTenants(engine);
    ({ a, b, admin2, agent1, ids } = world);
  });

  afterAll(async () => {
    await world?.t.close();
  });

  it('adds and removes idempotently, per operator, and 2.37 shows them', async () => {
    const id = ids.c2[1];
    expect((await favAdd(a, id)).envelope.data).toEqual({ userMessageId: id, favorite: true });
    expect((await favAdd(a, id)).envelope.data).toEqual({ userMessageId: id, favorite: true });
    expect((await list(a, { chatId: 'c2', needFavorite: true })).envelope.data!.msg.map((m) => m.favorite)).toEqual([false, true, false]);
    expect((await list(admin2, { chatId: 'c2', needFavorite: true })).envelope.data!.msg.map((m) => m.favorite)).toEqual([
      false,
      false,
      false,
    ]);
    expect((await favRemove(a, id)).envelope.data).toEqual({ userMessageId: id, favorite: false });
    expect((await favRemove(a, id)).envelope.data).toEqual({ userMessageId: id, favorite: false });
    expect((await list(a, { chatId: 'c2', needFavorite: true })).envelope.data!.msg.map((m) => m.favorite)).toEqual([false, false, false]);
  });

  it('lists the caller’s favorites newest first, each with the 2.37 message (its marks too) and the chat object', async () => {
    await markAdd(a, ids.c1[44], '待回访');
    await favAdd(admin2, ids.c3[0]);
    await new Promise((resolve) => setTimeout(resolve, 5));
    await favAdd(admin2, ids.c2[2]);
    await new Promise((resolve) => setTimeout(resolve, 5));
    await favAdd(admin2, ids.c1[44]);
    const { envelope } = await admin2.client.call<FavoriteListData>('favoriteList', { pageSize: 2 });
    expect(envelope.page).toEqual({ total: 3, page: 1, pageSize: 2, count: 2, next: true, startIndex: 0 });
    const [first, second] = envelope.data!.favorites;
    expect(first.message.userMessageId).toBe(ids.c1[44]);
    expect(second.message.userMessageId).toBe(ids.c2[2]);
    expect(Object.keys(first.message)).toEqual(CHAT_MESSAGE_FIELDS);
    const page = (await list(admin2, { chatId: 'c1', aroundMessageId: ids.c1[44], needMark: true, needFavorite: true })).envelope.data!.msg;
    expect(first.message).toEqual(page.find((m) => m.userMessageId === ids.c1[44]));
    expect(first.message).toMatchObject({ favorite: true, mark: ['待回访'] });
    expect(second.message).toMatchObject({ favorite: true, mark: [] });
    expect(first.chat).toMatchObject({ chatId: 'c1', status: '已结束', statusCode: 5, operatorId: agent1.operatorId, messageCount: 45 });
    expect(first.favoriteTime).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    const last = await admin2.client.call<FavoriteListData>('favoriteList', { pageSize: 2, pageNum: 2 });
    expect(last.envelope.data!.favorites.map((f) => f.message.userMessageId)).toEqual([ids.c3[0]]);
    expect((await a.client.call<FavoriteListData>('favoriteList', {})).envelope.data!.favorites).toEqual([]);
  });

  it('is 404 for a message that does not exist or belongs to another tenant', async () => {
    for (const id of ['9223372036854775807', '99999999999999999999'.slice(0, 19), ids.b[0]]) {
      const { status, envelope } = await favAdd(a, id);
      expect({ status, message: envelope.message }).toEqual({ status: 404, message: `messageId ${id} 对应的消息不存在` });
    }
    expect((await markAdd(b, ids.c1[0], 'x')).status).toBe(404);
    expect((await markRemove(b, ids.c1[0], 'x')).status).toBe(404);
    expect((await favRemove(b, ids.c1[0])).status).toBe(404);
  });
});
