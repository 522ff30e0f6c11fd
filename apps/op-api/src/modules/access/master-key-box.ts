import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { OpError } from '../../common/errors/op-error';
import { dialectOf } from '../../database/dialect';
import { inTransaction } from '../../database/transaction';
import { SecretBox, UnsealError } from '../../common/util/secret-box';
import { resolveMasterKey } from './master-key';

/** The seal context of an appkey's callback secret. */
export const callbackSecretContext = (appkey: string): string => `easemob:${appkey}`;
/** The seal context of an appkey's REST client secret. */
export const restSecretContext = (appkey: string): string => `easemob-rest:${appkey}`;

/** Stored secrets a key is tried on before it seals a new one. */
const KEY_PROBES = 5;

/**
 * The secret box under this process's master key: what seals client secrets and Easemob
 * secrets at rest. One per process, so the key (or its development key file) is read once.
 */
@Injectable()
export class MasterKeyBox extends SecretBox {
  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly dataSource: DataSource,
  ) {
    super(resolveMasterKey(config));
  }

  /**
   * Runs `write`, which seals a new secret and stores it, in one transaction that first proves
   * this process's key with locking reads of stored secrets ({@link assertOpensStored}). A
   * rotation locks every sealed row: it either committed before, and this key is refused (a
   * process still holding the old key), or waits for `write` to commit and re-seals what it
   * stored. Before, a secret sealed meanwhile under the old key opened nowhere afterwards.
   */
  sealing<T>(write: (manager: EntityManager) => Promise<T>): Promise<T> {
    return inTransaction(this.dataSource, async (manager) => {
      await this.assertOpensStored(manager);
      return write(manager);
    });
  }

  /**
   * Refuses to seal a new secret under a key that opens none of the secrets stored (an opctl
   * run with another OP_MASTER_KEY, or a data folder's master.key left behind by a rotation
   * made with OP_MASTER_KEY): sealed under it, the new secret opened in no process that opened
   * the others (a client answered 500) and stopped every later rotation. One stored secret that
   * opens is proof enough (AES-GCM opens under its own key only).
   */
  private async assertOpensStored(manager: EntityManager): Promise<void> {
    const locking = dialectOf(manager).lockingRead;
    const stored: Array<{ sealed: string; context: string }> = [
      ...(
        await manager.query<Array<{ id: string; secret_sealed: string }>>(
          `SELECT id, secret_sealed FROM api_clients ORDER BY create_time DESC LIMIT ${KEY_PROBES}${locking}`,
        )
      ).map((row) => ({ sealed: row.secret_sealed, context: row.id })),
      ...(
        await manager.query<Array<{ appkey: string; callback_secret_sealed: string }>>(
          `SELECT appkey, callback_secret_sealed FROM easemob_apps ORDER BY create_time DESC LIMIT ${KEY_PROBES}${locking}`,
        )
      ).map((row) => ({ sealed: row.callback_secret_sealed, context: callbackSecretContext(row.appkey) })),
    ];
    if (stored.length === 0 || stored.some(({ sealed, context }) => this.opens(sealed, context))) return;
    throw OpError.conflict(
      '当前主密钥（OP_MASTER_KEY，或数据目录中的 master.key）打不开已保存的任何密钥：请使用加密它们时的主密钥，新的密钥不会用它加密',
    );
  }

  private opens(sealed: string, context: string): boolean {
    try {
      this.open(sealed, context);
      return true;
    } catch (error) {
      if (error instanceof UnsealError) return false;
      throw error;
    }
  }
}
