import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OpClient } from '@op/contracts/node';
import { createTestDatabase, type TestDatabase } from './support/databases';
import { OPCTL, runNode, startServer } from './support/processes';

describe('key rotation through opctl (SECURITY.md)', () => {
  let db: TestDatabase;
  let dataDir: string;
  let env: Record<string, string>;
  const opctl = async (...args: string[]) => {
    const run = await runNode(OPCTL, args, env);
    expect(run.code).toBe(0);
    return JSON.parse(run.stdout) as Record<string, string>;
  };

  beforeAll(async () => {
    db = await createTestDatabase('sqlite');
    dataDir = mkdtempSync(join(tmpdir(), 'op-rotate-'));
    env = { OP_DATABASE_URL: db.url, OP_DATA_DIR: dataDir };
  });

  afterAll(async () => {
    await db.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('rotates a client secret and then the master key, and the API keeps signing with the new ones', async () => {
    const { tenantId } = await opctl('tenant:create', '--name', 'rotation');
    const client = await opctl('client:create', '--tenant', tenantId);
    const operator = await opctl('operator:create', '--tenant', tenantId, '--username', 'rot');
    const { token } = await opctl('token:issue', '--operator', operator.operatorId);
    await opctl('easemob:app', '--tenant', tenantId, '--appkey', 'rot#app', '--callback-secret', 'cb');
    const rotated = await opctl('client:rotate-secret', '--client', client.clientId);
    expect(rotated).toEqual({ clientId: client.clientId, secret: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(rotated.secret).not.toBe(client.secret);

    const newKey = randomBytes(32).toString('hex');
    const oldKey = readFileSync(join(dataDir, 'master.key'), 'utf8').trim();
    expect(await opctl('master-key:rotate', '--new-key', newKey)).toEqual({ resealed: 2, keySource: 'file' });
    expect(readFileSync(join(dataDir, 'master.key'), 'utf8').trim()).toBe(newKey);

    const server = await startServer(env);
    try {
      const call = (secret: string) =>
        new OpClient({ baseUrl: server.baseUrl, clientId: client.clientId, secret, token }).call('chatMessageList', {
          chatId: 'u0001none',
        });
      expect((await call(rotated.secret)).envelope).toMatchObject({ code: 404 });
      expect((await call(client.secret)).envelope).toMatchObject({ code: 401, message: 'sign 错误' });
    } finally {
      await server.stop();
    }
    // The old key opens nothing any more: a dump plus the old key signs nothing.
    const withOldKey = await runNode(OPCTL, ['master-key:rotate', '--new-key', randomBytes(32).toString('hex')], {
      ...env,
      OP_MASTER_KEY: oldKey,
    });
    expect(withOldKey.code).toBe(1);
    // Refused under a key file that opens nothing: the new key it would have used is not left on disk.
    const keyFile = join(dataDir, 'master.key');
    writeFileSync(keyFile, randomBytes(32).toString('hex') + '\n', { mode: 0o600 });
    const wrongFile = await runNode(OPCTL, ['master-key:rotate', '--new-key', randomBytes(32).toString('hex')], env);
    expect(wrongFile.code).toBe(1);
    expect(existsSync(`${keyFile}.new`)).toBe(false);
    writeFileSync(keyFile, newKey + '\n', { mode: 0o600 });
  });
});
