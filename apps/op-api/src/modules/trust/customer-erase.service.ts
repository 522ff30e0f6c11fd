import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { CustomerEraseData, CustomerEraseRequest } from '@op/contracts';
import { DataSource } from 'typeorm';
import type { OpContext } from '../../common/decorators/op-context.decorator';
import { OpError } from '../../common/errors/op-error';
import { inTransaction } from '../../database/transaction';
import { AuditLog } from '../audit/audit-log.service';
import { requireOperator } from '../chat-message/chat-access.service';
import { ChatPurger } from './chat-purge.service';

/**
 * The audit record of an erasure names the customer by this digest, not in clear: the record
 * must not itself be a trace of the person erased, yet whoever holds the id (the customer, a
 * regulator) can show that this erasure was theirs.
 */
export const customerDigest = (tenantId: string, customerId: string) =>
  createHash('sha256').update(`${tenantId}\u0000${customerId}`, 'utf8').digest('hex');

/** `customerErase` (admins): every chat of a customer in the tenant, and everything in them. */
@Injectable()
export class CustomerEraseService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly purger: ChatPurger,
    private readonly audit: AuditLog,
  ) {}

  async erase(context: OpContext, request: CustomerEraseRequest): Promise<CustomerEraseData> {
    if (requireOperator(context).role !== 'admin') throw OpError.forbidden('customerErase 只允许管理员（admin）调用');
    if (request.confirm !== request.customerId) throw OpError.badRequest('confirm 必须与 customerId 完全相同');
    const { tenantId } = context;
    const { customerId } = request;
    // First free the customer: from here on, a message of theirs opens a new chat, which this
    // erasure does not touch; then the chats they had, as they stand now.
    const chatIds = await inTransaction(this.dataSource, async (manager) => {
      await manager.query('DELETE FROM chat_open WHERE tenant_id = ? AND customer_id = ?', [tenantId, customerId]);
      const rows: Array<{ id: string }> = await manager.query('SELECT id FROM chats WHERE tenant_id = ? AND customer_id = ? ORDER BY id', [
        tenantId,
        customerId,
      ]);
      return rows.map((row) => row.id);
    });
    const counts = await this.purger.purgeChats(tenantId, chatIds);
    this.audit.record(context, 'customerErase', {
      customerIdSha256: customerDigest(tenantId, customerId),
      chats: counts.chats,
      messages: counts.messages,
      marks: counts.marks,
      favorites: counts.favorites,
    });
    // The record of an irreversible act is stored before the answer says it is done.
    await this.audit.flush();
    return { customerId, ...counts };
  }
}
