import { createHash } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { isMysql } from '../../database/data-source';
import { placeholders } from '../../database/sql';

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
    isMysql(manager.connection)
      ? 'INSERT INTO erased_customers (tenant_id, customer_sha256, erased_at) VALUES (?, ?, ?) ON DUPLICATE KEY UPDATE erased_at = GREATEST(erased_at, VALUES(erased_at))'
      : 'INSERT INTO erased_customers (tenant_id, customer_sha256, erased_at) VALUES (?, ?, ?) ON CONFLICT (tenant_id, customer_sha256) DO UPDATE SET erased_at = MAX(erased_at, excluded.erased_at)',
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
