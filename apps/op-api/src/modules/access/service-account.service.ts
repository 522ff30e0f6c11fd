import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { TRIMMED_ID_PATTERN, untrimmedIdMessage } from '@op/contracts';
import { OpError } from '../../common/errors/op-error';
import { TenantService } from './tenant.service';

/**
 * An IM account as Easemob's callbacks name it: 1 to 128 characters, no white space at either
 * end (a callback's `from` or `to` never has it, so `svc_bot ` was a name nothing matched, or on
 * MariaDB, whose comparison ignores trailing spaces, another's).
 */
export function checkImUsername(imUsername: string): void {
  if (imUsername.length < 1 || imUsername.length > 128) throw OpError.badRequest('im-username 长度必须在 1 到 128 个字符之间');
  if (!TRIMMED_ID_PATTERN.test(imUsername)) throw OpError.badRequest(untrimmedIdMessage('im-username'));
}

/** A tenant's own IM accounts (robots, shared desks): their side of a chat is not a customer. */
@Injectable()
export class ServiceAccountService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly tenants: TenantService,
  ) {}

  /** Adds one of the tenant's own IM accounts (not a customer); idempotent. */
  async add(tenantId: string, imUsername: string): Promise<{ tenantId: string; imUsername: string }> {
    checkImUsername(imUsername);
    await this.tenants.requireExists(tenantId);
    const found: unknown[] = await this.dataSource.query('SELECT 1 FROM service_accounts WHERE tenant_id = ? AND im_username = ?', [
      tenantId,
      imUsername,
    ]);
    if (found.length === 0) {
      await this.dataSource.query('INSERT INTO service_accounts (tenant_id, im_username, create_time) VALUES (?, ?, ?)', [
        tenantId,
        imUsername,
        Date.now(),
      ]);
    }
    return { tenantId, imUsername };
  }
}
