import { closeSync, fsyncSync, openSync } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, stat, unlink, writeFile, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { crc32 } from 'node:zlib';
import { cutDepth } from '../../common/util/json-shape';
import { parseKeepingExt } from '../../common/util/exact-json';
import { nextTurn } from '../../common/util/next-turn';

/** The journal holds customers' messages as received: readable by the API's own user only. */
export const PRIVATE_DIR = 0o700;
export const PRIVATE_FILE = 0o600;

/** One verified callback that the database could not take in time. */
export interface SpoolEntry {
  /** Receive time (epoch ms): the callback's freshness was checked against it. */
  t: number;
  tenant: string;
  callId: string;
  /** The callback body as Easemob sent it (already verified). */
  body: Record<string, unknown>;
  /**
   * The fingerprint its callId was claimed with on arrival: the replay claims with it, so a
   * newer build that maps the body differently still sees its own redelivery, not a forgery.
   * Absent in entries journalled before 2026-12-04, which the replay fingerprints again.
   */
  print?: string;
}

/** A new segment is started past this size; a drained segment is deleted whole. */
export const SEGMENT_BYTES = 8 * 1024 * 1024;
const SEGMENT = /^(\d{12})\.seg$/;

const segmentName = (seq: number) => `${String(seq).padStart(12, '0')}.seg`;
const offsetName = (segment: string) => segment.replace(/\.seg$/, '.off');

/**
 * Levels of a body kept in the journal when it is deeper than JSON.stringify can write (a
 * verified callback may nest thousands of levels within its 64 KiB): the mapping keeps 32
 * levels of `ext` (level 3 of the body), so what it stores is the same, cut record included.
 */
export const JOURNAL_BODY_DEPTH = 64;

/** `<crc32 hex> <json>\n`: a torn or damaged line is recognised and never replayed as something else. */
export function encodeEntry(entry: SpoolEntry): Buffer {
  let json: string;
  try {
    json = JSON.stringify(entry);
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    json = JSON.stringify({ ...entry, body: cutDepth(entry.body, JOURNAL_BODY_DEPTH).value });
  }
  return Buffer.from(`${crc32(json).toString(16).padStart(8, '0')} ${json}\n`, 'utf8');
}

export function decodeLine(line: string): SpoolEntry | null {
  if (line.length < 10 || line[8] !== ' ') return null;
  const json = line.slice(9);
  if (crc32(json).toString(16).padStart(8, '0') !== line.slice(0, 8)) return null;
  try {
    return parseKeepingExt(json) as SpoolEntry;
  } catch {
    return null;
  }
}

/** A line blanked by {@link scrubFile}: skipped by the drain, never replayed, never set aside. */
export const isScrubbed = (line: string) => line.startsWith('#');

/**
 * Overwrites in place every line `matches` picks with a line of the same length (`#` and
 * spaces), and syncs. No size or offset changes, so a drain or an
 * append running meanwhile in any process is unaffected. Returns how many lines were blanked.
 */
export async function scrubFile(path: string, matches: (line: string) => boolean): Promise<number> {
  const handle = await open(path, 'r+').catch(() => null);
  if (handle === null) return 0;
  try {
    const size = (await handle.stat()).size;
    const buffer = Buffer.alloc(size);
    await handle.read(buffer, 0, size, 0);
    let count = 0;
    let start = 0;
    for (let newline = buffer.indexOf(10, start); newline !== -1; newline = buffer.indexOf(10, start)) {
      const line = buffer.toString('utf8', start, newline);
      if (!isScrubbed(line) && matches(line)) {
        // Spaces first, the `#` last: a write torn by a crash leaves a damaged line with no
        // content of the entry's in it, never a readable part of it.
        const blank = Buffer.alloc(newline - start, 0x20);
        if (blank.length > 1) await handle.write(blank, 1, blank.length - 1, start + 1);
        await handle.write(Buffer.from('#'), 0, 1, start);
        count++;
      }
      start = newline + 1;
    }
    if (count > 0) await handle.datasync();
    return count;
  } finally {
    await handle.close();
  }
}

/** Every journal segment under a spool folder: each process's, and those adopted from dead ones. */
export async function allSegmentFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await allSegmentFiles(path)));
    else if (SEGMENT.test(entry.name)) out.push(path);
  }
  return out;
}

/** fsync of a file, or of a directory so that a file created or renamed in it survives a crash. */
export function syncPath(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export async function listSegments(dir: string): Promise<string[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  return names.filter((name) => SEGMENT.test(name)).sort();
}

export async function readOffset(dir: string, segment: string): Promise<number> {
  const text = await readFile(join(dir, offsetName(segment)), 'utf8').catch(() => '0');
  const offset = Number(text.trim());
  return Number.isSafeInteger(offset) && offset >= 0 ? offset : 0;
}

/**
 * Records how far a segment has been stored. Written after the commit and not synced: after
 * a crash the worst case is an older offset, and replaying those entries stores nothing twice.
 */
export async function writeOffset(dir: string, segment: string, offset: number): Promise<void> {
  const target = join(dir, offsetName(segment));
  await writeFile(`${target}.tmp`, String(offset));
  await rename(`${target}.tmp`, target);
}

export async function removeSegment(dir: string, segment: string): Promise<void> {
  await unlink(join(dir, segment)).catch(() => undefined);
  await unlink(join(dir, offsetName(segment))).catch(() => undefined);
}

/** Entries of one segment from `offset`, each with the offset just past it; a damaged line is reported, not parsed. */
export async function readEntries(
  dir: string,
  segment: string,
  offset: number,
  limit = Infinity,
): Promise<Array<{ entry: SpoolEntry | null; end: number; line: string }>> {
  const handle = await open(join(dir, segment), 'r');
  try {
    const size = Math.min((await handle.stat()).size, limit);
    if (size <= offset) return [];
    const buffer = Buffer.alloc(size - offset);
    await handle.read(buffer, 0, buffer.length, offset);
    const out: Array<{ entry: SpoolEntry | null; end: number; line: string }> = [];
    let start = 0;
    for (let newline = buffer.indexOf(10, start); newline !== -1; newline = buffer.indexOf(10, start)) {
      const line = buffer.toString('utf8', start, newline);
      out.push({ entry: decodeLine(line), end: offset + newline + 1, line });
      start = newline + 1;
    }
    // An unterminated tail is a write cut by a crash: it was never acknowledged.
    return out;
  } finally {
    await handle.close();
  }
}

/** Entries not yet stored in a journal folder (its segments past their offsets). */
export async function countPending(dir: string): Promise<{ entries: number; bytes: number; oldest: number | null }> {
  let entries = 0;
  let bytes = 0;
  let oldest: number | null = null;
  for (const segment of await listSegments(dir)) {
    const offset = await readOffset(dir, segment);
    const size = (await stat(join(dir, segment))).size;
    bytes += Math.max(0, size - offset);
    for (const { entry } of await readEntries(dir, segment, offset)) {
      entries++;
      if (entry && oldest === null) oldest = entry.t;
    }
  }
  return { entries, bytes, oldest };
}

/**
 * The append side of one process's journal: entries queued while a write is under way are
 * written and fsynced together (one `fdatasync` for many callbacks), and each append
 * resolves only once its bytes are on disk.
 */
export class JournalWriter {
  private handle: FileHandle | null = null;
  private segment: string | null = null;
  /** Bytes of the active segment that are written and synced. */
  private durable = 0;
  private seq = 0;
  private queue: Array<{ bytes: Buffer; resolve: () => void; reject: (error: unknown) => void }> = [];
  private flushing: Promise<void> | null = null;

  constructor(readonly dir: string) {}

  async init(): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: PRIVATE_DIR });
    const segments = await listSegments(this.dir);
    this.seq = segments.length === 0 ? 0 : Number(SEGMENT.exec(segments[segments.length - 1])![1]);
  }

  /** The segment being written and how much of it is durable (the drainer reads no further). */
  get active(): { segment: string; durable: number } | null {
    return this.segment === null ? null : { segment: this.segment, durable: this.durable };
  }

  get idle(): boolean {
    return this.flushing === null && this.queue.length === 0;
  }

  append(bytes: Buffer): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ bytes, resolve, reject });
      if (!this.flushing) this.flushing = this.flush();
    });
  }

  private async flush(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        // Let the callbacks arriving in this turn of the event loop join the batch.
        await nextTurn();
        const batch = this.queue;
        this.queue = [];
        try {
          const bytes = Buffer.concat(batch.map((item) => item.bytes));
          // A segment removed while open (its folder deleted by hand) takes writes that reach no
          // file anyone can read: written again in a new segment, and answered only then.
          for (let attempt = 1; ; attempt++) {
            if (this.handle === null || this.durable >= SEGMENT_BYTES) await this.rotate();
            let written = 0;
            while (written < bytes.length)
              written += (await this.handle!.write(bytes, written, bytes.length - written, this.durable + written)).bytesWritten;
            await this.handle!.datasync();
            if ((await this.handle!.stat()).nlink > 0) break;
            await this.closeActive();
            if (attempt === 2) throw new Error('the journal segment was removed while it was written');
          }
          this.durable += bytes.length;
          for (const item of batch) item.resolve();
        } catch (error) {
          // The file may hold part of this batch past `durable`: start afresh so no acknowledged
          // entry ever follows a torn one.
          await this.closeActive();
          for (const item of batch) item.reject(error);
        }
      }
    } finally {
      this.flushing = null;
    }
  }

  private async rotate(): Promise<void> {
    await this.closeActive();
    // The folder too, should it have been removed while the process ran (and its name synced).
    if ((await mkdir(this.dir, { recursive: true, mode: PRIVATE_DIR })) !== undefined) syncPath(dirname(this.dir));
    this.seq++;
    this.segment = segmentName(this.seq);
    this.handle = await open(join(this.dir, this.segment), 'wx', PRIVATE_FILE);
    this.durable = 0;
    syncPath(this.dir);
  }

  private async closeActive(): Promise<void> {
    const handle = this.handle;
    this.handle = null;
    this.segment = null;
    this.durable = 0;
    if (handle) await handle.close().catch(() => undefined);
  }

  /** Closes and deletes the active segment when the drainer has stored all of it and nothing is being written. */
  async retireIfDrained(segment: string, offset: number): Promise<boolean> {
    if (!this.idle || this.segment !== segment || offset < this.durable) return false;
    await this.closeActive();
    await removeSegment(this.dir, segment);
    return true;
  }

  async close(): Promise<void> {
    while (this.flushing) await this.flushing;
    await this.closeActive();
  }
}

/** Removes an empty journal folder (no segments, no adopted journals). */
export async function removeIfEmpty(dir: string): Promise<boolean> {
  const adopted = await readdir(join(dir, 'adopted')).catch(() => null);
  if (adopted !== null && adopted.length > 0) return false;
  const names = (await readdir(dir).catch(() => null))?.filter((name) => name !== 'adopted') ?? null;
  if (names === null) return true;
  if (names.some((name) => SEGMENT.test(name))) return false;
  await rm(dir, { recursive: true, force: true });
  return true;
}
