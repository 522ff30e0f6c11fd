/**
 * Resolves on the event loop's next turn (after I/O). Work that awaits only promises never
 * leaves the microtask queue: on SQLite (better-sqlite3 answers synchronously) a loop of
 * queries would hold the thread, and the corked socket, until it ends. Awaiting this between
 * steps lets sockets flush and other requests run.
 */
export const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Rests as long as the work before it took (at most a second), so background work (a purge, a
 * renumbering) never takes more than half of the time. On SQLite its batches run on the API's
 * own thread (better-sqlite3 is synchronous): without the rest 2.37 calls queue behind batch
 * after batch (measured: p99 59 ms alone, 801 ms during a purge of 1M messages); with MariaDB
 * it leaves the server's CPU to the callers.
 */
export const rest = (workedMs: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.min(1_000, Math.max(1, workedMs))));
