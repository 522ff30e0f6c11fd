import { HttpException } from '@nestjs/common';
import { OpError } from '../errors/op-error';

export interface ErrorOutcome {
  code: number;
  message: string;
  headers: Readonly<Record<string, string>>;
  /** True when the cause is ours, not the caller's: worth a log line. */
  internal: boolean;
}

/** Codes that say the server is not there (yet): nothing answers at its address. */
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNRESET']);
/**
 * Further codes that say the database is away (a connection cut, refusing this client,
 * read-only in a failover), not that a statement was wrong.
 */
const DATABASE_DOWN_CODES = new Set([
  'ECONNABORTED',
  'EPIPE',
  'ENETDOWN',
  'ER_CON_COUNT_ERROR',
  'ER_ACCESS_DENIED_ERROR',
  // MariaDB's answer (1698) to a user it does not know from this host.
  'ER_ACCESS_DENIED_NO_PASSWORD_ERROR',
  'ER_BAD_DB_ERROR',
  'ER_OPTION_PREVENTS_STATEMENT',
  'ER_READ_ONLY_MODE',
  // A Spider front whose backend cannot be reached (a shard down).
  'ER_CONNECT_TO_FOREIGN_DATA_SOURCE',
]);
/** Spider's own error numbers of a backend away, which mysql2 knows no name for: 12701 "Remote MySQL server has gone away". */
const SPIDER_BACKEND_DOWN_ERRNOS = new Set([12701]);
/** SQLite's primary codes of a database away (busy, locked, its disk full or failing), whatever extended code better-sqlite3 reports (`SQLITE_IOERR_WRITE`). */
const SQLITE_DOWN = new Set([
  'SQLITE_BUSY',
  'SQLITE_LOCKED',
  'SQLITE_CANTOPEN',
  'SQLITE_IOERR',
  'SQLITE_FULL',
  'SQLITE_READONLY',
  'SQLITE_PROTOCOL',
]);
/** What mysql2 throws without a code when its connection or pool is closed or full. */
const DATABASE_DOWN_MESSAGES = ["Can't add new command when connection is in closed state", 'Queue limit reached.', 'Pool is closed.'];

/** A code of a server not there: unreachable, mysql2's connection-level `PROTOCOL_*`, or shutting down. */
function isUnreachableCode(code: string): boolean {
  return UNREACHABLE_CODES.has(code) || code.startsWith('PROTOCOL_') || code === 'ER_SERVER_SHUTDOWN';
}

/** A property of the given type on an error or on the one it wraps (`driverError`, `cause`), the outermost first. */
function driverProperty<T extends 'string' | 'number'>(
  error: unknown,
  key: 'code' | 'errno',
  type: T,
): (T extends 'string' ? string : number) | undefined {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current && typeof current === 'object' && !seen.has(current)) {
    seen.add(current);
    const value = (current as Record<string, unknown>)[key];
    if (typeof value === type) return value as T extends 'string' ? string : number;
    current = (current as { driverError?: unknown; cause?: unknown }).driverError ?? (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** The driver's error code of an error or of the one it wraps (`driverError`, `cause`). */
export function errorCode(error: unknown): string | undefined {
  return driverProperty(error, 'code', 'string');
}

/** What a log line or a health report may say of an error: its code (or its class), never its message, which may quote SQL. */
export function codeOrName(error: unknown): string {
  return errorCode(error) ?? (error instanceof Error ? error.name : 'Error');
}

/** Whether an error says the database server is not there (yet): what a start waits out; anything else (wrong credentials) stops it. */
export function isDatabaseUnreachable(error: unknown): boolean {
  const code = errorCode(error);
  return code !== undefined && isUnreachableCode(code);
}

/**
 * Whether an error says the database is away (unreachable, hung, refusing, read-only, out of
 * disk), not that a statement was wrong: the 503 case; a journalled callback waits in the
 * journal instead of counting a failed try.
 */
export function isDatabaseDown(error: unknown): boolean {
  const code = errorCode(error);
  if (code === undefined) {
    const errno = driverProperty(error, 'errno', 'number');
    return (
      (errno !== undefined && SPIDER_BACKEND_DOWN_ERRNOS.has(errno)) ||
      (error instanceof Error && DATABASE_DOWN_MESSAGES.includes(error.message))
    );
  }
  const sqlite = /^SQLITE_[A-Z]+/.exec(code);
  return isUnreachableCode(code) || DATABASE_DOWN_CODES.has(code) || (sqlite !== null && SQLITE_DOWN.has(sqlite[0]));
}

/** Fastify's own error codes, for failures before a route handler runs. */
const FASTIFY_ERRORS: Readonly<Record<string, [number, string]>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: [413, '请求体过大'],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, '请求体必须是 JSON（Content-Type: application/json）'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [400, '请求体长度与 Content-Length 不符'],
  FST_ERR_CTP_EMPTY_JSON_BODY: [400, '请求体不能为空'],
  FST_ERR_CTP_INVALID_JSON_BODY: [400, '请求体不是有效的 JSON'],
  FST_ERR_BAD_URL: [400, '请求地址无效'],
  FST_ERR_ASYNC_CONSTRAINT: [400, '请求无效'],
};

/**
 * The one mapping from any thrown value to the envelope's code and message. Nothing of the
 * original error (stack, SQL, path) reaches the message unless it is an {@link OpError}.
 */
export function toErrorOutcome(error: unknown, bodyLimitBytes: number): ErrorOutcome {
  if (error instanceof OpError) return { code: error.code, message: error.message, headers: error.headers, internal: false };
  const code = errorCode(error);
  if (code && FASTIFY_ERRORS[code]) {
    const [status, message] = FASTIFY_ERRORS[code];
    const text = status === 413 ? `请求体不能超过 ${Math.floor(bodyLimitBytes / 1024)} KiB` : message;
    return { code: status, message: text, headers: {}, internal: false };
  }
  if (error instanceof SyntaxError || (error as { type?: string } | null)?.type === 'entity.parse.failed') {
    return { code: 400, message: '请求体不是有效的 JSON', headers: {}, internal: false };
  }
  if (error instanceof HttpException) {
    const status = error.getStatus();
    if (status === 404) return { code: 404, message: '接口不存在', headers: {}, internal: false };
    if (status === 405) return { code: 404, message: '接口不存在', headers: {}, internal: false };
    if (status === 413)
      return { code: 413, message: `请求体不能超过 ${Math.floor(bodyLimitBytes / 1024)} KiB`, headers: {}, internal: false };
    if (status === 415) return { code: 415, message: FASTIFY_ERRORS.FST_ERR_CTP_INVALID_MEDIA_TYPE[1], headers: {}, internal: false };
    if (status >= 400 && status < 500) return { code: 400, message: '请求无效', headers: {}, internal: false };
  }
  const statusCode = (error as { statusCode?: unknown } | null)?.statusCode;
  if (typeof statusCode === 'number' && statusCode === 413) {
    return { code: 413, message: `请求体不能超过 ${Math.floor(bodyLimitBytes / 1024)} KiB`, headers: {}, internal: false };
  }
  if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) {
    return { code: 400, message: '请求无效', headers: {}, internal: false };
  }
  if (isDatabaseDown(error)) {
    return { code: 503, message: '数据库暂不可用，请稍后重试', headers: { 'retry-after': '5' }, internal: true };
  }
  return { code: 500, message: '服务器内部错误', headers: {}, internal: true };
}
