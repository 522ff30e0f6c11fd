import { Inject, Injectable } from '@nestjs/common';
import { DEFAULT_CUSTOMER_LIST_LIMIT, type CustomerListData, type CustomerListRequest } from '@op/contracts';
import type { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { TimeFormatter } from '../../common/util/time-format';
import { requireOperator, type OpContext } from '../access/op-context';
import { ChatRepository } from './chat.repository';

/**
 * The customers of the tenant's chats, looked up by id prefix (the panel's customer picker).
 * An agent sees only the customers of chats assigned to them, as they read no other chat.
 */
@Injectable()
export class CustomerService {
  private readonly time: TimeFormatter;

  constructor(
    private readonly chats: ChatRepository,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.time = new TimeFormatter(config.timezone);
  }

  async list(context: OpContext, request: CustomerListRequest): Promise<CustomerListData> {
    const operator = requireOperator(context);
    const rows = await this.chats.customersByPrefix(
      context.tenantId,
      request.prefix ?? '',
      request.limit ?? DEFAULT_CUSTOMER_LIST_LIMIT,
      operator.role === 'admin' ? null : operator.id,
    );
    return {
      customers: rows.map((row) => ({
        customerId: row.customerId,
        chats: row.chats,
        lastMessageTime: row.lastMessageTimeMs === null ? null : this.time.formatMs(row.lastMessageTimeMs),
      })),
    };
  }
}
