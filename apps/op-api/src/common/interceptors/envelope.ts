import { Inject, Injectable } from '@nestjs/common';
import { SUCCESS_CODE, SUCCESS_MESSAGE, type Envelope, type Foot, type PageInfo } from '@op/contracts';
import type { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { TimeFormatter } from '../util/time-format';

/** A controller result that carries the §2 `page` block beside its data. */
export class Paged<T> {
  constructor(
    readonly data: T,
    readonly page: PageInfo,
  ) {}
}

/** Builds every response body in the contract's shape and key order. */
@Injectable()
export class EnvelopeFactory {
  readonly time: TimeFormatter;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.time = new TimeFormatter(config.timezone);
  }

  foot(): Foot {
    return { operationTime: this.time.formatMs(Date.now()), servicePhone: this.config.servicePhone, host: this.config.hostName };
  }

  success<T>(result: T | Paged<T>): Envelope<T> {
    if (result instanceof Paged) {
      return { code: SUCCESS_CODE, message: SUCCESS_MESSAGE, data: result.data, page: result.page, foot: this.foot() };
    }
    return { code: SUCCESS_CODE, message: SUCCESS_MESSAGE, data: result ?? null, foot: this.foot() };
  }

  error(code: number, message: string): Envelope<null> {
    return { code, message, data: null, foot: this.foot() };
  }
}
