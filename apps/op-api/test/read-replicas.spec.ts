// Reads from replicas (issue 14): a real primary and two real replicas (three private mariadbd,
// binlog replication by GTID), the API reading through a read-only user on the replicas. The
// review reads are answered by replicas (shown by rows that differ on the replicas only); an
// operator who just wrote reads their write; a replica that falls behind, hangs or stops is not
// read, /readyz says so, and no call answers 5xx.
import { randomBytes } from 'node:crypto';
import type { ChatMessage } from '@op/contracts';
import { OpClient } from '@op/contracts/node';
import type { Connection } from 'mysql2/promise';
import { ReadReplicas } from '../src/database/read-replicas';
import type { PrivateMariaDb } from './support/private-mariadb';
import { startReplication, type Replication } from './support/replication';
import { record } from './support/records';
import { startTestApp, type TestApp, type TestOperator, type TestTenant } from './support/test-app';

const DB = 'op_replicas';
/** Polls `check` every 100 ms until it holds (at most `ms`). */
async function eventually(check: () => Promise<boolean>, ms = 20_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

interface ReplicaHealth {
  replica: string;
  state: 'serving' | 'behind' | 'down';
  lagMs: number | null;
  error: string | null;
}

async function readyz(t: TestApp): Promise<{ status: number; replicas: ReplicaHealth[]; message: string }> {
  const response = await fetch(`${t.baseUrl}/readyz`);
  const body = (await response.json()) as { data: { details: { replicas: { replicas: ReplicaHealth[]; message: string } } } };
  return { ...body.data.details.replicas, status: response.status };
}

/** The review reads each app answered from each replica and from the primary, as /metrics shows them. */
async function requestsByReplica(t: TestApp): Promise<Record<string, number>> {
  const text = await (await fetch(`${t.baseUrl}/metrics`)).text();
  const counts: Record<string, number> = {};
  for (const [, replica, value] of text.matchAll(/^op_replica_requests_total\{replica="([^"]+)"\} (\d+)$/gm))
    counts[replica] = Number(value);
  return counts;
}

describe('reads from replicas (MariaDB primary and two replicas, binlog replication)', () => {
  let replication: Replication;
  let replicas: PrivateMariaDb[];
  let admin: Connection[];
  /** Tolerates any lag: the replicas serve even while their replication is stopped. */
  let tolerant: TestApp;
  /** Reads a replica only within a second of the primary, and gives up on a query after one. */
  let strict: TestApp;
  let a: TestTenant;
  let writer: TestOperator;
  /** The tenant's admin calling through the strict app. */
  let viaStrict: OpClient;
  let messageIds: string[];

  const name = (server: PrivateMariaDb) => `127.0.0.1:${server.port}`;
  const sqlThread = (i: number, action: 'START' | 'STOP') => admin[i + 1].query(`${action} SLAVE SQL_THREAD`);

  beforeAll(async () => {
    replication = await startReplication(2);
    ({ replicas, admin } = replication);
    const database = replication.database(DB);
    // Two API processes on one database: one master key, which seals the clients' secrets.
    const env = {
      OP_DATABASE_REPLICA_URLS: replication.replicaUrls(DB),
      OP_SEARCH_ENGINE: 'scan',
      OP_MASTER_KEY: randomBytes(32).toString('hex'),
    };
    tolerant = await startTestApp('mariadb', { ...env, OP_REPLICA_MAX_LAG_MS: '3600000' }, { database });
    strict = await startTestApp('mariadb', { ...env, OP_REPLICA_MAX_LAG_MS: '1000', OP_DB_QUERY_TIMEOUT_MS: '1000' }, { database });
    a = await tolerant.createTenant();
    writer = await tolerant.addOperator(a, { role: 'admin' });
    viaStrict = new OpClient({ baseUrl: strict.baseUrl, clientId: a.clientId, secret: a.secret, token: a.token, signMethod: a.signMethod });
    await tolerant.importRecords(a.tenantId, [
      ...Array.from({ length: 30 }, (_, i) =>
        record({ chatId: 'c1', timestamp: 1_700_000_000_000 + i * 1000, body: { type: 'txt', msg: `消息 ${i}` } }),
      ),
      ...['diverged', 'unnumbered'].flatMap((chatId) =>
        Array.from({ length: 3 }, (_, i) =>
          record({ chatId, timestamp: 1_700_000_100_000 + i * 1000, body: { type: 'txt', msg: `原文 ${i}` } }),
        ),
      ),
    ]);
    const { envelope } = await a.client.call<{ msg: ChatMessage[] }>('chatMessageList', { chatId: 'c1', pageSize: 30 });
    messageIds = envelope.data!.msg.map((message) => message.userMessageId);
    for (const t of [tolerant, strict]) await eventually(async () => (await readyz(t)).replicas.every((r) => r.state === 'serving'));
  }, 180_000);

  afterAll(async () => {
    await strict?.close();
    await tolerant?.close();
    await replication?.destroy();
  });

  it('answers the review reads from the replicas: rows changed on the replicas alone show, and no read fails there', async () => {
    // What only a replica holds (root may write there despite read_only): the primary still has the original.
    for (const connection of admin.slice(1)) {
      await connection.query(`UPDATE ${DB}.messages SET msg = '只在副本上' WHERE tenant_id = ? AND chat_id = 'diverged'`, [a.tenantId]);
      await connection.query(`UPDATE ${DB}.chats SET customer_id = 'replica-only' WHERE tenant_id = ? AND id = 'diverged'`, [a.tenantId]);
      // A chat numbered in part (as a late message leaves one): its page is read on one snapshot, of the replica too.
      await connection.query(`UPDATE ${DB}.messages SET msg = '只在副本上' WHERE tenant_id = ? AND chat_id = 'unnumbered'`, [a.tenantId]);
      await connection.query(`UPDATE ${DB}.chats SET seq_upto = 0 WHERE tenant_id = ? AND id = 'unnumbered'`, [a.tenantId]);
    }
    const before = await requestsByReplica(tolerant);
    const page = await a.client.call<{ msg: ChatMessage[] }>('chatMessageList', { chatId: 'diverged' });
    expect(page.envelope.data!.msg.map((message) => message.msg)).toEqual(['只在副本上', '只在副本上', '只在副本上']);
    const [stored] = await admin[0].query(
      `SELECT CAST(id AS CHAR) AS id FROM ${DB}.messages WHERE tenant_id = ? AND chat_id = 'unnumbered' ORDER BY id`,
      [a.tenantId],
    );
    const unnumbered = (stored as Array<{ id: string }>).map((row) => row.id);
    for (const body of [{}, { aroundMessageId: unnumbered[2], pageSize: 2 }]) {
      const { envelope } = await a.client.call<{ msg: ChatMessage[] }>('chatMessageList', { chatId: 'unnumbered', ...body });
      expect({ page: envelope.page?.page, msg: envelope.data!.msg.map((message) => [message.userMessageId, message.msg]) }).toEqual({
        page: 'aroundMessageId' in body ? 2 : 1,
        msg: unnumbered.slice('aroundMessageId' in body ? 2 : 0).map((id) => [id, '只在副本上']),
      });
    }
    // A message of another chat: the read's own answer (404), not a failure of the replica.
    const elsewhere = await a.client.call('chatMessageList', { chatId: 'unnumbered', aroundMessageId: messageIds[0] });
    expect({ status: elsewhere.status, code: elsewhere.envelope.code }).toEqual({ status: 404, code: 404 });
    const detail = await a.client.call<{ customerId: string }>('chatDetail', { chatId: 'diverged' });
    expect(detail.envelope.data!.customerId).toBe('replica-only');
    const search = await a.client.call<{ chats: Array<{ chatId: string }> }>('chatSearch', { customerId: 'replica-only' });
    expect(search.envelope.data!.chats.map((chat) => chat.chatId)).toEqual(['diverged']);
    for (const [endpoint, body] of [
      ['markList', {}],
      ['favoriteList', {}],
      ['auditList', {}],
    ] as const) {
      expect((await a.client.call(endpoint, body)).envelope.message).toBe('成功');
    }
    const after = await requestsByReplica(tolerant);
    const onReplicas = replicas.reduce((sum, server) => sum + (after[name(server)] ?? 0) - (before[name(server)] ?? 0), 0);
    expect({ onReplicas, onPrimary: (after.primary ?? 0) - (before.primary ?? 0) }).toEqual({ onReplicas: 9, onPrimary: 0 });
    // Round robin: both replicas took some.
    for (const server of replicas) expect(after[name(server)]).toBeGreaterThan(before[name(server)] ?? 0);
    // The primary still holds the original text: the page above did not come from it.
    const [rows] = await admin[0].query(`SELECT msg FROM ${DB}.messages WHERE tenant_id = ? AND chat_id = 'diverged' ORDER BY id`, [
      a.tenantId,
    ]);
    expect((rows as Array<{ msg: string }>).map((row) => row.msg)).toEqual(['原文 0', '原文 1', '原文 2']);
    expect(
      tolerant.app
        .get(ReadReplicas)
        .status()
        .map((replica) => replica.failures),
    ).toEqual([0, 0]);
  });

  it('shows an operator their own mark on the next read while others still read a replica that lacks it', async () => {
    await sqlThread(0, 'STOP');
    await sqlThread(1, 'STOP');
    try {
      const added = await writer.client.call('messageMarkAdd', { messageId: messageIds[0], mark: '已复核' });
      expect(added.envelope.message).toBe('成功');
      const marksOf = async (caller: { client: TestTenant['client'] }) =>
        (await caller.client.call<{ msg: ChatMessage[] }>('chatMessageList', { chatId: 'c1', needMark: true })).envelope.data!.msg[0].mark;
      // The writer reads the primary (no replica holds a heartbeat newer than the write) ...
      expect(await marksOf(writer)).toEqual(['已复核']);
      // ... another operator reads a replica, whose replication is stopped: the mark is not there yet.
      expect(await marksOf(a)).toEqual([]);
    } finally {
      await sqlThread(0, 'START');
      await sqlThread(1, 'START');
    }
    await eventually(async () => (await readyz(tolerant)).replicas.every((replica) => replica.state === 'serving'));
    // Once the replicas caught up the writer's reads go back to them.
    const before = await requestsByReplica(tolerant);
    await eventually(async () => {
      await writer.client.call('chatMessageList', { chatId: 'c1' });
      const now = await requestsByReplica(tolerant);
      return replicas.some((server) => (now[name(server)] ?? 0) > (before[name(server)] ?? 0));
    });
  });

  it('shows a mark added through the primary on the very next 2.37 call, in each of 100 trials, whichever server answers it', async () => {
    const missed: number[] = [];
    const before = await requestsByReplica(tolerant);
    for (let i = 0; i < 100; i++) {
      const messageId = messageIds[i % messageIds.length];
      const mark = `第${i}次`;
      await writer.client.call('messageMarkAdd', { messageId, mark });
      // Reads at once and after pauses of up to half a second: some reach the primary, some a replica that caught up.
      if (i % 2 === 1) await new Promise((resolve) => setTimeout(resolve, (i * 37) % 500));
      const { envelope } = await writer.client.call<{ msg: ChatMessage[] }>('chatMessageList', {
        chatId: 'c1',
        pageSize: 30,
        needMark: true,
      });
      if (!envelope.data!.msg.find((message) => message.userMessageId === messageId)?.mark?.includes(mark)) missed.push(i);
    }
    expect(missed).toEqual([]);
    const after = await requestsByReplica(tolerant);
    // Both paths were taken: the check above held on replicas too, not only on the primary.
    expect((after.primary ?? 0) - (before.primary ?? 0)).toBeGreaterThan(0);
    expect(replicas.reduce((sum, server) => sum + (after[name(server)] ?? 0) - (before[name(server)] ?? 0), 0)).toBeGreaterThan(0);
  }, 120_000);

  it('stops reading a replica that falls behind, says so in /readyz, and reads it again once it caught up', async () => {
    await sqlThread(0, 'STOP');
    try {
      await eventually(async () => (await readyz(strict)).replicas[0].state === 'behind');
      const health = await readyz(strict);
      expect(health.status).toBe(200);
      expect(health.replicas[0].lagMs).toBeGreaterThan(1000);
      expect(health.replicas[1].state).toBe('serving');
      expect(health.message).toContain('1 个只读副本不可用或延迟过大');
      const before = await requestsByReplica(strict);
      for (let i = 0; i < 10; i++) expect((await viaStrict.call('chatMessageList', { chatId: 'c1' })).status).toBe(200);
      const after = await requestsByReplica(strict);
      expect((after[name(replicas[0])] ?? 0) - (before[name(replicas[0])] ?? 0)).toBe(0);
      expect((after[name(replicas[1])] ?? 0) - (before[name(replicas[1])] ?? 0)).toBe(10);
    } finally {
      await sqlThread(0, 'START');
    }
    await eventually(async () => (await readyz(strict)).replicas[0].state === 'serving');
  });

  it('answers every read while a replica hangs and then stops, and while both are gone: from the other, then from the primary', async () => {
    const statuses: number[] = [];
    let reading = true;
    const reader = (async () => {
      // c1 is read by positions; `unnumbered` (numbered in part on the replicas) on one snapshot.
      for (let i = 0; reading; i++) {
        statuses.push((await viaStrict.call('chatMessageList', { chatId: i % 2 ? 'unnumbered' : 'c1', needMark: true })).status);
      }
    })();
    try {
      await new Promise((resolve) => setTimeout(resolve, 500));
      replicas[0].pause(); // hung: it accepts connections and answers nothing
      await eventually(async () => (await readyz(strict)).replicas[0].state !== 'serving');
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      await replicas[1].stop(); // gone: connections refused
      await eventually(async () => (await readyz(strict)).replicas[1].state === 'down');
      const health = await readyz(strict);
      expect(health.status).toBe(200);
      expect(health.message).toContain('2 个只读副本不可用或延迟过大');
      const before = await requestsByReplica(strict);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      const after = await requestsByReplica(strict);
      expect(after.primary).toBeGreaterThan(before.primary ?? 0);
    } finally {
      reading = false;
      await reader;
      replicas[0].resume();
      await replicas[1].start();
    }
    expect(statuses.length).toBeGreaterThan(10);
    expect(statuses.filter((status) => status !== 200)).toEqual([]);
    // Restarted, the replica resumes replication by itself and serves again.
    await eventually(async () => (await readyz(strict)).replicas.every((replica) => replica.state === 'serving'), 30_000);
  }, 60_000);
});
