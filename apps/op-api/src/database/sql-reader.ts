import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { isMysql } from './data-source';

/** The part of mysql2's callback pool this reader uses. */
interface MysqlPool {
  query(sql: string, values: readonly unknown[], callback: (error: Error | null, rows: unknown) => void): void;
}

/**
 * Reads for the request hot paths (2.37 and the auth lookups), sent straight to the driver's
 * pool that TypeORM opened. TypeORM's raw `query` takes a query runner, its logger and
 * broadcaster, and mysql2's promise wrapper, which resolves a `require` and captures a stack
 * trace for every statement: about a tenth of the API's CPU per 2.37 call in the profile
 * (tools/bench). Same pool, same connection options, same driver errors (so a database
 * outage still answers 503). Writes and transactions stay on TypeORM.
 */
@Injectable()
export class SqlReader {
  private readonly pool: MysqlPool | null;

  constructor(private readonly dataSource: DataSource) {
    this.pool = isMysql(dataSource) ? ((dataSource.driver as unknown as { pool: MysqlPool }).pool ?? null) : null;
  }

  rows<T>(sql: string, parameters: readonly unknown[]): Promise<T[]> {
    const pool = this.pool;
    if (!pool) return this.dataSource.query(sql, parameters as unknown[]);
    return new Promise((resolve, reject) => {
      pool.query(sql, parameters, (error, rows) => (error ? reject(error) : resolve(rows as T[])));
    });
  }
}
