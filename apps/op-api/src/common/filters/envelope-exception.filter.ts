import { Catch, Inject, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { EnvelopeFactory } from '../interceptors/envelope';
import { OpError } from '../errors/op-error';
import { originForm } from '../util/request-target';
import { toErrorOutcome } from './error-envelope';

/** Turns every error into the §2 envelope, with the HTTP status equal to its code. */
@Catch()
export class EnvelopeExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('OpApi');

  constructor(
    private readonly envelopes: EnvelopeFactory,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  catch(error: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    this.send(error, reply);
  }

  send(error: unknown, reply: FastifyReply): void {
    // The route's own limit where it has one (Easemob's callback).
    const outcome = toErrorOutcome(error, reply.request?.routeOptions?.bodyLimit ?? this.config.bodyLimitBytes);
    if (outcome.internal) {
      // Name and code only: driver messages can quote SQL and parameter values.
      const { name, code } = (error ?? {}) as { name?: string; code?: string };
      this.logger.error(`request failed: ${name ?? 'Error'}${code ? ` (${code})` : ''} → ${outcome.code}`);
    }
    const message = outcome.code === 404 && !(error instanceof OpError) ? (postOnly(reply) ?? outcome.message) : outcome.message;
    // JSON whatever the route set (a refused /metrics call had text/plain).
    void reply
      .status(outcome.code)
      .headers({ ...outcome.headers, 'content-type': 'application/json; charset=utf-8' })
      .send(this.envelopes.error(outcome.code, message));
  }
}

/**
 * A route that exists for POST, asked with another method (a GET from a browser, a HEAD from a
 * link checker): still 404, the contract's code for it, but saying so rather than that no such
 * endpoint exists. The path quoted is the route's own.
 */
function postOnly(reply: FastifyReply): string | null {
  const request = reply.request as FastifyReply['request'] | undefined;
  if (!request || request.method === 'POST') return null;
  const path = originForm(request.url).split('?', 1)[0];
  // findRoute looks a URL up as the router does (hasRoute read it as a pattern, and threw on `/:a(`).
  if (reply.server.findRoute({ method: 'POST', url: path }) === null) return null;
  const shown = path.replace(/\/$/, '');
  return /^[\w/.-]{1,128}$/.test(shown) ? `接口 ${shown} 只支持 POST 请求` : '接口只支持 POST 请求';
}
