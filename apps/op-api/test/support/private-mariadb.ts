import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, stopChild, waitForMysqlProtocol } from './processes';

const ROOT = join(__dirname, '../../../..');
// The benchmarks' servers use the same CommonJS module (tools/bench/lib/private-mariadb.js).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { installDataDirectory, serverArgs } = require(join(ROOT, 'tools/scripts/mariadb-datadir.js')) as {
  installDataDirectory(options?: { prefix?: string }): string;
  serverArgs(dir: string, port: number, options?: { extra?: string[] }): string[];
};

/**
 * A MariaDB server of the test's own, which the test may stop and start: never the machine's
 * shared one, which other suites and CI use. Root over TCP with no password.
 */
export class PrivateMariaDb {
  private server: ChildProcess | null = null;

  private constructor(
    readonly dir: string,
    readonly port: number,
    private readonly args: string[],
  ) {}

  /** `args` replace the default `--skip-log-bin` (a replication test gives `--log-bin`, `--server-id`, …). */
  static async create(args: string[] = ['--skip-log-bin']): Promise<PrivateMariaDb> {
    const dir = installDataDirectory();
    const db = new PrivateMariaDb(dir, await freePort(), args);
    try {
      await db.start();
    } catch (error) {
      // A server that never answered is stopped, or it would keep the test process alive.
      await db.destroy().catch(() => undefined);
      throw error;
    }
    return db;
  }

  get url(): string {
    return `mysql://root@127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.server = spawn('/usr/sbin/mariadbd', serverArgs(this.dir, this.port, { extra: this.args }), { stdio: 'ignore' });
    await waitForMysqlProtocol(this.port, { user: 'root' });
  }

  /**
   * Freezes the server (SIGSTOP): it keeps its port and the kernel still accepts connections,
   * but nothing answers, as a hung database does. {@link resume} lets it go on.
   */
  pause(): void {
    if (!this.server?.pid) throw new Error('the private MariaDB is not running');
    process.kill(this.server.pid, 'SIGSTOP');
  }

  resume(): void {
    if (this.server?.pid) process.kill(this.server.pid, 'SIGCONT');
  }

  /** Stops the server (SIGTERM, a clean shutdown) and waits until it is gone. */
  async stop(): Promise<void> {
    this.resume(); // a frozen server would never see the SIGTERM
    const server = this.server;
    this.server = null;
    if (server) await stopChild(server);
  }

  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
