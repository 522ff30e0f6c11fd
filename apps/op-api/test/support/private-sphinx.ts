import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sphinxNodeConfig, type SphinxNode } from '../../src/modules/search-index/engines/sphinx-config';
import { freePort, stopChild, waitForMysqlProtocol } from './processes';

const SEARCHD = process.env.OP_TEST_SEARCHD ?? '/usr/bin/searchd';

/**
 * A search tier of the test's own: `nodes` real `searchd` processes (Debian's sphinxsearch,
 * the protocol Manticore speaks), each holding one shard, each with the distributed index
 * over all of them. `env` is what the API is started with to use it.
 */
export class PrivateSphinx {
  private readonly children: ChildProcess[] = [];

  private constructor(
    readonly dir: string,
    readonly nodes: SphinxNode[],
    private readonly maxPacketSize?: string,
  ) {}

  /**
   * `maxPacketSize` replaces the generated config's (32M) with the value given, as a tier set
   * up by hand may have it (8M is searchd's default).
   */
  static async create(count = 2, options: { maxPacketSize?: string } = {}): Promise<PrivateSphinx> {
    // A port freePort found free may be taken by another spec file's server before searchd binds
    // it (searchd then exits, and its SphinxQL port refuses): the tier starts again on new ports.
    for (let attempt = 1; ; attempt++) {
      const dir = mkdtempSync(join(tmpdir(), 'op-sphinx-'));
      const nodes: SphinxNode[] = [];
      for (let i = 0; i < count; i++) nodes.push({ host: '127.0.0.1', sqlPort: await freePort(), apiPort: await freePort() });
      const tier = new PrivateSphinx(dir, nodes, options.maxPacketSize);
      try {
        await tier.start();
        return tier;
      } catch (error) {
        // A node that never listened stops its tier, as a private MariaDB does: one left running outlived the spec.
        await tier.destroy();
        if (attempt >= 3) throw error;
      }
    }
  }

  get env(): Record<string, string> {
    return {
      OP_SEARCH_ENGINE: 'sphinx',
      OP_SPHINX_SHARDS: this.nodes.map((n) => `${n.host}:${n.sqlPort}`).join(','),
      OP_SPHINX_SEARCH: `${this.nodes[0].host}:${this.nodes[0].sqlPort}`,
    };
  }

  private async start(): Promise<void> {
    this.nodes.forEach((node, i) => {
      const dataDir = join(this.dir, `node${i}`);
      mkdirSync(dataDir, { recursive: true });
      let config = sphinxNodeConfig({ dataDir, node, nodes: this.nodes, memLimit: '64M' });
      if (this.maxPacketSize) config = config.replace(/max_packet_size = \S+/, `max_packet_size = ${this.maxPacketSize}`);
      writeFileSync(join(dataDir, 'sphinx.conf'), config);
    });
    // All at once, as before each could reach the others: the ports freePort found are taken soonest.
    this.nodes.forEach((_, i) => this.spawnNode(i));
    for (const [i, node] of this.nodes.entries()) await this.listening(i, node);
  }

  /** Node `i` answers on its SphinxQL port; refused at once when it exits first (a port taken under it). */
  private listening(i: number, node: SphinxNode): Promise<void> {
    const child = this.children[i];
    const exited = new Promise<never>((_, reject) => {
      if (child.exitCode !== null) reject(new Error(`searchd node ${i} exited (${child.exitCode})`));
      child.once('exit', (code) => reject(new Error(`searchd node ${i} exited (${code})`)));
    });
    exited.catch(() => undefined); // waited on only while it starts
    return Promise.race([waitForMysqlProtocol(node.sqlPort, { attempts: 150 }), exited]);
  }

  private spawnNode(i: number): void {
    this.children[i] = spawn(SEARCHD, ['--config', join(this.dir, `node${i}`, 'sphinx.conf'), '--nodetach'], { stdio: 'ignore' });
  }

  /** Starts node `i` again after {@link stopNode}: its shard is as it left it. */
  async startNode(i: number): Promise<void> {
    this.spawnNode(i);
    await this.listening(i, this.nodes[i]);
  }

  /** Stops node `i` (SIGTERM: searchd saves its shard). */
  async stopNode(i: number): Promise<void> {
    await stopChild(this.children[i]);
  }

  async destroy(): Promise<void> {
    await Promise.all(this.children.map((child) => stopChild(child)));
    rmSync(this.dir, { recursive: true, force: true });
  }
}
