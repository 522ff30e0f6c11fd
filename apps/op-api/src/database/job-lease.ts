import type { DataSource } from 'typeorm';
import { dialectOf } from './dialect';
import { affectedRows } from './sql';
import { holderId } from '../common/util/random-id';

/** How long a lease lasts unless renewed: a process that dies frees the job this long after. */
export const JOB_LEASE_MS = 60_000;

/**
 * A job that runs in one process at a time across every process on the database (a row of
 * `job_leases`): taken when free or expired, renewed a third of the way through while the work
 * runs, freed when it ends. A process that dies holding it frees it after {@link JOB_LEASE_MS}.
 */
export class JobLease {
  private readonly owner = holderId();

  constructor(
    private readonly dataSource: DataSource,
    readonly name: string,
    private readonly leaseMs = JOB_LEASE_MS,
  ) {}

  /** Runs `work` holding the lease; `null` without running it when another process holds it. */
  async run<T>(work: () => Promise<T>): Promise<{ value: T } | null> {
    if (!(await this.take())) return null;
    const renewal = setInterval(() => void this.take().catch(() => undefined), this.leaseMs / 3);
    try {
      return { value: await work() };
    } finally {
      clearInterval(renewal);
      await this.dataSource
        .query('UPDATE job_leases SET lease_until = 0 WHERE name = ? AND owner = ?', [this.name, this.owner])
        .catch(() => undefined);
    }
  }

  private async take(): Promise<boolean> {
    const now = Date.now();
    await this.dataSource.query(`${dialectOf(this.dataSource).insertIgnore} INTO job_leases (name, owner, lease_until) VALUES (?, '', 0)`, [
      this.name,
    ]);
    const taken = await affectedRows(
      this.dataSource,
      'UPDATE job_leases SET owner = ?, lease_until = ? WHERE name = ? AND (owner = ? OR lease_until < ?)',
      [this.owner, now + this.leaseMs, this.name, this.owner, now],
    );
    return taken > 0;
  }
}
