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
