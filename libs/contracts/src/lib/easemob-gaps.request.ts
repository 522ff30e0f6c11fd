import { Transform } from 'class-transformer';
import { IsOptional, IsString, Matches } from 'class-validator';
import { trimmed } from './chat-message-list.request';
import { DATE_TIME_PATTERN } from './search-marks-audit.request';

/** The widest range `easemobGaps` checks: 31 days of Easemob's hours, as `opctl easemob:reconcile` takes at once. */
export const MAX_EASEMOB_GAPS_DAYS = 31;
export const MAX_EASEMOB_GAPS_HOURS = MAX_EASEMOB_GAPS_DAYS * 24;
/** Without `from`, the range starts this many hours before `to` (the panel's default view). */
export const DEFAULT_EASEMOB_GAPS_HOURS = 24;

function optionalTime(name: string): PropertyDecorator {
  const transform = Transform(trimmed);
  const optional = IsOptional();
  const format = Matches(DATE_TIME_PATTERN, { message: `${name} 必须是 yyyy-MM-dd HH:mm:ss 格式的时间` });
  const type = IsString({ message: `${name} 必须是字符串（yyyy-MM-dd HH:mm:ss）` });
  // Registered as if stacked optional / format / type: the one nearest the property runs first.
  return (target, key) => {
    transform(target, key);
    type(target, key);
    format(target, key);
    optional(target, key);
  };
}

/**
 * Body of `easemobGaps` (admins): the Easemob hours between `from` and `to` (each in the
 * configured zone) that no reconciliation run archived completely. `to` defaults to now and
 * `from` to 24 hours before `to`; the tenant is the caller's, never a field.
 */
export class EasemobGapsRequest {
  @optionalTime('from')
  from?: string;

  @optionalTime('to')
  to?: string;
}
