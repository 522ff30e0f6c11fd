import type { SignMethod } from '@op/contracts';
import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'api_clients' })
export class ApiClientEntity {
  @PrimaryColumn({ type: 'varchar', length: 32 })
  id!: string;

  @Column({ name: 'tenant_id', type: 'varchar', length: 32 })
  tenantId!: string;

  /** AES-256-GCM under the master key: a database dump alone cannot sign requests. */
  @Column({ name: 'secret_sealed', type: 'varchar', length: 255 })
  secretSealed!: string;

  @Column({ name: 'sign_method', type: 'varchar', length: 16 })
  signMethod!: SignMethod;

  @Column({ name: 'create_time', type: 'bigint' })
  createTime!: string | number;

  @Column({ name: 'revoke_time', type: 'bigint', nullable: true })
  revokeTime!: string | number | null;

  /** 1 for the admin panel's client: the one whose `x-op-user-ip` names the browser's address. */
  @Column({ name: 'panel', type: 'smallint', default: 0 })
  panel!: number;
}
