/**
 * How many rows the next read of a keyset walk takes: as many as `chars` characters hold at the
 * length of the rows read last, between `least` and `most` (`first` for the first read), so a
 * walk reads thousands of short rows at a time and tens of rows near their size limits.
 */
export class RowBudget {
  private next: number;

  constructor(private readonly bounds: { first: number; most: number; least: number; chars: number }) {
    this.next = bounds.first;
  }

  /** The LIMIT of the next read. */
  get limit(): number {
    return this.next;
  }

  /** The last read gave `rows` rows holding `chars` characters in all. */
  spent(rows: number, chars: number): void {
    const { most, least } = this.bounds;
    const perRow = Math.max(1, chars / Math.max(1, rows));
    this.next = Math.max(least, Math.min(most, Math.floor(this.bounds.chars / perRow)));
  }
}
