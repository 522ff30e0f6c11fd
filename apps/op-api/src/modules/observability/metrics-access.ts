import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { AppConfig, MetricsAccess } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { OpError } from '../../common/errors/op-error';
import { MetricsService } from './metrics.service';
import { OpenApiService } from './openapi.service';

/** Whether `Authorization` carries the bearer token; compared in constant time (by digest length first). */
export function hasBearer(headers: IncomingHttpHeaders, token: string): boolean {
  const given = /^Bearer (\S+)$/.exec(headers.authorization ?? '')?.[1];
  if (given === undefined) return false;
  const a = Buffer.from(given, 'utf8');
  const b = Buffer.from(token, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * On the API port: 404 when a separate address serves /metrics and /openapi.json, 401 without
 * the bearer token when one is set, nothing (open) when neither is configured.
 */
export function checkMetricsAccess(access: MetricsAccess, path: string, headers: IncomingHttpHeaders): void {
  if (access.listen) throw OpError.notFound('接口不存在');
  if (access.token !== null && !hasBearer(headers, access.token)) {
    throw new OpError(401, `${path} 需要 Authorization: Bearer 令牌（OP_METRICS_TOKEN）`, { 'www-authenticate': 'Bearer' });
  }
}

/** OP_METRICS_LISTEN: /metrics and /openapi.json on an address of their own (a scrape network, loopback). */
@Injectable()
export class MetricsServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private server: Server | null = null;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly metrics: MetricsService,
    private readonly openApi: OpenApiService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const listen = this.config.metrics.listen;
    if (!listen) return;
    const token = this.config.metrics.token;
    this.server = createServer((request, response) => {
      const path = (request.url ?? '').split('?', 1)[0];
      const send = (status: number, type: string, body: string) => response.writeHead(status, { 'content-type': type }).end(body);
      if (request.method !== 'GET' || (path !== '/metrics' && path !== '/openapi.json'))
        return send(404, 'text/plain; charset=utf-8', 'not found\n');
      if (token !== null && !hasBearer(request.headers, token)) return send(401, 'text/plain; charset=utf-8', 'bearer token required\n');
      if (path === '/openapi.json') return send(200, 'application/json; charset=utf-8', JSON.stringify(this.openApi.document()));
      this.metrics.registry.metrics().then(
        (text) => send(200, 'text/plain; version=0.0.4; charset=utf-8', text),
        () => send(500, 'text/plain; charset=utf-8', 'metrics unavailable\n'),
      );
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(listen.port, listen.host, () => resolve());
    });
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
