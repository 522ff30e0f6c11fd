import { Readable } from 'node:stream';
import { jsonLines, LINE_NOT_UTF8, LINE_TOO_LONG, untilStreamError } from './json-lines';

const read = async (chunks: Array<Buffer | string>, maxBytes?: number) => {
  const lines: Array<string | symbol> = [];
  for await (const line of jsonLines(Readable.from(chunks), { maxBytes })) lines.push(line);
  return lines;
};

describe('jsonLines', () => {
  it('splits LF and CRLF lines across chunks, whole characters included, with or without a last newline', async () => {
    const text = Buffer.from('{"msg":"退款"}\r\n\n{"msg":"发货"}\n{"msg":"投诉"}', 'utf8');
    // Cut inside a three-byte character and between \r and \n.
    const cuts = [3, 9, 16, 17, 30];
    const chunks = [0, ...cuts].map((start, i) => text.subarray(start, cuts[i] ?? text.length));
    expect(await read(chunks)).toEqual(['{"msg":"退款"}', '', '{"msg":"发货"}', '{"msg":"投诉"}']);
    expect(await read(['a\n', 'b\n'])).toEqual(['a', 'b']);
    expect(await read([])).toEqual([]);
  });

  it('skips a line past the limit to its end, holding no more of it, and goes on with the next', async () => {
    const long = 'x'.repeat(40);
    expect(await read(['ok\n', long.slice(0, 25), long.slice(25), '\nnext\n', long], 16)).toEqual([
      'ok',
      LINE_TOO_LONG,
      'next',
      LINE_TOO_LONG,
    ]);
    expect(await read(['exactly-16-bytes\n', 'exactly-16-bytes\r\n', 'exactly-16-bytes\r', '\n', 'exactly-16-bytes'], 16)).toEqual([
      'exactly-16-bytes',
      'exactly-16-bytes',
      'exactly-16-bytes',
      'exactly-16-bytes',
    ]);
    expect(await read(['seventeen-bytes!!\r\n', 'seventeen-bytes!!'], 16)).toEqual([LINE_TOO_LONG, LINE_TOO_LONG]);
  });

  it('refuses a line that is not UTF-8, or reads it with U+FFFD when asked, and drops a leading byte order mark', async () => {
    const gbk = Buffer.from([0x7b, 0xcd, 0xcb, 0xbf, 0xee, 0x7d, 0x0a]); // {退款} in GBK
    const bom = Buffer.from('\uFEFF{"a":1}\n\uFEFF{"b":2}\n', 'utf8');
    expect(await read([bom, gbk, 'ok\n'])).toEqual(['{"a":1}', '\uFEFF{"b":2}', LINE_NOT_UTF8, 'ok']);
    const lenient: Array<string | symbol> = [];
    for await (const line of jsonLines(Readable.from([gbk]), { invalidUtf8: 'replace' })) lenient.push(line);
    expect(lenient).toEqual(['{\uFFFD\u02FF\uFFFD}']);
  });

  it('gives the lines read before a stream error, then ends and says why', async () => {
    const failing = new Readable({ read() {} });
    failing.push('a\nb\n');
    setImmediate(() => failing.destroy(Object.assign(new Error('cut'), { code: 'Z_BUF_ERROR' })));
    const reading = untilStreamError(jsonLines(failing));
    const lines: Array<string | symbol> = [];
    for await (const line of reading.lines) lines.push(line);
    expect(lines).toEqual(['a', 'b']);
    expect(reading.read()).toBe(2);
    expect(reading.failure()).toMatchObject({ code: 'Z_BUF_ERROR' });
  });

  it('throws what the stream throws', async () => {
    const failing = new Readable({ read() {} });
    failing.push('a\n');
    setImmediate(() => failing.destroy(Object.assign(new Error('cut'), { code: 'ECONNRESET' })));
    const reading = (async () => {
      for await (const line of jsonLines(failing)) void line;
    })();
    await expect(reading).rejects.toMatchObject({ code: 'ECONNRESET' });
  });
});
