import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { installRequestLogging, REQUEST_ID_OPTIONS } from './modules/observability/logging';
import { MetricsService } from './modules/observability/metrics.service';
import { SearchIndexService } from './modules/search/search-index.service';
import { OpError } from './common/errors/op-error';
import type { AppConfig } from './config/app-config';

const JSON_TYPE = /^application\/json\s*(;|$)/i;

/** Every body this API reads is JSON; anything else is refused before it is parsed. */
function requireJsonBody(request: FastifyRequest): void {
  const length = request.headers['content-length'];
  const hasBody = (length !== undefined && length !== '0') || request.headers['transfer-encoding'] !== undefined;
  if (hasBody && !JSON_TYPE.test(request.headers['content-type'] ?? '')) {
    throw new OpError(415, '请求体必须是 JSON（Content-Type: application/json）');
  }
}

/** Builds the API exactly as production runs it; tests call this too. */
export async function createApp(config: AppConfig, options: { logger?: boolean } = {}): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({ bodyLimit: config.bodyLimitBytes, trustProxy: false, forceCloseConnections: 'idle', ...REQUEST_ID_OPTIONS });
  // First, so that every response (a refused content type too) carries its request id and is logged.
  installRequestLogging(adapter.getInstance(), config);
  adapter.getInstance().addHook('onRequest', (request: FastifyRequest, _reply: FastifyReply, done: (error?: Error) => void) => {
    try {
      requireJsonBody(request);
      done();
    } catch (error) {
      done(error as Error);
    }
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), adapter, {
    rawBody: true,
    bufferLogs: true,
  });
  app.useLogger(options.logger === false ? false : app.get(Logger));
  app.get(MetricsService).install(adapter.getInstance());
  // Initialised here (listen() would do it too), so scripts may use its services at once.
  await app.init();
  // Feeds an outbox-fed keyword index and builds one that does not yet hold every message.
  app.get(SearchIndexService).startBackground();
  return app;
}
