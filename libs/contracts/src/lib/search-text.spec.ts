import { containsKeyword, findKeyword, normalizeSearchText, normalizeWithOffsets } from './search-text';

describe('keyword semantics', () => {
  it('lower-cases Latin and leaves Chinese and punctuation as they are', () => {
    expect(normalizeSearchText('Hello WORLD 退款%_!')).toBe('hello world 退款%_!');
  });

  it('folds full-width and compatibility forms (NFKC) and every cased script', () => {
    expect(normalizeSearchText('ｉＰｈｏｎｅ１５，')).toBe('iphone15,');
    expect(normalizeSearchText('㈱')).toBe('(株)');
    expect(normalizeSearchText('ÉLAN Ωμέγα ΟΔΟΣ')).toBe('élan ωμέγα οδοσ');
    expect(normalizeSearchText('οδος')).toBe('οδοσ');
  });

  it('composes a letter with the marks after it', () => {
    expect(normalizeSearchText('e\u0301')).toBe('é');
    expect(containsKeyword('Cafe\u0301 au lait', normalizeSearchText('CAFÉ'))).toBe(true);
  });

  it('keeps emoji and other astral characters, and reads lone surrogates as U+FFFD', () => {
    expect(normalizeSearchText('退款😀𠀀')).toBe('退款😀𠀀');
    expect(normalizeSearchText('a\ud800b')).toBe('a\ufffdb');
    expect(containsKeyword('x\udc00y', '\ufffd')).toBe(true);
  });

  it('finds substrings one message at a time, never an empty keyword', () => {
    expect(containsKeyword('我要申请退款，谢谢', '申请退')).toBe(true);
    expect(containsKeyword('款退', '退款')).toBe(false);
    expect(containsKeyword('anything', '')).toBe(false);
  });

  it('lists non-overlapping matches as ranges of the original text', () => {
    expect(findKeyword('我要申请退款，退款呢', '退款')).toEqual([
      [4, 6],
      [7, 9],
    ]);
    expect(findKeyword('Refund REFUND refund', 'reFund')).toEqual([
      [0, 6],
      [7, 13],
      [14, 20],
    ]);
    expect(findKeyword('aaaa', 'aa')).toEqual([
      [0, 2],
      [2, 4],
    ]);
    expect(findKeyword('ｉＰｈｏｎｅ退款', 'PHONE')).toEqual([[1, 6]]);
    expect(findKeyword('😀退款😀', '款😀')).toEqual([[3, 6]]);
    // A match inside one unit of the text covers that unit, once.
    expect(findKeyword('株式会社㈱', '株')).toEqual([
      [0, 1],
      [4, 5],
    ]);
    expect(findKeyword('ﬀ', 'f')).toEqual([[0, 1]]);
    expect(findKeyword('Cafe\u0301!', 'é')).toEqual([[3, 5]]);
  });

  it('maps every normalised unit back to the original', () => {
    const { normal, start, end } = normalizeWithOffsets('Ａ㈱');
    expect(normal).toBe('a(株)');
    expect(start).toEqual([0, 1, 1, 1]);
    expect(end).toEqual([1, 2, 2, 2]);
  });
});
