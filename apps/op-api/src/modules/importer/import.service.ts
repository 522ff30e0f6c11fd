import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { Injectable } from '@nestjs/common';
import { interrupted } from '../../common/util/interruption';
import { TenantService } from '../access/tenant.service';
import { RecordError } from '../chat-message/easemob-message';
import { MessageStore, type IngestRecord } from '../chat-message/message-store.service';
import { MessageRouter, type RoutedMessage } from '../easemob/message-router.service';
import { parseImportLine, type ImportLine } from './import-record';
import { jsonLines, streamFailure, unreadableLine, untilStreamError, type JsonLine } from './json-lines';

export interface ImportResult {
  imported: number;
  duplicates: number;
  /** Records without a chat (routed like callbacks) older than the tenant's retention that no open chat took: not stored. */
  expired: number;
  failed: number;
  /**
   * The first {@link MAX_REPORTED_ERRORS} bad lines; `failed` counts them all. A file that could
   * not be read to its end adds one more, always last: the line from which nothing was read.
   */
  errors: Array<{ line: number; message: string }>;
}

export interface ImportProgress {
  lines: number;
  imported: number;
  duplicates: number;
  expired: number;
  failed: number;
}

/** Records a lane stores in one transaction at most… */
export const IMPORT_BATCH_SIZE = 2_000;
/**
 * …and characters of their lines at most: a batch of records near their size limits (64 KiB of
 * text and of ext each) stays a transaction of tens of MiB (TiDB takes 100 MB by default), and
 * the import's memory flat.
 */
export const IMPORT_BATCH_CHARS = 32 * 1024 * 1024;
export const MAX_REPORTED_ERRORS = 1000;

async function isGzip(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(2), 0, 2, 0);
    return bytesRead === 2 && buffer[0] === 0x1f && buffer[1] === 0x8b;
  } finally {
    await handle.close();
  }
}

/**
 * Streams a JSON Lines file (plain or gzip) into the message store in batches (records that
 * name no chat, as in Easemob's own hourly exports, are routed to sessions like callbacks): memory stays
 * flat whatever the file's size, a bad line is reported by number while the rest imports,
 * and a repeated run changes nothing.
 */
@Injectable()
export class ImportService {
  constructor(
    private readonly tenants: TenantService,
    private readonly store: MessageStore,
    private readonly router: MessageRouter,
  ) {}

  async importFile(tenantId: string, path: string, onProgress?: (progress: ImportProgress) => void): Promise<ImportResult> {
    await this.tenants.requireExists(tenantId);
    const gzip = await isGzip(path);
    const raw = createReadStream(path);
    // A read or gzip error reaches the reader (pipe would leave the gunzip waiting).
    const input = gzip ? pipeline(raw, createGunzip(), () => undefined) : raw;
    // A file that cannot be read to its end (a gzip cut short or damaged) keeps what came before
    // it, stored like the rest, and the report says where reading stopped.
    const reading = untilStreamError(jsonLines(input));
    const result = await this.importLines(tenantId, reading.lines, onProgress);
    const failure = reading.failure();
    if (failure) {
      result.failed++;
      result.errors.push({ line: reading.read() + 1, message: `文件从这里起无法读取：${streamFailure(failure)}，之后的内容未导入` });
    }
    return result;
  }

  async importLines(
    tenantId: string,
    lines: AsyncIterable<JsonLine> | Iterable<JsonLine>,
    onProgress?: (progress: ImportProgress) => void,
  ): Promise<ImportResult> {
    const result: ImportResult = { imported: 0, duplicates: 0, expired: 0, failed: 0, errors: [] };
    let lineNumber = 0;
    const counted = (stored: Stored) => {
      result.imported += stored.imported;
      result.duplicates += stored.duplicates;
      result.expired += stored.expired ?? 0;
      onProgress?.({
        lines: lineNumber,
        imported: result.imported,
        duplicates: result.duplicates,
        expired: result.expired,
        failed: result.failed,
      });
    };
    // Records of a session go to the lane of its chat, a lane stores one batch at a time, and the
    // lanes (and the parsing of what follows) run side by side: a chat's records keep their
    // order, and no two of the import's transactions touch the same chat. Records without a
    // chat are routed by their customer, known only inside the router: a lane of their own,
    // and where a file turns from one kind to the other, what came before is stored first (a
    // routed message joins its customer's open chat as the file's order leaves it).
    const lanes = Array.from(
      { length: SESSION_LANES },
      () => new Lane<IngestRecord>((batch) => this.store.ingest(tenantId, batch), counted),
    );
    const routed = new Lane<RoutedMessage>((batch) => this.router.deliverAll(tenantId, batch), counted);
    const all = [...lanes, routed];
    try {
      for await (const line of lines) {
        // opctl told to stop: what was read is stored, the report counts it (a re-run skips it).
        if (interrupted()) break;
        lineNumber++;
        if (typeof line === 'string' && line.trim() === '') continue;
        let parsed: ImportLine;
        try {
          if (typeof line !== 'string') throw new RecordError(unreadableLine(line));
          parsed = parseImportLine(line);
        } catch (error) {
          // A line is data: whatever it does to the parser, it is counted by number and the rest goes on.
          result.failed++;
          const message = error instanceof RecordError ? error.message : '无法读取该行';
          if (result.errors.length < MAX_REPORTED_ERRORS) result.errors.push({ line: lineNumber, message });
          continue;
        }
        if (parsed.kind === 'session') {
          if (routed.holding) await routed.end();
          await lanes[laneOf(parsed.record.chatId)].add(parsed.record, line.length);
        } else {
          for (const lane of lanes) if (lane.holding) await lane.end();
          await routed.add(parsed.message, line.length);
        }
      }
      for (const lane of all) await lane.end();
    } finally {
      // A failed batch ends the import; the other lanes' batches end first.
      await Promise.allSettled(all.map((lane) => lane.idle()));
    }
    return result;
  }
}

/** What storing one batch answers (routed batches count the expired too). */
type Stored = { imported: number; duplicates: number; expired?: number };

/** Import transactions at once on sessions' records (MySQL; SQLite's queue one at a time). */
const SESSION_LANES = 2;

/** A chat's lane: a stable hash of its id. */
function laneOf(chatId: string): number {
  let hash = 0;
  for (let i = 0; i < chatId.length; i++) hash = (hash * 31 + chatId.charCodeAt(i)) | 0;
  return Math.abs(hash) % SESSION_LANES;
}

/**
 * Batches of one lane, stored one after another while the caller goes on: `add` waits only
 * when the lane's previous batch is still being stored as the next one fills up. A failed
 * batch fails the import at the lane's next step.
 */
class Lane<T> {
  private batch: T[] = [];
  private chars = 0;
  private storing: Promise<void> = Promise.resolve();
  private failure: { error: unknown } | null = null;

  /** Records added and not yet stored. */
  holding = false;

  constructor(
    private readonly store: (batch: T[]) => Promise<Stored>,
    private readonly counted: (stored: Stored) => void,
  ) {}

  /** Adds a record, `chars` the length of its line. */
  async add(item: T, chars: number): Promise<void> {
    if (this.failure) throw this.failure.error;
    this.holding = true;
    this.batch.push(item);
    this.chars += chars;
    if (this.batch.length >= IMPORT_BATCH_SIZE || this.chars >= IMPORT_BATCH_CHARS) await this.flush();
  }

  idle(): Promise<void> {
    return this.storing;
  }

  async end(): Promise<void> {
    if (this.batch.length > 0) await this.flush();
    await this.storing;
    this.holding = false;
  }

  private async flush(): Promise<void> {
    await this.storing;
    const batch = this.batch;
    this.batch = [];
    this.chars = 0;
    this.storing = this.store(batch).then(this.counted);
    // Surfaces at the lane's next step; until then it must not count as unhandled.
    this.storing.catch((error: unknown) => (this.failure = { error }));
  }
}
