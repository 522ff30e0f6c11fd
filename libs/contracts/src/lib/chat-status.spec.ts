import { CHAT_STATUS_CODES, ChatStatus, chatStatusLabel, isChatStatus } from './chat-status';

describe('chat status labels', () => {
  it.each([
    [1, '等待接待'],
    [3, '聊天中'],
    [5, '已结束'],
    [6, '用户删除'],
    [30, '挂起'],
  ])('%i is %s', (code, label) => {
    expect(chatStatusLabel(code)).toBe(label);
  });

  it('knows exactly the five statuses of the original', () => {
    expect(CHAT_STATUS_CODES).toEqual([
      ChatStatus.Waiting,
      ChatStatus.Chatting,
      ChatStatus.Ended,
      ChatStatus.UserDeleted,
      ChatStatus.Suspended,
    ]);
    expect(isChatStatus(2)).toBe(false);
    expect(isChatStatus('3')).toBe(false);
    expect(() => chatStatusLabel(4)).toThrow(RangeError);
  });
});
