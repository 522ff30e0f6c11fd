import { Transform } from 'class-transformer';
import { IsDefined, IsIn, IsString, Matches } from 'class-validator';
import { CharLength, ChatIdField, IdField, MAX_CUSTOMER_ID_LENGTH, trimmed } from './chat-message-list.request';
import { AuditFilters, DATE_TIME_PATTERN } from './search-marks-audit.request';

/** Formats of `chatExport` (docs/CONTRACT.md §7). */
export const EXPORT_FORMATS = ['jsonl', 'csv', 'html'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** The media type each export format is served as. */
export const EXPORT_CONTENT_TYPES: Readonly<Record<ExportFormat, string>> = {
  jsonl: 'application/x-ndjson; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
  html: 'text/html; charset=utf-8',
};

/** Body of `chatExport`: the whole transcript of one chat as a file. */
export class ChatExportRequest {
  @ChatIdField()
  chatId!: string;

  @IsIn(EXPORT_FORMATS, { message: `format 只能是 ${EXPORT_FORMATS.join('、')}` })
  @IsString({ message: 'format 必须是字符串' })
  @IsDefined({ message: 'format 不能为空' })
  format!: ExportFormat;
}

/** Body of `customerErase` (admins): `confirm` repeats the id, so a slip of the finger erases nothing. */
export class CustomerEraseRequest {
  @IdField('customerId', MAX_CUSTOMER_ID_LENGTH)
  customerId!: string;

  @CharLength(1, MAX_CUSTOMER_ID_LENGTH, { message: `confirm 长度必须在 1 到 ${MAX_CUSTOMER_ID_LENGTH} 个字符之间` })
  @IsString({ message: 'confirm 必须是字符串（再次填写 customerId）' })
  @IsDefined({ message: 'confirm 不能为空（再次填写 customerId）' })
  confirm!: string;
}

/** Body of `auditExport` (admins): the audit trail of a time range as CSV, oldest first. */
export class AuditExportRequest extends AuditFilters {
  @Matches(DATE_TIME_PATTERN, { message: 'from 必须是 yyyy-MM-dd HH:mm:ss 格式的时间' })
  @IsString({ message: 'from 必须是字符串（yyyy-MM-dd HH:mm:ss）' })
  @IsDefined({ message: 'from 不能为空' })
  @Transform(trimmed)
  from!: string;

  @Matches(DATE_TIME_PATTERN, { message: 'to 必须是 yyyy-MM-dd HH:mm:ss 格式的时间' })
  @IsString({ message: 'to 必须是字符串（yyyy-MM-dd HH:mm:ss）' })
  @IsDefined({ message: 'to 不能为空' })
  @Transform(trimmed)
  to!: string;
}
