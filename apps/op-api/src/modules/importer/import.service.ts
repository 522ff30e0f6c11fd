import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { Injectable } from '@nestjs/common';
import { TenantService } from '../access/tenant.service';
import { RecordError } from '../chat-message/easemob-message';
import { MessageStore, type IngestRecord } from '../chat-message/message-store.service';
import { MessageRouter, type RoutedMessage } from '../easemob/message-router.service';
import { parseImportLine } from './import-record';

export interface ImportResult {
  imported: number;
  duplicates: number;
  /** Records without a chat (routed like callbacks) older than the tenant's retention that no open chat took: not stored. */
  expired: number;
  failed: number;
  /** The first {@link MAX_REPORTED_ERRORS} bad lines; `failed` counts them all. */
  errors: Array<{ line: number; message: string }>;
}

export interface ImportProgress {
  lines: number;
  imported: number;
  duplicates: number;
  failed: number;
}

export const IMPORT_BATCH_SIZE = 500;
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
    const input = gzip ? raw.pipe(createGunzip()) : raw;
    return this.importLines(tenantId, createInterface({ input, crlfDelay: Infinity }), onProgress);
  }

  async importLines(
    tenantId: string,
    lines: AsyncIterable<string> | Iterable<string>,
    onProgress?: (progress: ImportProgress) => void,
  ): Promise<ImportResult> {
    const result: ImportResult = { imported: 0, duplicates: 0, expired: 0, failed: 0, errors: [] };
    let batch: IngestRecord[] = [];
    let routed: RoutedMessage[] = [];
    let lineNumber = 0;
    const flush = async () => {
      const stored = await this.store.ingest(tenantId, batch);
      const delivered = await this.router.deliverAll(tenantId, routed);
      result.imported += stored.imported + delivered.imported;
      result.duplicates += stored.duplicates + delivered.duplicates;
      result.expired += delivered.expired;
      batch = [];
      routed = [];
      onProgress?.({ lines: lineNumber, imported: result.imported, duplicates: result.duplicates, failed: result.failed });
    };
    for await (const line of lines) {
      lineNumber++;
      if (line.trim() === '') continue;
      try {
        const parsed = parseImportLine(line);
        if (parsed.kind === 'session') batch.push(parsed.record);
        else routed.push(parsed.message);
      } catch (error) {
        // A line is data: whatever it does to the parser, it is counted by number and the rest goes on.
        result.failed++;
        const message = error instanceof RecordError ? error.message : '无法读取该行';
        if (result.errors.length < MAX_REPORTED_ERRORS) result.errors.push({ line: lineNumber, message });
        continue;
      }
      if (batch.length + routed.length >= IMPORT_BATCH_SIZE) await flush();
    }
    if (batch.length + routed.length > 0) await flush();
    return result;
  }
}
