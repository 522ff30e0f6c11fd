import {
  BadRequestException,
  ForbiddenException,
  HttpException,
  Logger,
  MethodNotAllowedException,
  NotFoundException,
  PayloadTooLargeException,
  UnsupportedMediaTypeException,
  type ArgumentsHost,
} from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { AppConfig } from '../../config/app-config';
import { OpError } from '../errors/op-error';
import { EnvelopeFactory } from '../interceptors/envelope';
import { EnvelopeExceptionFilter } from './envelope-exception.filter';
import { isDatabaseDown, toErrorOutcome } from './error-envelope';

// The error mapping alone: thrown values in, envelope codes, messages and headers out; no
// database, no HTTP server (test/hostile-input-generated.spec.ts and others drive the same filter
// through the real API).

const BODY_LIMIT = 64 * 1024;
const outcome = (error: unknown) => toErrorOutcome(error, BODY_LIMIT);
const coded = (code: string, message = 'driver text with SELECT * FROM secrets') => Object.assign(new Error(message), { code });

describe('toErrorOutcome', () => {
  it("passes an OpError's code, message and headers through", () => {
    expect(outcome(OpError.notFound('chatId x 对应的会话不存在'))).toEqual({
      code: 404,
      message: 'chatId x 对应的会话不存在',
      headers: {},
      internal: false,
    });
    expect(outcome(OpError.tooManyRequests('登录失败次数过多', 2_500))).toEqual({
      code: 429,
      message: '登录失败次数过多，请 3 秒后再试',
      headers: { 'retry-after': '3' },
      internal: false,
    });
  });

  it.each([
    ['FST_ERR_CTP_BODY_TOO_LARGE', 413, '请求体不能超过 64 KiB'],
    ['FST_ERR_CTP_INVALID_MEDIA_TYPE', 415, '请求体必须是 JSON（Content-Type: application/json）'],
    ['FST_ERR_CTP_INVALID_CONTENT_LENGTH', 400, '请求体长度与 Content-Length 不符'],
    ['FST_ERR_CTP_EMPTY_JSON_BODY', 400, '请求体不能为空'],
    ['FST_ERR_CTP_INVALID_JSON_BODY', 400, '请求体不是有效的 JSON'],
    ['FST_ERR_BAD_URL', 400, '请求地址无效'],
  ])("maps Fastify's %s to %i", (code, status, message) => {
    expect(outcome(coded(code))).toEqual({ code: status, message, headers: {}, internal: false });
  });

  it('reads a JSON syntax error as a bad body', () => {
    expect(outcome(new SyntaxError('Unexpected token } in JSON at position 9'))).toMatchObject({
      code: 400,
      message: '请求体不是有效的 JSON',
    });
    expect(outcome({ type: 'entity.parse.failed' })).toMatchObject({ code: 400, message: '请求体不是有效的 JSON' });
  });

  it.each([
    ['an unknown route', new NotFoundException('Cannot POST /op/v2/nope'), 404, '接口不存在'],
    ['another method', new MethodNotAllowedException(), 404, '接口不存在'],
    ['a body over the limit', new PayloadTooLargeException(), 413, '请求体不能超过 64 KiB'],
    ['another media type', new UnsupportedMediaTypeException(), 415, '请求体必须是 JSON（Content-Type: application/json）'],
    ["Nest's own 400", new BadRequestException('property x should not exist'), 400, '请求无效'],
    ["Nest's own 403", new ForbiddenException('Forbidden resource'), 400, '请求无效'],
  ])('answers %s in its own words, not the exception’s', (_, error, code, message) => {
    expect(outcome(error)).toEqual({ code, message, headers: {}, internal: false });
  });

  it("honours a plain error's 4xx statusCode without quoting it", () => {
    expect(outcome(Object.assign(new Error('too big'), { statusCode: 413 }))).toMatchObject({
      code: 413,
      message: '请求体不能超过 64 KiB',
    });
    expect(outcome(Object.assign(new Error('/etc/passwd'), { statusCode: 422 }))).toEqual({
      code: 400,
      message: '请求无效',
      headers: {},
      internal: false,
    });
  });

  it('answers 503 with Retry-After when the database is away, however deep its code sits', () => {
    const down = { code: 503, message: '数据库暂不可用，请稍后重试', headers: { 'retry-after': '5' }, internal: true };
    expect(outcome(coded('ECONNREFUSED'))).toEqual(down);
    expect(outcome(Object.assign(new Error('query failed'), { driverError: coded('ER_SERVER_SHUTDOWN') }))).toEqual(down);
    expect(outcome(new Error('wrapped', { cause: coded('SQLITE_BUSY') }))).toEqual(down);
  });

  it("answers 500 for anything else, quoting nothing of the error's", () => {
    expect(outcome(coded('ER_DUP_ENTRY'))).toEqual({ code: 500, message: '服务器内部错误', headers: {}, internal: true });
    expect(outcome(new HttpException('upstream', 502))).toEqual({ code: 500, message: '服务器内部错误', headers: {}, internal: true });
    expect(outcome(undefined)).toEqual({ code: 500, message: '服务器内部错误', headers: {}, internal: true });
    expect(outcome('a string')).toMatchObject({ code: 500 });
  });

  it('stops at a cycle of causes', () => {
    const a: { cause?: unknown } = {};
    const b = { cause: a };
    a.cause = b;
    expect(outcome(a)).toMatchObject({ code: 500 });
  });
});

describe('isDatabaseDown', () => {
  it('is true only for the codes of an unreachable database', () => {
    expect(isDatabaseDown(coded('PROTOCOL_CONNECTION_LOST'))).toBe(true);
    expect(isDatabaseDown({ driverError: { code: 'ETIMEDOUT' } })).toBe(true);
    expect(isDatabaseDown(coded('ER_PARSE_ERROR'))).toBe(false);
    expect(isDatabaseDown(new Error('no code'))).toBe(false);
    expect(isDatabaseDown(null)).toBe(false);
  });

  it('covers the other ways a database is away: DNS, network, a read-only failover, a full or failing disk, a closed pool', () => {
    for (const code of [
      'EAI_AGAIN',
      'ENETUNREACH',
      'PROTOCOL_ENQUEUE_AFTER_FATAL_ERROR',
      'ER_OPTION_PREVENTS_STATEMENT',
      'ER_READ_ONLY_MODE',
      'SQLITE_IOERR_WRITE',
      'SQLITE_FULL',
      'SQLITE_READONLY_DBMOVED',
      'SQLITE_BUSY_TIMEOUT',
    ]) {
      expect([code, isDatabaseDown(coded(code))]).toEqual([code, true]);
    }
    // mysql2 says these without a code.
    expect(isDatabaseDown(new Error("Can't add new command when connection is in closed state"))).toBe(true);
    expect(isDatabaseDown(new Error('Queue limit reached.'))).toBe(true);
    expect(outcome(coded('SQLITE_IOERR_FSYNC'))).toMatchObject({ code: 503 });
    // A statement's own fault is not the database being away.
    for (const code of ['ER_DUP_ENTRY', 'ER_DATA_TOO_LONG', 'SQLITE_CONSTRAINT_UNIQUE', 'SQLITE_ERROR']) {
      expect([code, isDatabaseDown(coded(code))]).toEqual([code, false]);
    }
  });
});

describe('EnvelopeExceptionFilter', () => {
  const config = {
    timezone: 'Asia/Shanghai',
    servicePhone: '400-000-0000',
    hostName: 'unit-host',
    bodyLimitBytes: BODY_LIMIT,
  } as AppConfig;

  function fakeReply() {
    const sent: { status?: number; headers?: Record<string, string>; body?: unknown } = {};
    const reply = {
      status(code: number) {
        sent.status = code;
        return reply;
      },
      headers(values: Record<string, string>) {
        sent.headers = values;
        return reply;
      },
      send(body: unknown) {
        sent.body = body;
        return reply;
      },
    };
    return { reply: reply as unknown as FastifyReply, sent };
  }

  const filter = () => new EnvelopeExceptionFilter(new EnvelopeFactory(config), config);
  afterEach(() => jest.restoreAllMocks());

  it('writes the envelope with the HTTP status equal to its code, as JSON, with its headers', () => {
    const { reply, sent } = fakeReply();
    const host = { switchToHttp: () => ({ getResponse: () => reply }) } as unknown as ArgumentsHost;
    filter().catch(OpError.tooManyRequests('client 请求过于频繁', 900), host);
    expect(sent.status).toBe(429);
    expect(sent.headers).toEqual({ 'retry-after': '1', 'content-type': 'application/json; charset=utf-8' });
    expect(sent.body).toEqual({
      code: 429,
      message: 'client 请求过于频繁，请 1 秒后再试',
      data: null,
      foot: { operationTime: expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/), servicePhone: '400-000-0000', host: 'unit-host' },
    });
  });

  it("logs an internal failure by name and code only, never the driver's message", () => {
    const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const { reply, sent } = fakeReply();
    filter().send(
      Object.assign(new Error("SELECT secret FROM api_clients WHERE id = 'x'"), { name: 'QueryFailedError', code: 'ER_LOCK_DEADLOCK' }),
      reply,
    );
    expect(sent).toMatchObject({ status: 500, body: { code: 500, message: '服务器内部错误', data: null } });
    expect(logged).toHaveBeenCalledWith('request failed: QueryFailedError (ER_LOCK_DEADLOCK) → 500');
    expect(JSON.stringify(logged.mock.calls)).not.toContain('SELECT');
  });

  it("does not log the caller's own mistakes", () => {
    const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const { reply, sent } = fakeReply();
    filter().send(OpError.badRequest('chatId 不能为空'), reply);
    expect(sent).toMatchObject({
      status: 400,
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: { code: 400, message: 'chatId 不能为空' },
    });
    expect(logged).not.toHaveBeenCalled();
  });
});
