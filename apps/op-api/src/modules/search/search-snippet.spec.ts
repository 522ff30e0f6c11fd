import { buildSnippet } from './search-snippet';

describe('search snippets', () => {
  it('keeps a short message whole', () => {
    expect(buildSnippet('我要申请退款，谢谢', '退款')).toEqual({ snippet: '我要申请退款，谢谢', offsets: [[4, 6]] });
  });

  it('centres about 60 units on the first match and lists the matches inside', () => {
    const text = `${'x'.repeat(100)}退款${'y'.repeat(10)}退款${'z'.repeat(100)}`;
    const { snippet, offsets } = buildSnippet(text, '退款');
    expect(snippet).toBe(`${'x'.repeat(29)}退款${'y'.repeat(10)}退款${'z'.repeat(17)}`);
    expect(offsets).toEqual([
      [29, 31],
      [41, 43],
    ]);
  });

  it('stays at the ends of the message', () => {
    expect(buildSnippet(`退款${'y'.repeat(100)}`, '退款').snippet).toBe(`退款${'y'.repeat(58)}`);
    expect(buildSnippet(`${'y'.repeat(100)}退款`, '退款')).toEqual({ snippet: `${'y'.repeat(58)}退款`, offsets: [[58, 60]] });
  });

  it('never splits an emoji (a surrogate pair)', () => {
    const text = `${'😀'.repeat(40)}退款${'😀'.repeat(40)}`;
    const { snippet, offsets } = buildSnippet(text, '退款');
    expect(snippet.length % 2).toBe(0);
    expect(/^(😀)+退款(😀)+$/u.test(snippet)).toBe(true);
    const [[start, end]] = offsets;
    expect(snippet.slice(start, end)).toBe('退款');
  });

  it('marks full-width and case variants in the original text', () => {
    expect(buildSnippet('ｉＰｈｏｎｅ15退款', 'iphone')).toEqual({ snippet: 'ｉＰｈｏｎｅ15退款', offsets: [[0, 6]] });
  });
});
