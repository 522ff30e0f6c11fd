import { timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { API_VERSION } from '@op/contracts';
import { signRequest } from '@op/contracts/node';
import type { FastifyRequest } from 'fastify';
import { OpError } from '../../common/errors/op-error';
import { originForm } from '../../common/util/request-target';
import { DatabaseConnection } from '../../database/database-connection';
import { ApiClientService } from './api-client.service';
import { NonceStore } from './nonce-store.service';
import type { RequestWithContext } from './op-context';
import { OperatorTokenService } from './operator-token.service';
import { RateLimiter } from './rate-limiter.service';
import { SKIP_SIGNATURE_KEY, SKIP_TOKEN_KEY } from './skip-signature.decorator';

export const TIMESTAMP_WINDOW_SECONDS = 300;
const SIGN_SHAPE = /^(?:[0-9a-fA-F]{32}|[0-9a-fA-F]{64})$/;
const NONCE_SHAPE = /^[\x21-\x7e]{1,64}$/;

type SignedRequest = FastifyRequest & RequestWithContext & { rawBody?: Buffer };

/** The header in which the admin panel names the browser's address (only its client's is read). */
export const USER_IP_HEADER = 'x-op-user-ip';

/**
 * The caller's address for throttling and the audit trail: the connection's, but for the
 * panel's client, whose every sign-in comes from the panel server, the browser's address it
 * names in {@link USER_IP_HEADER}. Anyone else's header is ignored.
 */
function callerAddress(request: SignedRequest, panel: boolean): string {
  const named = request.headers[USER_IP_HEADER];
  if (!panel || named === undefined) return request.ip;
  if (typeof named !== 'string' || isIP(named) === 0) throw OpError.badRequest(`${USER_IP_HEADER} 不是有效的 IP 地址`);
  return named;
}

/** Splits the query string as sent, keeping every occurrence so duplicates can be refused. */
function queryPairs(url: string): Array<[string, string]> {
  const at = url.indexOf('?');
  return at < 0 ? [] : [...new URLSearchParams(url.slice(at + 1))];
}

function constantTimeEqualHex(expected: string, given: string): boolean {
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(given.toLowerCase(), 'utf8');
  // Lengths are public (32 or 64 by method); the bytes are compared in constant time.
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Authenticates every `/op/v2` call (docs/CONTRACT.md §1): version, client, timestamp window,
 * sign over the canonical string, optional nonce, then the operator token and its tenant.
 */
@Injectable()
export class SignatureGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly clients: ApiClientService,
    private readonly tokens: OperatorTokenService,
    private readonly nonces: NonceStore,
    private readonly rateLimiter: RateLimiter,
    private readonly connection: DatabaseConnection,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(SKIP_SIGNATURE_KEY, targets)) return true;
    // Started without its database and not ready yet: nothing signed can be checked or answered.
    if (!this.connection.isReady) throw new OpError(503, '数据库暂不可用，请稍后重试', { 'retry-after': '5' });
    const request = context.switchToHttp().getRequest<SignedRequest>();
    const url = originForm(request.raw.url ?? request.url);
    const pairs = queryPairs(url);
    const query = new Map<string, string>();
    for (const [name, value] of pairs) {
      if (query.has(name)) throw OpError.badRequest(`参数 ${name.slice(0, 32)} 重复`);
      query.set(name, value);
    }

    const apiVersion = query.get('apiVersion');
    if (apiVersion === undefined) throw OpError.badRequest('apiVersion 不能为空');
    if (apiVersion !== API_VERSION) throw OpError.badRequest(`apiVersion 只支持 ${API_VERSION}`);

    const clientId = query.get('client');
    if (!clientId) throw OpError.unauthorized('client 不能为空');
    const sign = query.get('sign');
    if (!sign) throw OpError.unauthorized('sign 不能为空');
    if (!SIGN_SHAPE.test(sign)) throw OpError.unauthorized('sign 格式错误');

    const timestamp = query.get('timestamp');
    if (!timestamp) throw OpError.unauthorized('timestamp 不能为空');
    if (!/^\d{1,12}$/.test(timestamp)) throw OpError.unauthorized('timestamp 必须是 Unix 秒数');
    if (Math.abs(Date.now() / 1000 - Number(timestamp)) > TIMESTAMP_WINDOW_SECONDS) {
      throw OpError.unauthorized(`timestamp 与服务器时间相差超过 ${TIMESTAMP_WINDOW_SECONDS} 秒`);
    }

    const nonce = query.get('nonce');
    if (nonce !== undefined && !NONCE_SHAPE.test(nonce)) {
      // A base64 nonce sent with a bare `+`, which a query string reads as a space.
      const plus = nonce.includes(' ') ? '（查询串中的 + 表示空格，+ 须写作 %2B）' : '';
      throw OpError.unauthorized(`nonce 必须是 1 到 64 个可见 ASCII 字符${plus}`);
    }

    const client = clientId.length <= 64 ? await this.clients.find(clientId) : null;
    if (!client) throw OpError.unauthorized('client 无效');

    const expected = signRequest(
      {
        method: request.method,
        path: url.split('?', 1)[0],
        query: pairs,
        body: request.rawBody ? request.rawBody.toString('utf8') : '',
      },
      client.secret,
      client.signMethod,
    );
    if (!constantTimeEqualHex(expected, sign)) throw OpError.unauthorized('sign 错误');

    if (nonce !== undefined && !(await this.nonces.claim(client.id, nonce))) {
      throw OpError.unauthorized('nonce 已使用，请求被视为重放');
    }

    // Counted only for a right sign and a fresh nonce, so neither a forger nor a replay of a
    // captured request spends the client's allowance.
    const wait = await this.rateLimiter.take(client.id);
    if (wait > 0) throw OpError.tooManyRequests('client 请求过于频繁', wait);

    const ip = callerAddress(request, client.panel);
    if (this.reflector.getAllAndOverride<boolean>(SKIP_TOKEN_KEY, targets)) {
      request.opContext = { tenantId: client.tenantId, clientId: client.id, operator: null, token: null, ip };
      return true;
    }
    const token = query.get('token');
    if (!token) throw OpError.unauthorized('token 不能为空');
    const operator = token.length <= 128 ? await this.tokens.verify(token) : null;
    if (!operator) throw OpError.unauthorized('token 无效或已过期');
    if (operator.tenantId !== client.tenantId) throw OpError.forbidden('token 与 client 不属于同一租户');
    request.opContext = { tenantId: client.tenantId, clientId: client.id, operator, token, ip };
    return true;
  }
}
