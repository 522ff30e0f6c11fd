import { Readable } from 'node:stream';
import { Inject, Injectable } from '@nestjs/common';
import { EXPORT_CONTENT_TYPES, exportDisplayName, exportFileName, type ChatExportRequest, type ChatInfo } from '@op/contracts';
import type { OpContext } from '../access/op-context';
import type { FileAnswer } from '../../common/util/file-answer';
import { nextTurn } from '../../common/util/next-turn';
import { TimeFormatter } from '../../common/util/time-format';
import type { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { OperatorService } from '../access/operator.service';
import { AuditLog } from '../audit/audit-log.service';
import { ChatAccess } from '../chat-message/chat-access.service';
import { toChatInfo } from '../chats/chat-info';
import { ChatMessageRepository, type MessageRow } from '../chat-message/chat-message.repository';
import { MessageMapper } from '../chat-message/message-mapper';
import { TRANSCRIPT_WRITERS, type ExportMessage } from './export-formats';

/** Messages read per query at most: 50 first (the first bytes leave sooner), then 500. */
const FIRST_ROWS = 50;
const MOST_ROWS = 500;
/**
 * Text and ext a batch holds at most (one message alone may hold more), by the lengths the
 * database reports before the batch is read: four exports at once of a chat of messages near
 * their size limits (64 KiB of text and of ext) took the process to 1.5 GB at 500 a query,
 * 271 MB at 1 Mi characters a batch.
 */
const BATCH_CHARS = 1024 * 1024;
/** What a message's other columns and its formatting add to its text and ext, in characters. */
const ROW_CHARS = 256;

/**
 * `chatExport`: the whole transcript of a chat, read by keyset along idx_messages_chat_page
 * one batch at a time and written as the socket takes it (Readable.from pulls the next batch
 * only when the response drains), so memory stays flat for a chat of any length.
 */
@Injectable()
export class ChatExportService {
  private readonly time: TimeFormatter;

  constructor(
    private readonly access: ChatAccess,
    private readonly messages: ChatMessageRepository,
    private readonly mapper: MessageMapper,
    private readonly audit: AuditLog,
    private readonly operators: OperatorService,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.time = new TimeFormatter(config.timezone);
  }

  /** Checks access (errors are the envelope) and returns the transcript, not yet read. */
  async open(context: OpContext, request: ChatExportRequest): Promise<FileAnswer> {
    const chat = toChatInfo(await this.access.readableChat(context, request.chatId), this.time);
    this.audit.record(context, 'chatExport', { chatId: request.chatId, format: request.format });
    const operatorName =
      request.format === 'html' && chat.operatorId !== null ? await this.operators.usernameOf(context.tenantId, chat.operatorId) : null;
    return {
      stream: Readable.from(this.transcript(context.tenantId, chat, request.format, operatorName), {
        objectMode: false,
        highWaterMark: 64 * 1024,
      }),
      fileName: exportFileName(request.chatId, request.format),
      displayName: exportDisplayName(request.chatId, request.format),
      contentType: EXPORT_CONTENT_TYPES[request.format],
    };
  }

  private async *transcript(
    tenantId: string,
    chat: ChatInfo,
    format: ChatExportRequest['format'],
    operatorName: string | null,
  ): AsyncGenerator<Buffer> {
    const writer = TRANSCRIPT_WRITERS[format];
    const head = writer.head(chat, this.time.formatMs(Date.now()), operatorName);
    if (head) yield Buffer.from(head, 'utf8');
    let after: { timeMs: number; id: string } | null = null;
    let count = 0;
    for (let most = FIRST_ROWS; ; most = MOST_ROWS) {
      // What was yielded leaves now: on SQLite the queries answer synchronously, and without a
      // turn of the event loop the socket stays corked until the stream's buffer is full
      // (measured: the head of a 300k-message chat's CSV left after 36-90 ms, 2.37 took 9-35).
      await nextTurn();
      // As many of the next messages as BATCH_CHARS holds, their lengths asked first: a batch
      // sized by the ones before would read 500 long ones after 500 short ones.
      const sizes = await this.messages.sizesAfter(tenantId, chat.chatId, after, most);
      let take = 0;
      for (let chars = 0; take < sizes.length && (take === 0 || chars + ROW_CHARS + sizes[take] <= BATCH_CHARS); take++) {
        chars += ROW_CHARS + sizes[take];
      }
      const rows: MessageRow[] = take === 0 ? [] : await this.messages.messagesAfter(tenantId, chat.chatId, after, take);
      if (rows.length === 0) break;
      const marks = await this.messages.marks(
        tenantId,
        chat.chatId,
        rows.map((row) => row.id),
      );
      const deadline = this.mapper.urlDeadline();
      const batch: ExportMessage[] = rows.map((row) => ({ ...this.mapper.toMessage(row, deadline), mark: marks.get(row.id) ?? [] }));
      count += batch.length;
      yield Buffer.from(writer.messages(batch), 'utf8');
      const last = rows[rows.length - 1];
      after = { timeMs: Number(last.create_time), id: last.id };
      if (sizes.length < most && take === sizes.length) break;
    }
    const tail = writer.tail(count);
    if (tail) yield Buffer.from(tail, 'utf8');
  }
}
