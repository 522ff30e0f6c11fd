import type { OperatorRole } from '@op/contracts';
import { Column, Entity, PrimaryColumn } from 'typeorm';

// The roles are the contract's (operatorLogin answers them); re-exported for the access module's callers.
export { OPERATOR_ROLES, type OperatorRole } from '@op/contracts';

@Entity({ name: 'operators' })
export class OperatorEntity {
  @PrimaryColumn({ type: 'varchar', length: 32 })
  id!: string;

  @Column({ name: 'tenant_id', type: 'varchar', length: 32 })
  tenantId!: string;

  @Column({ type: 'varchar', length: 64 })
  username!: string;

  /** scrypt; null for an operator who signs in only through issued tokens. */
  @Column({ name: 'password_hash', type: 'varchar', length: 255, nullable: true })
  passwordHash!: string | null;

  @Column({ type: 'varchar', length: 16 })
  role!: OperatorRole;

  @Column({ name: 'im_username', type: 'varchar', length: 128, nullable: true })
  imUsername!: string | null;

  @Column({ name: 'create_time', type: 'bigint' })
  createTime!: string | number;
}
