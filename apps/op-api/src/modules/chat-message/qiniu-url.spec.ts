import { encodeQiniuKey, qiniuPrivateUrl } from './qiniu-url';

describe('Qiniu private download URL', () => {
  it('matches the known answer of docs/CONTRACT.md §3', () => {
    expect(qiniuPrivateUrl('http://img.example.com', 'chat/2016/a b.jpg', 'ak', 'sk', 1700003600)).toBe(
      'http://img.example.com/chat/2016/a%20b.jpg?imageView2/1/w/200/h/200&e=1700003600&token=ak:NKv05mNvtP7QhAjopQFHWWEEtGE=',
    );
  });

  it('encodes each segment of the key but keeps its slashes', () => {
    expect(encodeQiniuKey('聊天/a?b#c&d.jpg')).toBe('%E8%81%8A%E5%A4%A9/a%3Fb%23c%26d.jpg');
  });

  it('uses URL-safe base64 in the token', () => {
    const urls = Array.from({ length: 50 }, (_, i) => qiniuPrivateUrl('http://d', `k${i}`, 'ak', 'sk', 1700000000));
    expect(urls.every((url) => /token=ak:[A-Za-z0-9_=-]+$/.test(url))).toBe(true);
  });
});
