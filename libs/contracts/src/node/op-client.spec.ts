import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OpClient } from './op-client';

describe('OpClient timeoutMs', () => {
  let server: Server;
  let baseUrl: string;

  beforeAll(async () => {
    // An API that takes the request and never answers (frozen, or waiting on its database).
    server = createServer(() => undefined);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('rejects with a TimeoutError once the time has passed, when one is set', async () => {
    const client = new OpClient({ baseUrl, clientId: 'c1', secret: 's3cr3t', timeoutMs: 300 });
    const started = Date.now();
    await expect(client.call('markList', {})).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
  });

  it('waits as long as the server takes without one', async () => {
    const client = new OpClient({ baseUrl, clientId: 'c1', secret: 's3cr3t' });
    const outcome = await Promise.race([
      client.call('markList', {}).then(
        () => 'answered',
        () => 'rejected',
      ),
      new Promise((resolve) => setTimeout(() => resolve('still waiting'), 800)),
    ]);
    expect(outcome).toBe('still waiting');
  });
});

describe('OpClient on answers that are no envelope', () => {
  let server: Server;
  let baseUrl: string;

  beforeAll(async () => {
    // What a gateway in front of the API answers when the API is down or slow.
    server = createServer((request, response) => {
      if (request.url?.includes('chatSearch')) {
        response.writeHead(502, { 'content-type': 'text/html' }).end('<html><body>502 Bad Gateway</body></html>');
      } else if (request.url?.includes('favoriteList')) {
        response.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>请先登录门户</body></html>');
      } else if (request.url?.includes('markList')) {
        response.writeHead(503, { 'content-type': 'application/json', 'retry-after': '7' }).end('{"message":"overloaded"}');
      } else {
        response.writeHead(504).end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('throws OpApiError with the HTTP status (and Retry-After), not a SyntaxError', async () => {
    const client = new OpClient({ baseUrl, clientId: 'c1', secret: 's3cr3t' });
    await expect(client.chatSearch({})).rejects.toMatchObject({
      name: 'OpApiError',
      code: 502,
      message: 'Op API 返回了无法识别的应答（HTTP 502）',
      retryAfterSeconds: null,
    });
    await expect(client.markList()).rejects.toMatchObject({ name: 'OpApiError', code: 503, retryAfterSeconds: 7 });
    await expect(client.call('customerList', {})).rejects.toMatchObject({ name: 'OpApiError', code: 504 });
    // A portal's 200 page is no success: a bad gateway, not code 200.
    await expect(client.favoriteList({})).rejects.toMatchObject({
      name: 'OpApiError',
      code: 502,
      message: 'Op API 返回了无法识别的应答（HTTP 200）',
    });
    await expect(client.chatExport({ chatId: 'c', format: 'csv' })).rejects.toMatchObject({ name: 'OpApiError', code: 504 });
  });
});
