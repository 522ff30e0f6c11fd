import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, stopChild, waitForMysqlProtocol } from './processes';

/**
 * A fresh data directory made by `mariadb-install-db`, its bootstrap server kept off the shared
 * server's files: `--no-defaults` (the machine's my.cnf named the shared error log and /tmp as
 * the temporary directory, where the shared server keeps its temporary tables) and a temporary
 * directory of its own. With those shared, one install failed in CI and the shared server
 * crashed creating a temporary table (signal 11 in create_tmp_table_for_schema) while installs
 * ran beside it. What the install prints goes into the error; a failed attempt is logged and
 * tried once more in a fresh directory.
 */
function installDataDirectory(attempts = 2): string {
  for (let attempt = 1; ; attempt++) {
    const dir = mkdtempSync(join(tmpdir(), 'op-mariadb-'));
    chmodSync(dir, 0o755);
    mkdirSync(`${dir}/tmp`);
    execFileSync('chown', ['mysql:mysql', `${dir}/tmp`]);
    try {
      execFileSync(
        'mariadb-install-db',
        [
          '--no-defaults',
          '--user=mysql',
          `--datadir=${dir}/data`,
          `--tmpdir=${dir}/tmp`,
          '--auth-root-authentication-method=normal',
          '--skip-test-db',
        ],
        { stdio: 'pipe', encoding: 'utf8' },
      );
      return dir;
    } catch (error) {
      rmSync(dir, { recursive: true, force: true });
      const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
      const output = `mariadb-install-db failed (attempt ${attempt} of ${attempts}):\n${stdout}${stderr}`;
      if (attempt >= attempts) throw new Error(output);
      console.warn(output);
    }
  }
}

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
    execFileSync('chown', ['-R', 'mysql:mysql', dir]);
    const db = new PrivateMariaDb(dir, await freePort(), args);
    await db.start();
    return db;
  }

  get url(): string {
    return `mysql://root@127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.server = spawn(
      '/usr/sbin/mariadbd',
      [
        '--no-defaults',
        '--user=mysql',
        `--datadir=${this.dir}/data`,
        `--port=${this.port}`,
        `--socket=${this.dir}/sock`,
        '--bind-address=127.0.0.1',
        `--pid-file=${this.dir}/pid`,
        `--log-error=${this.dir}/error.log`,
        // Its temporary tables in its own folder, not the /tmp of the machine's shared server.
        `--tmpdir=${this.dir}`,
        '--innodb-buffer-pool-size=32M',
        ...this.args,
      ],
      { stdio: 'ignore' },
    );
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
