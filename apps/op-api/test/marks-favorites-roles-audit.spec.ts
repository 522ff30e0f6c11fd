import {
  CHAT_MESSAGE_FIELDS,
  type AuditListData,
  type ChatMessageListData,
  type ChatSearchData,
  type FavoriteListData,
  type MarkListData,
  type MessageFavoriteData,
  type MessageMarkData,
} from '@op/contracts';
import { OpClient } from '@op/contracts/node';
import { AuditLog } from '../src/modules/audit/audit-log.service';
import { ENGINES } from './support/databases';
import { record } from './support/records';
import { startTestApp, type TestApp, type TestTenant } from './support/test-app';

const RECENT = Math.floor((Date.now() - 86_400_000) / 1000) * 1000;

interface Operator {
  operatorId: string;
  client: OpClient;
}

describe.each(ENGINES)('marks, favorites, roles, audit and aroundMessageId on %s', (engine) => {
  let t: TestApp;
  let a: TestTenant; // admin of tenant A
  let b: TestTenant; // admin of tenant B
  let admin2: Operator; // a second admin of tenant A
  let agent1: Operator;
  let agent2: Operator;
  const ids: Record<string, string[]> = {};

  const operator = (tenant: TestTenant, username: string, role: 'agent' | 'admin'): Promise<Operator> => t.addOperator(tenant, { username, role });
  const list = (who: { client: OpClient }, body: Record<string, unknown>) => who.client.call<ChatMessageListData>('chatMessageList', body);
  const markAdd = (who: { client: OpClient }, messageId: string, mark: unknown) => who.client.call<MessageMarkData>('messageMarkAdd', { messageId, mark });
  const markRemove = (who: { client: OpClient }, messageId: string, mark: unknown) => who.client.call<MessageMarkData>('messageMarkRemove', { messageId, mark });
  const favAdd = (who: { client: OpClient }, messageId: unknown) => who.client.call<MessageFavoriteData>('messageFavoriteAdd', { messageId });
  const favRemove = (who: { client: OpClient }, messageId: unknown) => who.client.call<MessageFavoriteData>('messageFavoriteRemove', { messageId });
  const assign = (chatId: string, operatorId: string | null) =>
    t.dataSource.query('UPDATE chats SET operator_id = ? WHERE tenant_id = ? AND id = ?', [operatorId, a.tenantId, chatId]);

  beforeAll(async () => {
    t = await startTestApp(engine);
    a = await t.createTenant();
    b = await t.createTenant();
    admin2 = await operator(a, 'admin2', 'admin');
    agent1 = await operator(a, 'agent1', 'agent');
    agent2 = await operator(a, 'agent2', 'agent');
    const chats: Record<string, number> = { c1: 45, c2: 3, c3: 2, c4: 30 };
    for (const [chatId, count] of Object.entries(chats)) {
      await t.importRecords(
        a.tenantId,
        Array.from({ length: count }, (_, i) => record({ chatId, timestamp: RECENT + i * 1000, body: { type: 'txt', msg: `${chatId} 第${i}条 退款` } })),
      );
      ids[chatId] = (await list(a, { chatId, pageSize: 100 })).envelope.data!.msg.map((m) => m.userMessageId);
    }
    await assign('c1', agent1.operatorId);
    await assign('c2', agent2.operatorId);
    await t.importRecords(b.tenantId, [record({ chatId: 'c1', timestamp: RECENT, body: { type: 'txt', msg: 'B 的消息' } })]);
    ids.b = (await list(b, { chatId: 'c1' })).envelope.data!.msg.map((m) => m.userMessageId);
  });

  afterAll(async () => {
    await t?.close();
  });

  describe('2.37 aroundMessageId', () => {
    it.each([
      ['the first message', 0, 1],
      ['the last of the first page', 19, 1],
      ['a middle page', 25, 2],
      ['the last message, on the last page', 44, 3],
    ])('%s', async (_name, index, page) => {
      const { status, envelope } = await list(a, { chatId: 'c1', aroundMessageId: ids.c1[index], pageNum: 9 });
      expect(status).toBe(200);
      expect(envelope.page).toEqual({ total: 45, page, pageSize: 20, count: page === 3 ? 5 : 20, next: page < 3, startIndex: (page - 1) * 20 });
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

  describe('marks', () => {
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
      const [row] = await t.dataSource.query('SELECT operator_id FROM message_marks WHERE tenant_id = ? AND message_id = ?', [a.tenantId, BigInt(id)]);
      expect(row.operator_id).toBe(admin2.operatorId);
    });

    it('holds at most 20 marks a message (409), while re-adding one it has still succeeds', async () => {
      const id = ids.c3[1];
      for (let i = 0; i < 20; i++) expect((await markAdd(a, id, `m${i}`)).status).toBe(200);
      const over = await markAdd(a, id, 'm20');
      expect({ status: over.status, message: over.envelope.message }).toEqual({ status: 409, message: 'mark 数量已达上限：每条消息最多 20 个标记' });
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
      await Promise.all([...range(0, 5).map((m) => markRemove(a, id, m)), ...range(3, 8).map((m) => markRemove(admin2, id, m)), markAdd(admin2, id, 'n1')]);
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
      expect(results.filter((r) => r.status === 409).map((r) => r.envelope.message)).toEqual(Array(20).fill('mark 数量已达上限：每条消息最多 20 个标记'));
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
      expect((await b.client.markList()).data!.marks).toEqual([{ mark: 'B专用', count: 1 }]);
    });
  });

  describe('favorites', () => {
    it('adds and removes idempotently, per operator, and 2.37 shows them', async () => {
      const id = ids.c2[1];
      expect((await favAdd(a, id)).envelope.data).toEqual({ userMessageId: id, favorite: true });
      expect((await favAdd(a, id)).envelope.data).toEqual({ userMessageId: id, favorite: true });
      expect((await list(a, { chatId: 'c2', needFavorite: true })).envelope.data!.msg.map((m) => m.favorite)).toEqual([false, true, false]);
      expect((await list(admin2, { chatId: 'c2', needFavorite: true })).envelope.data!.msg.map((m) => m.favorite)).toEqual([false, false, false]);
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

  describe('roles', () => {
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
      for (const response of [await markAdd(agent1, ids.c2[0], 'x'), await markRemove(agent1, ids.c2[0], 'x'), await favAdd(agent1, ids.c2[0]), await favRemove(agent1, ids.c2[0])]) {
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

  describe('audit trail', () => {
    const audit = async (body: Record<string, unknown>) => {
      await t.app.get(AuditLog).flush();
      const { status, envelope } = await a.client.call<AuditListData>('auditList', { pageSize: 100, ...body });
      expect(status).toBe(200);
      return envelope;
    };

    it('records every 2.37 read, search and mark/favorite change with who, client, target, time and ip', async () => {
      const startedAt = Date.now();
      await list(agent1, { chatId: 'c1', pageNum: 2, pageSize: 10 });
      await agent1.client.call('chatSearch', { keyword: '审计', status: [5] });
      await markAdd(agent1, ids.c1[1], '审计');
      await markRemove(agent1, ids.c1[1], '审计');
      await favAdd(agent1, ids.c1[1]);
      await favRemove(agent1, ids.c1[1]);
      const { data } = await audit({ operatorId: agent1.operatorId });
      const recent = data!.records.slice(0, 6);
      expect(recent.map((r) => r.action)).toEqual([
        'messageFavoriteRemove',
        'messageFavoriteAdd',
        'messageMarkRemove',
        'messageMarkAdd',
        'chatSearch',
        'chatMessageList',
      ]);
      for (const r of recent) {
        expect(r).toMatchObject({ operatorId: agent1.operatorId, clientId: a.clientId, ip: '127.0.0.1' });
        expect(Object.keys(r)).toEqual(['time', 'operatorId', 'clientId', 'action', 'chatId', 'target', 'ip']);
        expect(r.time >= new Date(startedAt - 1000).toISOString().slice(0, 10)).toBe(true);
      }
      // docs/CONTRACT.md §6: the target is an object, the chat is its own field (null for a search).
      const targets = recent.map((r) => r.target);
      expect(recent.map((r) => r.chatId)).toEqual(['c1', 'c1', 'c1', 'c1', null, 'c1']);
      expect(targets[5]).toEqual({ chatId: 'c1', pageNum: 2, pageSize: 10 });
      expect(targets[4]).toEqual({ keyword: '审计', status: [5] });
      expect(targets[3]).toEqual({ chatId: 'c1', messageId: ids.c1[1], mark: '审计' });
      expect(targets[0]).toEqual({ chatId: 'c1', messageId: ids.c1[1] });
    });

    it('filters by action, chat, operator and time, and pages', async () => {
      const reads = await audit({ action: 'chatMessageList', chatId: 'c1', operatorId: agent1.operatorId });
      expect(reads.data!.records.length).toBeGreaterThan(0);
      expect(reads.data!.records.every((r) => r.action === 'chatMessageList' && r.chatId === 'c1' && r.target.chatId === 'c1')).toBe(true);
      const all = await audit({});
      expect(all.page!.total).toBeGreaterThan(10);
      const paged = await audit({ pageSize: 5, pageNum: 2 });
      expect(paged.data!.records).toEqual(all.data!.records.slice(5, 10));
      expect(paged.page).toMatchObject({ total: all.page!.total, page: 2, pageSize: 5, count: 5 });
      expect((await audit({ from: '2000-01-01 00:00:00', to: '2000-12-31 23:59:59' })).data!.records).toEqual([]);
      const newest = all.data!.records[0].time;
      expect((await audit({ from: newest, to: newest })).data!.records.length).toBeGreaterThan(0);
      expect((await audit({ action: 'messageMarkAdd', chatId: 'c2' })).data!.records.every((r) => r.action === 'messageMarkAdd')).toBe(true);
    });

    it('refuses a bad filter with a sentence naming it', async () => {
      for (const [body, message] of [
        [{ action: 'delete' }, 'action 只能是 chatMessageList、chatSearch、chatMessageSearch、messageMarkAdd、messageMarkRemove、messageFavoriteAdd、messageFavoriteRemove、chatExport、customerErase、auditExport'],
        [{ from: 'yesterday' }, 'from 必须是 yyyy-MM-dd HH:mm:ss 格式的时间'],
        [{ from: '2026-02-01 00:00:00', to: '2026-01-01 00:00:00' }, 'from 不能晚于 to'],
      ] as const) {
        const { status, envelope } = await a.client.call('auditList', body);
        expect({ status, message: envelope.message }).toEqual({ status: 400, message });
      }
    });

    it('records nothing with OP_AUDIT=off', async () => {
      const quiet = await startTestApp(engine, { OP_AUDIT: 'off' });
      try {
        const tenant = await quiet.createTenant();
        await quiet.importRecords(tenant.tenantId, [record({ chatId: 'q', timestamp: RECENT })]);
        await tenant.client.expect('chatMessageList', { chatId: 'q' });
        await tenant.client.expect('chatSearch', { keyword: 'message' });
        const { data, page } = await tenant.client.auditList();
        expect({ records: data!.records, total: page!.total }).toEqual({ records: [], total: 0 });
      } finally {
        await quiet.close();
      }
    });

    it('writes what is buffered when the app shuts down', async () => {
      const other = await startTestApp(engine);
      const tenant = await other.createTenant();
      const log = other.app.get(AuditLog);
      const written: unknown[][] = [];
      const query = other.dataSource.query.bind(other.dataSource);
      jest.spyOn(other.dataSource, 'query').mockImplementation(async (sql: string, params?: Parameters<typeof query>[1]) => {
        if (sql.startsWith('INSERT INTO audit_logs')) written.push((params ?? []) as unknown[]);
        return query(sql, params);
      });
      // Recorded just before close: only the shutdown flush can have written it.
      const context = { tenantId: tenant.tenantId, clientId: tenant.clientId, operator: { id: tenant.operatorId, tenantId: tenant.tenantId, role: 'admin' as const }, token: null, ip: '10.0.0.1' };
      log.record(context, 'chatSearch', null, { probe: 'shutdown' });
      await other.close();
      expect(written.flat()).toContain(JSON.stringify({ probe: 'shutdown' }));
    });
  });
});
