import { SingleBar } from 'cli-progress';

/**
 * A progress bar on stderr (done/total, rate, ETA): redrawn in place on a terminal, one line
 * every few seconds otherwise, so stdout keeps only the command's JSON.
 */
export function progressBar(label: string): { update(done: number, total: number): void; stop(): void } {
  const started = Date.now();
  const bar = new SingleBar({
    stream: process.stderr,
    format: `${label} [{bar}] {percentage}% {value}/{total} {rate}/s ETA {eta_formatted}`,
    barsize: 30,
    noTTYOutput: true,
    notTTYSchedule: 5_000,
    etaBuffer: 50,
    hideCursor: true,
  });
  let shown = false;
  return {
    update(done, total) {
      const rate = Math.round(done / Math.max(0.001, (Date.now() - started) / 1000));
      if (!shown) {
        bar.start(Math.max(total, done), done, { rate });
        shown = true;
      } else {
        bar.setTotal(Math.max(total, done));
        bar.update(done, { rate });
      }
    },
    stop() {
      if (shown) bar.stop();
    },
  };
}
