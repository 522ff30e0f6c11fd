import type { DataSource, QueryRunner } from 'typeorm';

/** A statement as sent: its SQL and parameters. */
export interface Statement {
  sql: string;
  params: unknown[];
}

/**
 * The statements `work` sends on `dataSource` that `keep` selects, as sent: recorded where every
 * statement passes, the engine's query runner, and passed on to the database unchanged.
 */
export async function statementsSent(
  dataSource: DataSource,
  work: () => Promise<void>,
  keep: (sql: string) => boolean,
): Promise<Statement[]> {
  const sent: Statement[] = [];
  const runner = dataSource.createQueryRunner();
  const prototype = Object.getPrototypeOf(runner) as QueryRunner;
  await runner.release();
  const query = prototype.query;
  const spy = jest.spyOn(prototype, 'query').mockImplementation(function (this: QueryRunner, ...args: Parameters<QueryRunner['query']>) {
    const [sql, params] = args;
    if (keep(sql)) sent.push({ sql, params: Array.isArray(params) ? params : [] });
    return query.apply(this, args);
  });
  try {
    await work();
  } finally {
    spy.mockRestore();
  }
  return sent;
}
