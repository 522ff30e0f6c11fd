import { Inject, Injectable } from '@nestjs/common';
import { Snowflake } from '../../common/util/snowflake';
import type { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';

/**
 * The one source of message ids in a process. Every writer of `messages` (imports, live
 * callbacks) takes its ids here: two Snowflakes with the same worker id would hand out the
 * same id in the same millisecond, and the insert-ignore would silently drop the second row.
 */
@Injectable()
export class MessageIds extends Snowflake {
  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    super(config.workerId);
  }
}
