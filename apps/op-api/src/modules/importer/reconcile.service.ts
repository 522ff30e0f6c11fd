import { get as httpGet, type IncomingMessage } from 'node:http';
import { get as httpsGet } from 'node:https';
import { pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { useAgent } from 'request-filtering-agent';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { OpError } from '../../common/errors/op-error';
import { codeOrName } from '../../common/filters/error-envelope';
import { interrupted, interruption, throwIfInterrupted } from '../../common/util/interruption';
import { Snowflake } from '../../common/util/snowflake';
import type { AppConfig, ReconcileConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { EasemobAppService } from '../access/easemob-app.service';
import { TenantService } from '../access/tenant.service';
import { ImportService } from './import.service';
import { jsonLines, untilStreamError, type JsonLine } from './json-lines';

const HOUR_MS = 3_600_000;
/** One request covers at most a month of hours (Easemob allows 10 export requests a minute per app). */
const MAX_HOURS = 31 * 24;
const TOKEN_REFRESH_MARGIN_MS = 60_000;
/** Easemob's export endpoint is rate limited: a 429 waits and tries again this often. */
const RATE_LIMIT_RETRIES = 3;
const RATE_LIMIT_WAIT_MS = 6_500;

/** What a download cut by OP_EASEMOB_TIMEOUT_MS fails with (told as 下载超时). */
const timedOut = () => Object.assign(new Error('download timed out'), { name: 'TimeoutError' });

export type RunStatus = 'running' | 'ok' | 'partial' | 'failed';

export interface HourResult {
  hour: string;
  appkey: string;
  /** Message records in the export (other kinds of event, e.g. chat rooms, are counted in `ignored`). */
  inExport: number;
  alreadyStored: number;
  added: number;
  /** Older than the tenant's retention, with no open chat to join: not stored (retention removed or would remove them). */
  expired: number;
  failed: number;
  ignored: number;
  status: Exclude<RunStatus, 'running'>;
  /** Why the hour failed, or the first bad record; null when none. */
  error: string | null;
  seconds: number;
}

export interface ReconcileResult {
  tenantId: string;
  hours: HourResult[];
  totals: { inExport: number; alreadyStored: number; added: number; expired: number; failed: number; hoursOk: number; hoursNotOk: number };
}

export interface Gap {
  hour: string;
  appkey: string;
  /**
   * missing: never reconciled; failed, partial, running: no run of that hour ended ok; early:
   * its ok runs all began before Easemob's export of the hour was final (OP_RECONCILE_SETTLE_HOURS).
   */
  state: 'missing' | 'early' | Exclude<RunStatus, 'ok'>;
  lastRun: number | null;
  error: string | null;
}

interface RestApp {
  tenantId: string;
  appkey: string;
  clientId: string;
  clientSecret: string;
  restUrl: string | null;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The record's own `chat_type` (chat rooms and other events are not sessions); undefined where
 * it is no string or the line no JSON, which the import path then judges. Read from the
 * parsed record: the same key inside `payload.ext` is the sender's data, whatever the order.
 */
function chatTypeOf(line: string): string | undefined {
  try {
    const chatType: unknown = (JSON.parse(line) as { chat_type?: unknown } | null)?.chat_type;
    return typeof chatType === 'string' ? chatType : undefined;
  } catch {
    return undefined;
  }
}

/** A run recorded `running` this long ago was abandoned (its process died); the schedule redoes its hour. */
const ABANDONED_RUN_MS = HOUR_MS;

/** Easemob answered something other than what its documentation shows. */
class ExportError extends Error {}

/**
 * Reconciliation with Easemob's hourly history export (issue 13): for each hour, the app token
 * (`POST /{org}/{app}/token`), the hour's download URLs (`GET /{org}/{app}/chatmessages/{yyyyMMddHH}`),
 * each gzip JSON-lines file streamed through the import path (records the archive already
 * has are counted, never stored twice), one row per app and hour in `easemob_reconcile_runs`.
 */
@Injectable()
export class ReconcileService {
  private readonly logger = new Logger('Reconcile');
  private readonly config: ReconcileConfig;
  private readonly ids: Snowflake;
  private readonly tokens = new Map<string, { token: string; until: number }>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly tenants: TenantService,
    private readonly easemobApps: EasemobAppService,
    private readonly importer: ImportService,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.config = config.reconcile;
    this.ids = new Snowflake(config.workerId);
  }

  /** `yyyyMMddHH` of the hour that holds `ms`, in Easemob's zone. */
  hourOf(ms: number): string {
    const d = new Date(Math.floor(ms / HOUR_MS) * HOUR_MS + this.config.utcOffsetHours * HOUR_MS);
    const two = (n: number) => String(n).padStart(2, '0');
    return `${d.getUTCFullYear()}${two(d.getUTCMonth() + 1)}${two(d.getUTCDate())}${two(d.getUTCHours())}`;
  }

  /** When Easemob's export of the hour starting at `startMs` is final: OP_RECONCILE_SETTLE_HOURS after the hour's end. */
  private finalAt(startMs: number): number {
    return startMs + HOUR_MS + this.config.settleHours * HOUR_MS;
  }

  /** Start (epoch ms) of an hour given as `yyyyMMddHH` or `yyyy-MM-dd HH[:mm[:ss]]` in Easemob's zone. */
  parseHour(text: string, flag: string): number {
    const match = /^(\d{4})-?(\d{2})-?(\d{2})[ T]?(\d{2})(?::\d{2}(?::\d{2})?)?$/.exec(text.trim());
    const ms = match
      ? Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]), Number(match[4])) - this.config.utcOffsetHours * HOUR_MS
      : NaN;
    if (!match || Number.isNaN(ms) || this.hourOf(ms) !== `${match[1]}${match[2]}${match[3]}${match[4]}`) {
      throw OpError.badRequest(`${flag} 必须是小时，格式 yyyyMMddHH 或 yyyy-MM-dd HH（UTC+${this.config.utcOffsetHours}）`);
    }
    return ms;
  }

  private hours(from: string, to: string, now = Date.now()): number[] {
    const start = this.parseHour(from, '--from');
    const end = this.parseHour(to, '--to');
    if (end < start) throw OpError.badRequest('--to 不能早于 --from');
    // An hour under way, or to come, has no export yet: reconciled it would read as done, and
    // listed by easemob:gaps as missing, it would be no gap at all.
    const lastEnded = Math.floor(now / HOUR_MS) * HOUR_MS - HOUR_MS;
    if (end > lastEnded)
      throw OpError.badRequest(`--to ${to.trim()} 这个小时尚未结束：最晚为 ${this.hourOf(lastEnded)}（UTC+${this.config.utcOffsetHours}）`);
    if ((end - start) / HOUR_MS + 1 > MAX_HOURS) throw OpError.badRequest(`--from 到 --to 最多 ${MAX_HOURS} 个小时`);
    const out: number[] = [];
    for (let t = start; t <= end; t += HOUR_MS) out.push(t);
    return out;
  }

  private async restApps(tenantId: string): Promise<RestApp[]> {
    await this.tenants.requireExists(tenantId);
    const apps = await this.easemobApps.restApps(tenantId);
    if (apps.length === 0)
      throw OpError.badRequest(`租户 ${tenantId} 没有设置环信 REST 凭据（opctl easemob:app --client-id --client-secret）`);
    return apps;
  }

  async reconcileRange(
    tenantId: string,
    from: string,
    to: string,
    trigger: 'cli' | 'schedule',
    progress?: (line: string) => void,
  ): Promise<ReconcileResult> {
    const hours = this.hours(from, to);
    const apps = await this.restApps(tenantId);
    const result: ReconcileResult = {
      tenantId,
      hours: [],
      totals: { inExport: 0, alreadyStored: 0, added: 0, expired: 0, failed: 0, hoursOk: 0, hoursNotOk: 0 },
    };
    for (const app of apps) {
      for (const start of hours) {
        // opctl told to stop: the hour under way was recorded failed; the rest are not begun.
        if (interrupted()) return result;
        const finalAt = this.finalAt(start);
        const provisional = Date.now() < finalAt;
        const hour = await this.reconcileHour(app, this.hourOf(start), trigger);
        progress?.(
          `${hour.appkey} ${hour.hour}: ${hour.status}, ${hour.inExport} in export, ${hour.alreadyStored} already stored, ${hour.added} added, ${hour.expired} expired, ${hour.failed} failed (${hour.seconds} s)` +
            (provisional
              ? `; provisional: Easemob's export of the hour is final from ${new Date(finalAt).toISOString()}, run it again after that`
              : ''),
        );
        result.hours.push(hour);
        result.totals.inExport += hour.inExport;
        result.totals.alreadyStored += hour.alreadyStored;
        result.totals.added += hour.added;
        result.totals.expired += hour.expired;
        result.totals.failed += hour.failed;
        if (hour.status === 'ok') result.totals.hoursOk++;
        else result.totals.hoursNotOk++;
      }
    }
    return result;
  }

  /** Hours of the range that no run reconciled completely, per app. */
  async gaps(
    tenantId: string,
    from: string,
    to: string,
  ): Promise<{ tenantId: string; from: string; to: string; checked: number; gaps: Gap[] }> {
    const hours = this.hours(from, to).map((ms) => this.hourOf(ms));
    const apps = await this.restApps(tenantId);
    const gaps = await this.gapsOf(tenantId, apps, hours);
    return { tenantId, from: hours[0], to: hours[hours.length - 1], checked: hours.length * apps.length, gaps };
  }

  /**
   * The hours (`yyyyMMddHH`, in order) of each app that no run reconciled completely, by app
   * then hour: the one reading of `easemob_reconcile_runs` behind `opctl easemob:gaps`, the
   * scheduled retries and the `easemobGaps` endpoint. Easemob writes an hour's file some time
   * after the hour ends: once the settle time has passed, only a run begun after it proves the
   * hour (before, an ok run is as good as there can be yet).
   */
  async gapsOf(tenantId: string, apps: ReadonlyArray<{ appkey: string }>, hours: readonly string[], now = Date.now()): Promise<Gap[]> {
    if (hours.length === 0 || apps.length === 0) return [];
    const rows: Array<{ appkey: string; hour: string; status: RunStatus; start_time: string | number; error: string | null }> =
      await this.dataSource.query(
        'SELECT appkey, hour, status, start_time, error FROM easemob_reconcile_runs WHERE tenant_id = ? AND hour >= ? AND hour <= ? ORDER BY start_time',
        [tenantId, hours[0], hours[hours.length - 1]],
      );
    const finalFrom = new Map(hours.map((hour) => [hour, this.finalAt(this.parseHour(hour, 'hour'))]));
    const latest = new Map<string, (typeof rows)[number]>();
    const done = new Set<string>();
    for (const row of rows) {
      const final = finalFrom.get(row.hour);
      if (final === undefined) continue;
      latest.set(`${row.appkey} ${row.hour}`, row);
      if (row.status === 'ok' && (now < final || Number(row.start_time) >= final)) done.add(`${row.appkey} ${row.hour}`);
    }
    const gaps: Gap[] = [];
    for (const app of apps) {
      for (const hour of hours) {
        const key = `${app.appkey} ${hour}`;
        if (done.has(key)) continue;
        const last = latest.get(key);
        const early = last?.status === 'ok';
        gaps.push({
          hour,
          appkey: app.appkey,
          state: early ? 'early' : last ? (last.status as Gap['state']) : 'missing',
          lastRun: last ? Number(last.start_time) : null,
          error: early ? `在该小时结束后 ${this.config.settleHours} 小时内对账，当时环信的导出可能尚未完整` : (last?.error ?? null),
        });
      }
    }
    return gaps;
  }

  /**
   * The scheduled job: the previous hour of every app with credentials (a first pass), the hour
   * whose export has become final since the last run if only a first pass did it, then a few
   * hours of the last day that are still gaps.
   */
  async reconcileRecent(now = Date.now()): Promise<HourResult[]> {
    const out: HourResult[] = [];
    const previous = this.hourOf(now - HOUR_MS);
    // The hour whose export became final since the last run: its first pass was provisional.
    const settled = this.config.settleHours > 0 ? this.hourOf(now - (this.config.settleHours + 1) * HOUR_MS) : null;
    for (const app of await this.easemobApps.restApps()) {
      out.push(await this.reconcileHour(app, previous, 'schedule'));
      if (settled !== null && (await this.gapsOf(app.tenantId, [app], [settled], now)).some((g) => g.state === 'early')) {
        out.push(await this.reconcileHour(app, settled, 'schedule'));
      }
      if (this.config.retryHours === 0) continue;
      const hours = Array.from({ length: 24 }, (_, i) => this.hourOf(now - (25 - i) * HOUR_MS));
      const gaps = await this.gapsOf(app.tenantId, [app], hours, now);
      // A run still `running` is left to finish, unless it began so long ago that its process
      // must have died under it (a SIGKILL, a crash): that hour would otherwise never be redone.
      const retried = gaps.filter((g) => g.state !== 'running' || (g.lastRun !== null && now - g.lastRun > ABANDONED_RUN_MS));
      for (const gap of retried.slice(-this.config.retryHours)) {
        out.push(await this.reconcileHour(app, gap.hour, 'schedule'));
      }
    }
    return out;
  }

  /** Time (epoch ms) of each tenant's last run that ended ok. */
  async lastSuccess(): Promise<Array<{ tenantId: string; time: number }>> {
    const rows: Array<{ tenant_id: string; t: string | number }> = await this.dataSource.query(
      "SELECT tenant_id, MAX(finish_time) AS t FROM easemob_reconcile_runs WHERE status = 'ok' GROUP BY tenant_id",
    );
    return rows.map((row) => ({ tenantId: row.tenant_id, time: Number(row.t) }));
  }

  private async reconcileHour(app: RestApp, hour: string, trigger: 'cli' | 'schedule'): Promise<HourResult> {
    const started = Date.now();
    const id = this.ids.next();
    await this.dataSource.query(
      'INSERT INTO easemob_reconcile_runs (id, tenant_id, appkey, hour, trigger_kind, status, in_export, already_stored, added, failed, error, start_time, finish_time) ' +
        "VALUES (?, ?, ?, ?, ?, 'running', 0, 0, 0, 0, NULL, ?, NULL)",
      [id, app.tenantId, app.appkey, hour, trigger, started],
    );
    const result: HourResult = {
      hour,
      appkey: app.appkey,
      inExport: 0,
      alreadyStored: 0,
      added: 0,
      expired: 0,
      failed: 0,
      ignored: 0,
      status: 'ok',
      error: null,
      seconds: 0,
    };
    try {
      for (const url of await this.exportUrls(app, hour)) await this.importFile(app, url, result);
      throwIfInterrupted(); // the import stopped part-way: the hour is not whole
      result.status = result.failed > 0 ? 'partial' : 'ok';
    } catch (error) {
      result.status = 'failed';
      // Anything else is told by its code or kind, never its message: a driver's quotes SQL or
      // an address, fetch's may quote the signed download URL, and admins read this (easemobGaps).
      const kind = codeOrName(error);
      result.error = interrupted()
        ? '对账被中断（opctl 收到停止信号），该小时需重新对账'
        : error instanceof ExportError || error instanceof OpError
          ? error.message
          : `读取导出文件失败：${kind === 'TimeoutError' ? '下载超时' : kind}`;
      this.logger.warn(`reconcile ${app.appkey} ${hour} failed: ${result.error}`);
    }
    result.seconds = Math.round((Date.now() - started) / 100) / 10;
    await this.dataSource.query(
      'UPDATE easemob_reconcile_runs SET status = ?, in_export = ?, already_stored = ?, added = ?, failed = ?, error = ?, finish_time = ? WHERE id = ?',
      [
        result.status,
        result.inExport,
        result.alreadyStored,
        result.added,
        result.failed,
        result.error?.slice(0, 512) ?? null,
        Date.now(),
        id,
      ],
    );
    return result;
  }

  /** A request's time limit, or opctl told to stop, whichever comes first. */
  private deadline(): AbortSignal {
    return AbortSignal.any([AbortSignal.timeout(this.config.timeoutMs), interruption]);
  }

  private base(app: RestApp): string {
    const [org, name] = app.appkey.split('#');
    return `${app.restUrl ?? this.config.baseUrl}/${encodeURIComponent(org)}/${encodeURIComponent(name)}`;
  }

  /**
   * A call to Easemob's REST API within the time limit. Not reaching it (refused, reset, timed
   * out) names the step, by the failure's code: it read as a failure to read the export file.
   */
  private async rest(step: string, url: string, init: RequestInit): Promise<Response> {
    try {
      return await fetch(url, { ...init, signal: this.deadline() });
    } catch (error) {
      if (interrupted()) throw error;
      const kind = codeOrName(error);
      throw new ExportError(`${step}失败：${kind === 'TimeoutError' ? '请求超时' : kind}`);
    }
  }

  private async token(app: RestApp, fresh = false): Promise<string> {
    const cached = this.tokens.get(app.appkey);
    if (!fresh && cached && cached.until > Date.now()) return cached.token;
    const response = await this.rest('获取环信 App Token', `${this.base(app)}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ grant_type: 'client_credentials', client_id: app.clientId, client_secret: app.clientSecret }),
    });
    if (!response.ok) throw new ExportError(`获取环信 App Token 失败：HTTP ${response.status}`);
    const body = (await response.json().catch(() => null)) as { access_token?: unknown; expires_in?: unknown } | null;
    if (typeof body?.access_token !== 'string' || body.access_token === '')
      throw new ExportError('获取环信 App Token 失败：响应缺少 access_token');
    const ttlMs = typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in * 1000 : HOUR_MS;
    this.tokens.set(app.appkey, { token: body.access_token, until: Date.now() + Math.max(0, ttlMs - TOKEN_REFRESH_MARGIN_MS) });
    return body.access_token;
  }

  /** The download URLs of one hour's export (`data[].url`); none when the hour had no messages. */
  private async exportUrls(app: RestApp, hour: string): Promise<string[]> {
    for (let attempt = 0; ; attempt++) {
      const token = await this.token(app, attempt > 0);
      const response = await this.rest(`获取 ${hour} 的历史消息下载地址`, `${this.base(app)}/chatmessages/${hour}`, {
        headers: { accept: 'application/json', authorization: `Bearer ${token}` },
      });
      if (response.status === 401 && attempt === 0) continue; // the token expired early: once more with a new one
      if (response.status === 429 && attempt < RATE_LIMIT_RETRIES) {
        await response.body?.cancel();
        await sleep(RATE_LIMIT_WAIT_MS);
        continue;
      }
      if (response.status === 404) return []; // no file for an hour without messages
      if (!response.ok) throw new ExportError(`获取 ${hour} 的历史消息下载地址失败：HTTP ${response.status}`);
      const body = (await response.json().catch(() => null)) as { data?: unknown } | null;
      if (!Array.isArray(body?.data)) throw new ExportError(`获取 ${hour} 的历史消息下载地址失败：响应缺少 data`);
      return body.data.map((item: unknown) => {
        const url = (item as { url?: unknown } | null)?.url;
        if (typeof url !== 'string' || !/^https?:\/\//.test(url))
          throw new ExportError(`获取 ${hour} 的历史消息下载地址失败：data 中的 url 无效`);
        return url;
      });
    }
  }

  /**
   * Opens one hour's file. The URL comes from Easemob's answer, so where it leads is checked: no
   * redirect is followed, and a host other than the app's REST host (which the operator set:
   * Easemob, or a local stand-in) must be a public address, at every connection (DNS rebinding
   * included). Else anyone who can shape that answer makes this process fetch from inside its
   * network.
   */
  private download(app: RestApp, url: string, hour: string, signal: AbortSignal): Promise<IncomingMessage> {
    const target = new URL(url);
    const agent = target.host === new URL(this.base(app)).host ? undefined : useAgent(url);
    return new Promise((resolve, reject) => {
      const request = (target.protocol === 'https:' ? httpsGet : httpGet)(target, { agent, signal }, resolve);
      request.on('error', (error) => {
        if (signal.aborted) return reject(timedOut());
        // request-filtering-agent's refusal names the address; the reason (shown to admins) does not.
        if (/is not allowed/.test(error.message))
          return reject(new ExportError(`下载 ${hour} 的历史消息文件失败：地址指向内网或保留地址，已拒绝`));
        reject(error);
      });
    });
  }

  /** Streams one gzip JSON-lines file through the import path; message records only. */
  private async importFile(app: RestApp, url: string, result: HourResult): Promise<void> {
    // The URL is signed (OSS Expires/Signature): it is never logged or stored.
    const signal = this.deadline();
    const response = await this.download(app, url, result.hour, signal);
    if (response.statusCode !== 200) {
      response.resume();
      throw new ExportError(`下载 ${result.hour} 的历史消息文件失败：HTTP ${response.statusCode}`);
    }
    // A cut download (timeout, reset) or a damaged gzip ends the hour as failed, whatever was read.
    // Easemob's export is read as its callbacks are: a byte that is not UTF-8 becomes U+FFFD.
    // Whether the download's time was up is asked when the stream fails, not once the rest is stored.
    const reading = untilStreamError(
      jsonLines(
        pipeline(response, createGunzip(), () => undefined),
        { invalidUtf8: 'replace' },
      ),
      (error) => (signal.aborted ? timedOut() : error),
    );
    async function* messages(): AsyncGenerator<JsonLine> {
      for await (const line of reading.lines) {
        if (typeof line === 'string') {
          if (line.trim() === '') continue;
          const chatType = chatTypeOf(line);
          if (chatType !== undefined && chatType !== 'chat' && chatType !== 'groupchat') {
            result.ignored++;
            continue;
          }
        }
        result.inExport++;
        yield line;
      }
    }
    const imported = await this.importer.importLines(app.tenantId, messages());
    // Counted before a failure is thrown: what was read before the download broke off is stored.
    result.added += imported.imported;
    result.expired += imported.expired;
    result.alreadyStored += imported.duplicates;
    result.failed += imported.failed;
    if (imported.errors.length > 0 && result.error === null)
      result.error = `第 ${imported.errors[0].line} 条记录：${imported.errors[0].message}`;
    const failure = reading.failure();
    if (failure) throw failure;
  }
}
