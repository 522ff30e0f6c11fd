import { Inject, Injectable } from '@nestjs/common';
import type { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { SecretBox } from '../../common/util/secret-box';
import { resolveMasterKey } from './master-key';

/**
 * The secret box under this process's master key: what seals client secrets and Easemob
 * secrets at rest. One per process, so the key (or its development key file) is read once.
 */
@Injectable()
export class MasterKeyBox extends SecretBox {
  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    super(resolveMasterKey(config));
  }
}
