import { Injectable } from '@nestjs/common';
import type { CustomerEraseData, CustomerEraseRequest } from '@op/contracts';
import { DataSource } from 'typeorm';
import { type OpContext, requireOperator } from '../access/op-context';
import { OpError } from '../../common/errors/op-error';
import { inTransaction } from '../../database/transaction';
import { AuditLog } from '../audit/audit-log.service';
import { customerDigest, recordErasure, rememberErased } from '../chat-message/erased-customers';
import { CallbackSpool } from '../easemob/callback-spool.service';
import { ChatPurger } from './chat-purge.service';

/** `customerErase` (admins): every chat of a customer in the tenant, and everything in them. */
@Injectable()
export class CustomerEraseService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly purger: ChatPurger,
    private readonly audit: AuditLog,
    private readonly spool: CallbackSpool,
  ) {}

  async erase(context: OpContext, request: CustomerEraseRequest): Promise<CustomerEraseData> {
    if (requireOperator(context).role !== 'admin') throw OpError.forbidden('customerErase 只允许管理员（admin）调用');
    if (request.confirm !== request.customerId) throw OpError.badRequest('confirm 必须与 customerId 完全相同');
    const { tenantId } = context;
    const { customerId } = request;
    // First record the erasure (a journalled callback of theirs received before now is not
    // stored when the journal drains) and free the customer: from here on, a message of theirs
    // opens a new chat, which this erasure does not touch; then the chats they had.
    const erasedAt = Date.now();
    const chatIds = await inTransaction(this.dataSource, async (manager) => {
      await recordErasure(manager, tenantId, customerId, erasedAt);
      await manager.query('DELETE FROM chat_open WHERE tenant_id = ? AND customer_id = ?', [tenantId, customerId]);
      const rows: Array<{ id: string }> = await manager.query('SELECT id FROM chats WHERE tenant_id = ? AND customer_id = ? ORDER BY id', [
        tenantId,
        customerId,
      ]);
      return rows.map((row) => row.id);
    });
    // The Easemob ids of the messages erased are remembered, so no reconcile, re-import or
    // redelivery stores one of them again.
    const counts = await this.purger.purgeChats(tenantId, chatIds, undefined, undefined, { rememberErased: true });
    // The callback journals on this machine: the customer's entries received up to now
    // (stored, waiting or set aside) are blanked in place, and their ids remembered too.
    const blanked = await this.spool.scrubCustomer(tenantId, customerId, erasedAt);
    await inTransaction(this.dataSource, (manager) => rememberErased(manager, tenantId, blanked));
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
