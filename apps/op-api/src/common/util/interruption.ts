/**
 * Whether the operator asked opctl to stop (its first SIGINT or SIGTERM; see cli/opctl.ts).
 * Long commands look at it between batches and stop there, so what they began ends cleanly:
 * a lease is freed, a reconciled hour is recorded as failed, a rebuild keeps its cursor, an
 * import's report counts what was stored. The API never sets it (it drains on SIGTERM instead).
 */
const controller = new AbortController();

/** Aborted once opctl is asked to stop: fetches and downloads of a command give up with it. */
export const interruption: AbortSignal = controller.signal;

export const interrupted = (): boolean => controller.signal.aborted;

export const interrupt = (): void => controller.abort(new InterruptedError());

/** Thrown where a command cannot end with a partial report (a rebuild, a reconciled hour). */
export class InterruptedError extends Error {
  constructor() {
    super('操作已中断（收到停止信号）');
    this.name = 'InterruptedError';
  }
}

export function throwIfInterrupted(): void {
  if (interrupted()) throw new InterruptedError();
}
