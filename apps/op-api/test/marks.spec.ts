// Marks: added and removed idempotently, at most 20 a message (also under racing adds), the
// mark's bounds, and markList's counts per tenant.
import type { MarkListData } from '@op/contracts';
import type { TestApp, TestTenant } from './support/test-app';
import { STORE_ENGINES } from './support/databases';
import { startTwoTenants, list, markAdd, markRemove, type Operator, type TwoTenants } from './support/two-tenants';

describe.each(STORE_ENGINES)('marks on %s', (engine) => {
  let world: TwoTenants;
  let t: TestApp;
  let a: TestTenant;
  let b: TestTenant;
  let admin2: Operator;
  let ids: Record<string, string[]>;

  beforeAll(async () => {
    world = await startTwoTenants(engine);
    ({ t, a, b, admin2, ids } = world);
  });

  afterAll(async () => {
    await world?.t.close();
  });

  it('adds and removes idempotently, trimming the mark, and 2.37 shows them', async () => {
    const id = ids.c3[0];
    expect((await markAdd(a, id, '投诉')).envelope.data).toEqual({ userMessageId: id, mark: ['投诉'] });
    expect((await markAdd(a, id, '  投诉 ')).envelope.data).toEqual({ userMessageId: id, mark: ['投诉'] });
    expect((await markAdd(admin2, id, '重要')).envelope.data).toEqual({ userMessageId: id, mark: ['投诉', '重要'] });
    expect((await list(a, { chatId: 'c3', needMark: true })).envelope.data!.msg.map((m) => m.mark)).toEqual([['投诉', '重要'], []]);
    expect((await markRemove(a, id, '投诉')).envelope.data).toEqual({ userMessageId: id, mark: ['重要'] });
    expect((await markRemove(a, id, '投诉')).envelope.data).toEqual({ userMessageId: id, mark: ['重要'] });
    expect((await markRemove(a, id, '从没有过')).status).toBe(200);
    expect((await list(a, { chatId: 'c3', needMark: true })).envelope.data!.msg.map((m) => m.mark)).toEqual([['重要'], []]);
    const [row] = await t.dataSource.query('SELECT operator_id FROM message_marks WHERE tenant_id = ? AND message_id = ?', [
      a.tenantId,
      BigInt(id),
    ]);
    expect(row.operator_id).toBe(admin2.operatorId);
  });

  it('holds at most 20 marks a message (409), while re-adding one it has still succeeds', async () => {
    const id = ids.c3[1];
    for (let i = 0; i < 20; i++) expect((await markAdd(a, id, `m${i}`)).status).toBe(200);
    const over = await markAdd(a, id, 'm20');
    expect({ status: over.status, message: over.envelope.message }).toEqual({
      status: 409,
      message: 'mark 数量已达上限：每条消息最多 20 个标记',
    });
    expect((await markAdd(a, id, 'm7')).envelope.data!.mark).toHaveLength(20);
    expect((await list(a, { chatId: 'c3', needMark: true })).envelope.data!.msg[1].mark).toHaveLength(20);
  });

  it.each([
    [{ mark: 'x'.repeat(33) }, 'mark 长度必须在 1 到 32 个字符之间（不计首尾空白）'],
    [{ mark: '   ' }, 'mark 长度必须在 1 到 32 个字符之间（不计首尾空白）'],
    [{ mark: 5 }, 'mark 必须是字符串'],
    [{}, 'mark 不能为空'],
    [{ mark: 'ok', messageId: 12 }, 'messageId 必须是字符串（userMessageId）'],
    [{ mark: 'ok', messageId: '12a' }, 'messageId 必须是十进制的消息 ID（userMessageId）'],
    [{ mark: '投诉\n退款' }, 'mark 不能含有换行符或其他控制字符'],
    [{ mark: '投\u0000诉' }, 'mark 不能含有换行符或其他控制字符'],
    [{ mark: '投诉\u0085' }, 'mark 不能含有换行符或其他控制字符'],
    [{ mark: '投诉\u2028退款' }, 'mark 不能含有换行符或其他控制字符'],
  ])('refuses %j', async (body, message) => {
    const { status, envelope } = await a.client.call('messageMarkAdd', { messageId: ids.c3[0], ...body });
    expect({ status, message: envelope.message }).toEqual({ status: 400, message });
  });

  it('accepts a mark of exactly 32 characters', async () => {
    expect((await markAdd(a, ids.c4[29], '标'.repeat(32))).status).toBe(200);
    expect((await markRemove(a, ids.c4[29], '标'.repeat(32))).envelope.data!.mark).toEqual([]);
  });

  it('ends consistent when two operators add and remove at the same time', async () => {
    const id = ids.c4[0];
    const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `k${from + i}`);
    await Promise.all([...range(0, 10).map((m) => markAdd(a, id, m)), ...range(5, 15).map((m) => markAdd(admin2, id, m))]);
    const marks = async () => (await list(a, { chatId: 'c4', needMark: true, pageSize: 1 })).envelope.data!.msg[0].mark!;
    expect([...(await marks())].sort()).toEqual(range(0, 15).sort());
    await Promise.all([
      ...range(0, 5).map((m) => markRemove(a, id, m)),
      ...range(3, 8).map((m) => markRemove(admin2, id, m)),
      markAdd(admin2, id, 'n1'),
    ]);
    expect([...(await marks())].sort()).toEqual([...range(8, 15), 'n1'].sort());
  });

  it('never goes past 20 when two operators race for the last places', async () => {
    const id = ids.c4[1];
    for (let i = 0; i < 17; i++) await markAdd(a, id, `r${i}`);
    const results = await Promise.all([
      ...['x1', 'x2', 'x3'].map((m) => markAdd(a, id, m)),
      ...['y1', 'y2', 'y3'].map((m) => markAdd(admin2, id, m)),
    ]);
    const accepted = results.filter((r) => r.status === 200).length;
    expect(results.every((r) => r.status === 200 || r.status === 409)).toBe(true);
    const stored = (await list(a, { chatId: 'c4', needMark: true, pageSize: 2 })).envelope.data!.msg[1].mark!;
    expect(stored.length).toBeLessThanOrEqual(20);
    expect(stored.length).toBe(17 + accepted);
  });

  it('lets exactly 20 of 40 parallel adds of distinct marks win on an unmarked message', async () => {
    // Issue 12, finding 6: insert-then-count let racing adds all see more than 20 and all step back.
    const id = ids.c4[2];
    const who = (i: number) => (i % 2 === 0 ? a : admin2);
    // Warm 40 keep-alive connections first, so the adds reach the server together.
    await Promise.all(Array.from({ length: 40 }, (_, i) => who(i).client.call('markList', {})));
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => markAdd(who(i), id, `p${i}`)));
    expect(results.filter((r) => r.status === 200)).toHaveLength(20);
    expect(results.filter((r) => r.status === 409).map((r) => r.envelope.message)).toEqual(
      Array(20).fill('mark 数量已达上限：每条消息最多 20 个标记'),
    );
    const stored = (await list(a, { chatId: 'c4', needMark: true, pageSize: 3 })).envelope.data!.msg[2].mark!;
    expect(stored).toHaveLength(20);
  });

  it('lists the tenant’s marks with counts, most used first, and only that tenant’s', async () => {
    await markAdd(a, ids.c2[0], '重要');
    await markAdd(b, ids.b[0], 'B专用');
    const { envelope } = await a.client.call<MarkListData>('markList', {});
    expect(envelope.page).toBeUndefined();
    const counts = Object.fromEntries(envelope.data!.marks.map((m) => [m.mark, m.count]));
    expect(counts['重要']).toBe(2);
    expect(counts['m7']).toBe(1);
    expect(counts['B专用']).toBeUndefined();
    const sorted = [...envelope.data!.marks].sort((x, y) => y.count - x.count || (x.mark < y.mark ? -1 : 1));
    expect(envelope.data!.marks).toEqual(sorted);
    expect((await b.client.markList()).data.marks).toEqual([{ mark: 'B专用', count: 1 }]);
  });
});
