import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OpClient } from '@op/contracts/node';
import { SecretBox } from '../src/common/util/secret-box';
import { OpError } from '../src/common/errors/op-error';
import { KeyRotationService } from '../src/modules/access/key-rotation.service';
import { createTestDatabase, ENGINES, type TestDatabase } from './support/databases';
import { callbackBody, postCallback } from './support/easemob';
import { OPCTL, runNode, spawnNode, startServer } from './support/processes';
import { startTestApp, type TestApp } from './support/test-app';

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

  it('reads a secret given as - from standard input, kept off the command line (ps, shell history)', async () => {
    const { tenantId } = await opctl('tenant:create', '--name', 'stdin');
    await opctl('client:create', '--tenant', tenantId);
    const piped = (args: string[], input: string) => {
      const { child, done } = spawnNode(OPCTL, args, env);
      child.stdin!.end(input);
      return done;
    };
    const newKey = randomBytes(32).toString('hex');
    const rotated = await piped(['master-key:rotate', '--new-key', '-'], `${newKey}\n`);
    expect([rotated.code, JSON.parse(rotated.stdout)]).toEqual([0, { resealed: expect.any(Number), keySource: 'file' }]);
    expect(readFileSync(join(dataDir, 'master.key'), 'utf8').trim()).toBe(newKey);
    // One secret at most comes from standard input.
    const two = await piped(
      ['easemob:app', '--tenant', tenantId, '--appkey', 'in#app', '--callback-secret', '-', '--client-id', 'c', '--client-secret', '-'],
      'x\n',
    );
    expect([two.code, JSON.parse(two.stdout)]).toEqual([
      1,
      { error: { code: 400, message: '只能有一个参数从标准输入读取（--client-secret -、--callback-secret -）' } },
    ]);
  }, 120_000);

  it("revokes an operator's tokens and then the client itself through opctl while the API runs", async () => {
    const { tenantId } = await opctl('tenant:create', '--name', 'revoke');
    const client = await opctl('client:create', '--tenant', tenantId);
    const operator = await opctl('operator:create', '--tenant', tenantId, '--username', 'leaver');
    const [first, second] = [
      await opctl('token:issue', '--operator', operator.operatorId),
      await opctl('token:issue', '--operator', operator.operatorId),
    ];
    const server = await startServer(env);
    try {
      const call = (token: string) =>
        new OpClient({ baseUrl: server.baseUrl, clientId: client.clientId, secret: client.secret, token })
          .call('chatMessageList', { chatId: 'u0001none' })
          .then(({ envelope }) => [envelope.code, envelope.message]);
      expect(await call(first.token)).toEqual([404, 'chatId u0001none 对应的会话不存在']);
      expect(await opctl('token:revoke', '--operator', operator.operatorId)).toEqual({ operatorId: operator.operatorId, revoked: 2 });
      for (const token of [first.token, second.token]) expect(await call(token)).toEqual([401, 'token 无效或已过期']);
      const fresh = await opctl('token:issue', '--operator', operator.operatorId);
      expect((await call(fresh.token))[0]).toBe(404);

      expect(await opctl('client:revoke', '--client', client.clientId)).toEqual({ clientId: client.clientId, revoked: true });
      const revoked = Date.now();
      let answer = await call(fresh.token);
      while (answer[0] !== 401 && Date.now() - revoked < 8_000) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        answer = await call(fresh.token);
      }
      expect(answer).toEqual([401, 'client 无效']);
    } finally {
      await server.stop();
    }
    // Twice, or an unknown id: 404 naming it, exit 1.
    for (const [args, message] of [
      [['client:revoke', '--client', client.clientId], `client ${client.clientId} 不存在或已停用`],
      [['token:revoke', '--operator', 'nobody'], 'operator nobody 不存在'],
    ] as const) {
      const run = await runNode(OPCTL, [...args], env);
      expect([run.code, JSON.parse(run.stdout)]).toEqual([1, { error: { code: 404, message } }]);
    }
  }, 120_000);

  it('re-keys an Easemob callback secret from opctl while the API runs: the old secret is refused within 5 s (it signed for 30)', async () => {
    const { tenantId } = await opctl('tenant:create', '--name', 'rekey');
    const appkey = 'rekey#app';
    await opctl('easemob:app', '--tenant', tenantId, '--appkey', appkey, '--callback-secret', 'leaked-secret');
    const server = await startServer(env);
    try {
      const post = (secret: string) => postCallback(server.baseUrl, callbackBody({ from: 'u0001rekey', to: 'kefu01', appkey, secret }));
      // Verified once: the API now holds the appkey's registration.
      expect((await post('leaked-secret')).status).toBe(200);
      await opctl('easemob:app', '--tenant', tenantId, '--appkey', appkey, '--callback-secret', 'fresh-secret');
      const rekeyed = Date.now();
      let status = 200;
      while (status === 200 && Date.now() - rekeyed < 8_000) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        status = (await post('leaked-secret')).status;
      }
      expect(status).toBe(401);
      expect((await post('fresh-secret')).status).toBe(200);
    } finally {
      await server.stop();
    }
  }, 120_000);
});

describe.each(ENGINES)('master-key rotation beside secrets being sealed, on %s', (engine) => {
  let t: TestApp;
  const oldKey = randomBytes(32);

  beforeAll(async () => {
    t = await startTestApp(engine, { OP_MASTER_KEY: oldKey.toString('hex') });
  });

  afterAll(async () => {
    await t?.close();
  });

  it('re-seals a client created while it runs, or refuses it under the old key: no secret is left that only the old key opens', async () => {
    const { tenantId } = await t.createTenant();
    // Enough clients that the rotation's transaction lasts while new ones are being created.
    for (let i = 0; i < 300; i++) await t.clients.create(tenantId);
    const newKey = randomBytes(32);
    const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    const attempts = Array.from({ length: 40 }, async (_, i) => {
      await pause(i * 5);
      try {
        return { clientId: (await t.clients.create(tenantId)).clientId, refused: null };
      } catch (error) {
        return { clientId: null, refused: error instanceof OpError ? error.code : String(error) };
      }
    });
    const rotation = pause(40).then(() => t.app.get(KeyRotationService).resealAll(newKey));
    const results = await Promise.all(attempts);
    expect((await rotation).resealed).toBeGreaterThanOrEqual(301);
    // Refused ones were refused as a key that opens nothing, never with an internal error.
    const refused = results.filter((r) => r.refused !== null).map((r) => r.refused);
    expect(refused).toEqual(refused.map(() => 409));
    const rows = await t.dataSource.query<Array<{ id: string; secret_sealed: string }>>('SELECT id, secret_sealed FROM api_clients');
    const box = new SecretBox(newKey);
    const unopened = rows.filter((row) => {
      try {
        box.open(row.secret_sealed, row.id);
        return false;
      } catch {
        return true;
      }
    });
    expect(unopened.map((row) => row.id)).toEqual([]);
    // Every client whose creation answered is stored, under the new key.
    const stored = new Set(rows.map((row) => row.id));
    for (const { clientId } of results) if (clientId !== null) expect(stored.has(clientId)).toBe(true);
  }, 120_000);
});
