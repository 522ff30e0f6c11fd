import 'reflect-metadata';
import type { Socket } from 'node:net';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { safeParse as parseContentType } from 'fast-content-type-parse';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { installRequestLogging, REQUEST_ID_OPTIONS } from './modules/observability/logging';
import { MetricsService } from './modules/observability/metrics.service';
import { SearchIndexService } from './modules/search-index/search-index.service';
import { CallbackSpool } from './modules/easemob/callback-spool.service';
import { EasemobAppService } from './modules/access/easemob-app.service';
import { DatabaseConnection } from './database/database-connection';
import { OpError } from './common/errors/op-error';
import { EnvelopeFactory } from './common/interceptors/envelope';
import { findBodyHazard, MAX_BODY_DEPTH } from './common/util/json-shape';
import { parseKeepingExt } from './common/util/exact-json';
import type { AppConfig } from './config/app-config';
import { MAX_LINE_BYTES } from './modules/importer/json-lines';

/** Easemob's post-send callback (EasemobCallbackController). */
const CALLBACK_PATH = '/hx/callback';

const NOT_JSON = '请求体必须是 JSON（Content-Type: application/json）';
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Requests whose chunked body came without a Content-Type: read as JSON only if empty (no body). */
const untypedBodies = new WeakSet<object>();

/** A header value fit to quote in a message, or `…`. */
const quotable = (value: string) => (/^[\w.:+-]{1,32}$/.test(value) ? value : '…');

/**
 * Every body this API reads is UTF-8 JSON; anything else is refused before it is parsed.
 * Easemob's callback is read as UTF-8 JSON whatever its media type says (Easemob promises a
 * UTF-8 JSON body, not a Content-Type; its `security` authenticates it): refused, a message
 * is lost after Easemob's one retry. A chunked body without a Content-Type may be empty (a
 * client streaming no body), which is no body.
 */
function requireJsonBody(request: FastifyRequest): void {
  const length = request.headers['content-length'];
  const chunked = request.headers['transfer-encoding'] !== undefined;
  if ((length === undefined || length === '0') && !chunked) return;
  const coding = request.headers['content-encoding']?.trim().toLowerCase();
  if (coding !== undefined && coding !== '' && coding !== 'identity') {
    throw new OpError(415, `请求体不能压缩（Content-Encoding: ${quotable(coding)} 不支持），请发送未压缩的 JSON`);
  }
  const header = request.headers['content-type'];
  const contentType = parseContentType(header ?? '');
  if (contentType.type !== 'application/json') {
    const callback = request.routeOptions.url === CALLBACK_PATH;
    if (!callback && !(header === undefined && chunked)) throw new OpError(415, NOT_JSON);
    if (!callback) untypedBodies.add(request.raw);
    request.headers['content-type'] = 'application/json';
  }
  // A body in another charset would be read as UTF-8 and silently match nothing.
  const charset = contentType.parameters.charset?.toLowerCase();
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
    throw new OpError(415, `请求体必须是 UTF-8 编码的 JSON（charset=${quotable(charset)} 不支持）`);
  }
}

/**
 * Parses a JSON body. A signed `/op/v2` body is input we may refuse: past
 * {@link MAX_BODY_DEPTH} levels it is 400 naming its field (deeper would overflow the
 * validator's copy), and a prototype key is 400 (class-transformer would assign it). Other
 * bodies (the Easemob callback) are data: they go on as parsed, keys and depth included.
 */
function parseJsonBody(request: { routeOptions: { url?: string }; raw: object }, body: Buffer): unknown {
  // The route, not the request line: a line may name the whole URL (`POST http://host/op/v2/…`).
  const signed = request.routeOptions.url?.startsWith('/op/') === true;
  let text: string;
  try {
    // A signed body strictly: read leniently, bytes that are not UTF-8 would become U+FFFD, and
    // the body signed (its bytes) would differ from the body read. A callback is data to keep
    // (its signature covers no byte of it): read as reconciliation reads the same message.
    text = signed ? UTF8.decode(body) : body.toString('utf8');
  } catch {
    throw OpError.badRequest('请求体不是有效的 UTF-8');
  }
  // An empty body is no body (the contract signs it as the empty string), whatever its Content-Type says.
  if (text.trim() === '') return undefined;
  if (untypedBodies.has(request.raw)) throw new OpError(415, NOT_JSON);
  let value: unknown;
  try {
    // A byte order mark, which RFC 8259 lets a parser ignore (Windows tools write one), is not JSON.
    // A callback's ext keeps integers past 2^53 exact (an int64 order id is data to keep).
    const json = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
    value = signed ? JSON.parse(json) : parseKeepingExt(json);
  } catch {
    throw OpError.badRequest('请求体不是有效的 JSON');
  }
  if (!signed) return value;
  // `null`, `[]`, `"x"` or `1` is no request of fields: said so, before any field is named
  // (`null` is not the absent body, and a deep array's first index is no field of the contract).
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw OpError.badRequest('请求体必须是 JSON 对象');
  const hazard = findBodyHazard(value, MAX_BODY_DEPTH);
  if (hazard?.kind === 'depth') throw OpError.badRequest(`${hazard.field.slice(0, 32)} 嵌套过深：请求体最多 ${MAX_BODY_DEPTH} 层`);
  if (hazard?.kind === 'key') throw OpError.badRequest(`请求体不能含有键 ${hazard.key}`);
  if (hazard?.kind === 'text') throw OpError.badRequest(`${hazard.field.slice(0, 32)} 含有无效的 Unicode 字符（不成对的代理项）`);
  return value;
}

/** Node's HTTP parser refused the request (a request line or headers too long, not HTTP): the envelope, then close. */
function clientErrorHandler(envelopes: EnvelopeFactory) {
  return (error: Error & { code?: string }, socket: Socket): void => {
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const message =
      error.code === 'HPE_HEADER_OVERFLOW' ? '请求行或请求头过长' : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '请求超时' : '请求格式无效';
    const body = JSON.stringify(envelopes.error(400, message));
    socket.end(
      `HTTP/1.1 400 Bad Request\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  };
}

/** Builds the API exactly as production runs it; tests call this too. */
export async function createApp(config: AppConfig, options: { logger?: boolean } = {}): Promise<NestFastifyApplication> {
  const envelopes = new EnvelopeFactory(config);
  const adapter = new FastifyAdapter({
    bodyLimit: config.bodyLimitBytes,
    trustProxy: false,
    // `/hx/callback/` is the callback too: a URL registered with Easemob with a slash at its end
    // lost every message (404, then dropped after the retry). Signed calls sign the path as sent.
    routerOptions: { ignoreTrailingSlash: true },
    forceCloseConnections: 'idle',
    ...REQUEST_ID_OPTIONS,
    // A URL the router cannot decode answers the envelope, not the framework's own JSON.
    frameworkErrors: (_error: Error, _request: FastifyRequest, reply: FastifyReply) => {
      void reply.status(400).send(envelopes.error(400, '请求地址无效'));
    },
    clientErrorHandler: clientErrorHandler(envelopes),
  });
  // Easemob posts one message a callback, whose text and ext may be 64 KiB each (more once
  // escaped): a callback may be as long as a line of its export (MAX_LINE_BYTES). Refused at
  // OP_BODY_LIMIT, such a message was lost after Easemob's one retry.
  adapter.getInstance().addHook('onRoute', (route) => {
    if (route.url === CALLBACK_PATH) route.bodyLimit = Math.max(config.bodyLimitBytes, MAX_LINE_BYTES);
  });
  // First, so that every response (a refused content type too) carries its request id and is logged.
  installRequestLogging(adapter.getInstance(), config);
  // Fastify closes the connection after any refused body, in case the client is still sending
  // it. A body read to its end (malformed JSON, a field too deep) leaves nothing unread: the
  // client keeps its keep-alive connection, as it does after any other 400.
  adapter
    .getInstance()
    .addHook('onSend', (request: FastifyRequest, reply: FastifyReply, payload: unknown, done: (error: null, payload: unknown) => void) => {
      if (request.raw.complete && reply.getHeader('connection') === 'close') reply.removeHeader('connection');
      done(null, payload);
    });
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
    // A module that fails to start (the database refusing its credentials) rejects: main() says
    // why in one line, where Nest printed its injector's stack and exited itself.
    abortOnError: false,
  });
  app.useBodyParser('application/json', { bodyLimit: config.bodyLimitBytes }, (request, body, done) => {
    try {
      done(null, parseJsonBody(request, body));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
  app.useLogger(options.logger === false ? false : app.get(Logger));
  app.get(MetricsService).install(adapter.getInstance());
  // Initialised here (listen() would do it too), so scripts may use its services at once.
  await app.init();
  // Feeds an outbox-fed keyword index and builds one that does not yet hold every message.
  app.get(SearchIndexService).startBackground();
  // Callbacks the database cannot take in time are journalled and drained from here (issue 13),
  // verified with the registrations saved at the last start when the database is not there yet.
  const easemobApps = app.get(EasemobAppService);
  const connection = app.get(DatabaseConnection);
  if (!connection.isReady) easemobApps.preloadSaved();
  await connection.whenReady('Easemob registrations', () => easemobApps.keepPreloaded());
  await app.get(CallbackSpool).start();
  return app;
}
