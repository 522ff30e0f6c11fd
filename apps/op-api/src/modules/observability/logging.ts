import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DynamicModule } from '@nestjs/common';
import type { FastifyInstance } from 'fastify';
import { LoggerModule } from 'nestjs-pino';
import { pinoHttp, type Options } from 'pino-http';
import type { AppConfig } from '../../config/app-config';
import { REDACT_PATHS, redactUrl } from './redact';

export const REQUEST_ID_HEADER = 'x-request-id';
const SANE_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/** pino-http options: one JSON line a request, with its request id, and no credentials. */
export function httpLogOptions(config: AppConfig): Options {
  return {
      level: config.logLevel,
      // A caller's id is kept when it is sane, so a request can be followed across services.
      genReqId: (req: IncomingMessage, res: ServerResponse) => {
        const given = req.headers[REQUEST_ID_HEADER];
        const id = typeof given === 'string' && SANE_ID.test(given) ? given : randomUUID();
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

/** Nest's own log lines through the same pino settings (nestjs-pino). */
export function loggingModule(config: AppConfig): DynamicModule {
  return LoggerModule.forRoot({ pinoHttp: httpLogOptions(config), forRoutes: [] });
}

/**
 * Request logging as a Fastify hook: it sees every request, unknown routes and body errors
 * included, and sets the `x-request-id` response header before anything is sent.
 */
export function installRequestLogging(fastify: FastifyInstance, config: AppConfig): void {
  const log = pinoHttp(httpLogOptions(config));
  fastify.addHook('onRequest', (request, reply, done) => {
    log(request.raw, reply.raw);
    done();
  });
}
