import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { OpError } from '../../common/errors/op-error';
import { randomHex32 } from '../../common/util/random-id';
import { TenantEntity } from './tenant.entity';

/** Tenants: every client, operator, appkey and chat belongs to one. */
@Injectable()
export class TenantService {
  constructor(private readonly dataSource: DataSource) {}

  async create(name: string): Promise<{ tenantId: string }> {
    const trimmed = name.trim();
    if (trimmed.length < 1 || trimmed.length > 128) throw OpError.badRequest('name 长度必须在 1 到 128 个字符之间');
    const tenant = this.dataSource.getRepository(TenantEntity).create({ id: randomHex32(), name: trimmed, createTime: Date.now() });
    await this.dataSource.getRepository(TenantEntity).insert(tenant);
    return { tenantId: tenant.id };
  }

  /** Throws 404 for an unknown tenant. */
  async requireExists(tenantId: string): Promise<void> {
    const found = await this.dataSource.getRepository(TenantEntity).existsBy({ id: tenantId });
    if (!found) throw OpError.notFound(`租户 ${tenantId} 不存在`);
  }
}
