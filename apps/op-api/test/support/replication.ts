import type { Connection } from 'mysql2/promise';
import { parseDatabaseUrl } from '../../src/config/app-config';
import type { TestDatabase } from './databases';
import { PrivateMariaDb } from './private-mariadb';

/** The API's user on the replicas: it reads and nothing else, so a write sent there would fail, not land. */
const READER = { user: 'reader', password: 'reader-secret' };

/** A primary and its replicas (private mariadbd, binlog replication by GTID), with root connections to each. */
export interface Replication {
  primary: PrivateMariaDb;
  replicas: PrivateMariaDb[];
  /** Root on the primary, then on each replica, in order. */
  admin: Connection[];
  /** The primary's database `name`, for startTestApp (left to the servers' removal). */
  database(name: string): TestDatabase;
  /** `OP_DATABASE_REPLICA_URLS` for the database `name`, through the reader. */
  replicaUrls(name: string): string;
  destroy(): Promise<void>;
}

async function connect(server: PrivateMariaDb): Promise<Connection> {
  const mysql = await import('mysql2/promise');
  return mysql.createConnection({ host: '127.0.0.1', port: server.port, user: 'root', multipleStatements: true });
}

/**
 * Starts a primary (row-based binlog) and `count` replicas replicating it, with a replication
 * user and {@link READER} on the primary (so on every replica too). `beforeReplicating` runs on
 * each replica's root connection before it starts (a plugin to install first).
 */
export async function startReplication(count: number, beforeReplicating?: (replica: Connection) => Promise<unknown>): Promise<Replication> {
  const primary = await PrivateMariaDb.create(['--log-bin=primary-bin', '--server-id=1', '--binlog-format=ROW']);
  const replicas: PrivateMariaDb[] = [];
  const admin: Connection[] = [];
  const destroy = async () => {
    await Promise.all(admin.map((connection) => connection.end().catch(() => undefined)));
    await Promise.all([primary, ...replicas].map((server) => server.destroy()));
  };
  try {
    for (let i = 0; i < count; i++) replicas.push(await PrivateMariaDb.create(['--skip-log-bin', `--server-id=${i + 2}`, '--read-only=1']));
    admin.push(await connect(primary), ...(await Promise.all(replicas.map(connect))));
    // Users for 127.0.0.1 and localhost both: an anonymous ''@localhost would otherwise win for local TCP logins.
    for (const host of ['127.0.0.1', 'localhost']) {
      await admin[0].query(`CREATE USER 'repl'@'${host}' IDENTIFIED BY 'repl-secret'; GRANT REPLICATION SLAVE ON *.* TO 'repl'@'${host}'`);
      await admin[0].query(
        `CREATE USER '${READER.user}'@'${host}' IDENTIFIED BY '${READER.password}'; GRANT SELECT ON *.* TO '${READER.user}'@'${host}'`,
      );
    }
    for (const connection of admin.slice(1)) {
      await beforeReplicating?.(connection);
      await connection.query(
        `CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=${primary.port}, MASTER_USER='repl', MASTER_PASSWORD='repl-secret', ` +
          'MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=1; START SLAVE',
      );
    }
  } catch (error) {
    await destroy();
    throw error;
  }
  return {
    primary,
    replicas,
    admin,
    database(name) {
      const url = `${primary.url}/${name}`;
      return { engine: 'mariadb', url, config: parseDatabaseUrl(url, process.cwd()), drop: async () => undefined };
    },
    replicaUrls: (name) => replicas.map((server) => `mysql://${READER.user}:${READER.password}@127.0.0.1:${server.port}/${name}`).join(','),
    destroy,
  };
}
