import { hasEmptyFields, hiddenFields, presetFrom, searchRequestOf, toApiTime, withPage, withPreset } from './search-query';

describe('search query', () => {
  it('turns every filter of the URL into the chatSearch body', () => {
    expect(
      searchRequestOf({
        status: ['3', '5', '99'],
        customerId: ' c1 ',
        operatorId: 'a1',
        chatId: 'u1',
        mark: '投诉',
        keyword: '退款',
        messageTimeFrom: '2026-10-01T00:00',
        messageTimeTo: '2026-10-31T23:59:59',
        createdFrom: '2026-11-01T08:00',
        createdTo: '2026-11-02T08:00',
        lastMessageFrom: '2026-11-03T08:00:05',
        lastMessageTo: '2026-11-04 08:00:00',
        sort: 'createTime',
        page: '3',
      }),
    ).toEqual({
      status: [3, 5],
      customerId: 'c1',
      operatorId: 'a1',
      chatId: 'u1',
      mark: '投诉',
      keyword: '退款',
      createdFrom: '2026-11-01 08:00:00',
      createdTo: '2026-11-02 08:00:59',
      lastMessageFrom: '2026-11-03 08:00:05',
      lastMessageTo: '2026-11-04 08:00:00',
      messageTimeFrom: '2026-10-01 00:00:00',
      messageTimeTo: '2026-10-31 23:59:59',
      sort: 'createTime',
      pageNum: 3,
      pageSize: 20,
    });
  });

  it('leaves out empty filters and bad page numbers', () => {
    expect(searchRequestOf({ keyword: '  ', status: '1', page: 'x' })).toEqual({ status: [1], pageNum: 1, pageSize: 20 });
    expect(toApiTime('', false)).toBeUndefined();
  });

  it('reads the zh-CN time form, a bare date covering its whole day', () => {
    expect(toApiTime('2026-12-01 09:30', false)).toBe('2026-12-01 09:30:00');
    expect(toApiTime('2026-12-01 09:30', true)).toBe('2026-12-01 09:30:59');
    expect(toApiTime('2026-12-01', false)).toBe('2026-12-01 00:00:00');
    expect(toApiTime('2026-12-01', true)).toBe('2026-12-01 23:59:59');
  });

  it('tells a URL with empty fields (as a GET form sends them) from a clean one', () => {
    expect(hasEmptyFields({ keyword: '退款', customerId: '', status: ['3'] })).toBe(true);
    expect(hasEmptyFields({ keyword: '退款', status: ['3', '5'] })).toBe(false);
  });

  it('drops a blank field from the URL it redirects to, so that URL has none left', () => {
    // A keyword of spaces, as a GET form sends it (`keyword=+`).
    const query = { keyword: ' ', status: '3', customerId: '' };
    expect(hasEmptyFields(query)).toBe(true);
    const url = withPage(query, 1);
    expect(url).toBe('?status=3');
    expect(hasEmptyFields(Object.fromEntries(new URLSearchParams(url)))).toBe(false);
  });

  it('sends no sort for the default order, and keeps a sort when it pages', () => {
    expect(searchRequestOf({ sort: '' })).toEqual({ pageNum: 1, pageSize: 20 });
    expect(withPage({ keyword: '退款', sort: 'createTime', page: '2' }, 3)).toBe('?keyword=%E9%80%80%E6%AC%BE&sort=createTime&page=3');
  });

  it('carries the other filters of the URL into the sort form, without the page or the sort', () => {
    expect(hiddenFields({ status: ['1', '3'], keyword: '退款', customerId: ' ', sort: 'createTime', page: '2' }, ['sort', 'page'])).toEqual(
      [
        ['status', '1'],
        ['status', '3'],
        ['keyword', '退款'],
      ],
    );
  });

  it('keeps the filters when it pages', () => {
    expect(withPage({ status: ['1', '3'], keyword: '退款', page: '2' }, 3)).toBe('?status=1&status=3&keyword=%E9%80%80%E6%AC%BE&page=3');
    expect(withPage({ keyword: '退款', page: '2' }, 1)).toBe('?keyword=%E9%80%80%E6%AC%BE');
  });

  it('turns a date preset into a last-activity filter that covers whole days', () => {
    expect(presetFrom('2026-12-02', 1)).toBe('2026-12-02');
    expect(presetFrom('2026-12-02', 7)).toBe('2026-11-26');
    expect(presetFrom('2026-03-01', 30)).toBe('2026-01-31');
    expect(withPreset({ keyword: '退款', lastMessageTo: '2026-01-01', page: '4' }, '2026-12-02', 7)).toBe(
      '?keyword=%E9%80%80%E6%AC%BE&lastMessageFrom=2026-11-26',
    );
  });
});
