// Starts what the panel's end-to-end spec drives: the real API (in-process, SQLite), the
// real built panel (serve.js over the `next build` output) and Debian's Chromium through playwright-core.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { freePort } from 'op-api/testing';

export const ADMIN_DIR = join(__dirname, '..');
export const WORKSPACE = join(ADMIN_DIR, '..', '..');
/** Screenshots a person can look at after a run (gitignored; named in docs/testing.md). */
export const SCREENSHOTS = join(WORKSPACE, 'test-results', 'screenshots');
export const CHROMIUM = process.env.OP_CHROMIUM_PATH ?? '/usr/lib/chromium/chromium';
const NEXT_BIN = require.resolve('next/dist/bin/next', { paths: [ADMIN_DIR] });

export { freePort };

// A browser spec's steps are page loads, each a server round trip or several (one signs in 26
// times in a row): room for a loaded 2-core machine. Set here, in every e2e spec's module
// scope, because the root run (`npm test`, one run of every project) reads only its own
// testTimeout, never a project's.
jest.setTimeout(120_000);

const BUILD_LOCK = join(ADMIN_DIR, '.next-build.lock');
/** A lock older than any build was left by a killed run. */
const STALE_LOCK_MS = 15 * 60_000;

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** A complete build made in this checkout (`next build` writes its absolute folder into the output). */
function builtHere(): boolean {
  if (!existsSync(join(ADMIN_DIR, '.next', 'BUILD_ID'))) return false;
  try {
    return (
      (JSON.parse(readFileSync(join(ADMIN_DIR, '.next', 'required-server-files.json'), 'utf8')) as { appDir?: string }).appDir === ADMIN_DIR
    );
  } catch {
    return false;
  }
}

/**
 * `npm test` builds the panel before Jest runs; a spec run alone builds it when it is missing.
 * Spec files run in parallel workers: one builds, holding a lock directory; the others wait
 * for the lock to go (`.next` is incomplete until then), then use its build.
 */
export function ensurePanelBuilt(): void {
  for (;;) {
    const lockedAt = statSync(BUILD_LOCK, { throwIfNoEntry: false })?.mtimeMs;
    if (lockedAt !== undefined) {
      if (Date.now() - lockedAt > STALE_LOCK_MS) rmSync(BUILD_LOCK, { recursive: true, force: true });
      else sleepSync(500);
      continue;
    }
    if (builtHere()) return;
    try {
      mkdirSync(BUILD_LOCK);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw error;
    }
    break;
  }
  try {
    // Another worker may have finished between the look and the lock: never rebuild under it.
    if (builtHere()) return;
    const result = spawnSync(process.execPath, [NEXT_BIN, 'build'], {
      cwd: ADMIN_DIR,
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' },
    });
    if (result.status !== 0) throw new Error('next build failed');
  } finally {
    rmSync(BUILD_LOCK, { recursive: true, force: true });
  }
}

export interface Panel {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

export async function startPanel(env: Record<string, string>): Promise<Panel> {
  ensurePanelBuilt();
  const port = await freePort();
  const child = spawn(process.execPath, [join(ADMIN_DIR, 'serve.js')], {
    cwd: ADMIN_DIR,
    env: {
      ...process.env,
      NODE_ENV: 'production',
      NEXT_TELEMETRY_DISABLED: '1',
      PORT: String(port),
      OP_ADMIN_LISTEN_HOST: '127.0.0.1',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the panel exited: ${output}`);
    try {
      const response = await fetch(`${url}/login`);
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {
    url,
    child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.on('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** A pass-through HTTP proxy in front of the API: `delay` (by request path) holds a call back, as a slow API would. */
export interface ApiProxy {
  url: string;
  /** Milliseconds to hold a request for this path (with its query) before passing it on; 0 by default. */
  delay: (path: string) => number;
  /** Called once the API has answered a request (for this path) in full, whether or not its caller still waits. */
  answered: (path: string) => void;
  /** Whether to drop a request for this path unanswered, as an API that is down would (the connection closed); false by default. */
  down: (path: string) => boolean;
  close(): Promise<void>;
}

export async function startApiProxy(target: string): Promise<ApiProxy> {
  const upstream = new URL(target);
  // Hop-by-hop headers belong to each connection, not to the message passed on (RFC 9110 §7.6.1).
  const endToEnd = (headers: IncomingHttpHeaders) => {
    const { connection: _connection, 'keep-alive': _keepAlive, ...rest } = headers;
    return rest;
  };
  const server = createServer((incoming, answer) => {
    const body: Buffer[] = [];
    const path = incoming.url ?? '';
    incoming.on('data', (chunk: Buffer) => body.push(chunk));
    incoming.on('end', () => {
      if (proxy.down(path)) return void answer.destroy();
      // Passed on even when the caller has given up meanwhile: the API makes the change late.
      const pass = () => {
        const outgoing = httpRequest(
          { hostname: upstream.hostname, port: upstream.port, method: incoming.method, path, headers: endToEnd(incoming.headers) },
          (reply) => {
            reply.on('end', () => proxy.answered(path));
            if (answer.destroyed) return void reply.resume();
            answer.writeHead(reply.statusCode ?? 502, endToEnd(reply.headers));
            reply.pipe(answer);
          },
        );
        outgoing.on('error', () => answer.destroy());
        outgoing.end(Buffer.concat(body));
      };
      setTimeout(pass, proxy.delay(path));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const proxy: ApiProxy = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    delay: () => 0,
    answered: () => undefined,
    down: () => false,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return proxy;
}

export async function launchChromium(): Promise<Browser> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}
