import { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { codeOrName, isDatabaseUnreachable } from '../common/filters/error-envelope';
import type { DatabaseConfig } from '../config/app-config';
import { connectLater, openDataSource, unconnectedDataSource, type Entities } from './data-source';
import { migrateFront, ShardsBehindError } from './spider-shards';

/** How often a process that started without its database tries it again. */
const RETRY_MS = 2_000;

/**
 * Whether the database has answered since the process started, and what waits for it.
 *
 * The API starts even while a MySQL server is unreachable (issue 13: a process restarted during
 * an outage must still journal Easemob's callbacks, or they are lost): the data source is then
 * handed out unconnected, every query on it fails at once as "database unavailable", signed
 * calls answer 503, and the connection is tried again every {@link RETRY_MS}. Once it answers,
 * the migrations run, then the start-up work that needs the database ({@link whenReady}: the
 * keyword index, the Easemob registrations), and only then is the process {@link isReady}.
 */
export class DatabaseConnection {
  private readonly logger = new Logger('Database');
  private readonly tasks: Array<{ name: string; run: () => Promise<void> }> = [];
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  /** The retry loop's migrations ran (they wait for the connection, and on a Spider front for its backends). */
  private migrated = false;
  /** The database answered and every start-up task that needs it has run. */
  isReady = false;

  constructor(
    private readonly database: DatabaseConfig | null = null,
    private readonly entities: Entities = [],
  ) {}

  /** A connection that is there already (opctl hands its data source in). */
  static ready(): DatabaseConnection {
    const connection = new DatabaseConnection();
    connection.isReady = true;
    return connection;
  }

  /** Opens and migrates the database; where it cannot be reached, an unconnected data source and a retry loop. */
  async open(): Promise<DataSource> {
    const database = this.database!;
    try {
      const dataSource = await openDataSource(database, this.entities);
      await migrateFront(dataSource);
      this.isReady = true;
      return dataSource;
    } catch (error) {
      if (database.type !== 'mysql' || !isDatabaseUnreachable(error)) throw error;
      this.logger.warn(
        `the database ${database.host}:${database.port} cannot be reached (${codeOrName(error)}): ` +
          'starting without it; signed calls answer 503 and Easemob callbacks are journalled until it answers',
      );
      const dataSource = unconnectedDataSource(database, this.entities);
      this.schedule(dataSource);
      return dataSource;
    }
  }

  /**
   * Runs `run` now if the database is ready, else once it is (before the process is marked
   * ready). A failing task is tried again with the connection, so nothing runs half set up.
   */
  async whenReady(name: string, run: () => Promise<void>): Promise<void> {
    if (this.isReady) return run();
    this.tasks.push({ name, run });
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private schedule(dataSource: DataSource): void {
    if (this.closed) return;
    this.timer = setTimeout(() => void this.attempt(dataSource), RETRY_MS);
    this.timer.unref();
  }

  private async attempt(dataSource: DataSource): Promise<void> {
    const database = this.database!;
    try {
      if (!dataSource.isInitialized) await connectLater(dataSource, database as Extract<DatabaseConfig, { type: 'mysql' }>);
      if (!this.migrated) {
        const applied = await migrateFront(dataSource);
        this.migrated = true;
        this.logger.log(`the database answers${applied.length > 0 ? `; applied ${applied.join(', ')}` : ''}`);
      }
      while (this.tasks.length > 0) {
        const task = this.tasks[0];
        await task.run();
        this.tasks.shift();
      }
      this.isReady = true;
      this.logger.log('ready: the database answers and the start-up work that waited for it is done');
    } catch (error) {
      const what = !dataSource.isInitialized ? 'connection' : !this.migrated ? 'migration' : `start-up task ${this.tasks[0]?.name}`;
      const why = error instanceof ShardsBehindError ? error.message : codeOrName(error);
      this.logger.warn(`database ${what} failed (${why}); trying again`);
      this.schedule(dataSource);
    }
  }
}
