import type { ChatSearchData, ChatSearchResult } from '@op/contracts';
import { TimeFormatter, parseZonedTime } from '../src/common/util/time-format';
import { ENGINES } from './support/databases';
import { record } from './support/records';
import { startTestApp, type TestApp, type TestTenant } from './support/test-app';

const H = 3_600_000;
const DAY = 24 * H;
const fmt = new TimeFormatter('Asia/Shanghai');
// Ten days ago on a whole second, so a `yyyy-MM-dd HH:mm:ss` bound names exactly these times.
const BASE = Math.floor((Date.now() - 10 * DAY) / 1000) * 1000;
const at = (hours: number) => fmt.formatMs(BASE + hours * H);

interface Fixture {
  status: number;
  customer: string;
  operator?: string;
  messages: Array<[number, string]>;
}

/** Each chat's messages as [hours after BASE, text]; s-old lies outside the 90-day window. */
const CHATS: Record<string, Fixture> = {
  s1: { status: 3, customer: 'c1', operator: 'opx', messages: [[1, '我要申请退款，谢谢'], [2, 'Hello WORLD']] },
  s2: { status: 5, customer: 'c2', messages: [[3, '退'], [4, '款到了吗']] },
  s3: { status: 1, customer: 'c1', messages: [[5, '优惠 100% 返现'], [6, 'code a_c here']] },
  s4: { status: 5, customer: 'c3', messages: [[7, '优惠 1000 返现'], [8, 'code abc here']] },
  s5: { status: 30, customer: 'c2', operator: 'opx', messages: [[9, '退款Refund 请处理']] },
  s6: { status: 5, customer: 'c4', messages: [10, 11, 12, 13, 14].map((h, i): [number, string] => [h, `第${i + 1}次：退款进度？`]) },
  s7: { status: 5, customer: 'c4', messages: [[15, `${'A'.repeat(100)}退款😀${'B'.repeat(100)}`]] },
  's-old': { status: 5, customer: 'c5', messages: [[-90 * 24, '很久以前的退款']] },
};

describe.each(ENGINES)('chatSearch on %s', (engine) => {
  let t: TestApp;
  let a: TestTenant;
  let b: TestTenant;
  const ids: Record<string, string[]> = {};

  const search = (body: Record<string, unknown>, tenant = a) => tenant.client.call<ChatSearchData>('chatSearch', body);
  const chatIds = async (body: Record<string, unknown>) => {
    const { status, envelope } = await search({ pageSize: 100, ...body });
    expect({ status, message: envelope.message }).toEqual({ status: 200, message: '成功' });
    return envelope.data!.chats.map((chat) => chat.chatId);
  };

  beforeAll(async () => {
    t = await startTestApp(engine);
    a = await t.createTenant();
    b = await t.createTenant();
    for (const [chatId, chat] of Object.entries(CHATS)) {
      await t.importRecords(
        a.tenantId,
        chat.messages.map(([hours, msg]) => record({ chatId, timestamp: BASE + hours * H, chatStatus: chat.status, body: { type: 'txt', msg } })),
      );
      await t.dataSource.query('UPDATE chats SET customer_id = ?, operator_id = ? WHERE tenant_id = ? AND id = ?', [
        chat.customer,
        chat.operator ?? null,
        a.tenantId,
        chatId,
      ]);
      const { envelope } = await a.client.call<{ msg: Array<{ userMessageId: string }> }>('chatMessageList', { chatId, pageSize: 100 });
      ids[chatId] = envelope.data!.msg.map((m) => m.userMessageId);
    }
    // A keyword-bearing chat in another tenant, which tenant a must never find.
    await t.importRecords(b.tenantId, [record({ chatId: 's1', timestamp: BASE + H, body: { type: 'txt', msg: 'B 的退款' } })]);
    await a.client.messageMarkAdd({ messageId: ids.s6[0], mark: 'VIP' });
    await a.client.expect('messageMarkAdd', { messageId: ids.s2[1], mark: 'VIP' });
  });

  afterAll(async () => {
    await t?.close();
  });

  describe('filters', () => {
    it('without any, pages every chat of the tenant, newest activity first, with no hits and no window', async () => {
      const first = await search({ pageSize: 3 });
      expect(first.envelope.page).toEqual({ total: 8, page: 1, pageSize: 3, count: 3, next: true, startIndex: 0 });
      expect(first.envelope.data!.window).toBeNull();
      expect(first.envelope.data!.chats.map((c) => [c.chatId, c.hits])).toEqual([['s7', []], ['s6', []], ['s5', []]]);
      const second = await search({ pageSize: 3, pageNum: 2 });
      expect(second.envelope.data!.chats.map((c) => c.chatId)).toEqual(['s4', 's3', 's2']);
      const third = await search({ pageSize: '3', pageNum: '3' });
      expect(third.envelope.page).toEqual({ total: 8, page: 3, pageSize: 3, count: 2, next: false, startIndex: 6 });
      expect(third.envelope.data!.chats.map((c) => c.chatId)).toEqual(['s1', 's-old']);
      expect((await search({ pageNum: 9 })).envelope.data!.chats).toEqual([]);
    });

    it('takes a JSON null as a filter not given', async () => {
      expect(await chatIds({ status: null, customerId: null, keyword: null, createdFrom: null, mark: null, chatId: 's1' })).toEqual(['s1']);
    });

    it('writes each result as the contract chat object plus hits', async () => {
      const envelope = await a.client.chatSearch({ chatId: 's1' });
      expect(envelope.data!.chats).toEqual([
        {
          chatId: 's1',
          status: '聊天中',
          statusCode: 3,
          customerId: 'c1',
          operatorId: 'opx',
          createTime: at(1),
          acceptTime: null,
          endTime: null,
          lastMessageTime: at(2),
          messageCount: 2,
          hits: [],
        },
      ]);
    });

    it.each([
      ['status', { status: [5] }, ['s7', 's6', 's4', 's2', 's-old']],
      ['several statuses, legacy strings too', { status: ['1', 30] }, ['s5', 's3']],
      ['customerId', { customerId: 'c1' }, ['s3', 's1']],
      ['operatorId', { operatorId: 'opx' }, ['s5', 's1']],
      ['chatId', { chatId: 's2' }, ['s2']],
      ['created range', { createdFrom: at(5), createdTo: at(9) }, ['s5', 's4', 's3']],
      ['created from only', { createdFrom: at(10) }, ['s7', 's6']],
      ['last-message range', { lastMessageFrom: at(8), lastMessageTo: at(14) }, ['s6', 's5', 's4']],
      ['last-message to only', { lastMessageTo: at(2) }, ['s1', 's-old']],
      ['mark', { mark: 'VIP' }, ['s6', 's2']],
      ['an unknown mark', { mark: '没有' }, []],
      ['status + keyword', { status: [5], keyword: '退款' }, ['s7', 's6']],
      ['status + customer + mark', { status: [5], customerId: 'c4', mark: 'VIP' }, ['s6']],
      ['keyword + last-message to', { keyword: '退', lastMessageTo: at(4) }, ['s2', 's1']],
      ['customer + operator', { customerId: 'c2', operatorId: 'opx' }, ['s5']],
    ])('%s', async (_name, body, expected) => {
      expect(await chatIds(body)).toEqual(expected);
    });
  });

  describe('keyword', () => {
    it.each([
      ['a two-character Chinese word inside a sentence', '退款', ['s7', 's6', 's5', 's1']],
      ['a three-character Chinese substring', '申请退', ['s1']],
      ['one Chinese character', '退', ['s7', 's6', 's5', 's2', 's1']],
      ['Latin in any case', 'hello world', ['s1']],
      ['mixed Chinese and Latin in any case', '款REF', ['s5']],
      ['Chinese punctuation', '：退款进度？', ['s6']],
      ['% literally', '100%', ['s3']],
      ['a lone %', '%', ['s3']],
      ['_ literally', 'a_c', ['s3']],
      ['a lone _', '_', ['s3']],
      ['the escape character itself', '!', []],
      ['a keyword split across two messages: no hit', '退款到', []],
      ['a message older than the window: no hit', '很久以前', []],
    ])('%s', async (_name, keyword, expected) => {
      expect(await chatIds({ keyword })).toEqual(expected);
    });

    it('gives up to three hits per chat, newest first, with snippet and offsets', async () => {
      const { envelope } = await search({ keyword: '退款', pageSize: 100 });
      const byId = Object.fromEntries(envelope.data!.chats.map((c): [string, ChatSearchResult] => [c.chatId, c]));
      expect(byId.s6.hits).toEqual([4, 3, 2].map((i) => ({
        userMessageId: ids.s6[i],
        createTime: at(10 + i),
        snippet: `第${i + 1}次：退款进度？`,
        offsets: [[4, 6]],
      })));
      expect(byId.s1.hits).toEqual([{ userMessageId: ids.s1[0], createTime: at(1), snippet: '我要申请退款，谢谢', offsets: [[4, 6]] }]);
      expect(byId.s5.hits[0]).toMatchObject({ snippet: '退款Refund 请处理', offsets: [[0, 2]] });
    });

    it('cuts about 60 characters around the first match of a long message, offsets in UTF-16 units', async () => {
      const { envelope } = await search({ keyword: '退款', chatId: 's7' });
      const [hit] = envelope.data!.chats[0].hits;
      expect(hit.snippet).toBe(`${'A'.repeat(29)}退款😀${'B'.repeat(27)}`);
      expect(hit.snippet.length).toBe(60);
      expect(hit.offsets).toEqual([[29, 31]]);
      const [[start, end]] = hit.offsets;
      expect(hit.snippet.slice(start, end)).toBe('退款');
    });

    it('marks every match inside the snippet, case folded', async () => {
      const { envelope } = await search({ keyword: 'o', chatId: 's1' });
      expect(envelope.data!.chats[0].hits).toEqual([{ userMessageId: ids.s1[1], createTime: at(2), snippet: 'Hello WORLD', offsets: [[4, 5], [7, 8]] }]);
    });

    it('reports the window it searched: the last 90 days by default', async () => {
      const before = Date.now();
      const { envelope } = await search({ keyword: '退款' });
      const after = Date.now();
      const from = parseZonedTime(envelope.data!.window!.from, fmt)!;
      const to = parseZonedTime(envelope.data!.window!.to, fmt)!;
      expect(to).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
      expect(to).toBeLessThanOrEqual(after);
      expect(to - from).toBe(90 * DAY);
    });

    it('pages keyword results like any other', async () => {
      const { envelope } = await search({ keyword: '退', pageSize: 2, pageNum: 2 });
      expect(envelope.page).toEqual({ total: 5, page: 2, pageSize: 2, count: 2, next: true, startIndex: 2 });
      expect(envelope.data!.chats.map((c) => c.chatId)).toEqual(['s5', 's2']);
      expect(envelope.data!.chats.every((c) => c.hits.length > 0)).toBe(true);
    });

    it('never finds another tenant’s messages', async () => {
      expect((await search({ keyword: 'B 的退款' })).envelope.data!.chats).toEqual([]);
      const { envelope } = await search({ keyword: '退款' }, b);
      expect(envelope.data!.chats.map((c) => [c.chatId, c.hits.map((h) => h.snippet)])).toEqual([['s1', ['B 的退款']]]);
    });
  });

  it('searches further back when OP_SEARCH_WINDOW_DAYS says so', async () => {
    const wide = await startTestApp(engine, { OP_SEARCH_WINDOW_DAYS: '365' });
    try {
      const tenant = await wide.createTenant();
      await wide.importRecords(tenant.tenantId, [record({ chatId: 'old', timestamp: BASE - 80 * DAY, body: { type: 'txt', msg: '很久以前的退款' } })]);
      const { envelope } = await tenant.client.call<ChatSearchData>('chatSearch', { keyword: '很久以前' });
      expect(envelope.data!.chats.map((c) => c.chatId)).toEqual(['old']);
      expect(parseZonedTime(envelope.data!.window!.to, fmt)! - parseZonedTime(envelope.data!.window!.from, fmt)!).toBe(365 * DAY);
    } finally {
      await wide.close();
    }
  });

  it.each([
    [{ status: [2] }, 'status 的每一项只能是 1、3、5、6、30'],
    [{ status: 'x' }, 'status 的每一项只能是 1、3、5、6、30'],
    [{ createdFrom: '2026/01/01' }, 'createdFrom 必须是 yyyy-MM-dd HH:mm:ss 格式的时间'],
    [{ lastMessageTo: 20260101 }, 'lastMessageTo 必须是字符串（yyyy-MM-dd HH:mm:ss）'],
    [{ createdTo: '2026-13-01 00:00:00' }, 'createdTo 不是有效的时间：2026-13-01 00:00:00'],
    [{ createdFrom: '2026-02-01 00:00:00', createdTo: '2026-01-01 00:00:00' }, 'createdFrom 不能晚于 createdTo'],
    [{ keyword: '   ' }, 'keyword 长度必须在 1 到 64 个字符之间（不计首尾空白）'],
    [{ keyword: 7 }, 'keyword 必须是字符串'],
    [{ mark: 'x'.repeat(33) }, 'mark 长度必须在 1 到 32 个字符之间'],
    [{ pageSize: 101 }, 'pageSize 不能大于 100'],
  ])('refuses %j', async (body, message) => {
    const { status, envelope } = await search(body);
    expect({ status, code: envelope.code, message: envelope.message, data: envelope.data }).toEqual({ status: 400, code: 400, message, data: null });
  });
});
