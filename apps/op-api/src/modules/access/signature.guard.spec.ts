import type { ExecutionContext } from '@nestjs/common';
import type { Reflector } from '@nestjs/core';
import { API_VERSION } from '@op/contracts';
import { signRequest } from '@op/contracts/node';
import { OpError } from '../../common/errors/op-error';
import type { ApiClient, ApiClientService } from './api-client.service';
import type { NonceStore } from './nonce-store.service';
import type { OpContext } from './op-context';
import type { OperatorTokenService, TokenOperator } from './operator-token.service';
import type { RateLimiter } from './rate-limiter.service';
import { DatabaseConnection } from '../../database/database-connection';
import { SignatureGuard, TIMESTAMP_WINDOW_SECONDS, USER_IP_HEADER } from './signature.guard';
import { SKIP_SIGNATURE_KEY, SKIP_TOKEN_KEY } from './skip-signature.decorator';

// The guard alone, with fakes for the client and token stores, the nonce store and the rate
// limiter: no database, no HTTP server. The end-to-end specs (test/signed-http.spec.ts and
// others) cover the same path through the real services.

const PATH = '/op/v2/chatMessageList';
const NOW_S = 1_732_500_000;
const CLIENT: ApiClient = { id: 'a'.repeat(32), tenantId: 'tenant-a', signMethod: 'hmac-sha256', secret: 's'.repeat(64), panel: false };
const PANEL: ApiClient = { ...CLIENT, id: 'b'.repeat(32), panel: true };
const MD5_CLIENT: ApiClient = { ...CLIENT, id: 'c'.repeat(32), signMethod: 'md5' };
const TOKEN = `o0001${'1'.repeat(32)}`;
const OPERATOR: TokenOperator = { id: 'op-1', tenantId: 'tenant-a', role: 'agent' };

interface Call {
  client?: ApiClient;
  /** Query parameters besides `sign`, in order; `undefined` leaves one out. */
  query?: Record<string, string | undefined>;
  body?: string;
  /** The body as it arrives, when it differs from the one signed. */
  sentBody?: string;
  /** Signed with this secret instead of the client's. */
  secret?: string;
  /** Replaces the computed sign. */
  sign?: string;
  /** Appended after the sign, unsigned. */
  extra?: string;
  headers?: Record<string, string>;
  skip?: { signature?: boolean; token?: boolean };
}

interface FakeRequest {
  method: string;
  url: string;
  raw: { url: string };
  headers: Record<string, string>;
  ip: string;
  rawBody?: Buffer;
  opContext?: OpContext;
}

function signedRequest(call: Call = {}): FakeRequest {
  const client = call.client ?? CLIENT;
  const given = { apiVersion: API_VERSION, client: client.id, timestamp: String(NOW_S), token: TOKEN, nonce: 'nonce-1', ...call.query };
  const query = Object.entries(given).filter((pair): pair is [string, string] => pair[1] !== undefined);
  const body = call.body ?? '{"chatId":"u0001x"}';
  const sign = call.sign ?? signRequest({ method: 'POST', path: PATH, query, body }, call.secret ?? client.secret, client.signMethod);
  const url = `${PATH}?${new URLSearchParams([...query, ['sign', sign]]).toString()}${call.extra ?? ''}`;
  return {
    method: 'POST',
    url,
    raw: { url },
    headers: call.headers ?? {},
    ip: '10.0.0.9',
    rawBody: Buffer.from(call.sentBody ?? body, 'utf8'),
  };
}

function setup(options: { tokenOperator?: TokenOperator | null; nonceFresh?: boolean; rateWaitMs?: number } = {}) {
  const clients = {
    find: jest.fn((id: string) => Promise.resolve([CLIENT, PANEL, MD5_CLIENT].find((client) => client.id === id) ?? null)),
  };
  const tokens = {
    verify: jest.fn((token: string) =>
      Promise.resolve(token === TOKEN ? (options.tokenOperator === undefined ? OPERATOR : options.tokenOperator) : null),
    ),
  };
  const nonces = { claim: jest.fn(() => Promise.resolve(options.nonceFresh ?? true)) };
  const rateLimiter = { take: jest.fn(() => Promise.resolve(options.rateWaitMs ?? 0)) };
  let skip: Call['skip'] = {};
  const reflector = {
    getAllAndOverride: jest.fn(
      (key: string) => (key === SKIP_SIGNATURE_KEY ? skip?.signature : key === SKIP_TOKEN_KEY ? skip?.token : undefined) ?? false,
    ),
  };
  const guard = new SignatureGuard(
    reflector as unknown as Reflector,
    clients as unknown as ApiClientService,
    tokens as unknown as OperatorTokenService,
    nonces as unknown as NonceStore,
    rateLimiter as unknown as RateLimiter,
    DatabaseConnection.ready(),
  );
  const run = async (call: Call = {}): Promise<FakeRequest> => {
    skip = call.skip ?? {};
    const request = signedRequest(call);
    const context = {
      getHandler: () => run,
      getClass: () => SignatureGuard,
      switchToHttp: () => ({ getRequest: () => request }),
    } as unknown as ExecutionContext;
    if (!(await guard.canActivate(context))) throw new Error('the guard answered false instead of throwing');
    return request;
  };
  /** The OpError the call fails with, as code, message and headers. */
  const refusal = async (call: Call = {}) => {
    try {
      await run(call);
    } catch (error) {
      if (!(error instanceof OpError)) throw error;
      return { code: error.code, message: error.message, headers: error.headers };
    }
    throw new Error('the call was let through');
  };
  return { run, refusal, clients, tokens, nonces, rateLimiter };
}

describe('SignatureGuard', () => {
  beforeEach(() => jest.spyOn(Date, 'now').mockReturnValue(NOW_S * 1000));
  afterEach(() => jest.restoreAllMocks());

  it('lets a signed call through and puts who is calling on the request', async () => {
    const { run, nonces, rateLimiter, tokens } = setup();
    const request = await run();
    expect(request.opContext).toEqual({ tenantId: 'tenant-a', clientId: CLIENT.id, operator: OPERATOR, token: TOKEN, ip: '10.0.0.9' });
    expect(nonces.claim).toHaveBeenCalledWith(CLIENT.id, 'nonce-1');
    expect(rateLimiter.take).toHaveBeenCalledWith(CLIENT.id);
    expect(tokens.verify).toHaveBeenCalledWith(TOKEN);
  });

  it('checks md5 signs for an md5 client, and takes a call without a nonce', async () => {
    const { run, nonces } = setup();
    expect((await run({ client: MD5_CLIENT, query: { nonce: undefined } })).opContext?.clientId).toBe(MD5_CLIENT.id);
    expect(nonces.claim).not.toHaveBeenCalled();
  });

  it('leaves a route marked @SkipSignature alone', async () => {
    const { run, clients } = setup();
    const request = await run({ skip: { signature: true }, sign: 'not-a-sign' });
    expect(request.opContext).toBeUndefined();
    expect(clients.find).not.toHaveBeenCalled();
  });

  it('needs no token on a route marked @SkipToken', async () => {
    const { run, tokens } = setup();
    const request = await run({ skip: { token: true }, query: { token: undefined } });
    expect(request.opContext).toEqual({ tenantId: 'tenant-a', clientId: CLIENT.id, operator: null, token: null, ip: '10.0.0.9' });
    expect(tokens.verify).not.toHaveBeenCalled();
  });

  it.each([
    ['no apiVersion', { query: { apiVersion: undefined } }, 400, 'apiVersion 不能为空'],
    ['another apiVersion', { query: { apiVersion: '1.0' } }, 400, `apiVersion 只支持 ${API_VERSION}`],
    ['a repeated parameter', { extra: '&client=x' }, 400, '参数 client 重复'],
    ['no client', { query: { client: undefined } }, 401, 'client 不能为空'],
    ['no sign', { sign: '' }, 401, 'sign 不能为空'],
    ['a sign of the wrong shape', { sign: 'xyz' }, 401, 'sign 格式错误'],
    ['no timestamp', { query: { timestamp: undefined } }, 401, 'timestamp 不能为空'],
    ['a timestamp in milliseconds', { query: { timestamp: `${NOW_S}000` } }, 401, 'timestamp 必须是 Unix 秒数'],
    [
      'a stale timestamp',
      { query: { timestamp: String(NOW_S - TIMESTAMP_WINDOW_SECONDS - 1) } },
      401,
      `timestamp 与服务器时间相差超过 ${TIMESTAMP_WINDOW_SECONDS} 秒`,
    ],
    [
      'a timestamp from the future',
      { query: { timestamp: String(NOW_S + TIMESTAMP_WINDOW_SECONDS + 1) } },
      401,
      `timestamp 与服务器时间相差超过 ${TIMESTAMP_WINDOW_SECONDS} 秒`,
    ],
    [
      'a nonce with spaces',
      { query: { nonce: 'a b' } },
      401,
      'nonce 必须是 1 到 64 个可见 ASCII 字符（查询串中的 + 表示空格，+ 须写作 %2B）',
    ],
    ['an unknown client', { query: { client: 'f'.repeat(32) } }, 401, 'client 无效'],
    ['another secret', { secret: 'x'.repeat(64) }, 401, 'sign 错误'],
    ['no token', { query: { token: undefined } }, 401, 'token 不能为空'],
    ['an unknown token', { query: { token: `o0001${'9'.repeat(32)}` } }, 401, 'token 无效或已过期'],
  ] as Array<[string, Call, number, string]>)('refuses %s', async (_, call, code, message) => {
    expect(await setup().refusal(call)).toMatchObject({ code, message });
  });

  it('refuses a body changed after signing', async () => {
    expect(await setup().refusal({ sentBody: '{"chatId":"u0001y"}' })).toMatchObject({ code: 401, message: 'sign 错误' });
  });

  it('does not look up a client id longer than any real one', async () => {
    const { refusal, clients } = setup();
    expect(await refusal({ query: { client: 'a'.repeat(65) } })).toMatchObject({ code: 401, message: 'client 无效' });
    expect(clients.find).not.toHaveBeenCalled();
  });

  it('refuses a replayed nonce, after the sign is checked', async () => {
    const { refusal, nonces, rateLimiter } = setup({ nonceFresh: false });
    expect(await refusal()).toMatchObject({ code: 401, message: 'nonce 已使用，请求被视为重放' });
    expect(nonces.claim).toHaveBeenCalledTimes(1);
    expect(rateLimiter.take).not.toHaveBeenCalled();
  });

  it('spends neither a nonce nor the allowance on a wrong sign', async () => {
    const { refusal, nonces, rateLimiter } = setup();
    await refusal({ secret: 'x'.repeat(64) });
    expect(nonces.claim).not.toHaveBeenCalled();
    expect(rateLimiter.take).not.toHaveBeenCalled();
  });

  it('answers 429 with a whole-second Retry-After when the client is over its limit', async () => {
    expect(await setup({ rateWaitMs: 1_200 }).refusal()).toEqual({
      code: 429,
      message: 'client 请求过于频繁，请 2 秒后再试',
      headers: { 'retry-after': '2' },
    });
  });

  it('refuses a token of another tenant', async () => {
    expect(await setup({ tokenOperator: { ...OPERATOR, tenantId: 'tenant-b' } }).refusal()).toMatchObject({
      code: 403,
      message: 'token 与 client 不属于同一租户',
    });
  });

  describe(`the ${USER_IP_HEADER} header`, () => {
    it("is the caller's address for the panel's client", async () => {
      expect((await setup().run({ client: PANEL, headers: { [USER_IP_HEADER]: '203.0.113.7' } })).opContext?.ip).toBe('203.0.113.7');
    });

    it('is ignored from any other client', async () => {
      expect((await setup().run({ headers: { [USER_IP_HEADER]: '203.0.113.7' } })).opContext?.ip).toBe('10.0.0.9');
    });

    it('must be an IP address', async () => {
      expect(await setup().refusal({ client: PANEL, headers: { [USER_IP_HEADER]: 'localhost' } })).toMatchObject({
        code: 400,
        message: `${USER_IP_HEADER} 不是有效的 IP 地址`,
      });
    });
  });
});
