import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';

/** The built programs, as an operator runs them (`npm test` builds before Jest). */
export const DIST = join(__dirname, '..', '..', 'dist');
export const OPCTL = join(DIST, 'cli', 'opctl.js');
export const MAIN = join(DIST, 'main.js');

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a Node script to its end with only PATH and `env` in its environment. */
export function runNode(script: string, args: string[], env: Record<string, string>): Promise<Run> {
  return spawnNode(script, args, env).done;
}

/** Starts a Node script as {@link runNode} does: `child` to signal it, `done` when it has ended. */
export function spawnNode(script: string, args: string[], env: Record<string, string>): { child: ChildProcess; done: Promise<Run> } {
  const child = spawn(process.execPath, [script, ...args], { env: { PATH: process.env.PATH ?? '', ...env } });
  const done = new Promise<Run>((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
  return { child, done };
}

/** A tenant with a client and an operator signed in: what a signed call to a built server needs. */
export interface OpctlTenant {
  tenantId: string;
  clientId: string;
  secret: string;
  operatorId: string;
  token: string;
}

/**
 * Makes a tenant, its client, an operator (admin unless `role` says otherwise) and the
 * operator's token with the built `opctl`, as a deployment's operator would, on the database
 * `env` names (already migrated, or migrated by the first command).
 */
export async function opctlTenant(
  env: Record<string, string>,
  options: { name: string; username: string; role?: 'agent' | 'admin'; password?: string; ttlSeconds?: number },
): Promise<OpctlTenant> {
  const opctl = async (...args: string[]) => {
    const run = await runNode(OPCTL, args, env);
    if (run.code !== 0) throw new Error(`opctl ${args[0]} exited ${run.code}: ${run.stderr}`);
    return JSON.parse(run.stdout) as Record<string, string>;
  };
  const { tenantId } = await opctl('tenant:create', '--name', options.name);
  const { clientId, secret } = await opctl('client:create', '--tenant', tenantId);
  const password = options.password === undefined ? [] : ['--password', options.password];
  const { operatorId } = await opctl(
    'operator:create',
    '--tenant',
    tenantId,
    '--username',
    options.username,
    ...password,
    '--role',
    options.role ?? 'admin',
  );
  const ttl = options.ttlSeconds === undefined ? [] : ['--ttl', String(options.ttlSeconds)];
  const { token } = await opctl('token:issue', '--operator', operatorId, ...ttl);
  return { tenantId, clientId, secret, operatorId, token };
}

/** Sends `signal` to a child process (if it still runs) and resolves when it has exited. */
export function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}

/**
 * One statement on a connection of its own to what a `mysql://` URL names: a server (no
 * database in the path) or one of its databases. The rows of a SELECT.
 */
export async function mysqlQuery<T = unknown>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const mysql = await import('mysql2/promise');
  const connection = await mysql.createConnection(url);
  try {
    return (await connection.query(sql, params))[0] as T[];
  } finally {
    await connection.end();
  }
}

/**
 * Holds the rows of `chats` that `where` selects (FOR UPDATE, as a purge or an erasure holds them
 * while it deletes) on a connection of its own, until the returned release rolls back.
 */
export async function holdChatRows(url: string, where: string, params: unknown[]): Promise<() => Promise<void>> {
  const mysql = await import('mysql2/promise');
  const connection = await mysql.createConnection(url);
  try {
    await connection.query('BEGIN');
    await connection.query(`SELECT id FROM chats WHERE ${where} FOR UPDATE`, params);
  } catch (error) {
    await connection.end();
    throw error;
  }
  return async () => {
    await connection.query('ROLLBACK');
    await connection.end();
  };
}

/** Waits until a server at `port` on 127.0.0.1 takes a MySQL-protocol connection (MariaDB, searchd). */
export async function waitForMysqlProtocol(port: number, options: { user?: string; attempts?: number } = {}): Promise<void> {
  const mysql = await import('mysql2/promise');
  for (let i = 0; ; i++) {
    try {
      // The handshake is enough: both answer it only once they listen.
      const connection = await mysql.createConnection({ host: '127.0.0.1', port, user: options.user });
      await connection.end();
      return;
    } catch (error) {
      if (i > (options.attempts ?? 150)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

export interface RunningServer {
  child: ChildProcess;
  baseUrl: string;
  /** Everything the server wrote on stdout so far (its JSON logs). */
  stdout(): string;
  stop(): Promise<number | null>;
}

/** Starts the built API on a free port and waits until it answers. */
export async function startServer(env: Record<string, string>): Promise<RunningServer> {
  const port = await freePort();
  const child = spawn(process.execPath, [MAIN], { env: { PATH: process.env.PATH ?? '', ...env, OP_PORT: String(port) } });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (err = (err + chunk.toString()).slice(-2000)));
  const baseUrl = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`the API exited with ${child.exitCode}: ${err}`);
    if (i > 300) throw new Error('the API did not start');
    try {
      await fetch(`${baseUrl}/healthz`);
      break;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  return {
    child,
    baseUrl,
    stdout: () => out,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve(child.exitCode);
        child.on('exit', (code) => resolve(code));
        child.kill('SIGTERM');
      }),
  };
}
