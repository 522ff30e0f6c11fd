import type { DataSource, EntityManager } from 'typeorm';
import { isMysql } from './dialect';

/**
 * Thrown inside {@link inTransaction} when what the transaction read has gone meanwhile (a chat
 * erased or purged by retention under a callback that had joined it): rolled back and retried.
 */
export class StaleReadError extends Error {
  readonly code = 'OP_STALE_READ';
}

const RETRYABLE = new Set(['ER_LOCK_DEADLOCK', 'ER_LOCK_WAIT_TIMEOUT', 'SQLITE_BUSY', 'SQLITE_BUSY_SNAPSHOT', 'OP_STALE_READ']);

function driverCode(error: unknown): string | undefined {
  const e = error as { code?: unknown; driverError?: { code?: unknown } } | null;
  const code = e?.driverError?.code ?? e?.code;
  return typeof code === 'string' ? code : undefined;
}

/** A deadlock, lock timeout or stale read: what {@link retryTransient} tries again, and what may pass if tried later. */
export function isTransient(error: unknown): boolean {
  const code = driverCode(error);
  return code !== undefined && RETRYABLE.has(code);
}

/**
 * Runs `work` in a transaction, retried on deadlock or lock timeout. A read that must see
 * another writer's fresh commit inside it appends `Dialect.lockingRead`.
 */
export async function inTransaction<T>(dataSource: DataSource, work: (manager: EntityManager) => Promise<T>, attempts = 4): Promise<T> {
  if (!isMysql(dataSource))
    return oneAtATime(dataSource, () =>
      retryTransient(() => dataSource.transaction((manager) => takeWriteLock(manager).then(() => work(manager))), attempts),
    );
  return retryTransient(() => dataSource.transaction(work), attempts);
}

/**
 * SQLite: take the write lock as the transaction's first step (what BEGIN IMMEDIATE does;
 * TypeORM begins deferred). A deferred transaction that reads first and writes after another
 * process (opctl beside the API) committed fails at once with SQLITE_BUSY_SNAPSHOT, without
 * waiting; taking the lock first waits out the busy timeout instead.
 */
function takeWriteLock(manager: EntityManager): Promise<unknown> {
  return manager.query('UPDATE tenants SET id = id WHERE 0');
}

/**
 * SQLite is one connection: a second BEGIN while a transaction awaits fails ("cannot start a
 * transaction within a transaction"), so its transactions queue, one at a time per process.
 * A read of several statements that must see one state of the store (MySQL: one snapshot)
 * queues with them: between its statements no transaction runs, nor commits.
 */
const sqliteQueues = new WeakMap<DataSource, Promise<unknown>>();
export function oneAtATime<T>(dataSource: DataSource, run: () => Promise<T>): Promise<T> {
  const previous = sqliteQueues.get(dataSource) ?? Promise.resolve();
  const next = previous.then(run, run);
  sqliteQueues.set(
    dataSource,
    next.catch(() => undefined),
  );
  return next;
}

/**
 * Runs `run` again (after a short random pause) when it fails on a deadlock or lock timeout:
 * for a statement outside a transaction, which such an error rolls back whole.
 */
export async function retryTransient<T>(run: () => Promise<T>, attempts = 4): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      if (attempt >= attempts || !isTransient(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 5 * attempt + Math.random() * 20));
    }
  }
}
