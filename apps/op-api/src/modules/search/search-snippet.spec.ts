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

  it('never splits a grapheme either: a letter and its accent, a family emoji, a flag (whose letters would pair with the next flag)', () => {
    const graphemes = (text: string) => [...new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(text)].map((g) => g.segment);
    const cases: Array<[string, string, string]> = [
      [`${'字'.repeat(10)}e\u0301${'字'.repeat(27)}组合切词${'字'.repeat(60)}`, '组合切词', 'e\u0301'],
      [`${'字'.repeat(10)}👨‍👩‍👧${'字'.repeat(23)}簇切词${'字'.repeat(60)}`, '簇切词', '👨‍👩‍👧'],
      [`${'字'.repeat(12)}🇨🇳🇺🇸${'字'.repeat(22)}旗切词${'字'.repeat(60)}`, '旗切词', '🇨🇳'],
      [`${'字'.repeat(60)}尾切词${'字'.repeat(26)}👨‍👩‍👧${'字'.repeat(40)}`, '尾切词', '👨‍👩‍👧'],
    ];
    for (const [text, keyword, cluster] of cases) {
      const { snippet, offsets } = buildSnippet(text, keyword);
      // Every grapheme of the snippet is one of the text's: nothing cut, nothing re-paired.
      expect([keyword, graphemes(snippet).every((g) => graphemes(text).includes(g))]).toEqual([keyword, true]);
      expect([keyword, graphemes(snippet).includes(cluster)]).toEqual([keyword, true]);
      expect(snippet.slice(offsets[0][0], offsets[0][1])).toBe(keyword);
    }
    // Inside a run of 24 flags the window read must start where the run does, or the letters pair wrongly.
    const flags = '🇨🇳🇺🇸🇯🇵🇩🇪'.repeat(6);
    for (const gap of [2, 3]) {
      const run = buildSnippet(`${flags}${'字'.repeat(gap)}旗切词${'字'.repeat(60)}`, '旗切词').snippet;
      expect(graphemes(run).every((g) => graphemes(flags).includes(g) || !/\p{Regional_Indicator}/u.test(g))).toBe(true);
    }
    // With no match, the opening of the message: a flag at its 60th unit is kept whole too.
    const opening = buildSnippet(`${'字'.repeat(59)}🇨🇳${'字'.repeat(10)}`, '没有').snippet;
    expect(opening).toBe(`${'字'.repeat(59)}🇨🇳`);
  });

  it('marks full-width and case variants in the original text', () => {
    expect(buildSnippet('ｉＰｈｏｎｅ15退款', 'iphone')).toEqual({ snippet: 'ｉＰｈｏｎｅ15退款', offsets: [[0, 6]] });
  });
});
