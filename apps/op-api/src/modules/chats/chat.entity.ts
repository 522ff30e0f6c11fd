import { Column, Entity, PrimaryColumn } from 'typeorm';

/** The chats table, owned by the chats module: every write goes through ChatRepository. */
@Entity({ name: 'chats' })
export class ChatEntity {
  @PrimaryColumn({ name: 'tenant_id', type: 'varchar', length: 32 })
  tenantId!: string;

  @PrimaryColumn({ type: 'varchar', length: 64 })
  id!: string;

  @Column({ type: 'smallint' })
  status!: number;

  @Column({ name: 'customer_id', type: 'varchar', length: 128, nullable: true })
  customerId!: string | null;

  @Column({ name: 'operator_id', type: 'varchar', length: 32, nullable: true })
  operatorId!: string | null;

  @Column({ name: 'create_time', type: 'bigint' })
  createTime!: string | number;

  @Column({ name: 'accept_time', type: 'bigint', nullable: true })
  acceptTime!: string | number | null;

  @Column({ name: 'end_time', type: 'bigint', nullable: true })
  endTime!: string | number | null;

  @Column({ name: 'last_message_time', type: 'bigint', nullable: true })
  lastMessageTime!: string | number | null;

  /** Kept current as messages arrive, so a page never counts the chat. */
  @Column({ name: 'message_count', type: 'int', default: 0 })
  messageCount!: number;

  /** How many of the chat's first messages carry their position in `messages.seq` (MessageSequence). */
  @Column({ name: 'seq_upto', type: 'int', default: 0 })
  seqUpto!: number;

  /** The (create_time, id) of the last of them; 0 while none is. */
  @Column({ name: 'seq_last_time', type: 'bigint', default: 0 })
  seqLastTime!: string | number;

  @Column({ name: 'seq_last_id', type: 'bigint', default: 0 })
  seqLastId!: string | number;
}
