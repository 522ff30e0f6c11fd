import type { Int } from './envelope';
/**
 * Why an hour is a gap: never reconciled, its latest run did not end ok, or (`early`) every ok
 * run began before Easemob's export of the hour was final, so it may have missed messages.
 */
export const EASEMOB_GAP_STATES = ['missing', 'failed', 'partial', 'running', 'early'] as const;
export type EasemobGapState = (typeof EASEMOB_GAP_STATES)[number];

/** Each gap state as the panel names it. */
export const EASEMOB_GAP_STATE_LABELS: Readonly<Record<EasemobGapState, string>> = {
  missing: '未对账',
  failed: '对账失败',
  partial: '部分记录失败',
  running: '对账中',
  early: '对账过早',
};

/** One hour of one Easemob app that no reconciliation run archived completely. */
export interface EasemobGap {
  /** Start of the hour, `yyyy-MM-dd HH:mm:ss` in the configured zone. */
  hour: string;
  /** The same hour as Easemob and `opctl easemob:reconcile --from/--to` name it (`yyyyMMddHH`, Easemob's zone). */
  easemobHour: string;
  appkey: string;
  state: EasemobGapState;
  /** Start of the hour's latest run, or null when none ran. */
  lastRunTime: string | null;
  /** Why the latest run failed (or its first bad record), or null when none was recorded. */
  reason: string | null;
}

/** `easemobGaps`: the hours checked and the gaps among them, by app, then hour. */
export interface EasemobGapsData {
  tenantId: string;
  /** The range asked for (defaults filled in), `yyyy-MM-dd HH:mm:ss`. */
  from: string;
  to: string;
  /** Easemob hours of the range that have ended (an hour under way is not checked yet). */
  hours: Int;
  /** The tenant's Easemob apps with REST credentials, each checked; none: nothing can be reconciled. */
  appkeys: string[];
  /** `hours × appkeys`: the app-hours checked. */
  checked: Int;
  gaps: EasemobGap[];
}
