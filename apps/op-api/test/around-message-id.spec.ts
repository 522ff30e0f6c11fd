// 2.37's aroundMessageId as a request: the page that holds the message, JSON null as not given,
// the requested pageSize, 404 for a message not in the chat, 400 for a malformed id.
// message-position.spec.ts checks the page is right for any message, however it was stored.
import { STORE_ENGINES } from './support/databases';
import type { TestTenant } from './support/test-app';
import { startTwoTenants, list, type TwoTenants } from './support/two-tenants';

describe.each(STORE_ENGINES)('chatMessageList around a message on %s', (engine) => {
  let world: TwoTenants;
  let a: TestTenant;
  let ids: Record<string, string[]>;

  beforeAll(async () => {
    world = await startTwoTenants(engine);
    ({ a, ids } = world);
  });

  afterAll(async () => {
    await world?.t.close();
  });

  it.each([
    ['the first message', 0, 1],
    ['the last of the first page', 19, 1],
    ['a middle page', 25, 2],
    ['the last message, on the last page', 44, 3],
  ])('%s', async (_name, index, page) => {
    const { status, envelope } = await list(a, { chatId: 'c1', aroundMessageId: ids.c1[index], pageNum: 9 });
    expect(status).toBe(200);
    expect(envelope.page).toEqual({
      total: 45,
      page,
      pageSize: 20,
      count: page === 3 ? 5 : 20,
      next: page < 3,
      startIndex: (page - 1) * 20,
    });
    expect(envelope.data!.msg.map((m) => m.userMessageId)).toEqual(ids.c1.slice((page - 1) * 20, page * 20));
  });

  it('takes a JSON null as not given', async () => {
    const { status, envelope } = await list(a, { chatId: 'c1', aroundMessageId: null, pageNum: 2 });
    expect({ status, page: envelope.page!.page }).toEqual({ status: 200, page: 2 });
    expect((await a.client.call('auditList', { action: null, from: null })).status).toBe(200);
  });

  it('uses the requested pageSize', async () => {
    const { envelope } = await list(a, { chatId: 'c1', aroundMessageId: ids.c1[30], pageSize: '7' });
    expect(envelope.page).toMatchObject({ page: 5, pageSize: 7, startIndex: 28 });
    expect(envelope.data!.msg.map((m) => m.userMessageId)).toContain(ids.c1[30]);
  });

  it.each([
    ['a message of another chat', () => ids.c2[0], 'c2'],
    ['a message of another tenant', () => ids.b[0], 'b'],
    ['an id that exists nowhere', () => '9223372036854775807', ''],
  ])('is 404 for %s', async (_name, id) => {
    const { status, envelope } = await list(a, { chatId: 'c1', aroundMessageId: id() });
    expect(status).toBe(404);
    expect(envelope).toMatchObject({ code: 404, data: null, message: `aroundMessageId ${id()} 不是会话 c1 中的消息` });
  });

  it.each([
    ['abc', 'aroundMessageId 必须是十进制的消息 ID（userMessageId）'],
    [123, 'aroundMessageId 必须是字符串（userMessageId）'],
  ])('refuses %j', async (value, message) => {
    const { status, envelope } = await list(a, { chatId: 'c1', aroundMessageId: value });
    expect({ status, message: envelope.message }).toEqual({ status: 400, message });
  });
});
