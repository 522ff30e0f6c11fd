import type { DataSource } from 'typeorm';

/**
 * Until a statement (`pattern`, as SQL LIKE) has been waiting for over 100 ms on MariaDB: a
 * store waits on rows a spec holds, so the race the spec is about really happens. (The
 * processlist, not INNODB_TRX: InnoDB does not list a transaction that has only read.)
 */
export async function untilWaiting(dataSource: DataSource, pattern: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    const rows: unknown[] = await dataSource.query(
      "SELECT id FROM information_schema.PROCESSLIST WHERE command = 'Query' AND time_ms > 100 AND info LIKE ?",
      [pattern],
    );
    if (rows.length > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`no statement like ${pattern} waited on the held rows: this is not the race`);
}
