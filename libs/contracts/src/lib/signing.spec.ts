import { signCanonical, signRequest } from '../node/signer';
import { canonicalQuery, canonicalString, compareByBytes } from './signing';

// The worked example of docs/CONTRACT.md §1.
const example = {
  method: 'POST',
  path: '/op/v2/chatMessageList',
  query: { token: 't1', timestamp: '1700000000', client: 'c1', apiVersion: '01' },
  body: '{"chatId":"u1"}',
};

describe('canonical string', () => {
  it('joins method, path, sorted query and raw body with newlines', () => {
    expect(canonicalString(example)).toBe(
      'POST\n/op/v2/chatMessageList\napiVersion=01&client=c1&timestamp=1700000000&token=t1\n{"chatId":"u1"}',
    );
  });

  it('leaves sign out of the query and keeps decoded values as they are', () => {
    expect(canonicalQuery({ sign: 'abc', b: 'x y', a: '中文&=' })).toBe('a=中文&=&b=x y');
  });

  it('sorts names by bytes, not by locale or UTF-16 units', () => {
    expect(
      canonicalQuery([
        ['b', '1'],
        ['B', '2'],
        ['a', '3'],
        ['_', '4'],
      ]),
    ).toBe('B=2&_=4&a=3&b=1');
    // U+FF5E sorts before U+1F600 in UTF-8 bytes, after it in UTF-16 code units.
    expect(compareByBytes('\uff5e', '\u{1f600}')).toBeLessThan(0);
    expect(compareByBytes('ab', 'a')).toBeGreaterThan(0);
  });

  it('writes an empty body as an empty last line and upper-cases the method', () => {
    expect(canonicalString({ method: 'post', path: '/p', query: {} })).toBe('POST\n/p\n\n');
  });
});

describe('sign methods (docs/CONTRACT.md vectors)', () => {
  it('hmac-sha256', () => {
    expect(signRequest(example, 's3cr3t', 'hmac-sha256')).toBe('fd02fd019d9aeebf916962fa55b20b437633846d75f906260e1ba656da1bf1d3');
  });

  it('md5', () => {
    expect(signRequest(example, 's3cr3t', 'md5')).toBe('4316878a9e0a60b4b763763edc3d71d0');
  });

  it('depends on every part of the canonical string', () => {
    const base = signCanonical(canonicalString(example), 's3cr3t', 'hmac-sha256');
    expect(signRequest({ ...example, body: '{"chatId":"u2"}' }, 's3cr3t', 'hmac-sha256')).not.toBe(base);
    expect(signRequest({ ...example, path: '/op/v2/other' }, 's3cr3t', 'hmac-sha256')).not.toBe(base);
    expect(signRequest({ ...example, query: { ...example.query, token: 't2' } }, 's3cr3t', 'hmac-sha256')).not.toBe(base);
    expect(signRequest(example, 'other', 'hmac-sha256')).not.toBe(base);
  });

  it('throws on a method it does not know, rather than sending no sign (untyped code naming one otherwise)', () => {
    for (const method of ['HMAC-SHA256', 'sha256', undefined]) {
      expect(() => signRequest(example, 's3cr3t', method as never)).toThrow(/unknown sign method/);
    }
  });
});
