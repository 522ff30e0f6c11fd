/** Stands for a line longer than {@link MAX_LINE_BYTES}: counted as a bad record, never read. */
export const LINE_TOO_LONG: unique symbol = Symbol('line too long');
/** Stands for a line whose bytes are not UTF-8 (a GBK export, say), when such lines are refused. */
export const LINE_NOT_UTF8: unique symbol = Symbol('line not UTF-8');
export type JsonLine = string | typeof LINE_TOO_LONG | typeof LINE_NOT_UTF8;

/** Why a line that {@link jsonLines} could not give as text was not read: the import's report says it. */
export function unreadableLine(line: typeof LINE_TOO_LONG | typeof LINE_NOT_UTF8): string {
  return line === LINE_TOO_LONG
    ? `该行超过 ${MAX_LINE_BYTES / 1024 / 1024} MiB，未读取`
    : '该行不是有效的 UTF-8 文本，未读取（请先把文件转换为 UTF-8 编码）';
}

/**
 * The longest line an import reads: far above any Easemob record (a message's body is a few KB
 * at most), far below what would strain the process. One line without end (a damaged file, a
 * gzip bomb from wherever a download URL points) would otherwise grow one string until V8
 * gives up and the process with it.
 */
export const MAX_LINE_BYTES = 1024 * 1024;

const NEWLINE = 0x0a;

export interface JsonLinesOptions {
  /** Default {@link MAX_LINE_BYTES}. */
  maxBytes?: number;
  /**
   * What a line that is not UTF-8 becomes: {@link LINE_NOT_UTF8} (`reject`, the default: an
   * operator's file, which they can convert and import again), or its text with U+FFFD for each
   * bad byte (`replace`: Easemob's own export, read as its callbacks are).
   */
  invalidUtf8?: 'reject' | 'replace';
}

/**
 * The lines of a UTF-8 byte stream (LF or CRLF), each decoded whole; a byte order mark at the
 * start (Windows tools write one) is not part of the first line. A line past `maxBytes` is
 * skipped to its end, holding no more than that, and yielded as {@link LINE_TOO_LONG}, so the
 * line numbers of what follows stay right. Stream errors are thrown to the reader.
 */
export async function* jsonLines(
  input: AsyncIterable<Buffer | string>,
  { maxBytes = MAX_LINE_BYTES, invalidUtf8 = 'reject' }: JsonLinesOptions = {},
): AsyncGenerator<JsonLine> {
  const decode = invalidUtf8 === 'reject' ? strictly : leniently;
  let first = true;
  const decoded = (parts: readonly Buffer[]): JsonLine => {
    const line = decode(parts);
    const atStart = first;
    first = false;
    return atStart && typeof line === 'string' && line.startsWith('\uFEFF') ? line.slice(1) : line;
  };
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
      yield tooLong || size - (endsWithCr(parts) ? 1 : 0) > maxBytes ? LINE_TOO_LONG : decoded(parts);
      parts = [];
      size = 0;
      tooLong = false;
      start = newline + 1;
    }
  }
  if (tooLong || size - (endsWithCr(parts) ? 1 : 0) > maxBytes) yield LINE_TOO_LONG;
  else if (size > 0) yield decoded(parts);
}

function endsWithCr(parts: readonly Buffer[]): boolean {
  const last = parts[parts.length - 1];
  return last !== undefined && last[last.length - 1] === 0x0d;
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function withoutCr(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}

function strictly(parts: readonly Buffer[]): JsonLine {
  try {
    return withoutCr(utf8.decode(Buffer.concat(parts)));
  } catch {
    return LINE_NOT_UTF8;
  }
}

function leniently(parts: readonly Buffer[]): JsonLine {
  return withoutCr(Buffer.concat(parts).toString('utf8'));
}

/**
 * The lines of `lines` until its stream fails (a gzip cut short or damaged, a reset download):
 * the reader gets every line read before, then the end; `failure()` then says what stopped it
 * (as `explain` put it when it happened), and `read()` how many lines came before.
 */
export function untilStreamError(
  lines: AsyncIterable<JsonLine>,
  explain: (error: Error) => Error = (error) => error,
): {
  lines: AsyncGenerator<JsonLine>;
  read: () => number;
  failure: () => Error | null;
} {
  let count = 0;
  let failure: Error | null = null;
  async function* reading(): AsyncGenerator<JsonLine> {
    try {
      for await (const line of lines) {
        count++;
        yield line;
      }
    } catch (error) {
      // Not `instanceof Error`: an error of another realm (zlib's, under a test runner) would lose its code.
      failure = explain(typeof error === 'object' && error !== null ? (error as Error) : new Error(String(error)));
    }
  }
  return { lines: reading(), read: () => count, failure: () => failure };
}

/** What a stream error that ended a file's reading means, in the words of the import's report. */
export function streamFailure(error: Error): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'Z_BUF_ERROR') return 'gzip 文件不完整（可能被截断）';
  if (code === 'Z_DATA_ERROR') return 'gzip 数据已损坏';
  return `读取失败（${code ?? error.name}）`;
}
