import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

// No Docker engine runs here: these checks hold the images and compose file to the tree.
const ROOT = join(__dirname, '..', '..', '..');
const DOCKER = join(ROOT, 'docker');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { API_NODE_FLAGS } = require(join(ROOT, 'tools/scripts/ensure-built.js')) as { API_NODE_FLAGS: string[] };

interface Instruction {
  op: string;
  args: string;
}

function instructions(dockerfile: string): Instruction[] {
  const text = readFileSync(join(ROOT, dockerfile), 'utf8').replace(/\\\n/g, ' ');
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => ({ op: line.split(/\s+/, 1)[0].toUpperCase(), args: line.slice(line.split(/\s+/, 1)[0].length).trim() }));
}

/** What a build stage produces from the tree: a project's `dist` comes from its `src`. */
function producedByBuild(path: string): boolean {
  const dist = /^(.*)\/dist(\/.*)?$/.exec(path);
  if (dist) return existsSync(join(ROOT, dist[1], 'src')) && existsSync(join(ROOT, dist[1], 'package.json'));
  return path === 'node_modules' || existsSync(join(ROOT, path));
}

/** The source file a built script path comes from (`apps/op-api/dist/cli/opctl.js` → `src/cli/opctl.ts`). */
function sourceOf(script: string): string {
  return script.replace(/\/dist\//, '/src/').replace(/\.js$/, '.ts');
}

const compose = parse(readFileSync(join(DOCKER, 'compose.yaml'), 'utf8')) as {
  services: Record<
    string,
    { image?: string; build?: { context: string; dockerfile: string }; command?: string[]; environment?: Record<string, string> }
  >;
};
const dockerfiles = [...new Set(Object.values(compose.services).flatMap((s) => (s.build ? [s.build.dockerfile] : [])))];

describe('docker/', () => {
  it('composes MariaDB, a migration step, the API and the panel, each image built from a Dockerfile that exists', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['admin', 'api', 'mariadb', 'migrate']);
    expect(compose.services.mariadb.image).toMatch(/^mariadb:10\.11/);
    expect(dockerfiles.sort()).toEqual(['docker/admin.Dockerfile', 'docker/api.Dockerfile']);
    for (const file of dockerfiles) expect(existsSync(join(ROOT, file))).toBe(true);
    const migrate = compose.services.migrate.command!;
    expect(existsSync(join(ROOT, sourceOf(migrate[1])))).toBe(true);
    expect(migrate.slice(2)).toEqual(['migrate']);
  });

  it('takes every secret from the environment, none written in the file', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      for (const [key, value] of Object.entries(service.environment ?? {})) {
        if (/PASSWORD|SECRET|_KEY$/.test(key))
          expect([name, key, value]).toEqual([
            name,
            key,
            expect.stringMatching(/^(\$\{[A-Z_]+(:[?-][^}]*)?\}|.*\$\{[A-Z_]+:\?[^}]*\}.*)$/),
          ]);
      }
    }
  });

  it.each(['docker/api.Dockerfile', 'docker/admin.Dockerfile'])(
    '%s copies only files that exist or that its build makes, runs as non-root with a health check',
    (file) => {
      const steps = instructions(file);
      expect(steps.filter((s) => s.op === 'FROM').length).toBeGreaterThanOrEqual(2);
      for (const copy of steps.filter((s) => s.op === 'COPY')) {
        const parts = copy.args.split(/\s+/);
        const fromStage = parts[0].startsWith('--from=');
        const sources = parts.filter((p) => !p.startsWith('--')).slice(0, -1);
        for (const source of sources) {
          if (fromStage) expect([file, source, producedByBuild(source.replace(/^\/app\//, ''))]).toEqual([file, source, true]);
          else expect([file, source, existsSync(join(ROOT, source))]).toEqual([file, source, true]);
        }
      }
      const finalStage = steps.slice(steps.map((s) => s.op).lastIndexOf('FROM'));
      expect(finalStage.find((s) => s.op === 'USER')?.args).toBe('node');
      expect(finalStage.some((s) => s.op === 'HEALTHCHECK')).toBe(true);
      expect(finalStage.some((s) => s.op === 'RUN' && /npm (ci|install)/.test(s.args))).toBe(false);
      expect(steps.some((s) => s.op === 'RUN' && /npm prune --omit=dev/.test(s.args))).toBe(true);
      const cmd = JSON.parse(finalStage.find((s) => s.op === 'CMD')!.args) as string[];
      const workdir = finalStage
        .filter((s) => s.op === 'WORKDIR')
        .map((s) => s.args)
        .pop()!;
      const script = join(
        workdir.replace(/^\/app/, ''),
        cmd.slice(1).find((arg) => !arg.startsWith('--'))!,
      ).replace(/^\//, '');
      // The API runs with the flags `npm start` and the benches give it (tools/scripts/ensure-built.js).
      if (script.endsWith('main.js')) expect(cmd.slice(1).filter((arg) => arg.startsWith('--'))).toEqual(API_NODE_FLAGS);
      // One of our scripts: built from its TypeScript source, or a plain script of the tree.
      expect([script, existsSync(join(ROOT, sourceOf(script))) || existsSync(join(ROOT, script))]).toEqual([script, true]);
    },
  );

  it('passes `docker compose config` where the client has compose', () => {
    let hasCompose = true;
    try {
      execFileSync('docker', ['compose', 'version'], { stdio: 'ignore' });
    } catch {
      hasCompose = false;
    }
    if (!hasCompose) return; // this machine's Docker client has no compose plugin; the checks above still ran
    const env = {
      ...process.env,
      OP_DB_ROOT_PASSWORD: 'r',
      OP_DB_PASSWORD: 'p',
      OP_MASTER_KEY: '0'.repeat(64),
      OP_ADMIN_CLIENT_ID: 'c',
      OP_ADMIN_CLIENT_SECRET: 's',
    };
    execFileSync('docker', ['compose', '-f', join(DOCKER, 'compose.yaml'), 'config', '-q'], { env, stdio: 'pipe' });
  });

  it('moves both images to the Node LTS the tests run on', () => {
    for (const file of dockerfiles) {
      const from = instructions(file)
        .filter((s) => s.op === 'FROM')
        .map((s) => s.args.split(/\s+/)[0]);
      expect([file, from]).toEqual([file, from.map(() => expect.stringMatching(/^node:24-/))]);
    }
  });
});

describe('the Node the project runs on', () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } };

  it('is Node 24 LTS here, whatever the system Node is, and `engines` says so', () => {
    // Jest's own process: `npm test` and `npx jest` start it through node_modules/.bin/node.
    expect(Number(process.versions.node.split('.')[0])).toBe(24);
    expect(pkg.engines.node).toBe('>=24 <25');
  });

  it('loads better-sqlite3 built for this Node', () => {
    const script =
      "const db = new (require('better-sqlite3'))(':memory:'); process.stdout.write(JSON.stringify(db.prepare('SELECT 1 + 1 AS n').get()))";
    expect(execFileSync(process.execPath, ['-e', script], { cwd: ROOT, encoding: 'utf8' })).toBe('{"n":2}');
  });
});
