import { createHash } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { dialectOf, merge } from '../../database/dialect';
import { placeholders, valueRows } from '../../database/sql';

/**
 * A customer as erasure records name them: a digest, not the id in clear. The record must not
 * itself be a trace of the person erased, yet whoever holds the id (the customer, a regulator)
 * can show that an erasure was theirs.
 */
export const customerDigest = (tenantId: string, customerId: string) =>
  createHash('sha256').update(`${tenantId}\u0000${customerId}`, 'utf8').digest('hex');

/** Records the moment a customer is erased (a later erasure moves it on). */
export async function recordErasure(manager: EntityManager, tenantId: string, customerId: string, timeMs: number): Promise<void> {
  await manager.query(
    `INSERT INTO erased_customers (tenant_id, customer_sha256, erased_at) VALUES (?, ?, ?) ${dialectOf(manager).onConflict(['tenant_id', 'customer_sha256'], { erased_at: merge.max })}`,
    [tenantId, customerDigest(tenantId, customerId), timeMs],
  );
}

/** When each of these names (of one tenant) was last erased as a customer; names never erased are absent. */
export async function erasureTimes(manager: EntityManager, tenantId: string, names: Iterable<string>): Promise<Map<string, number>> {
  const byDigest = new Map<string, string>();
  for (const name of names) byDigest.set(customerDigest(tenantId, name), name);
  if (byDigest.size === 0) return new Map();
  const rows: Array<{ customer_sha256: string; erased_at: number | string }> = await manager.query(
    `SELECT customer_sha256, erased_at FROM erased_customers WHERE tenant_id = ? AND customer_sha256 IN (${placeholders(byDigest.size)})`,
    [tenantId, ...byDigest.keys()],
  );
  return new Map(rows.map((row) => [byDigest.get(row.customer_sha256)!, Number(row.erased_at)]));
}

/** Records Easemob ids as erased: every writer treats them as stored from now on. */
export async function rememberErased(manager: EntityManager, tenantId: string, hxMsgIds: readonly string[]): Promise<void> {
  const ids = [...new Set(hxMsgIds)];
  if (ids.length === 0) return;
  await manager.query(
    `${dialectOf(manager).insertIgnore} INTO erased_messages (tenant_id, hx_msg_id) VALUES ${valueRows(ids.length, 2)}`,
    ids.flatMap((id) => [tenantId, id]),
  );
}
