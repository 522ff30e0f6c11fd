import 'reflect-metadata';
import { existsSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import { SIGN_METHODS, type SignMethod } from '@op/contracts';
import { OpClient } from '@op/contracts/node';
import { interrupt, InterruptedError } from '../common/util/interruption';
import { UnsealError } from '../common/util/secret-box';
import { codeOrName, errorCode, isDatabaseDown, isDatabaseUnreachable } from '../common/filters/error-envelope';
import { ConfigError, loadConfig, parseMasterKey, type AppConfig } from '../config/app-config';
import { OpError } from '../common/errors/op-error';
import { TimeFormatter } from '../common/util/time-format';
import type { DataSource } from 'typeorm';
import { openDataSource } from '../database/data-source';
import { migrateFront, requireSpiderServer, shardBackends, shardOnSpider } from '../database/spider-shards';
import { ENTITIES } from '../entities';
import { ApiClientService } from '../modules/access/api-client.service';
import { EasemobAppService } from '../modules/access/easemob-app.service';
import { KeyRotationService } from '../modules/access/key-rotation.service';
import { OperatorTokenService } from '../modules/access/operator-token.service';
import { OperatorService } from '../modules/access/operator.service';
import { ServiceAccountService } from '../modules/access/service-account.service';
import { TenantService } from '../modules/access/tenant.service';
import { DEMO_CHAT_ID } from '../modules/demo/demo-data';
import { DEMO_FILE, DemoSeedService } from '../modules/demo/demo-seed.service';
import { ImportService, type ImportProgress, type ImportResult } from '../modules/importer/import.service';
import { ReconcileService, type ReconcileResult } from '../modules/importer/reconcile.service';
import { SearchIndexService } from '../modules/search-index/search-index.service';
import { RetentionService } from '../modules/trust/retention.service';
import { sphinxNodeConfig, type SphinxNode } from '../modules/search-index/engines/sphinx-config';
import { progressBar } from './progress';
import { CliModule } from './cli.module';

type Flags = Record<string, string | undefined>;

interface Command<Context = INestApplicationContext> {
  flags: string[];
  /** Flags that take no value (`--panel`); given, they read as 'true'. */
  switches?: string[];
  required: string[];
  run(context: Context, flags: Flags, config: AppConfig): Promise<unknown>;
}

/**
 * A path the operator typed, made absolute against the folder they typed it in: under
 * `npm run opctl` that is npm's INIT_CWD (tools/opctl/opctl.js), not the package's folder npm
 * runs scripts in (a relative `--file` was looked for, or found, there).
 */
function operatorPath(path: string): string {
  return resolve(process.env.OPCTL_CWD ?? process.cwd(), path);
}

function integerFlag(flags: Flags, name: string): number | undefined {
  const raw = flags[name];
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(raw)) throw OpError.badRequest(`--${name} 必须是非负整数`);
  return Number(raw);
}

const COMMANDS: Record<string, Command> = {
  'tenant:create': { flags: ['name'], required: ['name'], run: (app, f) => app.get(TenantService).create(f.name!) },
  'client:create': {
    flags: ['tenant', 'sign-method'],
    switches: ['panel'],
    required: ['tenant'],
    run: (app, f) => app.get(ApiClientService).create(f.tenant!, f['sign-method'], { panel: f.panel === 'true' }),
  },
  'operator:create': {
    flags: ['tenant', 'username', 'password', 'role', 'im-username'],
    required: ['tenant', 'username'],
    run: (app, f) =>
      app
        .get(OperatorService)
        .create({ tenantId: f.tenant!, username: f.username!, password: f.password, role: f.role, imUsername: f['im-username'] }),
  },
  'token:issue': {
    flags: ['operator', 'ttl'],
    required: ['operator'],
    run: async (app, f, config) => {
      const { token, expiresAtMs } = await app.get(OperatorTokenService).issue(f.operator!, integerFlag(f, 'ttl'));
      return { token, expiresAt: new TimeFormatter(config.timezone).formatMs(expiresAtMs) };
    },
  },
  'token:revoke': {
    flags: ['operator'],
    required: ['operator'],
    run: (app, f) => app.get(OperatorTokenService).revokeAll(f.operator!),
  },
  import: {
    flags: ['tenant', 'file'],
    required: ['tenant', 'file'],
    run: async (app, f) => {
      const file = operatorPath(f.file!);
      if (!existsSync(file)) throw OpError.badRequest(`--file 文件不存在：${file}`);
      if (!statSync(file).isFile()) throw OpError.badRequest(`--file 不是文件：${file}`);
      let last = 0;
      const counts = (c: Omit<ImportProgress, 'lines'>) =>
        `${c.imported} imported, ${c.duplicates} duplicates, ${c.expired} expired, ${c.failed} failed`;
      const progress = (p: ImportProgress) => process.stderr.write(`import: ${p.lines} lines, ${counts(p)}\n`);
      const result = await app.get(ImportService).importFile(f.tenant!, file, (p) => {
        if (Date.now() - last < 1000) return;
        last = Date.now();
        progress(p);
      });
      process.stderr.write(`import done: ${counts(result)}\n`);
      // An outbox-fed keyword index (Mroonga, Sphinx) takes the new messages before the command ends.
      await app.get(SearchIndexService).drain();
      return result;
    },
  },
  'client:rotate-secret': {
    flags: ['client'],
    required: ['client'],
    run: (app, f) => app.get(ApiClientService).rotateSecret(f.client!),
  },
  'client:revoke': {
    flags: ['client'],
    required: ['client'],
    run: (app, f) => app.get(ApiClientService).revoke(f.client!),
  },
  'master-key:rotate': {
    flags: ['new-key'],
    required: ['new-key'],
    run: async (app, f, config) => {
      const newKey = parseMasterKey(f['new-key']!, '--new-key');
      // A development key file follows the rotation: the new key is on disk before any secret
      // is sealed under it, and replaces the old file only once the re-seal has committed.
      const file = join(config.dataDir, 'master.key');
      if (!config.masterKey) writeFileSync(`${file}.new`, newKey.toString('hex') + '\n', { mode: 0o600 });
      let result: Awaited<ReturnType<KeyRotationService['resealAll']>>;
      try {
        result = await app.get(KeyRotationService).resealAll(newKey);
      } catch (error) {
        // Refused or rolled back: nothing is sealed under the new key, which must not linger on disk.
        if (!config.masterKey) rmSync(`${file}.new`, { force: true });
        throw error;
      }
      if (!config.masterKey) renameSync(`${file}.new`, file);
      return { ...result, keySource: config.masterKey ? 'OP_MASTER_KEY' : 'file' };
    },
  },
  'seed:demo': { flags: [], required: [], run: (app) => app.get(DemoSeedService).seed() },
  'easemob:app': {
    flags: ['tenant', 'appkey', 'callback-secret', 'client-id', 'client-secret', 'rest-url'],
    required: ['tenant', 'appkey', 'callback-secret'],
    run: async (app, f) => {
      if ((f['client-id'] === undefined) !== (f['client-secret'] === undefined))
        throw OpError.badRequest('--client-id 和 --client-secret 必须同时给出');
      if (f['rest-url'] !== undefined && f['client-id'] === undefined)
        throw OpError.badRequest('--rest-url 需要同时给出 --client-id 和 --client-secret');
      const rest =
        f['client-id'] === undefined ? undefined : { clientId: f['client-id'], clientSecret: f['client-secret']!, restUrl: f['rest-url'] };
      const registered = await app.get(EasemobAppService).register(f.tenant!, f.appkey!, f['callback-secret']!, rest);
      return rest ? { ...registered, clientId: rest.clientId } : registered;
    },
  },
  'easemob:reconcile': {
    flags: ['tenant', 'from', 'to'],
    required: ['tenant', 'from', 'to'],
    run: (app, f) =>
      app.get(ReconcileService).reconcileRange(f.tenant!, f.from!, f.to!, 'cli', (line) => process.stderr.write(`${line}\n`)),
  },
  'easemob:gaps': {
    flags: ['tenant', 'from', 'to'],
    required: ['tenant', 'from', 'to'],
    run: (app, f) => app.get(ReconcileService).gaps(f.tenant!, f.from!, f.to!),
  },
  'search:rebuild': {
    flags: ['tenant'],
    required: [],
    run: async (app, f) => {
      const search = app.get(SearchIndexService);
      search.requireReachable();
      const scope = f.tenant ?? '*';
      if (f.tenant !== undefined) await app.get(TenantService).requireExists(f.tenant);
      const started = Date.now();
      const bar = progressBar('search:rebuild');
      try {
        const { done, total } = await search.rebuild(scope, (p) => bar.update(p.done, p.total));
        return { engine: search.engineName, scope, indexed: done, total, seconds: Math.round((Date.now() - started) / 100) / 10 };
      } finally {
        bar.stop();
      }
    },
  },
  'search:verify': {
    flags: ['tenant', 'sample'],
    required: [],
    run: async (app, f) => {
      app.get(SearchIndexService).requireReachable();
      if (f.tenant !== undefined) await app.get(TenantService).requireExists(f.tenant);
      return app.get(SearchIndexService).verify(f.tenant ?? '*', integerFlag(f, 'sample') ?? 100);
    },
  },
  'retention:set': {
    flags: ['tenant', 'message-days', 'audit-days'],
    required: ['tenant'],
    run: (app, f) => app.get(RetentionService).setPolicy(f.tenant!, integerFlag(f, 'message-days'), integerFlag(f, 'audit-days')),
  },
  'retention:run': {
    flags: ['tenant'],
    required: [],
    run: async (app, f) => {
      const result = await app.get(RetentionService).run(f.tenant);
      // An outbox-fed keyword index (Mroonga, Sphinx) forgets the deleted messages before the command ends.
      await app.get(SearchIndexService).drain();
      return result;
    },
  },
  'service-account:add': {
    flags: ['tenant', 'im-username'],
    required: ['tenant', 'im-username'],
    run: (app, f) => app.get(ServiceAccountService).add(f.tenant!, f['im-username']!),
  },
};

function sphinxNode(flag: string, text: string): SphinxNode {
  const match = /^([A-Za-z0-9.-]+):(\d{1,5}):(\d{1,5})$/.exec(text.trim());
  const node = match ? { host: match[1], sqlPort: Number(match[2]), apiPort: Number(match[3]) } : null;
  const port = (n: number) => n >= 1 && n <= 65_535;
  if (!node || !port(node.sqlPort) || !port(node.apiPort) || node.sqlPort === node.apiPort)
    throw OpError.badRequest(`--${flag} 的节点 ${text} 无效（应为 host:sqlPort:apiPort，两个端口不同，均在 1-65535 之间）`);
  return node;
}

/**
 * A value written into sphinx.conf as the rest of its line: a line break would start lines of
 * the operator's choosing (another `listen`, another `path`), `#` a comment, and a trailing
 * backslash joins the next line.
 */
function sphinxConfigValue(flag: string, value: string): string {
  if ([...value].some((c) => c < ' ' || c === '\u007f' || c === '#') || value.endsWith('\\'))
    throw OpError.badRequest(`--${flag} 不能包含换行等控制字符、# 或结尾的 \\`);
  return value;
}

/** Commands that need the database and nothing of the application: runOpctl runs them itself. */
const DATABASE_ONLY: Record<string, Command<DataSource>> = {
  migrate: { flags: [], required: [], run: () => Promise.resolve({}) },
  'shard:setup': { flags: ['backends'], required: ['backends'], run: () => Promise.resolve({}) },
};

/** Commands that need no database. */
const OFFLINE: Record<string, Command> = {
  'search:sphinx-config': {
    flags: ['node', 'nodes', 'data-dir', 'mem-limit'],
    required: ['node', 'nodes', 'data-dir'],
    run: (_app, f) => {
      const node = sphinxNode('node', f.node!);
      const nodes = f.nodes!.split(',').map((n) => sphinxNode('nodes', n));
      const same = (a: SphinxNode, b: SphinxNode) => a.host === b.host && a.apiPort === b.apiPort;
      if (!nodes.some((n) => same(n, node))) throw OpError.badRequest('--nodes 必须包含 --node 本身');
      if (nodes.some((n, i) => nodes.findIndex((m) => same(m, n)) !== i)) throw OpError.badRequest('--nodes 中有重复的节点');
      const memLimit = f['mem-limit'];
      if (memLimit !== undefined && !/^[1-9]\d{0,5}[KMG]?$/i.test(memLimit))
        throw OpError.badRequest('--mem-limit 必须是大小，如 256M、2G');
      const dataDir = sphinxConfigValue('data-dir', operatorPath(f['data-dir']!));
      return Promise.resolve({ config: sphinxNodeConfig({ dataDir, node, nodes, memLimit }) });
    },
  },
  sign: {
    flags: ['client', 'secret', 'token', 'sign-method', 'path', 'body', 'base-url'],
    required: [],
    run: (_app, f, config) =>
      Promise.resolve(signedCurl({ 'base-url': `http://127.0.0.1:${config.port}`, ...demoCredentials(config), ...f })),
  },
};

/** The demo credentials `npm start` saved, as defaults for `sign`. */
function demoCredentials(config: AppConfig): Flags {
  const file = join(config.dataDir, DEMO_FILE);
  if (!existsSync(file)) return {};
  const demo = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
  return { client: demo.clientId, secret: demo.secret, token: demo.token, body: JSON.stringify({ chatId: DEMO_CHAT_ID }) };
}

/** A fresh signed request for copy-and-paste: the timestamp in it is good for 300 s. */
function signedCurl(f: Flags): { url: string; body: string; curl: string } {
  const method = f['sign-method'] ?? 'hmac-sha256';
  if (!(SIGN_METHODS as readonly string[]).includes(method)) throw OpError.badRequest(`--sign-method 只能是 ${SIGN_METHODS.join(' 或 ')}`);
  const name = (f.path ?? 'chatMessageList').replace(/^\/?(op\/v2\/)?/, '');
  let body: unknown;
  try {
    body = JSON.parse(f.body ?? '{}');
  } catch {
    throw OpError.badRequest('--body 必须是 JSON');
  }
  const client = new OpClient({
    baseUrl: f['base-url']!,
    clientId: f.client!,
    secret: f.secret!,
    token: f.token,
    signMethod: method as SignMethod,
  });
  if (!f.client || !f.secret) throw OpError.badRequest('--client 和 --secret 不能为空（或先运行 npm start 生成演示数据）');
  const request = client.signedRequest(name, body, { nonce: null });
  const quoted = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;
  return {
    url: request.url,
    body: request.body,
    curl: `curl -s -X POST ${quoted(request.url)} -H 'Content-Type: application/json' -d ${quoted(request.body)}`,
  };
}

type Flagged = Pick<Command, 'flags' | 'switches' | 'required'>;
const ALL: Record<string, Flagged> = { ...DATABASE_ONLY, ...COMMANDS, ...OFFLINE };
const USAGE = `usage: npm run opctl -- <command> [--flags]\ncommands: ${Object.keys(ALL).join(', ')}`;
const HELP_FLAGS = ['--help', '-h'];

/** A command's flags for `help`: required ones first; docs/CONTRACT.md §4 and docs/operations.md say what each does. */
function helpOf(command: Flagged): { required: string[]; optional: string[] } {
  const flag = (name: string) => `--${name}`;
  return {
    required: command.required.map(flag),
    optional: [...command.flags.filter((f) => !command.required.includes(f)), ...(command.switches ?? [])].map(flag),
  };
}

/** What parseArgs refused, in the operator's words (its own are English), naming the flag or word. */
function argumentError(error: Error & { code?: string }, command: string): string {
  const quoted = /'([^']*)'/.exec(error.message)?.[1]?.split(' ')[0] ?? '';
  const shown = /^[\w-]{1,40}$/.test(quoted) ? quoted : '';
  if (error.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return `未知参数 ${shown}：npm run opctl -- ${command} --help 列出它的参数`;
  if (error.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    return error.message.includes('ambiguous') ? `${shown} 的值以 - 开头：请写作 ${shown}=<值>` : `${shown} 需要一个值`;
  }
  if (error.code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') return `多余的参数 ${shown}：每个值都要跟在它的 --参数 之后`;
  return `参数错误：${error.message}`;
}

/** Flags that carry a secret: each may be given as `-`, to be read from standard input. */
const SECRET_FLAGS = ['password', 'secret', 'client-secret', 'callback-secret', 'new-key'];

/** Runs one command; returns what to print on stdout. Throws on failure. */
export async function runOpctl(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<unknown> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || HELP_FLAGS.includes(name))
    return { usage: USAGE, commands: Object.fromEntries(Object.entries(ALL).map(([n, c]) => [n, helpOf(c)])) };
  const command = COMMANDS[name] ?? DATABASE_ONLY[name] ?? OFFLINE[name];
  if (!command) throw OpError.badRequest(`未知命令 ${name}\n${USAGE}`);
  // Only the flag: a value may be the word (`--name help`).
  if (rest.some((arg) => HELP_FLAGS.includes(arg)))
    return { usage: `npm run opctl -- ${name} [--flags]`, command: name, ...helpOf(command) };
  let values: Flags;
  try {
    const { values: parsed, tokens } = parseArgs({
      args: rest,
      options: Object.fromEntries([
        ...command.flags.map((flag) => [flag, { type: 'string' as const }]),
        ...(command.switches ?? []).map((flag) => [flag, { type: 'boolean' as const }]),
      ]),
      strict: true,
      allowPositionals: false,
      tokens: true,
    });
    const seen = new Set<string>();
    for (const token of tokens) {
      if (token.kind !== 'option') continue;
      // parseArgs keeps the last of a repeated flag: a typo'd re-run would act on a value not meant.
      if (seen.has(token.name)) throw OpError.badRequest(`--${token.name} 只能给出一次`);
      seen.add(token.name);
    }
    values = Object.fromEntries(
      Object.entries(parsed).map(([flag, value]) => [flag, value === true ? 'true' : (value as string | undefined)]),
    );
  } catch (error) {
    if (error instanceof OpError) throw error;
    throw OpError.badRequest(argumentError(error as Error & { code?: string }, name));
  }
  // A secret given as `-` is read from standard input: on the command line it shows in `ps` and the shell's history.
  const piped = SECRET_FLAGS.filter((flag) => values[flag] === '-');
  if (piped.length > 1) throw OpError.badRequest(`只能有一个参数从标准输入读取（${piped.map((flag) => `--${flag} -`).join('、')}）`);
  if (piped.length === 1) {
    // From a terminal it would wait, silently, for Ctrl-D, the secret echoed as it is typed.
    if (process.stdin.isTTY) throw OpError.badRequest(`--${piped[0]} - 从标准输入读取：请用管道或重定向提供（如 … < 文件）`);
    values[piped[0]] = readFileSync(0, 'utf8').replace(/\r?\n$/, '');
  }
  for (const flag of command.required) {
    if (values[flag] === undefined || values[flag] === '') throw OpError.badRequest(`--${flag} 不能为空`);
  }
  const config: AppConfig = { ...loadConfig(env), keepSearchEngine: true };
  if (name && OFFLINE[name]) return command.run(undefined as never, values, config);
  // shard:setup's arguments and its front's Spider are checked before the front is opened, which
  // creates its database or file: a refused run leaves nothing behind.
  const shards = name === 'shard:setup' ? shardBackends(config.database, values.backends!.split(',')) : null;
  if (shards) await requireSpiderServer(shards.front);
  const dataSource = await openDataSource(config.database, ENTITIES);
  try {
    // shard:setup migrates the backends before the front; everything else migrates the front
    // here, which on a Spider front waits for backends that have every migration.
    if (shards) return await shardOnSpider(dataSource, shards);
    const applied = await migrateFront(dataSource);
    if (name === 'migrate') return { applied };
    const app = await NestFactory.createApplicationContext(CliModule.forRoot(config, dataSource), { logger: false, abortOnError: false });
    try {
      return await command.run(app, values, config);
    } finally {
      await app.close();
    }
  } finally {
    if (dataSource.isInitialized) await dataSource.destroy();
  }
}

/**
 * Commands whose report can say they ran to their end without doing all they were asked: opctl
 * prints the report and exits 1, so that scripts see it without reading the report.
 */
const INCOMPLETE: Record<string, (result: never) => boolean> = {
  import: (result: ImportResult) => result.failed > 0,
  'easemob:reconcile': (result: ReconcileResult) => result.totals.hoursNotOk > 0 || result.totals.failed > 0,
  'search:verify': (report: { ok: boolean }) => !report.ok,
};

/** Commands whose answer is a line to paste, not a report: printed as that line. */
const PLAIN: Record<string, (result: never) => string | undefined> = {
  sign: (result: { curl?: string }) => result.curl, // none in `sign --help`'s answer
};

/**
 * What the operator is told when the database is the cause, in Chinese with the driver's code
 * (the driver's own English said it, `connect ECONNREFUSED 127.0.0.1:3306`); null for anything else.
 */
function databaseFailure(error: unknown): string | null {
  if (!isDatabaseDown(error)) return null;
  const code = errorCode(error) ?? codeOrName(error);
  if (isDatabaseUnreachable(error)) return `无法连接数据库（${code}）：请确认 OP_DATABASE_URL 所指的服务器在运行、地址和端口无误`;
  if (code.startsWith('ER_ACCESS_DENIED')) return `数据库拒绝了登录（${code}）：请检查 OP_DATABASE_URL 中的用户名、密码和权限`;
  if (/^SQLITE_(BUSY|LOCKED)/.test(code)) return `数据库文件正被另一进程占用（${code}），请稍后重试`;
  return `数据库暂不可用（${code}），请稍后重试`;
}

/** What a command stopped by Ctrl-C left, and how to finish it (said with its report or error). */
const AFTER_INTERRUPT: Record<string, string> = {
  import: '已读到的行已导入；再次运行同一命令即可继续（已导入的消息会被跳过）',
  'easemob:reconcile': '进行中的小时已记为失败，其后的小时未开始；再次运行同一命令即可补齐',
  'retention:run': '已删除的不会恢复，其余未处理；再次运行同一命令即可继续',
  'search:rebuild': '进度已保存；再次运行同一命令会从中断处继续，API 也会在两分钟后自行继续',
};

/**
 * Ctrl-C (SIGINT) or SIGTERM: long commands stop after the batch under way (see interruption.ts),
 * free what they hold and print what they did; the exit code is 128 + the signal's number.
 * A second signal exits at once. Before, Node's default exit left a retention lease held for a
 * minute, a reconciled hour `running` and a rebuild's tenants on the windowed scan.
 */
function stopOnSignals(command: string): () => number | null {
  let exitCode: number | null = null;
  const stop = (signal: NodeJS.Signals) => {
    if (exitCode !== null) process.exit(exitCode);
    exitCode = 128 + (signal === 'SIGINT' ? 2 : 15);
    process.stderr.write(`收到 ${signal}：${command} 将在当前一批完成后停止（再次发送立即退出）\n`);
    interrupt();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  return () => exitCode;
}

/** Prints the command's one JSON object on stdout (an `error` object on failure; `sign`: its curl line). */
export function opctlMain(argv: string[]): Promise<void> {
  const stoppedBy = stopOnSignals(argv[0] ?? 'opctl');
  return runOpctl(argv).then(
    (result) => {
      const stopped = stoppedBy();
      const hint = AFTER_INTERRUPT[argv[0]];
      if (stopped !== null && hint && typeof result === 'object' && result !== null) result = { ...result, interrupted: hint };
      process.stdout.write((PLAIN[argv[0]]?.(result as never) ?? JSON.stringify(result)) + '\n');
      if (stopped !== null && hint) process.stderr.write(`已中断：${hint}\n`);
      if (INCOMPLETE[argv[0]]?.(result as never)) process.exitCode = 1;
      if (stopped !== null) process.exitCode = stopped;
    },
    (thrown: unknown) => {
      const database = databaseFailure(thrown);
      const error = database ? new OpError(503, database) : thrown;
      const known = error instanceof OpError || error instanceof ConfigError || error instanceof UnsealError;
      const interruptedBy = error instanceof InterruptedError ? stoppedBy() : null;
      const message =
        interruptedBy !== null
          ? `已中断：${AFTER_INTERRUPT[argv[0]] ?? (error as Error).message}`
          : known
            ? error.message
            : `失败：${(error as Error)?.message ?? String(error)}`;
      const code = error instanceof OpError ? error.code : error instanceof ConfigError ? 400 : interruptedBy !== null ? 503 : 500;
      process.stdout.write(JSON.stringify({ error: { code, message } }) + '\n');
      process.stderr.write(message + '\n');
      process.exitCode = interruptedBy ?? 1;
    },
  );
}

if (require.main === module) void opctlMain(process.argv.slice(2));
