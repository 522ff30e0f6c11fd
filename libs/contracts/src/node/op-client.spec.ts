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
