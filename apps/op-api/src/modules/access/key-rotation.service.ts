import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { SecretBox } from '../../common/util/secret-box';
import { dialectOf } from '../../database/dialect';
import { inTransaction } from '../../database/transaction';
import { EasemobAppService } from './easemob-app.service';
import { callbackSecretContext, MasterKeyBox, restSecretContext } from './master-key-box';

/** Master-key rotation: every secret sealed at rest moves to the new key at once. */
@Injectable()
export class KeyRotationService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly box: MasterKeyBox,
    private readonly easemobApps: EasemobAppService,
  ) {}

  /**
   * Re-seals every stored secret (client secrets, Easemob callback secrets) under a new
   * master key, in one transaction: after it, only the new key opens them.
   */
  async resealAll(newKey: Buffer): Promise<{ resealed: number }> {
    const next = new SecretBox(newKey);
    // Every sealed row read with a lock (MySQL; SQLite's transaction holds the write lock from
    // its start): a secret being sealed meanwhile (MasterKeyBox.sealing) is stored before this
    // reads it, and re-sealed, or waits and is refused under the old key; none is left behind.
    return inTransaction(this.dataSource, async (manager) => {
      const locking = dialectOf(manager).lockingRead;
      let resealed = 0;
      const clients: Array<{ id: string; secret_sealed: string }> = await manager.query(
        `SELECT id, secret_sealed FROM api_clients${locking}`,
      );
      for (const row of clients) {
        const sealed = next.seal(this.box.open(row.secret_sealed, row.id), row.id);
        await manager.query('UPDATE api_clients SET secret_sealed = ? WHERE id = ?', [sealed, row.id]);
        resealed++;
      }
      const apps: Array<{ appkey: string; callback_secret_sealed: string }> = await manager.query(
        `SELECT appkey, callback_secret_sealed FROM easemob_apps${locking}`,
      );
      for (const row of apps) {
        const context = callbackSecretContext(row.appkey);
        const sealed = next.seal(this.box.open(row.callback_secret_sealed, context), context);
        await manager.query('UPDATE easemob_apps SET callback_secret_sealed = ? WHERE appkey = ?', [sealed, row.appkey]);
        resealed++;
      }
      const rest: Array<{ appkey: string; client_secret_sealed: string }> = await manager.query(
        `SELECT appkey, client_secret_sealed FROM easemob_apps WHERE client_secret_sealed IS NOT NULL${locking}`,
      );
      for (const row of rest) {
        const context = restSecretContext(row.appkey);
        const sealed = next.seal(this.box.open(row.client_secret_sealed, context), context);
        await manager.query('UPDATE easemob_apps SET client_secret_sealed = ? WHERE appkey = ?', [sealed, row.appkey]);
        resealed++;
      }
      this.easemobApps.forgetAll();
      return { resealed };
    });
  }
}
