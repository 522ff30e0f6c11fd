import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { connect, createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { ChatMessageListData, Envelope } from '@op/contracts';
import { OpClient } from '@op/contracts/node';
import { freePort, runNode } from './support/processes';

const START = join(__dirname, '..', '..', '..', 'tools', 'scripts', 'start.js');
const SERVE = join(__dirname, '..', '..', 'op-admin', 'serve.js');

/** Every `npm start` this spec ran, stopped before its data folder goes, whatever happened. */
const started = new Set<ChildProcess>();

/** Runs `npm start`'s script until it prints its signed curl; returns the banner. */
function start(env: Record<string, string>): Promise<{ child: ChildProcess; banner: string }> {
  return new Promise((resolve, reject) => {
    // detached: its own process group, so the API and the panel it starts are stopped with it.
    const child = spawn(process.execPath, [START], { env: { PATH: process.env.PATH ?? '', ...env }, detached: true });
    started.add(child);
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (/^curl .*$/m.test(out)) resolve({ child, banner: out });
    });
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('exit', (code) => reject(new Error(`npm start exited with ${code}: ${err}`)));
  });
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.removeAllListeners('exit');
    child.on('exit', () => resolve());
    child.kill('SIGTERM');
  }).then(() => {
    // Anything of its group still running (a child it had no time to stop) goes too.
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // the group is gone
    }
  });
}

/** Whether something accepts TCP connections at host:port. */
function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** The curl line the banner prints, sent as it stands. */
async function sendCurl(banner: string): Promise<Envelope<ChatMessageListData>> {
  const line = /^curl .*$/m.exec(banner)![0];
  const url = /-X POST '([^']+)'/.exec(line)![1];
  const body = /-d '([^']+)'$/.exec(line)![1];
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  expect(response.status).toBe(200);
  return (await response.json()) as Envelope<ChatMessageListData>;
}

describe('npm start on the embedded default', () => {
  let dataDir: string;
  beforeAll(() => {
    // A folder that does not exist yet: the service makes it.
    dataDir = join(mkdtempSync(join(tmpdir(), 'op-start-')), 'data');
  });
  afterAll(async () => {
    await Promise.all([...started].map(stop));
    rmSync(dirname(dataDir), { recursive: true, force: true });
  });

  // Two cold starts (build checks, migrations, the demo, the panel) on a loaded 2-core machine.
  it('serves the demo chat in the shape of the original example, and seeds it only once', async () => {
    const env = { OP_DATA_DIR: dataDir, OP_PORT: String(await freePort()), OP_ADMIN_PORT: String(await freePort()) };
    const first = await start(env);
    let clientId: string;
    try {
      expect(first.banner).toMatch(/Op API: +http:\/\/127\.0\.0\.1:\d+ +\(SQLite .*op\.sqlite\)/);
      expect(first.banner).toMatch(/Demo operator: demo \/ demo-password/);
      expect(first.banner).toMatch(/Agent sign-in: agent \/ agent-password/);
      // The admin panel runs beside the API, on its own client saved in the data folder.
      expect(first.banner).toContain(`Admin panel:   http://127.0.0.1:${env.OP_ADMIN_PORT}  (sign in as demo / demo-password`);
      // Loopback only (the banner prints the demo's secret): 127.0.0.2 reaches a server bound
      // to every interface, not one bound to 127.0.0.1.
      await expect(accepts('127.0.0.1', Number(env.OP_PORT))).resolves.toBe(true);
      await expect(accepts('127.0.0.2', Number(env.OP_PORT))).resolves.toBe(false);
      await expect(accepts('127.0.0.2', Number(env.OP_ADMIN_PORT))).resolves.toBe(false);
      const login = await fetch(`http://127.0.0.1:${env.OP_ADMIN_PORT}/login`);
      expect(login.status).toBe(200);
      expect(await login.text()).toContain('Op 客服管理后台');
      expect(statSync(join(dataDir, 'admin-client.json')).mode & 0o777).toBe(0o600);
      clientId = /Demo client: +([0-9a-f]{32})/.exec(first.banner)![1];
      const envelope = await sendCurl(first.banner);
      expect(envelope).toMatchObject({
        code: 200,
        message: '成功',
        data: { status: '聊天中', chatId: 'u000103b6237d8f94447ab3bd6cbe9c89d70a' },
      });
      const [message] = envelope.data!.msg;
      // Every field of the original's example message is there, with its values.
      expect(message).toMatchObject({
        to: '148992112329753020',
        form: 'u0001fd9fb3524e52470899cba2d5ee84a801',
        thumb_secret: null,
        addr: null,
        lng: null,
        type: 'txt',
        msg: '黑胡椒',
        ext: { template: {} },
        url: null,
        getUrl: null,
        secret: null,
        filename: null,
        thumb: null,
        lat: null,
        favorite: true,
        mark: [],
      });
      // Recent: the demo is dated relative to when it was loaded, inside the keyword window.
      expect(message.createTime).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
      const age = Date.now() - Date.parse(`${message.createTime.replace(' ', 'T')}+08:00`);
      expect(age).toBeGreaterThan(0);
      expect(age).toBeLessThan(24 * 3600_000);
      expect(envelope.data!.msg.find((m) => m.type === 'img')!.mark).toEqual(['重要', '菜品']);
      expect(new Set(envelope.data!.msg.map((m) => m.type))).toEqual(
        new Set(['txt', 'img', 'audio', 'video', 'loc', 'file', 'cmd', 'custom']),
      );
      expect(envelope.page).toEqual({ total: 10, page: 1, pageSize: 20, count: 10, next: false, startIndex: 0 });
      expect(Object.keys(envelope.foot)).toEqual(['operationTime', 'servicePhone', 'host']);
      expect(statSync(join(dataDir, 'demo.json')).mode & 0o777).toBe(0o600);
      expect(statSync(join(dataDir, 'master.key')).mode & 0o777).toBe(0o600);
      // The messages too: the database and its write-ahead log, in a folder of the service's user only.
      expect(statSync(dataDir).mode & 0o777).toBe(0o700);
      expect(statSync(join(dataDir, 'op.sqlite')).mode & 0o777).toBe(0o600);
      expect(statSync(join(dataDir, 'op.sqlite-wal')).mode & 0o777).toBe(0o600);

      // A keyword search finds the demo's refund, shipping and complaint chats.
      const demo = {
        clientId,
        secret: /Demo secret: +([0-9a-f]+)/.exec(first.banner)![1],
        token: /Demo token: +(\S+)/.exec(first.banner)![1],
      };
      const op = new OpClient({ baseUrl: `http://127.0.0.1:${env.OP_PORT}`, ...demo });
      for (const [keyword, atLeast] of [
        ['退款', 3],
        ['发货', 3],
        ['投诉', 2],
      ] as const) {
        const found = (await op.chatSearch({ keyword, pageSize: 20 })).data;
        expect(found.chats.length).toBeGreaterThanOrEqual(atLeast);
      }
      const long = (await op.chatSearch({ keyword: '第 100 单' })).data;
      expect(long.chats[0].messageCount).toBeGreaterThanOrEqual(300);
      // A mark made now, and the demo's token signed out (as a token:revoke, or its 30 days, would end it).
      await op.messageMarkAdd({ messageId: envelope.data!.msg[0].userMessageId, mark: '留着' });
      await op.operatorLogout();
    } finally {
      await stop(first.child);
    }

    // The same demo again, with a new token: seeding anew made a second tenant, the mark gone from the panel.
    const second = await start(env);
    try {
      expect(second.banner).toContain(`Demo client:   ${clientId}`);
      expect(/Demo token: +(\S+)/.exec(second.banner)![1]).not.toBe(/Demo token: +(\S+)/.exec(first.banner)![1]);
      const again = await sendCurl(second.banner);
      expect(again.page!.total).toBe(10);
      expect(again.data!.msg[0].mark).toEqual(['留着']);
    } finally {
      await stop(second.child);
    }
  }, 300_000);

  it('refuses a port another process holds, or one it cannot print, naming the variable, before printing a banner', async () => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const held = String((holder.address() as AddressInfo).port);
    const free = String(await freePort());
    try {
      for (const [env, said] of [
        [{ OP_PORT: held, OP_ADMIN_PORT: free }, `port ${held} (OP_PORT) is taken by another process`],
        [{ OP_PORT: free, OP_ADMIN_PORT: held }, `port ${held} (OP_ADMIN_PORT) is taken by another process`],
        [{ OP_PORT: free, OP_ADMIN_PORT: 'abc' }, '配置错误：OP_ADMIN_PORT 在 npm start 下必须是 1 到 65535 之间的整数'],
        [{ OP_PORT: '0', OP_ADMIN_PORT: free }, '配置错误：OP_PORT 在 npm start 下必须是 1 到 65535 之间的整数'],
      ] as const) {
        const run = await runNode(START, [], { OP_DATA_DIR: dataDir, ...env });
        expect([env, run.code, run.stderr.includes(said), run.stdout.includes('Demo client')]).toEqual([env, 1, true, false]);
      }
      // The panel's server run alone (as docs/admin-panel.md shows) fails so too, where it exited 0 after Next's uncaught exception.
      for (const [port, said] of [
        [held, `Op admin panel failed to start: listen EADDRINUSE: address already in use 127.0.0.1:${held}`],
        ['abc', '配置错误：PORT 必须是 0 到 65535 之间的整数'],
      ]) {
        const run = await runNode(SERVE, [], { PORT: port, OP_ADMIN_LISTEN_HOST: '127.0.0.1' });
        expect([port, run.code, run.stderr.trim().split('\n').at(-1)]).toEqual([port, 1, said]);
      }
    } finally {
      await new Promise((resolve) => holder.close(resolve));
    }
  }, 180_000);
});
