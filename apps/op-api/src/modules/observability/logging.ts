import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { DynamicModule } from '@nestjs/common';
import type { FastifyInstance } from 'fastify';
import { LoggerModule } from 'nestjs-pino';
import { pino } from 'pino';
import type { AppConfig } from '../../config/app-config';
import { REDACT_PATHS, redactUrl } from './redact';

export const REQUEST_ID_HEADER = 'x-request-id';
const SANE_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/** The request's id: the caller's `x-request-id` when it is sane, else a new UUID. */
function requestIdOf(given: string | string[] | undefined): string {
  return typeof given === 'string' && SANE_ID.test(given) ? given : randomUUID();
}

/** Fastify's own request id (`request.id`), taken from a sane `x-request-id` or made up. */
export const REQUEST_ID_OPTIONS = {
  requestIdHeader: false,
  genReqId: (req: IncomingMessage) => requestIdOf(req.headers[REQUEST_ID_HEADER]),
} as const;

/**
 * Nest's own log lines as pino JSON (nestjs-pino), with credentials redacted. No routes: the
 * request lines come from {@link installRequestLogging}, so pino-http's per-request options
 * (request id, serializers, levels) would never run.
 */
export function loggingModule(config: AppConfig): DynamicModule {
  return LoggerModule.forRoot({
    pinoHttp: { level: config.logLevel, redact: { paths: REDACT_PATHS, censor: '[REDACTED]' } },
    forRoutes: [],
  });
}

/**
 * Request logging as two Fastify hooks (the adapter needs {@link REQUEST_ID_OPTIONS}): they see every request, unknown routes and body
 * errors included; the `x-request-id` response header is set before anything is sent, and one
 * line is written when the response is done, in pino-http's shape (`req`, `res`,
 * `responseTime`), its URL's credentials replaced by redactUrl. Cheaper than pino-http's child logger a request,
 * which serialised the request up front whether or not a line was written.
 */
export function installRequestLogging(fastify: FastifyInstance, config: AppConfig): void {
  // No redaction pass: the line is built here from the method, the status and a URL whose
  // credentials redactUrl has already replaced, so nothing secret can reach it.
  const log = pino({ level: config.logLevel });
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.header(REQUEST_ID_HEADER, request.id);
    done();
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    const status = reply.statusCode;
    const level = status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info';
    if (log.isLevelEnabled(level)) {
      const raw = request.raw;
      log[level](
        {
          req: { id: request.id, method: raw.method, url: redactUrl(raw.url), remoteAddress: raw.socket?.remoteAddress },
          res: { statusCode: status },
          responseTime: Math.round(reply.elapsedTime),
        },
        status >= 500 ? 'request errored' : 'request completed',
      );
    }
    done();
  });
}
