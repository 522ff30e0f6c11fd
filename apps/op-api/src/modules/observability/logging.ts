import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DynamicModule } from '@nestjs/common';
import type { FastifyInstance } from 'fastify';
import { LoggerModule } from 'nestjs-pino';
import { pino } from 'pino';
import type { Options } from 'pino-http';
import type { AppConfig } from '../../config/app-config';
import { REDACT_PATHS, redactUrl } from './redact';

export const REQUEST_ID_HEADER = 'x-request-id';
const SANE_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/** The request's id: the caller's `x-request-id` when it is sane, else a new UUID. */
function requestIdOf(given: string | string[] | undefined): string {
  return typeof given === 'string' && SANE_ID.test(given) ? given : randomUUID();
}

/** pino-http options: one JSON line a request, with its request id, and no credentials. */
export function httpLogOptions(config: AppConfig): Options {
  return {
      level: config.logLevel,
      // A caller's id is kept when it is sane, so a request can be followed across services.
      genReqId: (req: IncomingMessage, res: ServerResponse) => {
        const id = requestIdOf(req.headers[REQUEST_ID_HEADER]);
        res.setHeader(REQUEST_ID_HEADER, id);
        return id;
      },
      redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
      serializers: {
        req: (req: { id?: unknown; method?: string; url?: string; remoteAddress?: string }) => ({
          id: req.id,
          method: req.method,
          url: redactUrl(req.url),
          remoteAddress: req.remoteAddress,
        }),
        res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
      },
      customLogLevel: (_req: IncomingMessage, res: ServerResponse, error?: Error) =>
        error || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
  };
}

/** Fastify's own request id (`request.id`), taken from a sane `x-request-id` or made up. */
export const REQUEST_ID_OPTIONS = {
  requestIdHeader: false,
  genReqId: (req: IncomingMessage) => requestIdOf(req.headers[REQUEST_ID_HEADER]),
} as const;

/** Nest's own log lines through the same pino settings (nestjs-pino). */
export function loggingModule(config: AppConfig): DynamicModule {
  return LoggerModule.forRoot({ pinoHttp: httpLogOptions(config), forRoutes: [] });
}

/**
 * Request logging as two Fastify hooks (the adapter needs {@link REQUEST_ID_OPTIONS}): they see every request, unknown routes and body
 * errors included; the `x-request-id` response header is set before anything is sent, and one
 * line is written when the response is done, in pino-http's shape (`req`, `res`,
 * `responseTime`) with the same redaction. Cheaper than pino-http's child logger a request,
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
