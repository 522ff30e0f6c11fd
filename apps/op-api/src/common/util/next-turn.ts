/**
 * Resolves on the event loop's next turn (after I/O). Work that awaits only promises never
 * leaves the microtask queue: on SQLite (better-sqlite3 answers synchronously) a loop of
 * queries would hold the thread, and the corked socket, until it ends. Awaiting this between
 * steps lets sockets flush and other requests run.
 */
export const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
