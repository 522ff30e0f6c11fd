import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const lib = join(__dirname, '..');
const root = join(lib, '..', '..');

/** What another team writes: every entry of the package, types and values. */
const CONSUMER = `
import { CHAT_STATUS_LABELS, ChatMessageListRequest, canonicalString, type ChatMessageListData } from '@op/contracts';
import { OpApiError, OpClient } from '@op/contracts/node';
import { importRecord } from '@op/contracts/testing';

const client = new OpClient({ baseUrl: 'http://127.0.0.1:1', clientId: 'c', secret: 's' });
const page: ChatMessageListData | null = null;
const request = new ChatMessageListRequest();
export const used = [CHAT_STATUS_LABELS[5], canonicalString, client, page, request, OpApiError, importRecord];

// docs/api.md's example under strict: a success's data and a paged endpoint's page need no null check.
export async function firstPage(): Promise<number> {
  const { data, page } = await client.chatMessageList({ chatId: 'u1', needMark: true });
  const detail = await client.chatDetail({ chatId: 'u1' });
  return data.msg.length + page.total + detail.data.chatId.length;
}
`;

const run = (args: string[], cwd: string) => spawnSync(process.execPath, args, { cwd, encoding: 'utf8' });

/**
 * The library as `npm pack` ships it, installed in a project outside the workspace: its entries
 * (`.`, `./node`, `./testing`) resolve, with their types, under each module resolution a
 * TypeScript project may use (node10 is what a CommonJS project without one gets), and run
 * from CommonJS and from ESM.
 */
describe('the packed @op/contracts, as another team installs it', () => {
  let consumer: string;

  beforeAll(() => {
    if (!existsSync(join(lib, 'dist', 'index.js'))) throw new Error('libs/contracts/dist is missing: run `npm test` (it builds first)');
    consumer = mkdtempSync(join(tmpdir(), 'op-contracts-consumer-'));
    const npm = spawnSync('npm', ['pack', '--silent', '--ignore-scripts', '--pack-destination', consumer], { cwd: lib, encoding: 'utf8' });
    expect(npm.status).toBe(0);
    const tgz = readdirSync(consumer).find((name) => name.endsWith('.tgz'))!;
    const scope = join(consumer, 'node_modules', '@op');
    mkdirSync(scope, { recursive: true });
    expect(spawnSync('tar', ['xzf', join(consumer, tgz), '-C', scope]).status).toBe(0);
    renameSync(join(scope, 'package'), join(scope, 'contracts'));
    // Its dependencies, as npm would install them beside it.
    for (const dependency of [
      'class-validator',
      'class-transformer',
      'validator',
      'libphonenumber-js',
      '@types/node',
      '@types/validator',
    ]) {
      const target = join(consumer, 'node_modules', dependency);
      mkdirSync(join(target, '..'), { recursive: true });
      symlinkSync(join(root, 'node_modules', dependency), target, 'dir');
    }
    writeFileSync(join(consumer, 'consumer.ts'), CONSUMER);
  });

  afterAll(() => {
    if (consumer) rmSync(consumer, { recursive: true, force: true });
  });

  it.each([
    ['node10', { module: 'commonjs', moduleResolution: 'node10', ignoreDeprecations: '6.0' }],
    ['node16', { module: 'node16', moduleResolution: 'node16' }],
    ['bundler', { module: 'esnext', moduleResolution: 'bundler' }],
  ])('type-checks under moduleResolution %s', (name, options) => {
    writeFileSync(
      join(consumer, `tsconfig.${name}.json`),
      JSON.stringify({
        compilerOptions: {
          ...options,
          target: 'es2022',
          strict: true,
          noEmit: true,
          skipLibCheck: false,
          types: ['node'],
          experimentalDecorators: true,
        },
        files: ['consumer.ts'],
      }),
    );
    const tsc = run([join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', `tsconfig.${name}.json`], consumer);
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.status).toBe(0);
  });

  it('runs from CommonJS and from ESM', () => {
    const names = "['OpClient', 'OpApiError', 'importRecord', 'canonicalString']";
    const cjs = run(
      [
        '-e',
        `const a = require('@op/contracts'), b = require('@op/contracts/node'), c = require('@op/contracts/testing'); console.log(${names}.map((n) => typeof ({ ...a, ...b, ...c })[n]).join())`,
      ],
      consumer,
    );
    const esm = run(
      [
        '--input-type=module',
        '-e',
        `import * as a from '@op/contracts'; import * as b from '@op/contracts/node'; import * as c from '@op/contracts/testing'; console.log(${names}.map((n) => typeof ({ ...a, ...b, ...c })[n]).join())`,
      ],
      consumer,
    );
    expect([cjs.stdout.trim(), esm.stdout.trim()]).toEqual(['function,function,function,function', 'function,function,function,function']);
  });
});
