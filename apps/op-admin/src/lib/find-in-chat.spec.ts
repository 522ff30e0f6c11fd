import { chatHref, findCountText, parseHit, stepTargets } from './find-in-chat';

describe('find in chat', () => {
  it('steps to the next and previous match, wrapping at both ends', () => {
    expect(stepTargets({ total: 57, current: 3, before: 2 })).toEqual({ next: 4, previous: 2 });
    expect(stepTargets({ total: 57, current: 57, before: 56 })).toEqual({ next: 1, previous: 56 });
    expect(stepTargets({ total: 57, current: 1, before: 0 })).toEqual({ next: 2, previous: 57 });
    expect(stepTargets({ total: 1, current: 1, before: 0 })).toEqual({ next: 1, previous: 1 });
    expect(stepTargets({ total: 0, current: null, before: 0 })).toBeNull();
  });

  it('steps from a message that does not match to the matches around it', () => {
    expect(stepTargets({ total: 5, current: null, before: 2 })).toEqual({ next: 3, previous: 2 });
    expect(stepTargets({ total: 5, current: null, before: 0 })).toEqual({ next: 1, previous: 5 });
    expect(stepTargets({ total: 5, current: null, before: 5 })).toEqual({ next: 1, previous: 5 });
  });

  it('counts in zh-CN numbers', () => {
    expect(findCountText({ total: 57, current: 3, before: 2 })).toBe('第 3 / 57 处');
    expect(findCountText({ total: 12345, current: 1234, before: 1233 })).toBe('第 1,234 / 12,345 处');
    expect(findCountText({ total: 57, current: null, before: 2 })).toBe('共 57 处');
  });

  it('takes only a positive whole match number from the URL', () => {
    expect(parseHit('3')).toBe(3);
    expect(['0', '-1', '1.5', 'x', '', '01', '99999999999999999'].map(parseHit)).toEqual(Array(7).fill(undefined));
    expect(parseHit(undefined)).toBeUndefined();
  });

  it('keeps the find in the session page URL', () => {
    expect(chatHref('u1')).toBe('/chats/u1');
    expect(chatHref('u 1/2', { keyword: '退款 了', hit: 3 })).toBe('/chats/u%201%2F2?keyword=%E9%80%80%E6%AC%BE+%E4%BA%86&hit=3');
    expect(chatHref('u1', { keyword: 'a&b', around: '42', page: 2 })).toBe('/chats/u1?around=42&keyword=a%26b&page=2');
    expect(chatHref('u1', { around: '42' })).toBe('/chats/u1?around=42');
  });
});
