import type { AuditExportRequest } from '@op/contracts';
import { relayFile } from '@/lib/file-download';
import { toApiTime } from '@/lib/search-query';

/** `/audit/export?from=…&to=…[&operatorId&action&chatId]`: the audit trail of a time range as CSV (admins). */
export async function GET(request: Request): Promise<Response> {
  const query = Object.fromEntries(new URL(request.url).searchParams);
  // A missing bound stays missing: the API names it (`from 不能为空`).
  const body: Record<string, string | undefined> = {
    from: toApiTime(query.from || undefined, false),
    to: toApiTime(query.to || undefined, true),
  };
  for (const name of ['operatorId', 'action', 'chatId'] as const) if (query[name]) body[name] = query[name];
  return relayFile(request, (op) => op.auditExport(body as unknown as AuditExportRequest));
}
