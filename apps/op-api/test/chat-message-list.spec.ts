import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { CHAT_MESSAGE_FIELDS, compareChatOrder, type ChatMessage, type ChatMessageListData } from '@op/contracts';
import type { ImportBody } from '@op/contracts/testing';
import { STORE_ENGINES } from './support/databases';
import { record, T0 } from './support/records';
import { startTestApp, type TestApp, type TestTenant } from './support/test-app';

const QINIU = {
  OP_QINIU_DOMAIN: 'http://img.example.com',
  OP_QINIU_ACCESS_KEY: 'ak',
  OP_QINIU_SECRET_KEY: 'sk',
  OP_QINIU_URL_TTL: '600',
};

const BASE_FIELDS = CHAT_MESSAGE_FIELDS.filter((field) => field !== 'favorite' && field !== 'mark');

describe.each(STORE_ENGINES)('2.37 chatMessageList on %s', (engine) => {
  let t: TestApp;
  let a: TestTenant;
  let b: TestTenant;

  const list = (tenant: TestTenant, body: Record<string, unknown>) => tenant.client.call<ChatMessageListData>('chatMessageList', body);

  beforeAll(async () => {
    t = await startTestApp(engine, QINIU);
    a = await t.createTenant();
    b = await t.createTenant();
  });

  afterAll(async () => {
    await t?.close();
  });

  describe('paging and order', () => {
    const chatId = 'u0001paging';
    // 45 messages, three to a second, stored newest first: the page must not follow insertion order.
    const records = Array.from({ length: 45 }, (_, i) =>
      record({
        chatId,
        msgId: `9000${String(i).padStart(3, '0')}`,
        timestamp: T0 + Math.floor(i / 3) * 1000,
        body: { type: 'txt', msg: `第 ${i} 条` },
      }),
    ).reverse();
    let all: ChatMessage[];

    beforeAll(async () => {
      await t.importRecords(a.tenantId, records);
      const { envelope } = await list(a, { chatId, pageSize: 100 });
      all = envelope.data!.msg;
    });

    it('serves every message in ascending createTime, then ascending userMessageId', () => {
      expect(all).toHaveLength(45);
      expect([...all].sort(compareChatOrder)).toEqual(all);
      expect(all.map((m) => m.msg)).toEqual(
        Array.from({ length: 15 }, (_, s) => [3 * s + 2, 3 * s + 1, 3 * s].map((i) => `第 ${i} 条`)).flat(),
      );
      expect(new Set(all.map((m) => m.userMessageId)).size).toBe(45);
    });

    it.each([
      [1, { total: 45, page: 1, pageSize: 20, count: 20, next: true, startIndex: 0 }, 0],
      [2, { total: 45, page: 2, pageSize: 20, count: 20, next: true, startIndex: 20 }, 20],
      [3, { total: 45, page: 3, pageSize: 20, count: 5, next: false, startIndex: 40 }, 40],
      [4, { total: 45, page: 4, pageSize: 20, count: 0, next: false, startIndex: 60 }, 60],
    ])('page %i of 20', async (pageNum, page, start) => {
      const { status, envelope } = await list(a, { chatId, pageNum, pageSize: 20 });
      expect(status).toBe(200);
      expect(envelope.page).toEqual(page);
      expect(envelope.data!.msg).toEqual(all.slice(start, start + 20));
    });

    it('defaults to page 1 of 20 and accepts the legacy string forms', async () => {
      const plain = await list(a, { chatId });
      expect(plain.envelope.page).toEqual({ total: 45, page: 1, pageSize: 20, count: 20, next: true, startIndex: 0 });
      const legacy = await list(a, { chatId, pageNum: '3', pageSize: '7', needMark: 'false' });
      expect(legacy.envelope.page).toEqual({ total: 45, page: 3, pageSize: 7, count: 7, next: true, startIndex: 14 });
      expect(legacy.envelope.data!.msg).toEqual(all.slice(14, 21));
    });

    it('pages of every size tile the chat exactly, from either end', async () => {
      for (const pageSize of [1, 7, 13, 44, 45]) {
        const pages = Math.ceil(45 / pageSize);
        const seen: ChatMessage[] = [];
        for (let pageNum = 1; pageNum <= pages; pageNum++) {
          seen.push(...(await list(a, { chatId, pageNum, pageSize })).envelope.data!.msg);
        }
        expect(seen).toEqual(all);
      }
    });

    it("orders one second's messages by userMessageId, whatever millisecond Easemob stamped them with", async () => {
      const secondChat = 'u0001onesecond';
      const at = (ms: number, msgId: string) =>
        record({ chatId: secondChat, msgId, timestamp: T0 + ms, body: { type: 'txt', msg: msgId } });
      // Each batch is stored in file order, so ids ascend down the file: in each second the
      // milliseconds fall while the ids rise, and a later batch brings more of the first second.
      await t.importRecords(a.tenantId, [at(1_900, 'a'), at(1_100, 'b'), at(1_500, 'c'), at(2_300, 'd'), at(2_001, 'e')]);
      await t.importRecords(a.tenantId, [at(1_050, 'f'), at(2_999, 'g'), at(900, 'h')]);
      const { envelope } = await list(a, { chatId: secondChat, pageSize: 100 });
      const messages = envelope.data!.msg;
      expect(messages.map((m) => m.msg)).toEqual(['h', 'a', 'b', 'c', 'f', 'd', 'e', 'g']);
      expect([...messages].sort(compareChatOrder)).toEqual(messages);
      // Every way of reading the chat agrees: pages of one, and the page around each message.
      for (const [i, message] of messages.entries()) {
        expect((await list(a, { chatId: secondChat, pageNum: i + 1, pageSize: 1 })).envelope.data!.msg).toEqual([message]);
        const around = await list(a, { chatId: secondChat, aroundMessageId: message.userMessageId, pageSize: 3 });
        expect(around.envelope.page).toMatchObject({ page: Math.floor(i / 3) + 1 });
        expect(around.envelope.data!.msg).toEqual(messages.slice(Math.floor(i / 3) * 3, Math.floor(i / 3) * 3 + 3));
      }
    });
  });

  describe('message fields', () => {
    const chatId = 'u0001types';
    const bodies: Array<[string, ImportBody, string | null]> = [
      ['txt', { type: 'txt', msg: '第一行\n<b>第二行</b> 😀' }, null],
      [
        'img',
        {
          type: 'img',
          url: 'https://a1.easemob.com/f/1',
          filename: 'a b.jpg',
          secret: 's-img',
          file_length: 1024,
          size: { width: 10, height: 20 },
        },
        'chat/2016/a b.jpg',
      ],
      [
        'audio',
        { type: 'audio', url: 'https://a1.easemob.com/f/2', filename: 'v.amr', secret: 's-audio', length: 7, file_length: 2048 },
        null,
      ],
      [
        'video',
        {
          type: 'video',
          url: 'https://a1.easemob.com/f/3',
          filename: 'v.mp4',
          secret: 's-video',
          thumb: 'https://a1.easemob.com/t/3',
          thumb_secret: 'ts-video',
          length: '15',
          file_length: '4096',
        },
        null,
      ],
      ['loc', { type: 'loc', addr: '上海市徐汇区', lat: '31.19', lng: 121.44 }, null],
      ['file', { type: 'file', url: 'https://a1.easemob.com/f/4', filename: '菜单.pdf', secret: 's-file', file_length: 8192 }, null],
      ['cmd', { type: 'cmd', action: 'typing' }, null],
      ['custom', { type: 'custom', customEvent: 'order', 'v2:customExts': { id: '7' } }, null],
    ];
    let messages: Record<string, ChatMessage>;

    beforeAll(async () => {
      await t.importRecords(
        a.tenantId,
        bodies.map(([, body, qiniuKey], i) =>
          record({
            chatId,
            timestamp: T0 + i * 60_000,
            body,
            qiniuKey,
            chatStatus: 30,
            ext: i === 0 ? { template: {}, n: 1 } : {},
            from: 'u0001c',
            to: 'kefu01',
          }),
        ),
      );
      const { envelope } = await list(a, { chatId });
      expect(envelope.data!.status).toBe('挂起');
      expect(envelope.data!.chatId).toBe(chatId);
      messages = Object.fromEntries(envelope.data!.msg.map((m) => [m.type, m]));
    });

    it('writes every field of every message, in the contract order, without mark or favorite unasked', () => {
      for (const message of Object.values(messages)) expect(Object.keys(message)).toEqual(BASE_FIELDS);
    });

    const nulls = {
      msg: null,
      url: null,
      filename: null,
      thumb: null,
      secret: null,
      thumb_secret: null,
      length: null,
      file_length: null,
      addr: null,
      lat: null,
      lng: null,
      getUrl: null,
    };

    it('txt', () => {
      expect(messages.txt).toMatchObject({
        ...nulls,
        form: 'u0001c',
        to: 'kefu01',
        msg: '第一行\n<b>第二行</b> 😀',
        createTime: '2016-02-19 18:43:00',
        ext: { template: {}, n: 1 },
      });
      expect(messages.txt.userMessageId).toMatch(/^\d{1,20}$/);
    });

    it('img, with its Qiniu thumbnail URL signed per §3', () => {
      const { getUrl, ...rest } = messages.img;
      const { getUrl: _noUrl, ...otherNulls } = nulls;
      expect(rest).toMatchObject({
        ...otherNulls,
        url: 'https://a1.easemob.com/f/1',
        filename: 'a b.jpg',
        secret: 's-img',
        file_length: 1024,
        createTime: '2016-02-19 18:44:00',
        ext: {},
      });
      const match = /^(http:\/\/img\.example\.com\/chat\/2016\/a%20b\.jpg\?imageView2\/1\/w\/200\/h\/200&e=(\d+))&token=ak:(.+)$/.exec(
        getUrl ?? '',
      );
      expect(match).not.toBeNull();
      const [, signed, deadline, token] = match!;
      expect(Number(deadline) - Date.now() / 1000).toBeGreaterThan(590);
      expect(Number(deadline) - Date.now() / 1000).toBeLessThanOrEqual(601);
      expect(token).toBe(createHmac('sha1', 'sk').update(signed).digest('base64').replace(/\+/g, '-').replace(/\//g, '_'));
    });

    it('audio and video', () => {
      expect(messages.audio).toMatchObject({
        ...nulls,
        url: 'https://a1.easemob.com/f/2',
        filename: 'v.amr',
        secret: 's-audio',
        length: 7,
        file_length: 2048,
      });
      expect(messages.video).toMatchObject({
        ...nulls,
        url: 'https://a1.easemob.com/f/3',
        filename: 'v.mp4',
        secret: 's-video',
        thumb: 'https://a1.easemob.com/t/3',
        thumb_secret: 'ts-video',
        length: 15,
        file_length: 4096,
      });
    });

    it('loc, with string coordinates read as numbers', () => {
      expect(messages.loc).toMatchObject({ ...nulls, addr: '上海市徐汇区', lat: 31.19, lng: 121.44 });
    });

    it('file, cmd and custom', () => {
      expect(messages.file).toMatchObject({
        ...nulls,
        url: 'https://a1.easemob.com/f/4',
        filename: '菜单.pdf',
        secret: 's-file',
        file_length: 8192,
      });
      expect(messages.cmd).toMatchObject({ ...nulls, msg: 'typing', ext: {} });
      expect(messages.custom).toMatchObject({ ...nulls, msg: 'order', ext: { customExts: { id: '7' } } });
    });
  });

  describe('marks and favorites', () => {
    const chatId = 'u0001marks';
    let ids: string[];
    let colleague: { operatorId: string };

    beforeAll(async () => {
      await t.importRecords(
        a.tenantId,
        [0, 1, 2].map((i) => record({ chatId, timestamp: T0 + i * 1000 })),
      );
      ids = (await list(a, { chatId })).envelope.data!.msg.map((m) => m.userMessageId);
      colleague = await t.operators.create({ tenantId: a.tenantId, username: 'colleague' });
      const now = Date.now();
      await t.dataSource.query(
        'INSERT INTO message_marks (tenant_id, message_id, mark, chat_id, operator_id, create_time) VALUES (?, ?, ?, ?, ?, ?), (?, ?, ?, ?, ?, ?)',
        [a.tenantId, BigInt(ids[0]), '投诉', chatId, a.operatorId, now, a.tenantId, BigInt(ids[0]), '重要', chatId, a.operatorId, now + 1],
      );
      await t.dataSource.query(
        'INSERT INTO message_favorites (operator_id, message_id, tenant_id, chat_id, create_time) VALUES (?, ?, ?, ?, ?), (?, ?, ?, ?, ?)',
        [a.operatorId, BigInt(ids[1]), a.tenantId, chatId, now, colleague.operatorId, BigInt(ids[2]), a.tenantId, chatId, now],
      );
    });

    it('adds mark only when needMark is true', async () => {
      const { envelope } = await list(a, { chatId, needMark: true });
      expect(envelope.data!.msg.map((m) => m.mark)).toEqual([['投诉', '重要'], [], []]);
      expect(envelope.data!.msg.every((m) => !('favorite' in m))).toBe(true);
      expect(Object.keys(envelope.data!.msg[0])).toEqual([...BASE_FIELDS, 'mark']);
    });

    it("adds favorite only when needFavorite is true, for the requesting operator's favorites", async () => {
      const { envelope } = await list(a, { chatId, needFavorite: 'true', needMark: false });
      expect(envelope.data!.msg.map((m) => m.favorite)).toEqual([false, true, false]);
      expect(envelope.data!.msg.every((m) => !('mark' in m))).toBe(true);
    });

    it('writes favorite then mark when both are asked', async () => {
      const { envelope } = await list(a, { chatId, needFavorite: true, needMark: true });
      expect(Object.keys(envelope.data!.msg[0])).toEqual(CHAT_MESSAGE_FIELDS);
    });
  });

  describe('tenancy', () => {
    it("answers another tenant's chat exactly as a chat that does not exist", async () => {
      await t.importRecords(a.tenantId, [record({ chatId: 'u0001private' })]);
      const foreign = await list(b, { chatId: 'u0001private' });
      const missing = await list(b, { chatId: 'u0001missing' });
      expect(foreign.status).toBe(404);
      expect(foreign.envelope).toMatchObject({ code: 404, data: null, message: 'chatId u0001private 对应的会话不存在' });
      expect(missing.envelope).toMatchObject({ code: 404, data: null, message: 'chatId u0001missing 对应的会话不存在' });
      expect((await list(a, { chatId: 'u0001private' })).status).toBe(200);
    });

    it('keeps the same chat id apart in two tenants', async () => {
      await t.importRecords(a.tenantId, [record({ chatId: 'u0001shared', body: { type: 'txt', msg: 'A 的消息' } })]);
      await t.importRecords(b.tenantId, [record({ chatId: 'u0001shared', body: { type: 'txt', msg: 'B 的消息' } })]);
      expect((await list(a, { chatId: 'u0001shared' })).envelope.data!.msg.map((m) => m.msg)).toEqual(['A 的消息']);
      expect((await list(b, { chatId: 'u0001shared' })).envelope.data!.msg.map((m) => m.msg)).toEqual(['B 的消息']);
    });
  });

  describe('import', () => {
    let folder: string;
    beforeAll(() => {
      folder = mkdtempSync(join(tmpdir(), 'op-import-'));
    });
    afterAll(() => rmSync(folder, { recursive: true, force: true }));

    it('is idempotent: a second run stores nothing and counts duplicates', async () => {
      const chatId = 'u0001idem';
      const records = [0, 1, 2, 3].map((i) => record({ chatId, timestamp: T0 + i }));
      expect(await t.importRecords(a.tenantId, records)).toEqual({ imported: 4, duplicates: 0, expired: 0, failed: 0, errors: [] });
      expect(await t.importRecords(a.tenantId, [...records, records[0]])).toEqual({
        imported: 0,
        duplicates: 5,
        expired: 0,
        failed: 0,
        errors: [],
      });
      const { envelope } = await list(a, { chatId });
      expect(envelope.page!.total).toBe(4);
      expect(envelope.data!.msg).toHaveLength(4);
      expect(envelope.data!.status).toBe('已结束');
      // The chat the import opened has its customer: the party that is not the tenant's staff.
      const [chat]: Array<{ customer_id: string }> = await t.dataSource.query(
        'SELECT customer_id FROM chats WHERE tenant_id = ? AND id = ?',
        [a.tenantId, chatId],
      );
      expect(chat.customer_id).toBe('u0001customer');
    });

    it('changes nothing with a record it already has: not the chat status, nor a chat under another id', async () => {
      const chatId = 'u0001rerun';
      const records = [0, 1].map((i) => record({ chatId, timestamp: T0 + i, msgId: `rerun-${i}`, chatStatus: 5 }));
      expect(await t.importRecords(a.tenantId, records)).toMatchObject({ imported: 2, duplicates: 0 });
      // The same file again after agents moved on, saying "chatting"; and one id again under a new chat.
      const again = [...records.map((r) => ({ ...r, chatStatus: 3 })), { ...records[0], chatId: 'u0001rerun-elsewhere', chatStatus: 1 }];
      expect(await t.importRecords(a.tenantId, again)).toMatchObject({ imported: 0, duplicates: 3 });
      const { envelope } = await list(a, { chatId });
      expect(envelope.data!.status).toBe('已结束');
      expect((await list(a, { chatId: 'u0001rerun-elsewhere' })).envelope.code).toBe(404);
      // A new record beside duplicates still sets its chat's status.
      const next = record({ chatId, timestamp: T0 + 2, msgId: 'rerun-2', chatStatus: 6 });
      expect(await t.importRecords(a.tenantId, [...again, next])).toMatchObject({ imported: 1, duplicates: 3 });
      expect((await list(a, { chatId })).envelope.data!.status).toBe('用户删除');
    });

    it('reports bad lines by number and imports the rest, from plain and gzip files', async () => {
      const chatId = 'u0001badline';
      const good = (i: number) => JSON.stringify(record({ chatId, timestamp: T0 + i, msgId: `bad-${i}` }));
      const lines = [
        good(1),
        '{"chatId": "u0001badline", "msg_id": ',
        good(2),
        JSON.stringify({ ...record({ chatId, msgId: 'x1' }), chatId: '' }),
        '',
        JSON.stringify(record({ chatId, msgId: 'x2', body: { type: 'gif' } })),
        JSON.stringify({ ...record({ chatId, msgId: 'x3' }), timestamp: 'yesterday' }),
        JSON.stringify({ ...record({ chatId, msgId: 'x4' }), chatStatus: 4 }),
        // The last time JavaScript can hold: no zone can show it as yyyy-MM-dd HH:mm:ss.
        JSON.stringify({ ...record({ chatId, msgId: 'x5' }), timestamp: 8_640_000_000_000_000 }),
        // Seconds, not milliseconds: it would read as January 1970.
        JSON.stringify({ ...record({ chatId, msgId: 'x6' }), timestamp: 1_765_000_000 }),
        good(3),
      ];
      const plain = join(folder, 'history.jsonl');
      writeFileSync(plain, lines.join('\n'));
      const result = await t.importer.importFile(a.tenantId, plain);
      expect(result).toEqual({
        imported: 3,
        duplicates: 0,
        expired: 0,
        failed: 7,
        errors: [
          { line: 2, message: '不是有效的 JSON' },
          { line: 4, message: 'chatId 不能为空' },
          { line: 6, message: 'payload.bodies[0].type 不支持：gif' },
          { line: 7, message: 'timestamp 必须是毫秒时间戳（正整数）' },
          { line: 8, message: 'chatStatus 只能是 1、3、5、6 或 30' },
          { line: 9, message: 'timestamp 超出范围：必须早于 9999-12-30' },
          { line: 10, message: 'timestamp 必须是毫秒时间戳：该值早于 1973 年，像是以秒为单位' },
        ],
      });
      const gz = join(folder, 'history.jsonl.gz');
      writeFileSync(gz, gzipSync(lines.join('\n') + '\n' + good(4)));
      expect(await t.importer.importFile(a.tenantId, gz)).toMatchObject({ imported: 1, duplicates: 3, failed: 7 });
      const { envelope } = await list(a, { chatId });
      expect(envelope.data!.msg.map((m) => m.hxMsgId)).toEqual(['bad-1', 'bad-2', 'bad-3', 'bad-4']);
      expect(envelope.page!.total).toBe(4);
    });

    it('reads a file as Windows tools and cut downloads leave it: a byte order mark, a GBK line, a gzip cut short', async () => {
      const chatId = 'u0001rough';
      const line = (i: number) =>
        JSON.stringify(
          record({ chatId, timestamp: T0 + i, msgId: `rough-${i}`, body: { type: 'txt', msg: `第 ${i} 条 ${'咨询'.repeat(i % 7)}` } }),
        );
      const gbk = Buffer.concat([
        Buffer.from(line(0).replace(/第 0 条 /, ''), 'utf8').subarray(0, 20),
        Buffer.from([0xcd, 0xcb, 0xbf, 0xee]),
      ]);
      const windows = join(folder, 'windows.jsonl');
      writeFileSync(windows, Buffer.concat([Buffer.from(`\uFEFF${line(1)}\r\n`), gbk, Buffer.from(`\r\n${line(2)}\r\n`)]));
      expect(await t.importer.importFile(a.tenantId, windows)).toMatchObject({
        imported: 2,
        failed: 1,
        errors: [{ line: 2, message: '该行不是有效的 UTF-8 文本，未读取（请先把文件转换为 UTF-8 编码）' }],
      });

      const whole = Array.from({ length: 2000 }, (_, i) => line(i + 3)).join('\n');
      const gz = gzipSync(whole);
      const cut = join(folder, 'cut.jsonl.gz');
      writeFileSync(cut, gz.subarray(0, Math.floor((gz.length * 2) / 3)));
      const partial = await t.importer.importFile(a.tenantId, cut);
      // Every line read before the cut is stored; the report says from which line on nothing was.
      const stop = partial.errors[partial.errors.length - 1];
      expect(stop).toEqual({
        line: partial.imported + 1,
        message: '文件从这里起无法读取：gzip 文件不完整（可能被截断），之后的内容未导入',
      });
      expect(partial).toMatchObject({ duplicates: 0, failed: 1 });
      expect(partial.imported).toBeGreaterThan(500);
      expect(partial.imported).toBeLessThan(2000);
      const rest = join(folder, 'whole.jsonl.gz');
      writeFileSync(rest, gz);
      expect(await t.importer.importFile(a.tenantId, rest)).toMatchObject({
        imported: 2000 - partial.imported,
        duplicates: partial.imported,
        failed: 0,
      });
      expect((await list(a, { chatId })).envelope.page!.total).toBe(2002);
    });

    it('keeps the count right across batches larger than one insert', async () => {
      const chatId = 'u0001bulk';
      const records = Array.from({ length: 1203 }, (_, i) => record({ chatId, timestamp: T0 + i, msgId: `bulk-${i}` }));
      expect(await t.importRecords(a.tenantId, records)).toMatchObject({ imported: 1203, duplicates: 0 });
      const last = await list(a, { chatId, pageNum: 13, pageSize: 100 });
      expect(last.envelope.page).toEqual({ total: 1203, page: 13, pageSize: 100, count: 3, next: false, startIndex: 1200 });
      expect(last.envelope.data!.msg.map((m) => m.hxMsgId)).toEqual(['bulk-1200', 'bulk-1201', 'bulk-1202']);
    });
  });
});
