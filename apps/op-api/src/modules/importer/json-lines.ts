/** Stands for a line longer than {@link MAX_LINE_BYTES}: counted as a bad record, never read. */
export const LINE_TOO_LONG: unique symbol = Symbol('line too long');
export type JsonLine = string | typeof LINE_TOO_LONG;

/**
 * The longest line an import reads: far above any Easemob record (a message's body is a few KB
 * at most), far below what would strain the process. One line without end (a damaged file, a
 * gzip bomb from wherever a download URL points) would otherwise grow one string until V8
 * gives up and the process with it.
 */
export const MAX_LINE_BYTES = 1024 * 1024;

const NEWLINE = 0x0a;

/**
 * The lines of a UTF-8 byte stream (LF or CRLF), each decoded whole. A line past `maxBytes` is
 * skipped to its end, holding no more than that, and yielded as {@link LINE_TOO_LONG}, so the
 * line numbers of what follows stay right. Stream errors are thrown to the reader.
 */
export async function* jsonLines(input: AsyncIterable<Buffer | string>, maxBytes = MAX_LINE_BYTES): AsyncGenerator<JsonLine> {
  let parts: Buffer[] = [];
  let size = 0;
  let tooLong = false;
  for await (const data of input) {
    const chunk = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    for (let start = 0; start <= chunk.length;) {
      const newline = chunk.indexOf(NEWLINE, start);
      const piece = chunk.subarray(start, newline === -1 ? chunk.length : newline);
      // One byte of room for the \r of a CRLF line, checked again once the line has ended.
      if (!tooLong && size + piece.length > maxBytes + 1) {
        tooLong = true;
        parts = [];
      } else if (!tooLong && piece.length > 0) {
        parts.push(piece);
        size += piece.length;
      }
      if (newline === -1) break;
      yield tooLong || size - (endsWithCr(parts) ? 1 : 0) > maxBytes ? LINE_TOO_LONG : decode(parts);
      parts = [];
      size = 0;
      tooLong = false;
      start = newline + 1;
    }
  }
  if (tooLong || size - (endsWithCr(parts) ? 1 : 0) > maxBytes) yield LINE_TOO_LONG;
  else if (size > 0) yield decode(parts);
}

function endsWithCr(parts: readonly Buffer[]): boolean {
  const last = parts[parts.length - 1];
  return last !== undefined && last[last.length - 1] === 0x0d;
}

function decode(parts: readonly Buffer[]): string {
  const line = Buffer.concat(parts).toString('utf8');
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}
