import { AsyncLocalStorage } from 'node:async_hooks';
import { performance } from 'node:perf_hooks';
import { DataSource, type EntityManager, type ObjectLiteral, type QueryRunner } from 'typeorm';
import { OpError } from '../common/errors/op-error';
import { codeOrName } from '../common/filters/error-envelope';
import { holderId } from '../common/util/random-id';
import type { MysqlDatabaseConfig, ReplicaConfig } from '../config/app-config';
import { dialectOf, merge } from './dialect';

/** How often this process writes its heartbeat on the primary and reads it back from each replica. */
export const BEAT_MS = 250;

/** Milliseconds on a clock that never steps back (NTP may step the wall clock): beats and writes compare on it. */
const clock = () => Math.floor(performance.timeOrigin + performance.now());

/** Where one request's reads go: chosen by {@link ReadReplicas.reading}, obeyed by {@link RoutedDataSource.query}. */
interface ReadScope {
  replica: Replica | null;
}

const scopes = new AsyncLocalStorage<ReadScope>();

/**
 * A statement a replica may answer: a SELECT (or WITH) that takes no lock and reads no session
 * state of the primary's connection. Everything else, writes first, goes to the primary.
 */
export function isPlainRead(sql: string): boolean {
  return (
    /^\s*\(*\s*(SELECT|WITH)\b/i.test(sql) &&
    !/\bFOR\s+(UPDATE|SHARE)\b|\bLOCK\s+IN\s+SHARE\s+MODE\b|\b(GET_LOCK|RELEASE_LOCK|IS_USED_LOCK|LAST_INSERT_ID|FOUND_ROWS|ROW_COUNT|NEXTVAL|MASTER_GTID_WAIT|MASTER_POS_WAIT)\s*\(|@@|\bINTO\s+(@|OUTFILE|DUMPFILE)/i.test(
      sql,
    )
  );
}

/**
 * The API's data source. Inside a request that {@link ReadReplicas} sent to a replica, a plain
 * read made on the data source itself (not in a transaction, whose queries run on its own
 * connection) is answered by that replica; if the replica fails, by the primary, as is the rest
 * of the request. Everything else, and every query outside such a request, goes to the primary.
 */
export class RoutedDataSource extends DataSource {
  override async query<T>(sql: string, parameters?: unknown[] | ObjectLiteral, queryRunner?: QueryRunner): Promise<T> {
    const scope = queryRunner ? undefined : scopes.getStore();
    const replica = scope?.replica;
    if (scope && replica && isPlainRead(sql)) {
      try {
        return await replica.read<T>(sql, parameters);
      } catch (error) {
        scope.replica = null;
        replica.failed(error);
      }
    }
    return super.query<T>(sql, parameters, queryRunner);
  }

  /**
   * Runs `read` (plain reads of several statements) in one REPEATABLE READ transaction: on the
   * request's replica when {@link ReadReplicas} chose one, else on the primary. A replica that
   * fails meanwhile is left for the rest of the request and the read runs again on the primary;
   * an {@link OpError} is the read's own answer (a message not in the chat), not a failure.
   */
  async snapshot<T>(read: (db: EntityManager) => Promise<T>): Promise<T> {
    const scope = scopes.getStore();
    const replica = scope?.replica;
    if (scope && replica) {
      try {
        return await replica.snapshot(read);
      } catch (error) {
        if (error instanceof OpError) throw error;
        scope.replica = null;
        replica.failed(error);
      }
    }
    return this.transaction('REPEATABLE READ', read);
  }
}

export type ReplicaState = 'serving' | 'behind' | 'down';

export interface ReplicaStatus {
  /** `host:port`: never the credentials. */
  replica: string;
  state: ReplicaState;
  /** How far behind this process's last write the replica is, in ms; null before its first heartbeat arrived. */
  lagMs: number | null;
  /** Requests whose reads this replica answered. */
  requests: number;
  /** Reads that failed on it and were answered by the primary. */
  failures: number;
  /** The last error's code (`ECONNREFUSED`, `ER_NO_SUCH_TABLE`, …); null when well. */
  error: string | null;
}

/** One replica: its connection pool (opened on the first probe that reaches it) and what the probes found. */
class Replica {
  private source: DataSource | null = null;
  private probing = false;
  private up = false;
  /** This process's heartbeat as the replica holds it: every write this process finished before that time is there. */
  seenBeat = 0;
  requests = 0;
  failures = 0;
  error: string | null = 'connecting';

  constructor(
    readonly name: string,
    private readonly open: () => Promise<DataSource>,
  ) {}

  read<T>(sql: string, parameters?: unknown[] | ObjectLiteral): Promise<T> {
    if (!this.source) return Promise.reject(Object.assign(new Error('replica not connected'), { code: 'ENOTCONN' }));
    return this.source.query<T>(sql, parameters);
  }

  snapshot<T>(read: (db: EntityManager) => Promise<T>): Promise<T> {
    if (!this.source) return Promise.reject(Object.assign(new Error('replica not connected'), { code: 'ENOTCONN' }));
    return this.source.transaction('REPEATABLE READ', read);
  }

  failed(error: unknown): void {
    this.up = false;
    this.failures++;
    this.error = codeOrName(error);
  }

  /** Reads the heartbeat back; one probe at a time, so a hung replica holds only its own. */
  async probe(holder: string): Promise<void> {
    if (this.probing) return;
    this.probing = true;
    try {
      this.source ??= await this.open();
      const rows: Array<{ beat_ms: string | number }> = await this.source.query('SELECT beat_ms FROM replica_heartbeats WHERE holder = ?', [
        holder,
      ]);
      this.seenBeat = rows.length > 0 ? Number(rows[0].beat_ms) : 0;
      this.up = true;
      this.error = null;
    } catch (error) {
      this.up = false;
      this.error = codeOrName(error);
    } finally {
      this.probing = false;
    }
  }

  lagMs(now: number): number | null {
    return this.seenBeat > 0 ? Math.max(0, now - this.seenBeat) : null;
  }

  state(now: number, maxLagMs: number): ReplicaState {
    if (!this.up) return 'down';
    const lag = this.lagMs(now);
    return lag !== null && lag <= maxLagMs ? 'serving' : 'behind';
  }

  async close(): Promise<void> {
    if (this.source?.isInitialized) await this.source.destroy();
  }
}

/**
 * The replicas of OP_DATABASE_REPLICA_URLS and the choice, per request, of where its reads go.
 *
 * Every {@link BEAT_MS} this process writes its clock to its row of `replica_heartbeats` on the
 * primary and reads the row back from each replica. A replica's lag is the age of the beat it
 * holds; one further behind than OP_REPLICA_MAX_LAG_MS, or failing, is not read until a probe
 * finds it well again, and with none left reads go to the primary. Replication applies the
 * primary's commits in order, so a replica holding a beat written after a write finished holds
 * that write too: an operator's reads go to a replica only once it holds a beat newer than the
 * operator's last write through this process (before that, to the primary). That is how an
 * operator who just marked a message sees the mark on the next read.
 */
export class ReadReplicas {
  private readonly holder = holderId();
  private readonly replicas: Replica[];
  private readonly maxLagMs: number;
  /** Each operator's last finished write through this process (clock ms); dropped once no replica could still lack it and serve. */
  private readonly writes = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;
  private beating = false;
  private next = 0;
  /** Requests that wanted a replica and were read from the primary: none was serving, or none held the operator's last write. */
  primaryRequests = 0;

  constructor(
    private readonly primary: DataSource,
    config: ReplicaConfig,
    open: (database: MysqlDatabaseConfig) => Promise<DataSource>,
  ) {
    this.maxLagMs = config.maxLagMs;
    this.replicas = config.databases.map((database) => new Replica(`${database.host}:${database.port}`, () => open(database)));
  }

  get configured(): boolean {
    return this.replicas.length > 0;
  }

  start(): void {
    if (!this.configured || this.timer) return;
    void this.tick();
    this.timer = setInterval(() => void this.tick(), BEAT_MS);
    this.timer.unref();
  }

  /** Runs `read` (a request's handler) with its reads on a replica that may serve this operator, or on the primary. */
  reading<T>(operatorId: string | null, read: () => T): T {
    return scopes.run({ replica: this.choose(operatorId) }, read);
  }

  /** An operator's request that may have written has finished: their reads wait for a replica that holds it. */
  wrote(operatorId: string | null): void {
    if (operatorId !== null && this.configured) this.writes.set(operatorId, clock());
  }

  status(): ReplicaStatus[] {
    const now = clock();
    return this.replicas.map((replica) => ({
      replica: replica.name,
      state: replica.state(now, this.maxLagMs),
      lagMs: replica.lagMs(now),
      requests: replica.requests,
      failures: replica.failures,
      error: replica.error,
    }));
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.configured && this.primary.isInitialized) {
      await this.primary.query('DELETE FROM replica_heartbeats WHERE holder = ?', [this.holder]).catch(() => undefined);
    }
    await Promise.all(this.replicas.map((replica) => replica.close().catch(() => undefined)));
  }

  /** Round robin over the replicas serving and holding the operator's last write; null: the primary. */
  private choose(operatorId: string | null): Replica | null {
    if (!this.configured) return null;
    const now = clock();
    const lastWrite = operatorId === null ? 0 : (this.writes.get(operatorId) ?? 0);
    for (let i = 0; i < this.replicas.length; i++) {
      const replica = this.replicas[(this.next + i) % this.replicas.length];
      if (replica.state(now, this.maxLagMs) === 'serving' && replica.seenBeat > lastWrite) {
        this.next = (this.next + i + 1) % this.replicas.length;
        replica.requests++;
        return replica;
      }
    }
    this.primaryRequests++;
    return null;
  }

  private async tick(): Promise<void> {
    // Each replica's probe runs on its own: a hung one must not stop the beats the others are measured by.
    if (!this.beating) {
      this.beating = true;
      const beat = clock();
      const upsert = `INSERT INTO replica_heartbeats (holder, beat_ms) VALUES (?, ?) ${dialectOf(this.primary).onConflict(['holder'], { beat_ms: merge.replace })}`;
      // A primary that cannot take the beat leaves every replica aging: reads go to the primary, and fail there as any would.
      await this.primary
        .query(upsert, [this.holder, beat])
        .catch(() => undefined)
        .finally(() => (this.beating = false));
    }
    for (const replica of this.replicas) void replica.probe(this.holder);
    const now = clock();
    for (const [operatorId, at] of this.writes) if (now - at > this.maxLagMs) this.writes.delete(operatorId);
  }
}
