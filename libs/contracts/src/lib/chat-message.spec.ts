import { compareChatOrder } from './chat-message';

describe('compareChatOrder', () => {
  const m = (createTime: string, userMessageId: string) => ({ createTime, userMessageId });

  it('orders by createTime, then by userMessageId as a number, never as text', () => {
    const messages = [
      m('2026-12-05 10:00:01', '9'),
      m('2026-12-05 10:00:00', '1000000000000000001'),
      m('2026-12-05 10:00:00', '999999999999999999'),
      m('2026-12-05 09:59:59', '9223372036854775807'),
    ];
    expect([...messages].sort(compareChatOrder)).toEqual([messages[3], messages[2], messages[1], messages[0]]);
  });

  it('finds a message equal to itself', () => {
    expect(compareChatOrder(m('2026-12-05 10:00:00', '7'), m('2026-12-05 10:00:00', '7'))).toBe(0);
  });
});
