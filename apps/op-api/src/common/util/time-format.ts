/** Formats epoch milliseconds as `yyyy-MM-dd HH:mm:ss` in one time zone. */
export class TimeFormatter {
  private readonly format: Intl.DateTimeFormat;
  /** Zone offset per 15-minute bucket of epoch time; null where it changes inside the bucket. */
  private readonly offsets = new Map<number, number | null>();

  constructor(readonly timeZone: string) {
    this.format = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
  }

  formatMs(ms: number): string {
    // Intl's formatToParts costs several µs and 2.37 formats 21 times per page, so the zone's
    // offset is computed once per 15-minute bucket (zone transitions fall on such boundaries)
    // and the wall clock is read with plain UTC getters; a bucket whose two ends disagree
    // (an odd historical transition) keeps using Intl.
    const bucket = Math.floor(ms / BUCKET_MS);
    let offset = this.offsets.get(bucket);
    if (offset === undefined) {
      const start = bucket * BUCKET_MS;
      const first = this.offsetAt(start);
      offset = first === this.offsetAt(start + BUCKET_MS - 1) ? first : null;
      if (this.offsets.size >= 100_000) this.offsets.clear();
      this.offsets.set(bucket, offset);
    }
    if (offset === null) return this.intlFormat(ms);
    const d = new Date(ms + offset);
    if (!Number.isFinite(d.getTime())) return this.intlFormat(ms);
    const year = d.getUTCFullYear();
    if (year < 1000 || year > 9999) return this.intlFormat(ms);
    return `${year}-${two(d.getUTCMonth() + 1)}-${two(d.getUTCDate())} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`;
  }

  /** Milliseconds to add to UTC to get this zone's wall clock at `ms` (whole seconds). */
  private offsetAt(ms: number): number {
    const text = this.intlFormat(ms);
    const [y, mo, d, h, mi, s] = text.split(/[- :]/).map(Number);
    if (!(y >= 1000 && y <= 9999)) return NaN; // Date.UTC reads years below 100 as 19xx: let Intl format these
    return Date.UTC(y, mo - 1, d, h, mi, s) - Math.floor(ms / 1000) * 1000;
  }

  private intlFormat(ms: number): string {
    const parts: Record<string, string> = {};
    for (const part of this.format.formatToParts(ms)) parts[part.type] = part.value;
    return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second}`;
  }
}

const BUCKET_MS = 15 * 60_000;
const two = (n: number): string => (n < 10 ? `0${n}` : String(n));

/**
 * Reads `yyyy-MM-dd HH:mm:ss` as a wall-clock time in `timeZone`; null when it is not one
 * (a 13th month, a 25th hour, or a time skipped by a daylight-saving change).
 */
export function parseZonedTime(text: string, formatter: TimeFormatter): number | null {
  const match = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(text);
  if (!match) return null;
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number);
  const asUtc = Date.UTC(year, month - 1, day, hour, minute, second);
  // The zone's offset at that instant, read back through the formatter; twice for a DST edge.
  let ms = asUtc;
  for (let i = 0; i < 2; i++) {
    const shown = formatter.formatMs(ms);
    const [y, mo, d, h, mi, s] = shown.split(/[- :]/).map(Number);
    ms += asUtc - Date.UTC(y, mo - 1, d, h, mi, s);
  }
  return formatter.formatMs(ms) === text ? ms : null;
}
