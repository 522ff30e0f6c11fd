import { Inject, Injectable } from '@nestjs/common';
import { DEFAULT_PAGE_NUM, DEFAULT_PAGE_SIZE, pageInfo, type AuditAction, type AuditListData, type AuditListRequest } from '@op/contracts';
import { DataSource } from 'typeorm';
import type { OpContext } from '../../common/decorators/op-context.decorator';
import { OpError } from '../../common/errors/op-error';
import { Paged } from '../../common/interceptors/envelope';
import { dropNulls } from '../../common/util/drop-nulls';
import { TimeFormatter, parseZonedTime } from '../../common/util/time-format';
import type { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { requireOperator } from '../chat-message/chat-access.service';
import { AuditLog } from './audit-log.service';

interface AuditRow {
  operator_id: string;
  client_id: string;
  action: AuditAction;
  target: string;
  ip: string;
  create_time: number | string;
}

/** `auditList`: the tenant's audit trail, newest first, for admins. */
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
    const where = ['tenant_id = ?'];
    const params: unknown[] = [context.tenantId];
    const add = (sql: string, value: unknown) => {
      where.push(sql);
      params.push(value);
    };
    if (request.operatorId !== undefined) add('operator_id = ?', request.operatorId);
    if (request.action !== undefined) add('action = ?', request.action);
    if (request.chatId !== undefined) add('chat_id = ?', request.chatId);
    const from = request.from === undefined ? undefined : this.parse('from', request.from);
    const to = request.to === undefined ? undefined : this.parse('to', request.to);
    if (from !== undefined && to !== undefined && from > to) throw OpError.badRequest('from 不能晚于 to');
    if (from !== undefined) add('create_time >= ?', from);
    // `to` names a whole second: everything up to its last millisecond.
    if (to !== undefined) add('create_time <= ?', to + 999);

    // What was recorded before this call is visible to it.
    await this.log.flush();
    const clause = where.join(' AND ');
    const [{ n }]: Array<{ n: number | string }> = await this.dataSource.query(`SELECT COUNT(*) AS n FROM audit_logs WHERE ${clause}`, params);
    const total = Number(n);
    const offset = (pageNum - 1) * pageSize;
    const rows: AuditRow[] = offset < total
      ? await this.dataSource.query(
          `SELECT operator_id, client_id, action, target, ip, create_time FROM audit_logs WHERE ${clause} ` +
            'ORDER BY create_time DESC, id DESC LIMIT ? OFFSET ?',
          [...params, pageSize, offset],
        )
      : [];
    const records = rows.map((row) => ({
      time: this.time.formatMs(Number(row.create_time)),
      operatorId: row.operator_id,
      clientId: row.client_id,
      action: row.action,
      target: row.target,
      ip: row.ip,
    }));
    return new Paged({ records }, pageInfo(total, pageNum, pageSize, records.length));
  }

  private parse(field: string, text: string): number {
    const ms = parseZonedTime(text, this.time);
    if (ms === null) throw OpError.badRequest(`${field} 不是有效的时间：${text}`);
    return ms;
  }
}
