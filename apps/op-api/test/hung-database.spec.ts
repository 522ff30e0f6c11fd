import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OpClient } from '@op/contracts/node';
import { APPKEY, CALLBACK_SECRET, callbackBody } from './support/easemob';
import { PrivateMariaDb } from './support/private-mariadb';
import { holdChatRows, mysqlQuery, OPCTL, opctlTenant, runNode, startServer, type RunningServer } from './support/processes';

// Issue 12, finding 8: a database that accepts connections and never answers (a private
// mariadbd under SIGSTOP). Every query has a timeout, so signed calls and callbacks answer
// 503 with Retry-After within a bound instead of hanging, and all recovers when it resumes.
const QUERY_TIMEOUT_MS = 2_000;
/** A request must be answered within this (query timeout + connect timeout + slack), never left hanging. */
const BOUND_MS = 20_000;

describe('a hung database (private MariaDB under SIGSTOP)', () => {
  let db: PrivateMariaDb;
  let dataDir: string;
  let server: RunningServer;
  let client: OpClient;

  beforeAll(async () => {
    db = await PrivateMariaDb.create();
    dataDir = mkdtempSync(join(tmpdir(), 'op-hung-'));
    const env = {
      OP_DATABASE_URL: `${db.url}/op_hung`,
      OP_DATA_DIR: dataDir,
      OP_LOG_LEVEL: 'silent',
      OP_DB_QUERY_TIMEOUT_MS: String(QUERY_TIMEOUT_MS),
      // Past the retries of a lock timeout, not the time a slow store gets before it is journalled.
      OP_SPOOL_AFTER_MS: '30000',
    };
    // A lock held elsewhere fails a statement after 1 s (the server's sessions start with it).
    await mysqlQuery(db.url, 'SET GLOBAL innodb_lock_wait_timeout = 1');
    const opctl = async (...args: string[]) => JSON.parse((await runNode(OPCTL, args, env)).stdout) as Record<string, string>;
    const { tenantId, clientId, secret, token } = await opctlTenant(env, { name: 'hung', username: 'admin' });
    await opctl('easemob:app', '--tenant', tenantId, '--appkey', APPKEY, '--callback-secret', CALLBACK_SECRET);
    server = await startServer(env);
    client = new OpClient({ baseUrl: server.baseUrl, clientId, secret, token });
  }, 120_000);

  afterAll(async () => {
    db?.resume();
    await server?.stop();
    await db?.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const postCallback = async (body: Record<string, unknown>) => {
    const response = await fetch(`${server.baseUrl}/hx/callback`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(BOUND_MS),
    });
    return { status: response.status, result: ((await response.json()) as { data: { result?: string } | null }).data?.result };
  };

  const waitForDrain = async () => {
    for (let i = 0; i < 100; i++) {
      if (/^op_callback_spool_entries 0$/m.test(await (await fetch(`${server.baseUrl}/metrics`)).text())) return true;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    return false;
  };

  const call = async () => {
    const request = client.signedRequest('chatMessageList', { chatId: 'u0001nothere' });
    const response = await fetch(request.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: request.body,
      signal: AbortSignal.timeout(BOUND_MS),
    });
    return {
      status: response.status,
      retryAfter: response.headers.get('retry-after'),
      body: (await response.json()) as { code: number; message: string },
    };
  };

  /** Whether calls are served again (the chat does not exist: 404) within 20 s. */
  const recovers = async () => {
    for (let i = 0; i < 100; i++) {
      if ((await call()).status === 404) return true;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    return false;
  };

  it('answers 503 with Retry-After while it hangs, and serves again once it resumes', async () => {
    expect((await call()).status).toBe(404); // healthy: the chat does not exist
    db.pause();
    try {
      // In flight together, more than one, and a callback: none may hang.
      const answers = await Promise.all([call(), call(), call()]);
      for (const answer of answers) {
        expect(answer).toEqual({
          status: 503,
          retryAfter: '5',
          body: expect.objectContaining({ code: 503, message: '数据库暂不可用，请稍后重试' }),
        });
      }
      // A verified callback is not refused: it is journalled and acknowledged (issue 13).
      expect(await postCallback(callbackBody({ from: 'u0001hung', to: 'kefu01' }))).toEqual({ status: 200, result: 'spooled' });
      const ready = await fetch(`${server.baseUrl}/readyz`, { signal: AbortSignal.timeout(BOUND_MS) });
      expect(ready.status).toBe(503);
      expect((await fetch(`${server.baseUrl}/healthz`)).status).toBe(200);
    } finally {
      db.resume();
    }
    expect(await recovers()).toBe(true);
    // The journalled callback is stored once the database answers again.
    expect(await waitForDrain()).toBe(true);
  }, 180_000);

  it('hands no connection whose query timed out to the next call: a second wave is answered too', async () => {
    expect((await call()).status).toBe(404);
    db.pause();
    try {
      // The first wave's queries time out on the pool's idle connections. A connection whose
      // query timed out still held it: given to the next call, that call's query waited behind
      // it and never started its own timer (a callback left with no answer at all).
      for (let wave = 0; wave < 3; wave++) {
        const answers = await Promise.all(Array.from({ length: 4 }, () => call()));
        expect(answers.map((answer) => answer.status)).toEqual([503, 503, 503, 503]);
      }
    } finally {
      db.resume();
    }
    expect(await recovers()).toBe(true);
  }, 180_000);

  it('journals a callback whose chat stays locked past its retries, and stores it once the lock goes', async () => {
    const first = callbackBody({ from: 'u0001locked', to: 'kefu01' });
    expect(await postCallback(first)).toEqual({ status: 200, result: 'stored' });
    // Another session holds the customer's chat (as a long purge or erasure would).
    const release = await holdChatRows(`${db.url}/op_hung`, 'customer_id = ?', ['u0001locked']);
    const second = callbackBody({ from: 'u0001locked', to: 'kefu01' });
    try {
      // Each try waits 1 s for the lock and times out: answered 200 from the journal, not 500.
      expect(await postCallback(second)).toEqual({ status: 200, result: 'spooled' });
    } finally {
      await release();
    }
    expect(await waitForDrain()).toBe(true);
    const stored = await mysqlQuery<{ hx_msg_id: string }>(
      `${db.url}/op_hung`,
      'SELECT hx_msg_id FROM messages WHERE hx_msg_id IN (?, ?)',
      [first.msg_id, second.msg_id],
    );
    expect(stored.map((row) => row.hx_msg_id).sort()).toEqual([first.msg_id, second.msg_id].sort());
  }, 120_000);
});
