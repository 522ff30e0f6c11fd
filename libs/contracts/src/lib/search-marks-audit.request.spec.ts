import { plainToInstance, type ClassConstructor } from 'class-transformer';
import { validateSync } from 'class-validator';
import { ChatMessageListRequest } from './chat-message-list.request';
import { AuditListRequest, ChatSearchRequest, MessageMarkRequest } from './search-marks-audit.request';

function firstError<T extends object>(type: ClassConstructor<T>, body: Record<string, unknown>): string | null {
  const errors = validateSync(plainToInstance(type, body), { stopAtFirstError: true, whitelist: true });
  return errors.length === 0 ? null : Object.values(errors[0].constraints ?? {})[0];
}

describe('search, mark and audit requests', () => {
  it('accepts an empty search and every filter', () => {
    expect(firstError(ChatSearchRequest, {})).toBeNull();
    const all = {
      status: [1, 3],
      customerId: 'c',
      operatorId: 'o',
      chatId: 'u1',
      createdFrom: '2026-01-01 00:00:00',
      createdTo: '2026-01-02 00:00:00',
      lastMessageFrom: '2026-01-01 00:00:00',
      lastMessageTo: '2026-01-02 00:00:00',
      mark: 'VIP',
      keyword: '退款',
      pageNum: 1,
      pageSize: 100,
      sort: 'createTime',
    };
    expect(firstError(ChatSearchRequest, all)).toBeNull();
  });

  it('takes a null status as no filter', () => {
    expect(firstError(ChatSearchRequest, { status: null })).toBeNull();
  });

  it('trims keyword and mark, and reads legacy status strings', () => {
    const request = plainToInstance(ChatSearchRequest, { keyword: ' 退款 ', mark: ' VIP', status: '5' });
    expect(request).toMatchObject({ keyword: '退款', mark: 'VIP', status: [5] });
  });

  it.each([
    [ChatSearchRequest, { status: [4] }, 'status 的每一项只能是 1、3、5、6、30'],
    [ChatSearchRequest, { status: Array.from({ length: 11 }, () => 1) }, 'status 最多 10 项'],
    [ChatSearchRequest, { createdFrom: 5 }, 'createdFrom 必须是字符串（yyyy-MM-dd HH:mm:ss）'],
    [ChatSearchRequest, { lastMessageFrom: '2026-1-1 0:0:0' }, 'lastMessageFrom 必须是 yyyy-MM-dd HH:mm:ss 格式的时间'],
    [ChatSearchRequest, { keyword: 'x'.repeat(65) }, 'keyword 长度必须在 1 到 64 个字符之间（不计首尾空白）'],
    [ChatSearchRequest, { sort: 'chatId' }, 'sort 只能是 lastMessageTime 或 createTime'],
    [MessageMarkRequest, { mark: 'a' }, 'messageId 不能为空'],
    [MessageMarkRequest, { messageId: '0', mark: 'a' }, 'messageId 必须是十进制的消息 ID（userMessageId）'],
    [MessageMarkRequest, { messageId: '1'.repeat(20), mark: 'a' }, 'messageId 必须是十进制的消息 ID（userMessageId）'],
    [MessageMarkRequest, { messageId: '1', mark: ' ' }, 'mark 长度必须在 1 到 32 个字符之间（不计首尾空白）'],
    [
      AuditListRequest,
      { action: 'x' },
      'action 只能是 chatMessageList、chatSearch、chatMessageSearch、messageMarkAdd、messageMarkRemove、messageFavoriteAdd、messageFavoriteRemove、chatExport、customerErase、auditExport',
    ],
    [AuditListRequest, { to: 'now' }, 'to 必须是 yyyy-MM-dd HH:mm:ss 格式的时间'],
    [ChatMessageListRequest, { chatId: 'u1', aroundMessageId: '-1' }, 'aroundMessageId 必须是十进制的消息 ID（userMessageId）'],
  ] as const)('%p refuses %j', (type, body, message) => {
    expect(firstError(type as ClassConstructor<object>, body)).toBe(message);
  });
});
