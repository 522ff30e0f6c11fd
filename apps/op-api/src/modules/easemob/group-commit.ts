/** The result of one item of a batch: a value, or the error that item alone gets. */
export type Settled<R> = { ok: true; value: R } | { ok: false; error: unknown };

export interface GroupCommitOptions {
  /** Items a batch holds at most. */
  maxBatch: number;
  /** Batches committing at once at most. */
  maxInFlight: number;
  /**
   * How long a batch may wait to fill while another commits (0: never waits): it starts when
   * full, when no other batch commits any more, or after this long. Without it, the first item
   * to arrive after a commit went alone while the rest queued behind it: under load a large
   * batch and a batch of one took turns, and the one paid a whole transaction.
   */
  lingerMs: number;
}

/**
 * Group commit: items that arrive while earlier batches are being committed wait and go
 * together in the next batch (one transaction, one commit), and each caller is answered only
 * when its own batch has settled. At low load a batch holds one item and waits for nothing;
 * under load batches grow up to `maxBatch`, with at most `maxInFlight` committing at once, and
 * a batch that would start while another commits waits up to `lingerMs` to fill.
 */
export class GroupCommit<T, R> {
  private queue: Array<{ item: T; resolve: (value: R) => void; reject: (error: unknown) => void }> = [];
  private inFlight = 0;
  /** The next batch's start, when one is set: at once (the next turn of the event loop) or after lingering. */
  private next: { lingering: boolean; cancel: () => void } | null = null;

  constructor(
    private readonly commit: (items: T[]) => Promise<Array<Settled<R>>>,
    private readonly options: GroupCommitOptions,
  ) {}

  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (this.next?.lingering && this.queue.length >= this.options.maxBatch) this.cancelNext();
      this.schedule();
    });
  }

  private cancelNext(): void {
    this.next?.cancel();
    this.next = null;
  }

  private schedule(): void {
    if (this.next !== null || this.inFlight >= this.options.maxInFlight || this.queue.length === 0) return;
    const start = () => {
      this.next = null;
      void this.flush();
    };
    if (this.inFlight > 0 && this.options.lingerMs > 0 && this.queue.length < this.options.maxBatch) {
      const timer = setTimeout(start, this.options.lingerMs);
      this.next = { lingering: true, cancel: () => clearTimeout(timer) };
    } else {
      // Items submitted in this turn of the event loop join the same batch.
      const immediate = setImmediate(start);
      this.next = { lingering: false, cancel: () => clearImmediate(immediate) };
    }
  }

  private async flush(): Promise<void> {
    if (this.inFlight >= this.options.maxInFlight || this.queue.length === 0) return;
    const batch = this.queue.splice(0, this.options.maxBatch);
    this.inFlight++;
    // What did not fit goes next, as soon as a batch may start.
    this.schedule();
    try {
      const results = await this.commit(batch.map((entry) => entry.item));
      batch.forEach((entry, i) => {
        const result = results[i];
        if (result.ok) entry.resolve(result.value);
        else entry.reject(result.error);
      });
    } catch (error) {
      for (const entry of batch) entry.reject(error);
    } finally {
      this.inFlight--;
      // A batch waiting to fill starts now if none commits any more.
      if (this.next?.lingering && this.inFlight === 0) this.cancelNext();
      this.schedule();
    }
  }
}
