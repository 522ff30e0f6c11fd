import type { ChatMessage } from '@op/contracts';
import {
  countText,
  formatDuration,
  highlightSegments,
  isRecalled,
  mediaOrigins,
  messageView,
  operatorLabel,
  safeUrl,
  sideOf,
  valueLabel,
  withFieldLabels,
} from './format';

function message(fields: Partial<ChatMessage>): ChatMessage {
  return {
    userMessageId: '1',
    hxMsgId: null,
    form: 'c1',
    to: 'a1',
    type: 'txt',
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
    createTime: '2026-11-20 09:00:00',
    getUrl: null,
    ext: {},
    ...fields,
  };
}

describe('formatDuration', () => {
  it.each([
    [0, '0:00'],
    [7, '0:07'],
    [75, '1:15'],
    [3725, '1:02:05'],
  ])('%d s is %s', (seconds, text) => expect(formatDuration(seconds)).toBe(text));
  it('says the length is unknown when there is none', () => expect(formatDuration(null)).toBe('时长未知'));
});

describe('highlightSegments', () => {
  it('marks the API offsets and keeps the text around them', () => {
    expect(highlightSegments('我要申请退款，谢谢', [[4, 6]])).toEqual([
      { text: '我要申请', hit: false },
      { text: '退款', hit: true },
      { text: '，谢谢', hit: false },
    ]);
  });

  it('counts UTF-16 code units, as the API does, so text after an emoji lines up', () => {
    // 😀 is two code units: the match 退款 starts at 3.
    expect(highlightSegments('😀a退款b', [[3, 5]])).toEqual([
      { text: '😀a', hit: false },
      { text: '退款', hit: true },
      { text: 'b', hit: false },
    ]);
  });

  it('marks every match, in order, merging overlaps and clamping out-of-range offsets', () => {
    expect(
      highlightSegments('abcabcabc', [
        [6, 9],
        [0, 3],
        [2, 4],
        [8, 99],
      ]),
    ).toEqual([
      { text: 'abca', hit: true },
      { text: 'bc', hit: false },
      { text: 'abc', hit: true },
    ]);
    expect(highlightSegments('abc', [])).toEqual([{ text: 'abc', hit: false }]);
    expect(
      highlightSegments('abc', [
        [2, 2],
        [-5, 0],
      ]),
    ).toEqual([{ text: 'abc', hit: false }]);
  });

  it('keeps markup in the snippet as text', () => {
    const segments = highlightSegments('<b>退款</b>', [[3, 5]]);
    expect(segments.map((s) => s.text).join('')).toBe('<b>退款</b>');
  });
});

describe('messageView', () => {
  it('draws every 2.37 type', () => {
    expect(messageView(message({ type: 'txt', msg: 'a\nb' }))).toEqual({ kind: 'text', text: 'a\nb' });
    expect(
      messageView(message({ type: 'img', url: 'https://e/full.jpg', getUrl: 'http://q/t.jpg?x', filename: 'a.jpg' }), ['http://q']),
    ).toEqual({
      kind: 'image',
      thumbnail: 'http://q/t.jpg?x',
      preview: null,
      full: 'https://e/full.jpg',
      name: 'a.jpg',
    });
    expect(messageView(message({ type: 'img', url: 'https://e/full.jpg' }))).toMatchObject({ kind: 'image', thumbnail: null });
    expect(messageView(message({ type: 'audio', length: 12, url: 'https://e/v.amr' }))).toEqual({
      kind: 'voice',
      duration: '0:12',
      url: 'https://e/v.amr',
    });
    expect(messageView(message({ type: 'video', length: 65, thumb: 'https://e/t.jpg' }), ['https://e'])).toEqual({
      kind: 'video',
      thumbnail: 'https://e/t.jpg',
      preview: null,
      duration: '1:05',
      url: null,
    });
    expect(messageView(message({ type: 'loc', addr: '北京市朝阳区', lat: 39.9042, lng: 116.4074 }))).toEqual({
      kind: 'location',
      address: '北京市朝阳区',
      coordinates: '39.904200, 116.407400',
    });
    expect(messageView(message({ type: 'file', filename: '合同.pdf', file_length: 2048 }))).toEqual({
      kind: 'file',
      name: '合同.pdf',
      size: '2 KB',
      url: null,
    });
    expect(messageView(message({ type: 'cmd', msg: 'typing' }))).toEqual({ kind: 'system', text: '系统指令：typing' });
    expect(messageView(message({ type: 'custom', msg: 'order' }))).toEqual({ kind: 'system', text: '自定义消息：order' });
  });

  it('loads pictures only from known media hosts; any other is a link for a click', () => {
    // A customer-chosen thumb would tell its owner who opened the chat, and when.
    const media = mediaOrigins(' img.example.com , https://cdn.example.com:8443,javascript:x');
    expect(media).toEqual(['https://img.example.com', 'http://img.example.com', 'https://cdn.example.com:8443']);
    expect(messageView(message({ type: 'video', thumb: 'https://tracker.example.net/p.gif?who' }), media)).toMatchObject({
      thumbnail: null,
      preview: 'https://tracker.example.net/p.gif?who',
    });
    expect(messageView(message({ type: 'video', thumb: 'http://img.example.com/t.jpg' }), media)).toMatchObject({
      thumbnail: 'http://img.example.com/t.jpg',
      preview: null,
    });
    expect(messageView(message({ type: 'img', getUrl: 'https://cdn.example.com:8443/a.jpg' }), media)).toMatchObject({
      thumbnail: 'https://cdn.example.com:8443/a.jpg',
    });
    expect(messageView(message({ type: 'img', getUrl: 'https://cdn.example.com/a.jpg' }), media)).toMatchObject({
      thumbnail: null,
      preview: 'https://cdn.example.com/a.jpg',
    });
    expect(messageView(message({ type: 'video', thumb: 'https://e/t.jpg' }))).toMatchObject({
      thumbnail: null,
      preview: 'https://e/t.jpg',
    });
  });

  it('never turns a javascript: URL into a link', () => {
    expect(safeUrl('javascript:alert(1)')).toBeNull();
    expect(messageView(message({ type: 'file', filename: 'x', url: 'javascript:alert(1)' }))).toMatchObject({ url: null });
  });

  it('knows recalled messages and which side wrote', () => {
    expect(isRecalled(message({ ext: { recalled: true } }))).toBe(true);
    expect(isRecalled(message({ ext: { recalled: 'true' } }))).toBe(false);
    expect(sideOf(message({ form: 'c1' }), 'c1')).toBe('customer');
    expect(sideOf(message({ form: 'agent-1' }), 'c1')).toBe('agent');
  });
});

describe('countText', () => {
  it('writes counts as zh-CN does, a capped one with "+"', () => {
    expect(countText(45)).toBe('45');
    expect(countText(10_000, true)).toBe('10,000+');
    expect(countText(1_234_567)).toBe('1,234,567');
  });
});

describe('operatorLabel', () => {
  const names = { a1b2: 'alice', c3d4: 'bob' };

  it('shows the username, keeping the id as the title', () => {
    expect(operatorLabel('a1b2', names)).toEqual({ text: 'alice', title: 'a1b2' });
  });

  it('shows an id the list does not hold as itself, and nobody as 未分配', () => {
    expect(operatorLabel('ffff', names)).toEqual({ text: 'ffff', title: 'ffff' });
    expect(operatorLabel('toString', names)).toEqual({ text: 'toString', title: 'toString' });
    expect(operatorLabel(null, names)).toEqual({ text: '未分配', title: undefined });
  });
});

describe('withFieldLabels', () => {
  it("names a field in the form's words, where the API names it, and the values it may take, leaving values sent alone", () => {
    expect(withFieldLabels('createdFrom 不能晚于 createdTo')).toBe('创建时间（从） 不能晚于 创建时间（到）');
    expect(withFieldLabels('keyword 长度必须在 1 到 64 个字符之间（不计首尾空白）')).toBe(
      '关键词 长度必须在 1 到 64 个字符之间（不计首尾空白）',
    );
    expect(withFieldLabels('lastMessageFrom 不是有效的时间：2026-02-30 00:00:00')).toBe(
      '最后消息时间（从） 不是有效的时间：2026-02-30 00:00:00',
    );
    expect(withFieldLabels('chatId from 对应的会话不存在')).toBe('会话 ID from 对应的会话不存在');
    expect(withFieldLabels('用户名或密码错误')).toBe('用户名或密码错误');
    expect(withFieldLabels('unknownField 不能为空')).toBe('unknownField 不能为空');
    // The values a field may take, by the names the forms give them.
    expect(withFieldLabels('sort 只能是 lastMessageTime 或 createTime')).toBe('排序 只能是 最近活动 或 创建时间');
    expect(withFieldLabels('action 只能是 chatSearch、customerErase')).toBe('操作 只能是 会话搜索、删除客户数据');
    expect(withFieldLabels('status 的每一项只能是 1、3、5、6、30')).toBe('状态 的每一项只能是 等待接待、聊天中、已结束、用户删除、挂起');
    expect(withFieldLabels('format 只能是 jsonl、csv、html')).toBe('格式 只能是 jsonl、csv、html');
    expect([
      valueLabel('sort', 'lastMessageTime'),
      valueLabel('status', '30'),
      valueLabel('status', '7'),
      valueLabel('keyword', 'x'),
    ]).toEqual(['最近活动', '挂起', undefined, undefined]);
    expect(withFieldLabels('to 与 from 最多跨 744 个小时（31 天，含两端所在的小时）')).toBe(
      '时间（到） 与 时间（从） 最多跨 744 个小时（31 天，含两端所在的小时）',
    );
    expect(withFieldLabels('confirm 必须与 customerId 完全相同')).toBe('确认客户 ID 必须与 客户 ID 完全相同');
    expect(withFieldLabels('username 长度必须在 1 到 64 个字符之间')).toBe('用户名 长度必须在 1 到 64 个字符之间');
  });

  it('says an admin-only action is refused in words, without the name of the call', () => {
    for (const call of ['auditList', 'auditExport', 'customerErase', 'easemobGaps']) {
      expect(withFieldLabels(`${call} 只允许管理员（admin）调用`)).toBe('只有管理员可以进行此操作；如果你的账号刚被改为客服，请重新登录');
    }
  });
});
