import { runOpctl } from '../../src/cli/opctl';
import { PrivateMariaDb } from './private-mariadb';
import { mysqlQuery } from './processes';

/**
 * A sharded deployment of the test's own: a Spider front (Debian's mariadb-plugin-spider) over
 * two backends, three private mariadbd. One per spec file, started by its first database and
 * stopped when its last one is dropped.
 */
export class SpiderCluster {
  private constructor(
    readonly front: PrivateMariaDb,
    readonly backends: PrivateMariaDb[],
  ) {}

  static async create(): Promise<SpiderCluster> {
    const started = await Promise.allSettled([PrivateMariaDb.create(), PrivateMariaDb.create(), PrivateMariaDb.create()]);
    const servers = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
    try {
      const failed = started.find((result) => result.status === 'rejected');
      if (failed) throw failed.reason;
      // Installed on the running server, as MariaDB's manual does it: loaded at start-up instead
      // (--plugin-load-add), Spider's set-up of its system tables crashed 10.11.19 now and then.
      await mysqlQuery(servers[0].url, "INSTALL SONAME 'ha_spider'");
      return new SpiderCluster(servers[0], servers.slice(1));
    } catch (error) {
      // Servers left running would keep the test process alive after the failure (a machine
      // without mariadb-plugin-spider hung the spec instead of failing it).
      await Promise.allSettled(servers.map((server) => server.destroy()));
      throw error;
    }
  }

  /**
   * A database `name` on the front and on each backend, laid out as a deployment does it: the
   * front migrated, then `opctl shard:setup` (which migrates the backends and moves the message
   * tables onto them).
   */
  async createDatabase(name: string): Promise<{ url: string; backendUrls: string[] }> {
    const url = `${this.front.url}/${name}`;
    const backendUrls = this.backends.map((backend) => `${backend.url}/${name}`);
    // A key of its own: with none set, the configuration would write a development key to data/.
    await runOpctl(['shard:setup', '--backends', backendUrls.join(',')], { OP_DATABASE_URL: url, OP_MASTER_KEY: '33'.repeat(32) });
    return { url, backendUrls };
  }

  async dropDatabase(name: string): Promise<void> {
    for (const server of [this.front, ...this.backends]) await mysqlQuery(server.url, `DROP DATABASE IF EXISTS \`${name}\``);
  }

  async destroy(): Promise<void> {
    await Promise.all([this.front, ...this.backends].map((server) => server.destroy()));
  }
}

let shared: Promise<SpiderCluster> | null = null;
let users = 0;

/** The spec file's cluster, started on first use; give it back with {@link releaseSpiderCluster}. */
export function acquireSpiderCluster(): Promise<SpiderCluster> {
  users++;
  shared ??= SpiderCluster.create();
  return shared;
}

export async function releaseSpiderCluster(): Promise<void> {
  if (--users > 0 || !shared) return;
  const cluster = shared;
  shared = null;
  await (await cluster).destroy();
}

/** Per backend, how many rows of a tenant a table holds there, read from the backend itself. */
export async function rowsPerBackend(backendUrls: string[], table: string, tenantId: string): Promise<number[]> {
  const counts: number[] = [];
  for (const url of backendUrls) {
    const [{ n }] = await mysqlQuery<{ n: number }>(url, `SELECT COUNT(*) AS n FROM \`${table}\` WHERE tenant_id = ?`, [tenantId]);
    counts.push(Number(n));
  }
  return counts;
}
