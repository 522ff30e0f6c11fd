import { DAY_MS } from './message-days';

/** A row of `retention_policies` as both engines return it (bigint columns may come as strings). */
export interface RetentionPolicyRow {
  tenant_id: string;
  message_days: number | string | null;
  audit_days: number | string | null;
}

/** A policy's days: null (keep forever) when unset or 0. */
export const policyDays = (value: number | string | null | undefined): number | null =>
  value === null || value === undefined || Number(value) === 0 ? null : Number(value);

/** The instant before which a policy of `days` lets go; null keeps forever. */
export const cutoffOf = (days: number | null, now: number): number | null => (days === null ? null : now - days * DAY_MS);

/**
 * The tenant's message cutoff as `retention:run` applies it: chats whose last message is older
 * are deleted, so a message older than it may not open one (the router's check).
 */
export async function messageCutoff(
  db: { query(sql: string, params: unknown[]): Promise<unknown> },
  tenantId: string,
  now = Date.now(),
): Promise<number | null> {
  const rows = (await db.query('SELECT message_days FROM retention_policies WHERE tenant_id = ?', [tenantId])) as Array<
    Pick<RetentionPolicyRow, 'message_days'>
  >;
  return cutoffOf(policyDays(rows[0]?.message_days), now);
}
