import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { Inject, Injectable, Logger, Optional, type OnApplicationShutdown } from '@nestjs/common';
import { OpError } from '../../common/errors/op-error';
import { codeOrName, isDatabaseDown } from '../../common/filters/error-envelope';
import type { AppConfig, SpoolConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { DatabaseConnection } from '../../database/database-connection';
import { MetricsService } from '../observability/metrics.service';
import type { Settled } from './group-commit';
import {
  allSegmentFiles,
  countPending,
  decodeLine,
  encodeEntry,
  isScrubbed,
  JournalWriter,
  listSegments,
  PRIVATE_DIR,
  PRIVATE_FILE,
  readEntries,
  readOffset,
  removeIfEmpty,
  removeSegment,
  scrubFile,
  syncPath,
  writeOffset,
  type SpoolEntry,
} from './spool-journal';

/** Stores journalled callbacks through the normal path, in order; each settles on its own. */
export type SpoolHandler = (entries: SpoolEntry[]) => Promise<Array<Settled<unknown>>>;

/** Entries stored per transaction by the drain. */
const DRAIN_BATCH = 200;

interface Owner {
  host: string;
  pid: number;
  startedAt: number;
  /** The kernel's boot id and the process's start in clock ticks since boot (Linux): exact identity. */
  bootId?: string;
  startTicks?: number;
  /** The owner's PID namespace (`pid:[…]`): its pid means something only in the same one. */
  pidNs?: string;
}

/** How often a live owner touches its `owner.json`, and how long untouched says it is gone. */
export const HEARTBEAT_MS = 5_000;
export const HEARTBEAT_STALE_MS = 30_000;

const ADOPT_EVERY_MS = 10_000;
const RETRY_MIN_MS = 250;
const RETRY_MAX_MS = 5_000;
/** An entry that fails this often for a reason other than the database being down is set aside. */
const MAX_ATTEMPTS = 5;
const SPOOLED_IDS_MAX = 100_000;

const safeName = (text: string) => text.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 64);

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Who may be the customer of a journalled callback, without the staff list: a group message's
 * group, else either party (the one that is not staff is the customer).
 */
export function journalledCustomers(body: Record<string, unknown>): string[] {
  const text = (value: unknown) => (typeof value === 'string' || typeof value === 'number' ? String(value) : null);
  const group = body.chat_type === 'groupchat' ? text(body.group_id ?? body.to) : null;
  if (group !== null) return [group];
  return [text(body.from), text(body.to)].filter((party): party is string => party !== null);
}

/** This boot of the machine (Linux), or null where it cannot be read. */
function bootId(): string | null {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return null;
  }
}

/** When a process started, in clock ticks since boot (Linux `/proc`), or null where that cannot be read. */
export function processStartTicks(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after "pid (comm) ": the 22nd field of the line is starttime.
    const ticks = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
    return Number.isSafeInteger(ticks) ? ticks : null;
  } catch {
    return null;
  }
}

/** This process's PID namespace (Linux), or null where it cannot be read; read once, it never changes. */
let ownPidNamespace: string | null | undefined;
export function pidNamespace(): string | null {
  if (ownPidNamespace === undefined) {
    try {
      ownPidNamespace = readlinkSync('/proc/self/ns/pid');
    } catch {
      ownPidNamespace = null;
    }
  }
  return ownPidNamespace;
}

/** Whether the owner touched its `owner.json` lately (it does every {@link HEARTBEAT_MS} while it runs). */
function heartbeatFresh(folder: string): boolean {
  const touched = statSync(join(folder, 'owner.json'), { throwIfNoEntry: false })?.mtimeMs;
  return touched !== undefined && Date.now() - touched < HEARTBEAT_STALE_MS;
}

/**
 * Whether the process that claimed a journal still runs. An owner in another PID namespace (a
 * container beside this one on a shared volume, both named after one host name; or this
 * container's life before a restart) is known only by its heartbeat: its pid means nothing
 * here. So is an owner that recorded no namespace and has this process's pid (a container's
 * API is always pid 1). In this namespace: not when its pid is ours (this process's own folder
 * is never asked about), nor when the pid now belongs to another process (a reboot, or a pid
 * reused): the boot id and the start ticks the owner recorded identify it exactly, whatever
 * the wall clock did since.
 */
function ownerAlive(owner: Owner, folder: string): boolean {
  const namespace = pidNamespace();
  if (owner.pidNs !== undefined && namespace !== null && owner.pidNs !== namespace) return heartbeatFresh(folder);
  if (owner.pid === process.pid) return owner.pidNs === undefined && heartbeatFresh(folder);
  if (!isAlive(owner.pid)) return false;
  if (owner.bootId === undefined || owner.startTicks === undefined) return true; // an owner that could not record them
  const boot = bootId();
  if (boot !== null && boot !== owner.bootId) return false;
  const ticks = processStartTicks(owner.pid);
  return ticks === null || ticks === owner.startTicks;
}

/**
 * Writes a journal folder's `owner.json`, on disk before the folder's name is: after a power cut
 * an empty owner.json would keep its journal from adoption.
 */
function writeOwner(dir: string, ownerJson: string): void {
  writeFileSync(join(dir, 'owner.json'), ownerJson);
  syncPath(join(dir, 'owner.json'));
}

function readOwner(dir: string): Owner | null {
  try {
    const owner = JSON.parse(readFileSync(join(dir, 'owner.json'), 'utf8')) as Owner;
    return typeof owner.pid === 'number' && typeof owner.host === 'string' ? owner : null;
  } catch {
    return null;
  }
}

/**
 * The durable spool of Easemob callbacks (issue 13). When the database cannot store a verified
 * callback in time, it is appended to this process's journal and fsynced before the 200; a
 * drainer stores the journal in order through the same idempotent path once the database
 * answers, recording its progress per segment after each commit and deleting a segment once
 * all of it is stored. Each process owns `<spool dir>/<host>-<pid>-<start>/` (its `owner.json`
 * is the lock); a journal whose owner on this host is dead is adopted by the next process that
 * looks (an atomic rename into its own `adopted/`, so exactly one process takes it).
 */
@Injectable()
export class CallbackSpool implements OnApplicationShutdown {
  private readonly logger = new Logger('CallbackSpool');
  private readonly config: SpoolConfig;
  private readonly host = safeName(hostname());
  private dir: string | null = null;
  private writer: JournalWriter | null = null;
  private handler: SpoolHandler | null = null;
  private depthEntries = 0;
  private depthBytes = 0;
  private oldest: number | null = null;
  private running = false;
  private wake: (() => void) | null = null;
  private loop: Promise<void> | null = null;
  private lastAdopt = 0;
  private heartbeat: NodeJS.Timeout | null = null;
  /** How far each segment is stored, as this process knows it: the offset files' stand-in when they cannot be written. */
  private readonly offsets = new Map<string, number>();
  private failures = new Map<string, number>();
  /** callIds journalled by this process and not yet stored, with their fingerprints. */
  private readonly spooledIds = new Map<string, string>();

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    @Optional() private readonly metrics?: MetricsService,
    // Absent in unit specs, which have no database: taken as there.
    @Optional() private readonly connection?: DatabaseConnection,
  ) {
    this.config = config.spool;
    metrics?.registerSpool(() => this.status());
  }

  /** Entries waiting, bytes, and the receive time of the oldest. */
  status(): { entries: number; bytes: number; oldestAgeSeconds: number; full: boolean } {
    return {
      entries: this.depthEntries,
      bytes: this.depthBytes,
      oldestAgeSeconds: this.oldest === null || this.depthEntries === 0 ? 0 : Math.max(0, (Date.now() - this.oldest) / 1000),
      full: this.depthBytes >= this.config.maxBytes,
    };
  }

  get started(): boolean {
    return this.writer !== null;
  }

  setHandler(handler: SpoolHandler): void {
    this.handler = handler;
  }

  /** Claims this process's journal folder, adopts orphans, counts what waits and starts the drainer. */
  async start(): Promise<void> {
    if (this.writer) return;
    mkdirSync(this.config.dir, { recursive: true, mode: PRIVATE_DIR });
    const id = `${this.host}-${process.pid}-${Date.now().toString(36)}`;
    const staging = join(this.config.dir, `.${id}.tmp`);
    mkdirSync(staging, { recursive: true, mode: PRIVATE_DIR });
    const ownerJson = JSON.stringify({
      host: this.host,
      pid: process.pid,
      startedAt: Date.now(),
      bootId: bootId() ?? undefined,
      startTicks: processStartTicks(process.pid) ?? undefined,
      pidNs: pidNamespace() ?? undefined,
    } satisfies Owner);
    writeOwner(staging, ownerJson);
    this.dir = join(this.config.dir, id);
    renameSync(staging, this.dir);
    syncPath(this.config.dir);
    this.writer = new JournalWriter(this.dir);
    await this.writer.init();
    const owner = join(this.dir, 'owner.json');
    this.heartbeat = setInterval(() => {
      try {
        const now = new Date();
        utimesSync(owner, now, now);
      } catch (error) {
        let failure = error;
        if (codeOrName(error) === 'ENOENT') {
          // The folder was removed by hand: claimed again, so the journal written there next is this process's.
          try {
            mkdirSync(this.dir!, { recursive: true, mode: PRIVATE_DIR });
            writeOwner(this.dir!, ownerJson);
            syncPath(this.config.dir);
            this.logger.warn(`the callback journal folder ${this.dir} was removed while the API ran: recreated`);
            return;
          } catch (again) {
            failure = again;
          }
        }
        this.logger.warn(`could not touch ${owner} (${codeOrName(failure)}): another container may take this journal`);
      }
    }, HEARTBEAT_MS);
    this.heartbeat.unref();
    this.adoptOrphans();
    const pending = await this.countAll(this.dir);
    this.depthEntries = pending.entries;
    this.depthBytes = pending.bytes;
    this.oldest = pending.oldest;
    this.running = true;
    this.loop = this.drainLoop();
  }

  /**
   * Journals a verified callback (fsynced when this resolves). 503 when the journal is full or
   * cannot be written; 401 when this process journalled the same callId with other content.
   */
  async append(entry: SpoolEntry & { print: string }): Promise<void> {
    if (!this.writer) throw new OpError(503, '数据库暂不可用，请稍后重试', { 'retry-after': '5' });
    const key = `${entry.tenant}\n${entry.callId}`;
    const known = this.spooledIds.get(key);
    if (known !== undefined && known !== entry.print) throw OpError.unauthorized('callId 已被使用，内容与首次不同：视为重放或伪造');
    const bytes = encodeEntry(entry);
    if (this.depthBytes + bytes.length > this.config.maxBytes) {
      this.metrics?.spoolEvents.inc({ event: 'full' });
      throw new OpError(503, `回调暂存已满（上限 ${this.config.maxBytes} 字节），数据库恢复前请稍后重试`, { 'retry-after': '30' });
    }
    // Counted before the write, so that appends under way together cannot pass the bound.
    this.depthBytes += bytes.length;
    try {
      await this.writer.append(bytes);
    } catch (error) {
      this.depthBytes = Math.max(0, this.depthBytes - bytes.length);
      this.logger.error(`callback journal write failed: ${(error as Error).message}`);
      throw new OpError(503, '回调暂存写入失败，请稍后重试', { 'retry-after': '5' });
    }
    if (this.spooledIds.size >= SPOOLED_IDS_MAX) this.spooledIds.clear();
    if (known === undefined) this.spooledIds.set(key, entry.print);
    if (this.depthEntries === 0) this.oldest = entry.t;
    this.depthEntries++;
    this.metrics?.spoolEvents.inc({ event: 'spooled' });
    this.wake?.();
  }

  /** The callId was journalled by this process with this fingerprint (content check before the database knows it). */
  conflicts(tenant: string, callId: string, fingerprint: string): boolean {
    const known = this.spooledIds.get(`${tenant}\n${callId}`);
    return known !== undefined && known !== fingerprint;
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
    this.running = false;
    this.wake?.();
    await this.loop;
    await this.writer?.close();
    if (this.dir && (await removeIfEmpty(this.dir))) this.dir = null;
  }

  /** Adopts the journal folders of dead processes on this host (one rename each: one adopter wins). */
  private adoptOrphans(): void {
    this.lastAdopt = Date.now();
    let names: string[];
    try {
      names = readdirSync(this.config.dir);
    } catch {
      return;
    }
    for (const name of names) {
      const path = join(this.config.dir, name);
      if (name.startsWith('.') || path === this.dir) continue;
      const owner = readOwner(path);
      if (!owner || owner.host !== this.host || ownerAlive(owner, path)) continue;
      try {
        mkdirSync(join(this.dir!, 'adopted'), { recursive: true, mode: PRIVATE_DIR });
        renameSync(path, join(this.dir!, 'adopted', name));
        syncPath(this.config.dir);
        this.logger.log(`adopted the callback journal of dead process ${owner.pid} (${name})`);
      } catch {
        continue; // another process took it first
      }
    }
  }

  /** Journal folders to drain, oldest first: adopted ones (depth first), then this one. */
  private async folders(dir: string): Promise<string[]> {
    const adopted = join(dir, 'adopted');
    const names = (await readdir(adopted).catch(() => [] as string[])).sort();
    const nested: string[] = [];
    for (const name of names) nested.push(...(await this.folders(join(adopted, name))));
    return [...nested, dir];
  }

  private async countAll(dir: string): Promise<{ entries: number; bytes: number; oldest: number | null }> {
    const total = { entries: 0, bytes: 0, oldest: null as number | null };
    for (const folder of await this.folders(dir)) {
      const pending = await countPending(folder);
      total.entries += pending.entries;
      total.bytes += pending.bytes;
      if (total.oldest === null) total.oldest = pending.oldest;
    }
    return total;
  }

  private async drainLoop(): Promise<void> {
    let delay = 0;
    while (this.running) {
      if (delay > 0 || this.depthEntries === 0) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, delay > 0 ? delay : ADOPT_EVERY_MS);
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.wake = null;
        if (!this.running) break;
      }
      try {
        if (Date.now() - this.lastAdopt >= ADOPT_EVERY_MS) {
          const before = this.depthEntries;
          this.adoptOrphans();
          const counted = await this.countAll(this.dir!);
          // Adopted entries join the depth (this process's own are counted as they are appended).
          if (counted.entries > before) {
            this.depthEntries = counted.entries;
            this.depthBytes = counted.bytes;
            this.oldest = counted.oldest;
          }
        }
        delay = (await this.drainAll()) ? 0 : Math.min(RETRY_MAX_MS, Math.max(RETRY_MIN_MS, delay * 2));
      } catch (error) {
        this.logger.error(`callback spool drain failed: ${(error as Error).message}`);
        delay = RETRY_MAX_MS;
      }
    }
  }

  /** Whether the process is ready to store (it started without its database and that has not answered yet: no). */
  get databaseReady(): boolean {
    return this.connection?.isReady ?? true;
  }

  /** Stores everything journalled so far; false when the database is not answering yet. */
  private async drainAll(): Promise<boolean> {
    if (!this.databaseReady) return false;
    for (const folder of await this.folders(this.dir!)) {
      if (!(await this.drainFolder(folder))) return false;
      if (folder !== this.dir) await rm(folder, { recursive: true, force: true });
    }
    if (this.depthEntries <= 0 || (await this.countAll(this.dir!)).entries === 0) {
      this.depthEntries = 0;
      this.depthBytes = 0;
      this.oldest = null;
    }
    return true;
  }

  private async drainFolder(folder: string): Promise<boolean> {
    const own = folder === this.dir;
    for (const segment of await listSegments(folder)) {
      if (!this.running) return false;
      const active = own ? this.writer!.active : null;
      const limit = active?.segment === segment ? active.durable : Infinity;
      const path = join(folder, segment);
      let offset = Math.max(await readOffset(folder, segment), this.offsets.get(path) ?? 0);
      const read = await readEntries(folder, segment, offset, limit);
      for (let start = 0; start < read.length; start += DRAIN_BATCH) {
        if (!this.running) return false;
        const chunk = read.slice(start, start + DRAIN_BATCH);
        const valid = chunk.filter((item) => item.entry !== null);
        if (valid.length > 0) this.oldest = valid[0].entry!.t;
        const settled = valid.length === 0 ? [] : await this.handler!(valid.map((item) => item.entry!));
        let v = 0;
        for (const { entry, end, line } of chunk) {
          const stored = entry !== null ? this.settle(entry, line, settled[v++]) : isScrubbed(line) || this.setAside(line, 'damaged line');
          if (!stored) {
            await this.recordOffset(folder, segment, offset);
            return false;
          }
          offset = end;
          this.depthEntries = Math.max(0, this.depthEntries - 1);
          this.depthBytes = Math.max(0, this.depthBytes - Buffer.byteLength(line) - 1);
        }
        await this.recordOffset(folder, segment, offset);
      }
      if (active?.segment === segment) await this.writer!.retireIfDrained(segment, offset);
      else await removeSegment(folder, segment);
      // Forgotten once the segment is gone (a removal the file system refused keeps it, and its offset).
      if (!existsSync(path)) this.offsets.delete(path);
    }
    return true;
  }

  /**
   * Records how far a segment is stored: in memory, and in its offset file if the disk lets it
   * (the file only saves a restarted process replaying, and a replayed entry stores nothing
   * twice). On a full disk the drain goes on to the segment's end and removes it, which frees
   * the space; stopping there stored the same batch for ever.
   */
  private async recordOffset(folder: string, segment: string, offset: number): Promise<void> {
    this.offsets.set(join(folder, segment), offset);
    try {
      await writeOffset(folder, segment, offset);
    } catch (error) {
      this.logger.warn(`could not record the callback journal's offset (${codeOrName(error)}): draining on`);
    }
  }

  /**
   * Erasure (customerErase): blanks the customer's callbacks received up to `erasedAt` in every
   * journal under this spool folder (any process's, adopted ones too), stored or waiting, and
   * those set aside in `rejected.jsonl`; one received later is a new message and stays.
   * Returns the Easemob ids of the entries blanked, for `erased_messages`: a reconciliation
   * must not add a message back that the journal held and the erasure removed.
   */
  async scrubCustomer(tenantId: string, customerId: string, erasedAt: number): Promise<string[]> {
    const ids: string[] = [];
    const ofCustomer = (entry: SpoolEntry | null): boolean => {
      if (entry === null || entry.tenant !== tenantId || entry.t > erasedAt || !journalledCustomers(entry.body).includes(customerId))
        return false;
      if (typeof entry.body.msg_id === 'string' || typeof entry.body.msg_id === 'number') ids.push(String(entry.body.msg_id));
      return true;
    };
    for (const path of await allSegmentFiles(this.config.dir)) await scrubFile(path, (line) => ofCustomer(decodeLine(line)));
    await scrubFile(join(this.config.dir, 'rejected.jsonl'), (text) => {
      try {
        return ofCustomer(decodeLine((JSON.parse(text) as { line: string }).line));
      } catch {
        return false;
      }
    });
    return ids;
  }

  /** True when the entry is stored (or set aside for good); false to retry it later. */
  private settle(entry: SpoolEntry, line: string, result: Settled<unknown>): boolean {
    if (result.ok) {
      this.failures.delete(line);
      this.spooledIds.delete(`${entry.tenant}\n${entry.callId}`);
      this.metrics?.spoolEvents.inc({ event: 'drained' });
      return true;
    }
    const { error } = result;
    if (error instanceof OpError && error.code !== 503 && error.code !== 429) return this.setAside(line, `${error.code} ${error.message}`);
    if (isDatabaseDown(error) || error instanceof OpError) return false;
    // A lock still held after the store's retries (a deadlock, a timeout) counts as a failed try
    // like any other: a lock that never goes would otherwise hold up every callback behind it.
    // Each try waits out the lock timeout four times, so that takes minutes of a held lock.
    const attempts = (this.failures.get(line) ?? 0) + 1;
    this.failures.set(line, attempts);
    if (attempts < MAX_ATTEMPTS) return false;
    this.failures.delete(line);
    return this.setAside(line, (error as Error).message);
  }

  /**
   * An entry that can never be stored goes to `rejected.jsonl` beside the journals, and the
   * drain moves on; if that file cannot be written (a full disk), the entry stays where it is
   * and is tried again later: never dropped.
   */
  private setAside(line: string, reason: string): boolean {
    const file = join(this.config.dir, 'rejected.jsonl');
    try {
      writeFileSync(file, `${JSON.stringify({ time: Date.now(), reason, line })}\n`, { flag: 'a', mode: PRIVATE_FILE });
    } catch (error) {
      this.logger.error(`could not set a journalled callback aside in ${file} (${codeOrName(error)}): it stays in the journal`);
      return false;
    }
    this.logger.warn(`a journalled callback was set aside: ${reason}`);
    this.metrics?.spoolEvents.inc({ event: 'rejected' });
    return true;
  }
}

/** For tests and `opctl`: a journal folder's waiting entries. */
export { countPending as pendingInJournal };
export const removeJournal = (dir: string) => rmSync(dir, { recursive: true, force: true });
