import { spawnSync } from 'node:child_process';
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { loadConfig } from '../../config/app-config';
import { OpError } from '../../common/errors/op-error';
import { CallbackSpool, HEARTBEAT_MS, processStartTicks } from './callback-spool.service';
import type { Settled } from './group-commit';
import { decodeLine, encodeEntry, readEntries, type SpoolEntry } from './spool-journal';

const entry = (n: number): SpoolEntry & { print: string } => ({
  t: 1_700_000_000_000 + n,
  tenant: 't1',
  callId: `c${n}`,
  body: { msg_id: String(n), text: `消息 ${n}` },
  print: `fp${n}`,
});
const host = hostname()
  .replace(/[^A-Za-z0-9_.-]/g, '_')
  .slice(0, 64);

/** A pid that is certainly not running: a child that has already exited. */
const deadPid = () => spawnSync(process.execPath, ['-e', '0']).pid;

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 25));
  expect(check()).toBe(true);
}

/** A handler standing for the database: down (every entry fails) until told otherwise; then it records what it stores. */
function database(spool: CallbackSpool): { down: boolean; seen: string[] } {
  const state = { down: true, seen: [] as string[] };
  spool.setHandler((entries) => {
    if (state.down)
      return Promise.resolve(entries.map(() => ({ ok: false, error: Object.assign(new Error('down'), { code: 'ECONNREFUSED' }) })));
    state.seen.push(...entries.map((e) => e.callId));
    return Promise.resolve(entries.map(() => ({ ok: true, value: 'stored' })));
  });
  return state;
}

describe('callback journal', () => {
  let dir: string;
  const spools: CallbackSpool[] = [];
  const spoolIn = (env: Record<string, string> = {}) => {
    const spool = new CallbackSpool(loadConfig({ OP_DATA_DIR: dir, ...env }, dir));
    spools.push(spool);
    return spool;
  };

  beforeAll(() => Logger.overrideLogger(false));

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'op-spool-'));
  });

  afterEach(async () => {
    for (const spool of spools.splice(0)) await spool.onApplicationShutdown();
    rmSync(dir, { recursive: true, force: true });
  });

  it('recognises a damaged line and never replays an unterminated tail', async () => {
    const line = encodeEntry(entry(1)).toString('utf8').trimEnd();
    expect(decodeLine(line)).toEqual(entry(1));
    expect(decodeLine(line.replace('消息', '消癌'))).toBeNull();
    expect(decodeLine('garbage')).toBeNull();
    const folder = join(dir, 'j');
    mkdirSync(folder);
    const file = join(folder, '000000000001.seg');
    writeFileSync(file, Buffer.concat([encodeEntry(entry(1)), encodeEntry(entry(2))]));
    appendFileSync(file, encodeEntry(entry(3)).subarray(0, 20)); // a write cut by a crash
    const read = await readEntries(folder, '000000000001.seg', 0);
    expect(read.map((r) => r.entry?.callId)).toEqual(['c1', 'c2']);
  });

  it('acknowledges after the write, drains in order once the handler succeeds, and leaves nothing behind', async () => {
    const spool = spoolIn();
    const db = database(spool);
    await spool.start();
    await Promise.all(Array.from({ length: 50 }, (_, i) => spool.append(entry(i))));
    expect(spool.status()).toMatchObject({ entries: 50, full: false });
    // The same callId with other content is refused while it waits in the journal.
    await expect(spool.append({ ...entry(3), print: 'other' })).rejects.toMatchObject({ code: 401 });
    db.down = false;
    await spool.append(entry(50)); // wakes the drainer
    await until(() => spool.status().entries === 0);
    expect(db.seen).toEqual(Array.from({ length: 51 }, (_, i) => `c${i}`));
    await spool.onApplicationShutdown();
    expect(readdirSync(join(dir, 'spool')).filter((name) => !name.startsWith('.'))).toEqual([]);
  });

  it('journals a body deeper than JSON.stringify can write, cut far below what the mapping keeps', async () => {
    let deep: unknown = 'bottom';
    for (let i = 0; i < 20_000; i++) deep = [deep];
    const nested = { ...entry(1), body: { msg_id: '1', payload: { ext: { deep } } } };
    expect(() => JSON.stringify(nested)).toThrow(RangeError);
    const line = decodeLine(encodeEntry(nested).toString('utf8').trimEnd());
    expect(line).not.toBeNull();
    let depth = 0;
    for (let node: unknown = (line!.body.payload as { ext: { deep: unknown } }).ext.deep; Array.isArray(node); node = node[0]) depth++;
    // Body, payload and ext are levels 1 to 3; containers from level 64 on are null.
    expect(depth).toBe(60);
    expect(line!.callId).toBe('c1');
  });

  it('keeps what it holds to its own user: folders 0700, journal files 0600', async () => {
    const spool = spoolIn();
    database(spool);
    await spool.start();
    await spool.append(entry(1));
    const root = join(dir, 'spool');
    const [own] = readdirSync(root).filter((name) => !name.startsWith('.'));
    const segments = readdirSync(join(root, own)).filter((name) => name.endsWith('.seg'));
    expect(segments.length).toBeGreaterThan(0);
    const mode = (path: string) => statSync(path).mode & 0o777;
    expect([mode(root), mode(join(root, own)), ...segments.map((name) => mode(join(root, own, name)))]).toEqual([
      0o700,
      0o700,
      ...segments.map(() => 0o600),
    ]);
  });

  it('keeps an entry it cannot set aside (the file will not take it) and sets it aside once it can', async () => {
    const spool = spoolIn();
    let tries = 0;
    spool.setHandler((entries) => {
      tries += entries.length;
      return Promise.resolve(entries.map(() => ({ ok: false, error: OpError.badRequest('bad field') })));
    });
    await spool.start();
    const rejected = join(dir, 'spool', 'rejected.jsonl');
    mkdirSync(rejected); // writing it fails, as on a full disk
    await spool.append(entry(1));
    await until(() => tries >= 2);
    expect(spool.status().entries).toBe(1);
    rmSync(rejected, { recursive: true });
    await spool.append(entry(2)); // wakes the drainer
    await until(() => spool.status().entries === 0);
    expect(
      readFileSync(rejected, 'utf8')
        .trim()
        .split('\n')
        .map((line) => decodeLine((JSON.parse(line) as { line: string }).line)?.callId),
    ).toEqual(['c1', 'c2']);
  });

  it('touches its owner.json while it runs, so a container beside it never takes its journal', async () => {
    const spool = spoolIn();
    spool.setHandler((entries) => Promise.resolve(entries.map(() => ({ ok: true, value: 'stored' }))));
    await spool.start();
    const root = join(dir, 'spool');
    const [own] = readdirSync(root).filter((name) => !name.startsWith('.'));
    const owner = join(root, own, 'owner.json');
    const longAgo = new Date(Date.now() - 3_600_000);
    utimesSync(owner, longAgo, longAgo);
    for (let i = 0; i < 80 && statSync(owner).mtimeMs < Date.now() - 60_000; i++) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(Date.now() - statSync(owner).mtimeMs).toBeLessThan(HEARTBEAT_MS * 2);
  });

  it('writes again in a new segment, and answers only then, when its folder is removed while it runs', async () => {
    const spool = spoolIn();
    const db = database(spool);
    await spool.start();
    await spool.append(entry(1));
    const root = join(dir, 'spool');
    const [own] = readdirSync(root).filter((name) => !name.startsWith('.'));
    const folder = join(root, own);
    rmSync(folder, { recursive: true, force: true }); // an operator's slip: entry 1 is gone with it
    // Acknowledged into the open segment, these reached no file anyone could read.
    await spool.append(entry(2));
    await spool.append(entry(3));
    const journalled = async () => {
      const ids: string[] = [];
      for (const name of readdirSync(folder)
        .filter((n) => n.endsWith('.seg'))
        .sort())
        ids.push(...(await readEntries(folder, name, 0)).map((read) => read.entry!.callId));
      return ids;
    };
    expect(await journalled()).toEqual(['c2', 'c3']);
    // Claimed again by its heartbeat, so no other process takes it for a dead one's.
    for (let i = 0; i < 80 && !existsSync(join(folder, 'owner.json')); i++) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(existsSync(join(folder, 'owner.json'))).toBe(true);
    db.down = false;
    await spool.append(entry(4)); // wakes the drainer
    await until(() => db.seen.includes('c4'));
    expect(db.seen).toEqual(['c2', 'c3', 'c4']);
  });

  it('drains to the end of a segment and removes it when its offset cannot be written (a full disk)', async () => {
    const spool = spoolIn();
    const db = database(spool);
    await spool.start();
    await Promise.all(Array.from({ length: 450 }, (_, i) => spool.append(entry(i))));
    const root = join(dir, 'spool');
    const [own] = readdirSync(root).filter((name) => !name.startsWith('.'));
    const folder = join(root, own);
    for (const segment of readdirSync(folder).filter((name) => name.endsWith('.seg')))
      mkdirSync(join(folder, `${segment.replace(/\.seg$/, '.off')}.tmp`)); // the offset's file cannot be made
    db.down = false;
    await spool.append(entry(450));
    // The depth reaches 0 as the last entry is stored, a moment before its segment is removed: both waited for.
    const segments = () => readdirSync(folder).filter((name) => name.endsWith('.seg'));
    await until(() => spool.status().entries === 0 && segments().length === 0);
    // Each once, in order: stuck, it stored the first batch of 200 again and again.
    expect(db.seen).toEqual(Array.from({ length: 451 }, (_, i) => `c${i}`));
    expect(segments()).toEqual([]);
  });

  it('answers 503 once the journal is full', async () => {
    const spool = spoolIn({ OP_SPOOL_MAX_BYTES: String(64 * 1024) });
    spool.setHandler((entries) =>
      Promise.resolve(entries.map(() => ({ ok: false, error: Object.assign(new Error('down'), { code: 'ETIMEDOUT' }) }))),
    );
    await spool.start();
    const big = (n: number) => ({ ...entry(n), body: { text: 'x'.repeat(8000) } });
    let refused: unknown = null;
    for (let i = 0; i < 20 && refused === null; i++) await spool.append(big(i)).catch((error: unknown) => (refused = error));
    expect(refused).toBeInstanceOf(OpError);
    expect(refused).toMatchObject({ code: 503, message: expect.stringContaining('回调暂存已满') });
    expect(spool.status().full || spool.status().bytes > 56 * 1024).toBe(true);
  });

  it('never passes its bound with appends under way together', async () => {
    const spool = spoolIn({ OP_SPOOL_MAX_BYTES: String(64 * 1024) });
    database(spool);
    await spool.start();
    const big = (n: number) => ({ ...entry(n), body: { text: 'x'.repeat(8000) } });
    const settled = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => spool.append(big(i))));
    expect(settled.filter((result) => result.status === 'rejected').length).toBeGreaterThan(0);
    expect(spool.status().bytes).toBeLessThanOrEqual(64 * 1024);
  });

  it("adopts a dead process's journal, resumes from its offset, and sets aside what can never be stored", async () => {
    const orphan = join(dir, 'spool', `${host}-${deadPid()}-dead`);
    mkdirSync(orphan, { recursive: true });
    writeFileSync(join(orphan, 'owner.json'), JSON.stringify({ host, pid: deadPid(), startedAt: 1 }));
    const segment = Buffer.concat([0, 1, 2, 3, 4].map((n) => encodeEntry(entry(n))));
    writeFileSync(join(orphan, '000000000001.seg'), Buffer.concat([segment, Buffer.from('damaged line\n')]));
    // Entries 0 and 1 were committed before the owner died.
    writeFileSync(join(orphan, '000000000001.off'), String(encodeEntry(entry(0)).length + encodeEntry(entry(1)).length));
    // A live owner's folder is never taken: the parent process, as it recorded itself (boot id
    // and start ticks), and an owner from before those were recorded.
    const bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    const alive = join(dir, 'spool', `${host}-${process.ppid}-alive`);
    mkdirSync(alive, { recursive: true });
    writeFileSync(
      join(alive, 'owner.json'),
      JSON.stringify({ host, pid: process.ppid, startedAt: 1, bootId, startTicks: processStartTicks(process.ppid) }),
    );
    const legacy = join(dir, 'spool', `${host}-${process.ppid}-legacy`);
    mkdirSync(legacy, { recursive: true });
    writeFileSync(join(legacy, 'owner.json'), JSON.stringify({ host, pid: process.ppid, startedAt: 1 }));
    // This process's own pid in a folder it did not make: an earlier life (a container's pid 1
    // after a restart); a live pid that is another process now (other start ticks, or another
    // boot): all taken.
    const earlierLife = join(dir, 'spool', `${host}-${process.pid}-before`);
    mkdirSync(earlierLife, { recursive: true });
    writeFileSync(join(earlierLife, 'owner.json'), JSON.stringify({ host, pid: process.pid, startedAt: 1 }));
    const longAgo = new Date(Date.now() - 3_600_000);
    utimesSync(join(earlierLife, 'owner.json'), longAgo, longAgo); // its heartbeat stopped long ago
    // A container beside this one on the same volume and host name, its API pid 1 as this
    // one might be: another PID namespace, known by its heartbeat only. Alive while it
    // touches its owner.json; taken once that has stopped.
    const twin = { host, pid: process.pid, startedAt: 1, bootId, startTicks: 1, pidNs: 'pid:[1]' };
    const twinAlive = join(dir, 'spool', `${host}-${process.pid}-twin`);
    mkdirSync(twinAlive, { recursive: true });
    writeFileSync(join(twinAlive, 'owner.json'), JSON.stringify(twin));
    const twinGone = join(dir, 'spool', `${host}-${process.pid}-twin-gone`);
    mkdirSync(twinGone, { recursive: true });
    writeFileSync(join(twinGone, 'owner.json'), JSON.stringify(twin));
    utimesSync(join(twinGone, 'owner.json'), longAgo, longAgo);
    const reused = join(dir, 'spool', `${host}-${process.ppid}-reused`);
    mkdirSync(reused, { recursive: true });
    writeFileSync(join(reused, 'owner.json'), JSON.stringify({ host, pid: process.ppid, startedAt: 1, bootId, startTicks: 1 }));
    const rebooted = join(dir, 'spool', `${host}-${process.ppid}-rebooted`);
    mkdirSync(rebooted, { recursive: true });
    writeFileSync(
      join(rebooted, 'owner.json'),
      JSON.stringify({ host, pid: process.ppid, startedAt: 1, bootId: 'another-boot', startTicks: processStartTicks(process.ppid) }),
    );

    const spool = spoolIn();
    const seen: string[] = [];
    spool.setHandler((entries) => {
      seen.push(...entries.map((e) => e.callId));
      return Promise.resolve(
        entries.map((e) =>
          e.callId === 'c3' ? { ok: false, error: OpError.unauthorized('callId 已被使用') } : { ok: true, value: 'stored' },
        ) as Array<Settled<unknown>>,
      );
    });
    await spool.start();
    await until(() => seen.length === 3 && spool.status().entries === 0);
    expect(seen).toEqual(['c2', 'c3', 'c4']);
    expect(existsSync(orphan)).toBe(false);
    expect(existsSync(alive)).toBe(true);
    expect([existsSync(legacy), existsSync(earlierLife), existsSync(reused), existsSync(rebooted)]).toEqual([true, false, false, false]);
    expect([existsSync(twinAlive), existsSync(twinGone)]).toEqual([true, false]);
    const rejected = readFileSync(join(dir, 'spool', 'rejected.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { reason: string });
    expect(rejected.map((r) => r.reason)).toEqual(['401 callId 已被使用', 'damaged line']);
  });
});
