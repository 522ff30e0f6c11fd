import { Injectable } from '@nestjs/common';
import type { OperatorSummary } from '@op/contracts';
import { DataSource } from 'typeorm';
import { OpError } from '../../common/errors/op-error';
import { hashPassword, verifyPassword } from '../../common/util/password';
import { dialectOf } from '../../database/dialect';
import { randomHex32 } from '../../common/util/random-id';
import { OPERATOR_ROLES, OperatorEntity, type OperatorRole } from './operator.entity';
import { checkImUsername } from './service-account.service';
import { TenantService } from './tenant.service';

export interface CreatedOperator {
  operatorId: string;
  username: string;
  role: OperatorRole;
  tenantId: string;
}

const USERNAME = /^[A-Za-z0-9_.@-]{1,64}$/;

/** Operators (agents and admins of a tenant) and their passwords. */
@Injectable()
export class OperatorService {
  /** Verified against for unknown users, so a wrong username costs what a wrong password does. */
  private dummyHash?: Promise<string>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly tenants: TenantService,
  ) {}

  async create(input: {
    tenantId: string;
    username: string;
    password?: string;
    role?: string;
    imUsername?: string;
  }): Promise<CreatedOperator> {
    const role = (input.role ?? 'agent') as OperatorRole;
    if (!OPERATOR_ROLES.includes(role)) throw OpError.badRequest(`role 只能是 ${OPERATOR_ROLES.join(' 或 ')}`);
    if (!USERNAME.test(input.username)) throw OpError.badRequest('username 只能由 1 到 64 个字母、数字或 _ . @ - 组成');
    if (input.password !== undefined && (input.password.length < 8 || input.password.length > 128)) {
      throw OpError.badRequest('password 长度必须在 8 到 128 个字符之间');
    }
    if (input.imUsername !== undefined) checkImUsername(input.imUsername);
    await this.tenants.requireExists(input.tenantId);
    const repository = this.dataSource.getRepository(OperatorEntity);
    if (await repository.existsBy({ tenantId: input.tenantId, username: input.username })) {
      throw OpError.conflict(`username ${input.username} 已存在`);
    }
    const operator = repository.create({
      id: randomHex32(),
      tenantId: input.tenantId,
      username: input.username,
      passwordHash: input.password === undefined ? null : await hashPassword(input.password),
      role,
      imUsername: input.imUsername ?? null,
      createTime: Date.now(),
    });
    await repository.insert(operator);
    return { operatorId: operator.id, username: operator.username, role, tenantId: operator.tenantId };
  }

  /** An operator of this tenant, or null. */
  find(tenantId: string, operatorId: string): Promise<OperatorEntity | null> {
    return this.dataSource.getRepository(OperatorEntity).findOneBy({ tenantId, id: operatorId });
  }

  /**
   * The operators a caller may name: every operator of the tenant for an admin, by username
   * (read along uq_operators_tenant_username, already in that order); an agent only itself.
   * Never a secret: the columns read are the id, the username and the role.
   */
  async list(tenantId: string, caller: { id: string; role: OperatorRole }): Promise<OperatorSummary[]> {
    const rows: Array<{ id: string; username: string; role: OperatorRole }> =
      caller.role === 'admin'
        ? await this.dataSource.query(
            `SELECT o.id, o.username, o.role FROM operators o ${dialectOf(this.dataSource).forceIndex('uq_operators_tenant_username')} ` +
              'WHERE o.tenant_id = ? ORDER BY o.username',
            [tenantId],
          )
        : await this.dataSource.query('SELECT o.id, o.username, o.role FROM operators o WHERE o.tenant_id = ? AND o.id = ?', [
            tenantId,
            caller.id,
          ]);
    return rows.map((row) => ({ operatorId: row.id, username: row.username, role: row.role }));
  }

  /** The username of one of the tenant's operators; null when there is none of that id. */
  async usernameOf(tenantId: string, operatorId: string): Promise<string | null> {
    const rows: Array<{ username: string }> = await this.dataSource.query('SELECT username FROM operators WHERE tenant_id = ? AND id = ?', [
      tenantId,
      operatorId,
    ]);
    return rows[0]?.username ?? null;
  }

  /** Checks a password; the same slow work is done for an unknown user, so timing tells nothing. */
  async verifyPassword(tenantId: string, username: string, password: string): Promise<OperatorEntity | null> {
    // A name no operator can have is nobody's, not looked up: MySQL's collation would take
    // 'alice ' for 'alice', a spelling the sign-in throttle counts apart.
    const operator = USERNAME.test(username) ? await this.dataSource.getRepository(OperatorEntity).findOneBy({ tenantId, username }) : null;
    this.dummyHash ??= hashPassword('timing-equaliser');
    const stored = operator?.passwordHash ?? (await this.dummyHash);
    const valid = await verifyPassword(password, stored);
    return operator && operator.passwordHash && valid ? operator : null;
  }
}
