import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';

/** What the fake serves for one `yyyyMMddHH`. */
export type FakeHour =
  | { kind: 'file'; lines: string[]; /** Sent in this many pieces, this far apart. */ chunks?: number; gapMs?: number }
  | { kind: 'error'; status: number }
  | { kind: 'empty' }
  | { kind: 'stall'; lines: string[]; stallMs: number }
  /** The list call answers this download URL (anywhere, as a forged or tampered answer could). */
  | { kind: 'url'; url: string }
  /** The file answers a redirect there. */
  | { kind: 'redirect'; location: string }
  /** The file is these bytes as they are (a gzip of anything). */
  | { kind: 'bytes'; gz: Buffer };

/** One record of Easemob's hourly history export (its documented shape; no chatId). */
export function exportRecord(
  msgId: string,
  timestamp: number,
  from: string,
  to: string,
  text: string,
  chatType = 'chat',
): Record<string, unknown> {
  return {
    msg_id: msgId,
    timestamp,
    direction: 'outgoing',
    to,
    from,
    chat_type: chatType,
    payload: { bodies: [{ type: 'txt', msg: text }], ext: {}, from, to },
  };
}

/**
 * A local stand-in for Easemob's two REST endpoints (and the object store the download URL
 * points at), serving the documented shapes: `POST /{org}/{app}/token` →
 * `{access_token, expires_in, application}`; `GET /{org}/{app}/chatmessages/{hour}` →
 * `{action, data: [{url}], ...}`; the URL → a gzip JSON-lines file.
 */
export class FakeEasemob {
  readonly hours = new Map<string, FakeHour>();
  readonly requests: Array<{ method: string; path: string; authorization?: string; body?: string }> = [];
  private tokens = 0;

  private constructor(
    private readonly server: Server,
    readonly url: string,
    /** `org#app` → [client_id, client_secret] it accepts. */
    readonly credentials: Map<string, [string, string]>,
  ) {}

  static async start(): Promise<FakeEasemob> {
    const credentials = new Map<string, [string, string]>();
    const holder: { fake?: FakeEasemob } = {};
    const server = createServer((request, response) => void holder.fake!.handle(request, response));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    holder.fake = new FakeEasemob(server, `http://127.0.0.1:${port}`, credentials);
    return holder.fake;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    let body = '';
    for await (const chunk of request) body += String(chunk);
    const path = new URL(request.url ?? '/', this.url).pathname;
    this.requests.push({ method: request.method ?? '', path, authorization: request.headers.authorization, body });
    const json = (status: number, value: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(value));
    };
    const token = /^\/([^/]+)\/([^/]+)\/token$/.exec(path);
    if (token && request.method === 'POST') {
      const appkey = `${decodeURIComponent(token[1])}#${decodeURIComponent(token[2])}`;
      const given = JSON.parse(body || '{}') as { grant_type?: string; client_id?: string; client_secret?: string };
      const expected = this.credentials.get(appkey);
      if (
        !expected ||
        given.grant_type !== 'client_credentials' ||
        given.client_id !== expected[0] ||
        given.client_secret !== expected[1]
      ) {
        return json(401, { error: 'invalid_grant', error_description: 'client_id does not match' });
      }
      return json(200, {
        access_token: `YWMt-${appkey}-${++this.tokens}`,
        expires_in: 5_184_000,
        application: '8be024f0-0000-0000-b697-5d598d5f8402',
      });
    }
    const list = /^\/([^/]+)\/([^/]+)\/chatmessages\/(\d{10})$/.exec(path);
    if (list && request.method === 'GET') {
      const appkey = `${decodeURIComponent(list[1])}#${decodeURIComponent(list[2])}`;
      if (!request.headers.authorization?.startsWith(`Bearer YWMt-${appkey}-`)) return json(401, { error: 'unauthorized' });
      const hour = this.hours.get(`${appkey} ${list[3]}`);
      if (!hour || hour.kind === 'empty')
        return json(200, { action: 'get', data: [], timestamp: Date.now(), duration: 0, organization: list[1], applicationName: list[2] });
      if (hour.kind === 'error') return json(hour.status, { error: 'service_unavailable' });
      const file =
        hour.kind === 'url'
          ? hour.url
          : `${this.url}/files/${encodeURIComponent(appkey)}/${list[3]}.gz?Expires=1543316122&OSSAccessKeyId=fake&Signature=fake`;
      return json(200, {
        action: 'get',
        uri: `${this.url}${path}`,
        data: [{ url: file }],
        timestamp: Date.now(),
        duration: 0,
        organization: list[1],
        applicationName: list[2],
      });
    }
    const file = /^\/files\/([^/]+)\/(\d{10})\.gz$/.exec(path);
    if (file) {
      const hour = this.hours.get(`${decodeURIComponent(file[1])} ${file[2]}`);
      if (hour?.kind === 'redirect') {
        response.writeHead(302, { location: hour.location });
        return void response.end();
      }
      if (!hour || (hour.kind !== 'file' && hour.kind !== 'stall' && hour.kind !== 'bytes')) return json(404, { error: 'not found' });
      const gz = hour.kind === 'bytes' ? hour.gz : gzipSync(hour.lines.map((line) => `${line}\n`).join(''));
      response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(gz.length) });
      if (hour.kind === 'stall') {
        response.write(gz.subarray(0, Math.floor(gz.length / 2)));
        await new Promise((resolve) => setTimeout(resolve, hour.stallMs));
        if (!response.destroyed) response.end(gz.subarray(Math.floor(gz.length / 2)));
        return;
      }
      const chunks = hour.kind === 'file' ? (hour.chunks ?? 1) : 1;
      const size = Math.ceil(gz.length / chunks);
      for (let i = 0; i < chunks; i++) {
        if (i > 0) await new Promise((resolve) => setTimeout(resolve, hour.kind === 'file' ? (hour.gapMs ?? 0) : 0));
        response.write(gz.subarray(i * size, (i + 1) * size));
      }
      response.end();
      return;
    }
    json(404, { error: 'not found' });
  }
}
