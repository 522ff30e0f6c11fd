import { renderToStaticMarkup } from 'react-dom/server';
import { pageInfo } from '@op/contracts';
import { PastTheEnd } from './common';

describe('PastTheEnd', () => {
  it('says the total, and that it is a floor when the search stopped counting at its cap', () => {
    const past = pageInfo(1_000, 57, 20, 0);
    expect(renderToStaticMarkup(<PastTheEnd page={past} first="/" />)).toContain('这一页没有内容（共 1,000 条）');
    // A capped chatSearch: the rest of the page says 1,000+, and so does this line.
    expect(renderToStaticMarkup(<PastTheEnd page={past} first="/" capped />)).toContain('这一页没有内容（共 1,000+ 条）');
  });
});
