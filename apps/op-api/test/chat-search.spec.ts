import type { ChatMessageSearchData, ChatSearchData, ChatSearchResult } from '@op/contracts';
import { TimeFormatter, parseZonedTime } from '../src/common/util/time-format';
import { SearchIndexService } from '../src/modules/search-index/search-index.service';
import { SEARCH_SETUPS } from './support/databases';
import { record } from './support/records';
import { startSearchApp, type TestApp, type TestTenant } from './support/test-app';

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

/** Each chat's messages as [hours after BASE, text]; s-old lies outside the scan's 90-day window. */
const CHATS: Record<string, Fixture> = {
  s1: {
    status: 3,
    customer: 'c1',
    operator: 'opx',
    messages: [
      [1, '我要申请退款，谢谢'],
      [2, 'Hello WORLD'],
    ],
  },
  s2: {
    status: 5,
    customer: 'c2',
    messages: [
      [3, '退'],
      [4, '款到了吗'],
    ],
  },
  s3: {
    status: 1,
    customer: 'c1',
    messages: [
      [5, '优惠 100% 返现'],
      [6, 'code a_c here'],
    ],
  },
  s4: {
    status: 5,
    customer: 'c3',
    messages: [
      [7, '优惠 1000 返现'],
      [8, 'code abc here'],
    ],
  },
  s5: { status: 30, customer: 'c2', operator: 'opx', messages: [[9, '退款Refund 请处理']] },
  s6: { status: 5, customer: 'c4', messages: [10, 11, 12, 13, 14].map((h, i): [number, string] => [h, `第${i + 1}次：退款进度？`]) },
  s7: { status: 5, customer: 'c4', messages: [[15, `${'A'.repeat(100)}退款😀${'B'.repeat(100)}`]] },
  's-old': { status: 5, customer: 'c5', messages: [[-90 * 24, '很久以前的退款']] },
};

describe.each(SEARCH_SETUPS)('chatSearch on $name', (setup) => {
  // An index covers the whole history; the scan the last OP_SEARCH_WINDOW_DAYS (90) days.
  const windowed = setup.search === 'scan';
  const withOld = (ids: string[]) => (windowed ? ids : [...ids, 's-old']);
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
    t = await startSearchApp(setup);
    a = await t.createTenant();
    b = await t.createTenant();
    for (const [chatId, chat] of Object.entries(CHATS)) {
      await t.importRecords(
        a.tenantId,
        chat.messages.map(([hours, msg]) =>
          record({ chatId, timestamp: BASE + hours * H, chatStatus: chat.status, body: { type: 'txt', msg } }),
        ),
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
      expect(first.envelope.data!.chats.map((c) => [c.chatId, c.hits])).toEqual([
        ['s7', []],
        ['s6', []],
        ['s5', []],
      ]);
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
      expect(envelope.data.chats).toEqual([
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
      ['status + keyword', { status: [5], keyword: '退款' }, withOld(['s7', 's6'])],
      ['status + customer + mark', { status: [5], customerId: 'c4', mark: 'VIP' }, ['s6']],
      ['keyword + last-message to', { keyword: '退', lastMessageTo: at(4) }, withOld(['s2', 's1'])],
      ['keyword + message times', { keyword: '退', messageTimeFrom: at(3), messageTimeTo: at(9) }, ['s5', 's2']],
      ['customer + operator', { customerId: 'c2', operatorId: 'opx' }, ['s5']],
    ])('%s', async (_name, body, expected) => {
      expect(await chatIds(body)).toEqual(expected);
    });
  });

  describe('keyword', () => {
    it.each([
      ['a two-character Chinese word inside a sentence', '退款', withOld(['s7', 's6', 's5', 's1'])],
      ['a three-character Chinese substring', '申请退', ['s1']],
      ['one Chinese character', '退', withOld(['s7', 's6', 's5', 's2', 's1'])],
      ['Latin in any case', 'hello world', ['s1']],
      ['mixed Chinese and Latin in any case', '款REF', ['s5']],
      ['Chinese punctuation', '：退款进度？', ['s6']],
      ['% literally', '100%', ['s3']],
      ['a lone %', '%', ['s3']],
      ['_ literally', 'a_c', ['s3']],
      ['a lone _', '_', ['s3']],
      ['the escape character itself', '!', []],
      ['a keyword split across two messages: no hit', '退款到', []],
      ['a message of long ago: found by an index, outside the scan’s window', '很久以前', windowed ? [] : ['s-old']],
      ['full-width and case variants', 'ＲＥＦＵＮＤ', ['s5']],
    ])('%s', async (_name, keyword, expected) => {
      expect(await chatIds({ keyword })).toEqual(expected);
    });

    it('gives up to three hits per chat, newest first, with snippet and offsets', async () => {
      const { envelope } = await search({ keyword: '退款', pageSize: 100 });
      const byId = Object.fromEntries(envelope.data!.chats.map((c): [string, ChatSearchResult] => [c.chatId, c]));
      expect(byId.s6.hits).toEqual(
        [4, 3, 2].map((i) => ({
          userMessageId: ids.s6[i],
          createTime: at(10 + i),
          snippet: `第${i + 1}次：退款进度？`,
          offsets: [[4, 6]],
        })),
      );
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
      expect(envelope.data!.chats[0].hits).toEqual([
        {
          userMessageId: ids.s1[1],
          createTime: at(2),
          snippet: 'Hello WORLD',
          offsets: [
            [4, 5],
            [7, 8],
          ],
        },
      ]);
    });

    it(`reports the window it searched: ${windowed ? 'the last 90 days' : 'none (the whole history)'} by default, else the given times`, async () => {
      const before = Date.now();
      const { envelope } = await search({ keyword: '退款' });
      const after = Date.now();
      if (!windowed) {
        expect(envelope.data!.window).toBeNull();
      } else {
        const from = parseZonedTime(envelope.data!.window!.from!, fmt)!;
        const to = parseZonedTime(envelope.data!.window!.to!, fmt)!;
        expect(to).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
        expect(to).toBeLessThanOrEqual(after);
        expect(to - from).toBe(90 * DAY);
      }
      expect((await search({ keyword: '退款', messageTimeFrom: at(1), messageTimeTo: at(9) })).envelope.data!.window).toEqual({
        from: at(1),
        to: at(9),
      });
      if (!windowed)
        expect((await search({ keyword: '退款', messageTimeFrom: at(1) })).envelope.data!.window).toEqual({ from: at(1), to: null });
      expect(envelope.data!.totalCapped).toBe(false);
    });

    it('pages keyword results like any other', async () => {
      const { envelope } = await search({ keyword: '退', pageSize: 2, pageNum: 2 });
      expect(envelope.page).toEqual({ total: windowed ? 5 : 6, page: 2, pageSize: 2, count: 2, next: true, startIndex: 2 });
      expect(envelope.data!.chats.map((c) => c.chatId)).toEqual(['s5', 's2']);
      expect(envelope.data!.chats.every((c) => c.hits.length > 0)).toBe(true);
    });

    it('never finds another tenant’s messages', async () => {
      expect((await search({ keyword: 'B 的退款' })).envelope.data!.chats).toEqual([]);
      const { envelope } = await search({ keyword: '退款' }, b);
      expect(envelope.data!.chats.map((c) => [c.chatId, c.hits.map((h) => h.snippet)])).toEqual([['s1', ['B 的退款']]]);
    });
  });

  // Only the scan has a window to widen; an index searches the whole history (tested above).
  if (windowed)
    it('searches further back when OP_SEARCH_WINDOW_DAYS says so', async () => {
      const wide = await startSearchApp(setup, { OP_SEARCH_WINDOW_DAYS: '365' });
      try {
        const tenant = await wide.createTenant();
        await wide.importRecords(tenant.tenantId, [
          record({ chatId: 'old', timestamp: BASE - 80 * DAY, body: { type: 'txt', msg: '很久以前的退款' } }),
        ]);
        const { envelope } = await tenant.client.call<ChatSearchData>('chatSearch', { keyword: '很久以前' });
        expect(envelope.data!.chats.map((c) => c.chatId)).toEqual(['old']);
        expect(parseZonedTime(envelope.data!.window!.to!, fmt)! - parseZonedTime(envelope.data!.window!.from!, fmt)!).toBe(365 * DAY);
      } finally {
        await wide.close();
      }
    });

  if (setup.search === 'mroonga') {
    it('reads a small tenant whole from the store (OP_SEARCH_SMALL_TENANT), with the whole history as the index would', async () => {
      const small = await startSearchApp(setup, { OP_SEARCH_SMALL_TENANT: '20000' });
      try {
        const tenant = await small.createTenant();
        await small.importRecords(tenant.tenantId, [
          record({ chatId: 'old', timestamp: BASE - 400 * DAY, body: { type: 'txt', msg: '一年多以前的退款' } }),
          record({ chatId: 'new', timestamp: BASE, body: { type: 'txt', msg: '新的退款申请' } }),
          record({ chatId: 'other', timestamp: BASE + 1000, body: { type: 'txt', msg: '发货了吗' } }),
        ]);
        const { envelope } = await tenant.client.call<ChatSearchData>('chatSearch', { keyword: '退款' });
        expect(envelope.data!.window).toBeNull();
        expect(envelope.data!.chats.map((c) => [c.chatId, c.hits.map((h) => h.snippet)])).toEqual([
          ['new', ['新的退款申请']],
          ['old', ['一年多以前的退款']],
        ]);
        expect(envelope.page).toMatchObject({ total: 2 });
      } finally {
        await small.close();
      }
    });
  }

  it('orders by creation with sort createTime, with and without a keyword', async () => {
    // x1 was created first and is the most active; x3 created last of the three; empty has no message.
    const tenant = await t.createTenant();
    const chats: Array<[string, number[]]> = [
      ['x1', [1, 30]],
      ['x2', [5]],
      ['x3', [10]],
    ];
    for (const [chatId, hours] of chats) {
      await t.importRecords(
        tenant.tenantId,
        hours.map((h) => record({ chatId, timestamp: BASE + h * H, body: { type: 'txt', msg: `${chatId} 的退款` } })),
      );
    }
    const { chatId: empty } = (await tenant.client.expect<{ chatId: string }>('chatCreate', { customerId: 'nobody-yet' })).data!;
    const order = async (body: Record<string, unknown>) =>
      (await tenant.client.expect<ChatSearchData>('chatSearch', body)).data!.chats.map((c) => c.chatId);
    expect(await order({})).toEqual(['x1', 'x3', 'x2', empty]);
    expect(await order({ sort: 'lastMessageTime' })).toEqual(['x1', 'x3', 'x2', empty]);
    expect(await order({ sort: 'createTime' })).toEqual([empty, 'x3', 'x2', 'x1']);
    expect(await order({ sort: 'createTime', keyword: '退款' })).toEqual(['x3', 'x2', 'x1']);
    expect(await order({ sort: 'createTime', keyword: '退款', pageSize: 2, pageNum: 2 })).toEqual(['x1']);
  });

  describe('chatMessageSearch (find in this chat)', () => {
    const find = (body: Record<string, unknown>, tenant = a) => tenant.client.call<ChatMessageSearchData>('chatMessageSearch', body);

    it('lists every matching message of the chat in chat order, paged', async () => {
      const first = await find({ chatId: 's6', keyword: '退款', pageSize: 2 });
      expect(first.status).toBe(200);
      expect(first.envelope.page).toEqual({ total: 5, page: 1, pageSize: 2, count: 2, next: true, startIndex: 0 });
      expect(first.envelope.data!.chatId).toBe('s6');
      expect(first.envelope.data!.hits).toEqual(
        [0, 1].map((i) => ({ userMessageId: ids.s6[i], createTime: at(10 + i), snippet: `第${i + 1}次：退款进度？`, offsets: [[4, 6]] })),
      );
      const last = await find({ chatId: 's6', keyword: '退款', pageSize: 2, pageNum: 3 });
      expect(last.envelope.data!.hits.map((h) => h.userMessageId)).toEqual([ids.s6[4]]);
      expect(last.envelope.page!.next).toBe(false);
      expect((await find({ chatId: 's6', keyword: '没有的词' })).envelope.page!.total).toBe(0);
      // Far past the end: the total and an empty page (no engine is asked to skip 10^11 hits).
      const beyond = await find({ chatId: 's6', keyword: '退款', pageSize: 100, pageNum: 1_000_000_000 });
      expect([beyond.status, beyond.envelope.page!.total, beyond.envelope.data!.hits]).toEqual([200, 5, []]);
    });

    it('keeps to the given message times', async () => {
      const { envelope } = await find({ chatId: 's6', keyword: '退款', messageTimeFrom: at(11), messageTimeTo: at(12) });
      expect(envelope.data!.hits.map((h) => h.userMessageId)).toEqual([ids.s6[1], ids.s6[2]]);
      expect(envelope.data!.window).toEqual({ from: at(11), to: at(12) });
    });

    it('follows 2.37’s access rules: another tenant’s chat is 404, a chat of another agent 403', async () => {
      expect((await find({ chatId: 's1', keyword: '退款' }, b)).envelope.data!.hits.map((h) => h.snippet)).toEqual(['B 的退款']);
      expect(await find({ chatId: 's6', keyword: '退款' }, b)).toMatchObject({
        status: 404,
        envelope: { code: 404, message: 'chatId s6 对应的会话不存在' },
      });
      const agent = await t.createTenant({ role: 'agent' });
      await t.importRecords(agent.tenantId, [record({ chatId: 'theirs', body: { type: 'txt', msg: '退款' } })]);
      expect(await find({ chatId: 'theirs', keyword: '退款' }, agent)).toMatchObject({ status: 403, envelope: { code: 403 } });
    });

    it.each([
      [{ keyword: '退款' }, 'chatId 不能为空'],
      [{ chatId: 's6' }, 'keyword 不能为空'],
      [{ chatId: 's6', keyword: '  ' }, 'keyword 长度必须在 1 到 64 个字符之间（不计首尾空白）'],
      [{ chatId: 's6', keyword: '\uFDFA'.repeat(8) }, 'keyword 展开后不能超过 128 个字符（ﷺ、㍿ 等兼容字符会展开为多个字符）'],
      [
        { chatId: 's6', keyword: '退款', messageTimeFrom: '2026-02-01 00:00:00', messageTimeTo: '2026-01-01 00:00:00' },
        'messageTimeFrom 不能晚于 messageTimeTo',
      ],
      [{ chatId: 's6', keyword: '退款', pageSize: 101 }, 'pageSize 不能大于 100'],
    ])('refuses %j', async (body, message) => {
      const { status, envelope } = await find(body);
      expect({ status, message: envelope.message, data: envelope.data }).toEqual({ status: 400, message, data: null });
    });
  });

  it('finds text after a NUL character, and a keyword holding one', async () => {
    const tenant = await t.createTenant();
    await t.importRecords(tenant.tenantId, [
      record({ chatId: 'nul', timestamp: BASE, body: { type: 'txt', msg: '前\u0000后零字符 tail' } }),
    ]);
    await t.app.get(SearchIndexService).drain();
    for (const keyword of ['零字符', 'tail', '前\u0000后']) {
      const { status, envelope } = await tenant.client.call<ChatSearchData>('chatSearch', { keyword });
      expect({ keyword, status, chats: envelope.data?.chats.map((c) => c.chatId) }).toEqual({ keyword, status: 200, chats: ['nul'] });
      const inChat = await tenant.client.call<ChatMessageSearchData>('chatMessageSearch', { chatId: 'nul', keyword });
      expect({ keyword, total: inChat.envelope.page?.total }).toEqual({ keyword, total: 1 });
    }
    // What an engine holds in the NUL's place matches nothing else: not U+FFFD, which lone surrogates become.
    const { envelope } = await tenant.client.call<ChatSearchData>('chatSearch', { keyword: '\uFFFD' });
    expect(envelope.data!.chats).toEqual([]);
    const inChat = await tenant.client.call<ChatMessageSearchData>('chatMessageSearch', { chatId: 'nul', keyword: '\uFFFD' });
    expect(inChat.envelope.page?.total).toBe(0);
  });

  it('finds U+FFFE as any character, which Groonga takes for a token boundary and drops', async () => {
    const tenant = await t.createTenant();
    await t.importRecords(tenant.tenantId, [
      record({ chatId: 'nonchar', timestamp: BASE, body: { type: 'txt', msg: '退款ab\uFFFEcd谢谢' } }),
      record({ chatId: 'plain', timestamp: BASE + 1000, body: { type: 'txt', msg: '退款abcd谢谢' } }),
    ]);
    await t.app.get(SearchIndexService).drain();
    for (const [keyword, chats] of [
      ['b\uFFFEc', ['nonchar']],
      ['\uFFFE', ['nonchar']],
      ['abcd', ['plain']],
    ] as const) {
      const { envelope } = await tenant.client.call<ChatSearchData>('chatSearch', { keyword });
      const inChat = await tenant.client.call<ChatMessageSearchData>('chatMessageSearch', { chatId: 'nonchar', keyword });
      expect({ keyword, chats: envelope.data?.chats.map((c) => c.chatId), inNonchar: inChat.envelope.page?.total }).toEqual({
        keyword,
        chats,
        inNonchar: chats.includes('nonchar' as never) ? 1 : 0,
      });
    }
  });

  it('finds a message as soon as its write is acknowledged, before and after the index is fed', async () => {
    const index = t.app.get(SearchIndexService);
    await index.stopBackground();
    try {
      const tenant = await t.createTenant();
      await t.importRecords(tenant.tenantId, [
        record({ chatId: 'fresh', timestamp: BASE + 20 * H, body: { type: 'txt', msg: '刚刚写入的退款单号 A-1' } }),
      ]);
      const before = await tenant.client.chatSearch({ keyword: '退款单号' });
      await index.drain();
      const after = await tenant.client.chatSearch({ keyword: '退款单号' });
      // The same answer, but for the scan's default window, which ends at each call's own second.
      expect({ ...before.data, window: null }).toEqual({ ...after.data, window: null });
      expect(after.data.chats.map((c) => [c.chatId, c.hits.map((h) => h.snippet)])).toEqual([['fresh', ['刚刚写入的退款单号 A-1']]]);
    } finally {
      index.startBackground();
    }
  });

  describe('past OP_SEARCH_TOTAL_CAP matching chats (here 3)', () => {
    let capped: TestApp;
    let tenant: TestTenant;

    beforeAll(async () => {
      capped = await startSearchApp(setup, { OP_SEARCH_TOTAL_CAP: '3' });
      tenant = await capped.createTenant();
      // c1…c6 hold the keyword, n1 and n2 do not; c6 is the newest, then n2, c5, …
      const order = ['c1', 'n1', 'c2', 'c3', 'c4', 'c5', 'n2', 'c6'];
      await capped.importRecords(
        tenant.tenantId,
        order.map((chatId, i) =>
          record({
            chatId,
            timestamp: BASE + i * H,
            chatStatus: i % 2 === 0 ? 5 : 3,
            body: { type: 'txt', msg: chatId.startsWith('c') ? `订单${chatId}已退款` : '没有关键词' },
          }),
        ),
      );
    });

    afterAll(async () => {
      await capped?.close();
    });

    const page = (body: Record<string, unknown>) => tenant.client.call<ChatSearchData>('chatSearch', { keyword: '退款', ...body });

    it('caps page.total, says so, and still pages through every match in order', async () => {
      const first = await page({ pageSize: 2 });
      expect(first.envelope.data!.totalCapped).toBe(true);
      expect(first.envelope.page).toEqual({ total: 3, page: 1, pageSize: 2, count: 2, next: true, startIndex: 0 });
      expect(first.envelope.data!.chats.map((c) => c.chatId)).toEqual(['c6', 'c5']);
      expect(first.envelope.data!.chats[0].hits.map((h) => h.snippet)).toEqual(['订单c6已退款']);
      const third = await page({ pageSize: 2, pageNum: 3 });
      expect(third.envelope.data!.chats.map((c) => c.chatId)).toEqual(['c2', 'c1']);
      expect(third.envelope.page!.next).toBe(false);
    });

    it('counts exactly when the other filters leave few enough matches', async () => {
      const { envelope } = await page({ status: [5] });
      expect(envelope.data!.totalCapped).toBe(false);
      expect(envelope.page!.total).toBe(3);
      expect(envelope.data!.chats.map((c) => c.chatId)).toEqual(['c4', 'c2', 'c1']);
    });

    it('caps when the other filters still leave more', async () => {
      const { envelope } = await page({ lastMessageFrom: at(0) });
      expect(envelope.data!.totalCapped).toBe(true);
      expect(envelope.page!.total).toBe(3);
      expect(envelope.data!.chats.map((c) => c.chatId)).toEqual(['c6', 'c5', 'c4', 'c3', 'c2', 'c1']);
    });

    it('walks the chats newest created first with sort createTime', async () => {
      // Created in the reverse order of their activity: c1 the newest, c6 the oldest.
      const order = ['c1', 'n1', 'c2', 'c3', 'c4', 'c5', 'n2', 'c6'];
      for (const [i, chatId] of order.entries()) {
        await capped.dataSource.query('UPDATE chats SET create_time = ? WHERE tenant_id = ? AND id = ?', [
          BASE - i * H,
          tenant.tenantId,
          chatId,
        ]);
      }
      const first = await page({ sort: 'createTime', pageSize: 2 });
      expect(first.envelope.data!.totalCapped).toBe(true);
      expect(first.envelope.data!.chats.map((c) => c.chatId)).toEqual(['c1', 'c2']);
      const third = await page({ sort: 'createTime', pageSize: 2, pageNum: 3 });
      expect(third.envelope.data!.chats.map((c) => c.chatId)).toEqual(['c5', 'c6']);
      expect(third.envelope.page!.next).toBe(false);
      const exact = await page({ sort: 'createTime', status: [5] });
      expect(exact.envelope.data!.totalCapped).toBe(false);
      expect(exact.envelope.data!.chats.map((c) => c.chatId)).toEqual(['c1', 'c2', 'c4']);
    });
  });

  describe('with filters, past four times OP_SEARCH_TOTAL_CAP matching chats (here 2)', () => {
    let capped: TestApp;
    let tenant: TestTenant;
    // f1…f14 hold the keyword (f14 the newest), status 5 and 3 in turn; f13's customer is c13.
    const chats = Array.from({ length: 14 }, (_, i) => ({ chatId: `f${i + 1}`, status: i % 2 === 0 ? 5 : 3 }));

    beforeAll(async () => {
      capped = await startSearchApp(setup, { OP_SEARCH_TOTAL_CAP: '2' });
      tenant = await capped.createTenant();
      await capped.importRecords(
        tenant.tenantId,
        chats.map(({ chatId, status }, i) =>
          record({
            chatId,
            timestamp: BASE + i * H,
            chatStatus: status,
            body: { type: 'txt', msg: `${chatId}已退款` },
          }),
        ),
      );
      // Between f13 and f14, chats without the keyword: the walk's first step (50 chats) reads f14,
      // these and f13…f11, more than the cap but not the page.
      await capped.importRecords(
        tenant.tenantId,
        Array.from({ length: 46 }, (_, i) =>
          record({ chatId: `n${i + 1}`, timestamp: BASE + 12 * H + (i + 1) * 1000, chatStatus: 3, body: { type: 'txt', msg: '你好' } }),
        ),
      );
      await capped.dataSource.query("UPDATE chats SET customer_id = 'c13' WHERE tenant_id = ? AND id = 'f13'", [tenant.tenantId]);
    });

    afterAll(async () => {
      await capped?.close();
    });

    const page = (body: Record<string, unknown>) => tenant.client.call<ChatSearchData>('chatSearch', { keyword: '退款', ...body });

    it('caps the total of a filter many matching chats pass, and pages through them in order', async () => {
      const first = await page({ status: [5], pageSize: 3 });
      expect(first.envelope.data!.totalCapped).toBe(true);
      expect(first.envelope.page).toEqual({ total: 2, page: 1, pageSize: 3, count: 3, next: true, startIndex: 0 });
      expect(first.envelope.data!.chats.map((c) => [c.chatId, c.statusCode])).toEqual([
        ['f13', 5],
        ['f11', 5],
        ['f9', 5],
      ]);
      const third = await page({ status: [5], pageSize: 3, pageNum: 3 });
      expect(third.envelope.data!.chats.map((c) => c.chatId)).toEqual(['f1']);
      expect(third.envelope.page!.next).toBe(false);
    });

    it('pages on past the cap when few of the chats the index gave pass the filter but more than the cap of all do', async () => {
      // f9…f14 and the n's pass; of the chats the index names first (the oldest, on some engines) none may.
      const from = at(8);
      const first = await page({ lastMessageFrom: from, pageSize: 5 });
      expect(first.envelope.data!.chats.map((c) => c.chatId)).toEqual(['f14', 'f13', 'f12', 'f11', 'f10']);
      expect(first.envelope.page).toEqual({ total: 2, page: 1, pageSize: 5, count: 5, next: true, startIndex: 0 });
      expect(first.envelope.data!.totalCapped).toBe(true);
      const second = await page({ lastMessageFrom: from, pageSize: 5, pageNum: 2 });
      expect(second.envelope.data!.chats.map((c) => c.chatId)).toEqual(['f9']);
      expect(second.envelope.page!.next).toBe(false);
    });

    it('counts exactly when the filter leaves one matching chat', async () => {
      const { envelope } = await page({ customerId: 'c13' });
      expect(envelope.data!.totalCapped).toBe(false);
      expect(envelope.page!.total).toBe(1);
      expect(envelope.data!.chats.map((c) => c.chatId)).toEqual(['f13']);
    });
  });

  it.each([
    [{ status: [2] }, 'status 的每一项只能是 1、3、5、6、30'],
    [{ status: 'x' }, 'status 的每一项只能是 1、3、5、6、30'],
    [{ createdFrom: '2026/01/01' }, 'createdFrom 必须是 yyyy-MM-dd HH:mm:ss 格式的时间'],
    [{ lastMessageTo: 20260101 }, 'lastMessageTo 必须是字符串（yyyy-MM-dd HH:mm:ss）'],
    [{ createdTo: '2026-13-01 00:00:00' }, 'createdTo 不是有效的时间：2026-13-01 00:00:00'],
    [{ createdFrom: '2026-02-01 00:00:00', createdTo: '2026-01-01 00:00:00' }, 'createdFrom 不能晚于 createdTo'],
    [{ keyword: '   ' }, 'keyword 长度必须在 1 到 64 个字符之间（不计首尾空白）'],
    [{ keyword: '\uFDFA'.repeat(64) }, 'keyword 展开后不能超过 128 个字符（ﷺ、㍿ 等兼容字符会展开为多个字符）'],
    [{ keyword: 7 }, 'keyword 必须是字符串'],
    [{ keyword: '退款', messageTimeFrom: '2026/01/01' }, 'messageTimeFrom 必须是 yyyy-MM-dd HH:mm:ss 格式的时间'],
    [{ mark: 'x'.repeat(33) }, 'mark 长度必须在 1 到 32 个字符之间'],
    [{ pageSize: 101 }, 'pageSize 不能大于 100'],
    [{ sort: 'lastMessageTime desc' }, 'sort 只能是 lastMessageTime 或 createTime'],
    [{ sort: 1 }, 'sort 只能是 lastMessageTime 或 createTime'],
  ])('refuses %j', async (body, message) => {
    const { status, envelope } = await search(body);
    expect({ status, code: envelope.code, message: envelope.message, data: envelope.data }).toEqual({
      status: 400,
      code: 400,
      message,
      data: null,
    });
  });
});
