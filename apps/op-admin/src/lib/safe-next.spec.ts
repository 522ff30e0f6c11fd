import { safeNext } from './safe-next';

describe('safeNext', () => {
  it('keeps a path of the panel', () => {
    expect(safeNext('/')).toBe('/');
    expect(safeNext('/chats/u1?around=2')).toBe('/chats/u1?around=2');
    expect(safeNext('/chats?keyword=%E9%80%80%E6%AC%BE&page=2#top')).toBe('/chats?keyword=%E9%80%80%E6%AC%BE&page=2#top');
  });

  it('never sends a browser to another site, however the address is spelled', () => {
    for (const other of [
      '//evil.example',
      '/\\evil.example',
      '/\t/evil.example',
      '/\n/evil.example',
      '/\r/evil.example',
      '\t//evil.example',
      ' /evil',
      'https://evil.example/',
      'javascript:alert(1)',
      'evil.example',
      '',
    ]) {
      expect([other, safeNext(other)]).toEqual([other, null]);
    }
  });

  it('never sends a browser back to the sign-in page, nor takes what is not a string or too long', () => {
    expect(safeNext('/login')).toBeNull();
    expect(safeNext('/login?next=/x')).toBeNull();
    expect(safeNext('/chats/../login')).toBeNull();
    expect(safeNext('/loginx')).toBe('/loginx');
    expect(safeNext(['/chats'])).toBeNull();
    expect(safeNext(`/${'a'.repeat(2048)}`)).toBeNull();
  });
});
