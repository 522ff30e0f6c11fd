import { MESSAGE_ID_PATTERN } from '@op/contracts';

/** 2016-01-01T00:00:00Z: ids stay 63-bit positive for ~69 years after it. */
const EPOCH_MS = 1451606400000n;

/**
 * 64-bit snowflake ids written in decimal: 41 bits of milliseconds, 10 bits of worker id,
 * 12 bits of sequence. Time-ordered, unique across processes with distinct worker ids, and
 * free of the auto-increment hot spot a sharded store would suffer.
 */
export class Snowflake {
  private lastMs = -1n;
  private sequence = 0n;

  constructor(
    private readonly workerId: number,
    private readonly clock: () => number = Date.now,
  ) {
    if (!Number.isInteger(workerId) || workerId < 0 || workerId > 1023) throw new RangeError('workerId must be 0..1023');
  }

  next(): string {
    let now = BigInt(this.clock());
    if (now < this.lastMs) now = this.lastMs; // clock stepped back: keep ids monotonic
    if (now === this.lastMs) {
      this.sequence = (this.sequence + 1n) & 0xfffn;
      if (this.sequence === 0n) now = this.lastMs + 1n; // sequence exhausted: borrow the next millisecond
    } else {
      this.sequence = 0n;
    }
    this.lastMs = now;
    return (((now - EPOCH_MS) << 22n) | (BigInt(this.workerId) << 12n) | this.sequence).toString();
  }
}

/** Whether a decimal text can be a stored message id: a positive 64-bit signed integer. */
export function isSnowflakeId(text: string): boolean {
  return MESSAGE_ID_PATTERN.test(text) && BigInt(text) < 2n ** 63n;
}
