/** Formats epoch milliseconds as `yyyy-MM-dd HH:mm:ss` in one time zone. */
export class TimeFormatter {
  private readonly format: Intl.DateTimeFormat;

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
    const parts: Record<string, string> = {};
    for (const part of this.format.formatToParts(ms)) parts[part.type] = part.value;
    return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second}`;
  }
}

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
