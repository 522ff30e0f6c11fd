import { Inject, Injectable } from '@nestjs/common';
import { Readable } from 'node:stream';
import {
  AUDIT_ACTION_LABELS,
  DEFAULT_PAGE_NUM,
  DEFAULT_PAGE_SIZE,
  UTF8_BOM,
  pageInfo,
  type AuditAction,
  type AuditExportRequest,
  type AuditListData,
  type AuditListRequest,
  type AuditRecord,
} from '@op/contracts';
import { csvRows } from '../../common/util/csv';
import { DataSource } from 'typeorm';
import { type OpContext, requireOperator } from '../access/op-context';
import { OpError } from '../../common/errors/op-error';
import { Paged } from '../../common/interceptors/envelope';
import { dropNulls } from '../../common/util/drop-nulls';
import type { FileAnswer } from '../../common/util/file-answer';
import { TimeFormatter } from '../../common/util/time-format';
import { parseTimeRange } from '../../common/util/time-range';
import type { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { dialectOf } from '../../database/dialect';
import { keysetAfter, SqlFilter } from '../../database/sql';
import { AuditLog, TARGET_NAMES_CHAT } from './audit-log.service';

interface AuditRow {
  id: string;
  chat_id: string | null;
  operator_id: string;
  client_id: string;
  action: AuditAction;
  target: string;
  ip: string;
  create_time: number | string;
}

const ROW_COLUMNS = 'CAST(id AS CHAR) AS id, chat_id, operator_id, client_id, action, target, ip, create_time';
const EXPORT_BATCH = 1_000;
const EXPORT_COLUMNS = ['time', 'operatorId', 'clientId', 'action', 'actionLabel', 'chatId', 'target', 'ip'];

/** The stored JSON text of a target as the object it was (an unreadable one as `{}`, never an error). */
function parseTarget(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/**
 * A stored target as recorded: the `chatId` of a target that names its chat is stored once, in
 * the chat_id column, and comes back first (records written before kept it in the JSON too).
 */
function targetOf(row: AuditRow): Record<string, unknown> {
  const target = parseTarget(row.target);
  if (!(TARGET_NAMES_CHAT[row.action] ?? false) || row.chat_id === null || 'chatId' in target) return target;
  return { chatId: row.chat_id, ...target };
}

/** `auditList` and `auditExport`: the tenant's audit trail, for admins. */
@Injectable()
export class AuditService {
  private readonly time: TimeFormatter;

  constructor(
    private readonly dataSource: DataSource,
    private readonly log: AuditLog,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.time = new TimeFormatter(config.timezone);
  }

  async list(context: OpContext, body: AuditListRequest): Promise<Paged<AuditListData>> {
    const request = dropNulls(body);
    if (requireOperator(context).role !== 'admin') throw OpError.forbidden('auditList 只允许管理员（admin）调用');
    const pageNum = request.pageNum ?? DEFAULT_PAGE_NUM;
    const pageSize = request.pageSize ?? DEFAULT_PAGE_SIZE;
    const { from, clause, params } = this.filters(context, request);

    // What was recorded before this call is visible to it.
    await this.log.flush();
    const [{ n }]: Array<{ n: number | string }> = await this.dataSource.query(`SELECT COUNT(*) AS n ${from} WHERE ${clause}`, params);
    const total = Number(n);
    const offset = (pageNum - 1) * pageSize;
    const rows: AuditRow[] =
      offset < total
        ? await this.dataSource.query(
            `SELECT ${ROW_COLUMNS} ${from} WHERE ${clause} ORDER BY audit_logs.create_time DESC, audit_logs.id DESC LIMIT ? OFFSET ?`,
            [...params, pageSize, offset],
          )
        : [];
    const records = rows.map((row) => this.record(row));
    return new Paged({ records }, pageInfo(total, pageNum, pageSize, records.length));
  }

  /**
   * `auditExport` (admins): the records of a time range (with auditList's other filters) as
   * CSV, oldest first, read by keyset in batches and streamed as the client reads.
   */
  async export(context: OpContext, body: AuditExportRequest): Promise<FileAnswer> {
    const request = dropNulls(body);
    if (requireOperator(context).role !== 'admin') throw OpError.forbidden('auditExport 只允许管理员（admin）调用');
    const { from, clause, params } = this.filters(context, request);
    this.log.record(
      context,
      'auditExport',
      {
        from: request.from,
        to: request.to,
        ...(request.operatorId === undefined ? {} : { operatorId: request.operatorId }),
        ...(request.action === undefined ? {} : { action: request.action }),
      },
      request.chatId ?? null,
    );
    await this.log.flush();
    return {
      stream: Readable.from(this.csv(from, clause, params), { objectMode: false, highWaterMark: 64 * 1024 }),
      fileName: `audit-${request.from.slice(0, 10)}-${request.to.slice(0, 10)}.csv`,
      contentType: 'text/csv; charset=utf-8',
    };
  }

  private async *csv(from: string, clause: string, params: unknown[]): AsyncGenerator<Buffer> {
    const rows = (records: unknown[][]) => Buffer.from(csvRows(records), 'utf8');
    yield Buffer.concat([Buffer.from(UTF8_BOM, 'utf8'), rows([EXPORT_COLUMNS])]);
    let after: { timeMs: number; id: string } | null = null;
    for (;;) {
      const past = keysetAfter(after, 'audit_logs');
      const batch: AuditRow[] = await this.dataSource.query(
        `SELECT ${ROW_COLUMNS} ${from} WHERE ${clause}${past.sql} ORDER BY audit_logs.create_time, audit_logs.id LIMIT ${EXPORT_BATCH}`,
        [...params, ...past.params],
      );
      if (batch.length === 0) return;
      yield rows(
        batch.map((row) => {
          const record = this.record(row);
          return [
            record.time,
            record.operatorId,
            record.clientId,
            record.action,
            AUDIT_ACTION_LABELS[record.action] ?? record.action,
            record.chatId ?? '',
            JSON.stringify(record.target),
            record.ip,
          ];
        }),
      );
      const last = batch[batch.length - 1];
      after = { timeMs: Number(last.create_time), id: last.id };
      if (batch.length < EXPORT_BATCH) return;
    }
  }

  private record(row: AuditRow): AuditRecord {
    return {
      time: this.time.formatMs(Number(row.create_time)),
      operatorId: row.operator_id,
      clientId: row.client_id,
      action: row.action,
      chatId: row.chat_id,
      // The stored JSON is what `record` was given for this action.
      target: targetOf(row),
      ip: row.ip,
    } as AuditRecord;
  }

  /**
   * The FROM and WHERE clauses of auditList's filters, for the caller's tenant. FROM names the
   * index read whatever the statistics (issue 14): each is keyed by tenant, then one filter,
   * then time, so the filter is one range read in the list's (and the export's) time order, a
   * time range bounding it: `chatId` (a chat's trail is short) before `operatorId` before
   * `action`, the others checked on the rows read; none, the tenant's time index.
   */
  private filters(
    context: OpContext,
    request: Pick<AuditListRequest, 'operatorId' | 'action' | 'chatId' | 'from' | 'to'>,
  ): { from: string; clause: string; params: unknown[] } {
    const filter = new SqlFilter('tenant_id = ?', context.tenantId);
    if (request.operatorId !== undefined) filter.add('operator_id = ?', request.operatorId);
    if (request.action !== undefined) filter.add('action = ?', request.action);
    if (request.chatId !== undefined) filter.add('chat_id = ?', request.chatId);
    filter.addRange('create_time', parseTimeRange(this.time, ['from', request.from], ['to', request.to]));
    const index =
      request.chatId !== undefined
        ? 'idx_audit_logs_tenant_chat'
        : request.operatorId !== undefined
          ? 'idx_audit_logs_tenant_operator'
          : request.action !== undefined
            ? 'idx_audit_logs_tenant_action'
            : 'idx_audit_logs_tenant_time';
    return { from: `FROM audit_logs ${dialectOf(this.dataSource).forceIndex(index)}`, clause: filter.clause, params: filter.params };
  }
}
