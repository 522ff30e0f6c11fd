import { Column, Entity, PrimaryColumn } from 'typeorm';

/** An operator session token, stored only as its SHA-256. */
@Entity({ name: 'operator_tokens' })
export class OperatorTokenEntity {
  @PrimaryColumn({ name: 'token_hash', type: 'varchar', length: 64 })
  tokenHash!: string;

  @Column({ name: 'operator_id', type: 'varchar', length: 32 })
  operatorId!: string;

  @Column({ name: 'tenant_id', type: 'varchar', length: 32 })
  tenantId!: string;

  @Column({ name: 'expire_time', type: 'bigint' })
  expireTime!: string | number;

  @Column({ name: 'revoke_time', type: 'bigint', nullable: true })
  revokeTime!: string | number | null;

  @Column({ name: 'create_time', type: 'bigint' })
  createTime!: string | number;
}
