import { Inject, Injectable } from '@nestjs/common';
import {
  DEFAULT_EASEMOB_GAPS_HOURS,
  MAX_EASEMOB_GAPS_DAYS,
  MAX_EASEMOB_GAPS_HOURS,
  type EasemobGapsData,
  type EasemobGapsRequest,
} from '@op/contracts';
import { OpError } from '../../common/errors/op-error';
import { TimeFormatter } from '../../common/util/time-format';
import { endOfSecond, parseTimeRange } from '../../common/util/time-range';
import type { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { requireOperator, type OpContext } from '../access/op-context';
import { EasemobAppService } from '../access/easemob-app.service';
import { ReconcileService } from './reconcile.service';

const HOUR_MS = 3_600_000;

/**
 * `easemobGaps` (admins): `opctl easemob:gaps` over the Op API, for the caller's tenant, with
 * the range and the hours in the API's time format. Easemob's hours are whole hours of a
 * whole-hour UTC offset, so each starts on a multiple of an hour in epoch time.
 */
@Injectable()
export class EasemobGapsService {
  private readonly time: TimeFormatter;

  constructor(
    private readonly reconcile: ReconcileService,
    private readonly easemobApps: EasemobAppService,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.time = new TimeFormatter(config.timezone);
  }

  async list(context: OpContext, body: EasemobGapsRequest, now = Date.now()): Promise<EasemobGapsData> {
    if (requireOperator(context).role !== 'admin') throw OpError.forbidden('easemobGaps 只允许管理员（admin）调用');
    const asked = parseTimeRange(this.time, ['from', body.from], ['to', body.to]);
    const toMs = asked.toMs ?? endOfSecond(Math.floor(now / 1000) * 1000);
    const toSecond = toMs - endOfSecond(0);
    const fromMs = asked.fromMs ?? toSecond - DEFAULT_EASEMOB_GAPS_HOURS * HOUR_MS;
    const first = Math.floor(fromMs / HOUR_MS) * HOUR_MS;
    const last = Math.floor(toMs / HOUR_MS) * HOUR_MS;
    if ((last - first) / HOUR_MS + 1 > MAX_EASEMOB_GAPS_HOURS) {
      throw OpError.badRequest(`to 与 from 最多跨 ${MAX_EASEMOB_GAPS_HOURS} 个小时（${MAX_EASEMOB_GAPS_DAYS} 天，含两端所在的小时）`);
    }
    // An hour under way (or still to come) cannot have been reconciled yet: it is not a gap.
    const lastEnded = Math.min(last, Math.floor(now / HOUR_MS) * HOUR_MS - HOUR_MS);
    const starts = new Map<string, number>();
    for (let t = first; t <= lastEnded; t += HOUR_MS) starts.set(this.reconcile.hourOf(t), t);

    const appkeys = await this.easemobApps.restAppkeys(context.tenantId);
    const gaps = await this.reconcile.gapsOf(
      context.tenantId,
      appkeys.map((appkey) => ({ appkey })),
      [...starts.keys()],
      now,
    );
    return {
      tenantId: context.tenantId,
      from: this.time.formatMs(fromMs),
      to: this.time.formatMs(toSecond),
      hours: starts.size,
      appkeys,
      checked: starts.size * appkeys.length,
      gaps: gaps.map((gap) => ({
        hour: this.time.formatMs(starts.get(gap.hour)!),
        easemobHour: gap.hour,
        appkey: gap.appkey,
        state: gap.state,
        lastRunTime: gap.lastRun === null ? null : this.time.formatMs(gap.lastRun),
        reason: gap.error,
      })),
    };
  }
}
