import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import { ConfigError, loadConfig, type AppConfig } from '../config/app-config';
import { OpError } from '../common/errors/op-error';
import { TimeFormatter } from '../common/util/time-format';
import { migrate, openDataSource } from '../database/data-source';
import { AccessService } from '../modules/access/access.service';
import { DemoSeedService } from '../modules/demo/demo-seed.service';
import { ImportService } from '../modules/importer/import.service';
import { CliModule } from './cli.module';

type Flags = Record<string, string | undefined>;

interface Command {
  flags: string[];
  required: string[];
  run(app: INestApplicationContext, flags: Flags, config: AppConfig): Promise<unknown>;
}

const access = (app: INestApplicationContext) => app.get(AccessService);

function integerFlag(flags: Flags, name: string): number | undefined {
  const raw = flags[name];
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(raw)) throw OpError.badRequest(`--${name} 必须是正整数`);
  return Number(raw);
}

const COMMANDS: Record<string, Command> = {
  migrate: { flags: [], required: [], run: async () => ({}) },
  'tenant:create': { flags: ['name'], required: ['name'], run: (app, f) => access(app).createTenant(f.name!) },
  'client:create': {
    flags: ['tenant', 'sign-method'],
    required: ['tenant'],
    run: (app, f) => access(app).createClient(f.tenant!, f['sign-method']),
  },
  'operator:create': {
    flags: ['tenant', 'username', 'password', 'role', 'im-username'],
    required: ['tenant', 'username'],
    run: (app, f) =>
      access(app).createOperator({ tenantId: f.tenant!, username: f.username!, password: f.password, role: f.role, imUsername: f['im-username'] }),
  },
  'token:issue': {
    flags: ['operator', 'ttl'],
    required: ['operator'],
    run: async (app, f, config) => {
      const { token, expiresAtMs } = await access(app).issueToken(f.operator!, integerFlag(f, 'ttl'));
      return { token, expiresAt: new TimeFormatter(config.timezone).formatMs(expiresAtMs) };
    },
  },
  import: {
    flags: ['tenant', 'file'],
    required: ['tenant', 'file'],
    run: (app, f) => {
      let last = 0;
      return app.get(ImportService).importFile(f.tenant!, f.file!, (p) => {
        if (Date.now() - last < 1000) return;
        last = Date.now();
        process.stderr.write(`import: ${p.lines} lines, ${p.imported} imported, ${p.duplicates} duplicates, ${p.failed} failed\n`);
      });
    },
  },
  'seed:demo': { flags: [], required: [], run: (app) => app.get(DemoSeedService).seed() },
  'easemob:app': {
    flags: ['tenant', 'appkey', 'callback-secret'],
    required: ['tenant', 'appkey', 'callback-secret'],
    run: (app, f) => access(app).registerEasemobApp(f.tenant!, f.appkey!, f['callback-secret']!),
  },
  'service-account:add': {
    flags: ['tenant', 'im-username'],
    required: ['tenant', 'im-username'],
    run: (app, f) => access(app).addServiceAccount(f.tenant!, f['im-username']!),
  },
};

const USAGE = `usage: npm run opctl -- <command> [--flags]\ncommands: ${Object.keys(COMMANDS).join(', ')}`;

/** Runs one command; returns what to print on stdout. Throws on failure. */
export async function runOpctl(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<unknown> {
  const [name, ...rest] = argv;
  const command = name ? COMMANDS[name] : undefined;
  if (!command) throw OpError.badRequest(name ? `未知命令 ${name}\n${USAGE}` : USAGE);
  let values: Flags;
  try {
    values = parseArgs({
      args: rest,
      options: Object.fromEntries(command.flags.map((flag) => [flag, { type: 'string' as const }])),
      strict: true,
      allowPositionals: false,
    }).values as Flags;
  } catch (error) {
    throw OpError.badRequest(`参数错误：${(error as Error).message}`);
  }
  for (const flag of command.required) {
    if (values[flag] === undefined || values[flag] === '') throw OpError.badRequest(`--${flag} 不能为空`);
  }
  const config = loadConfig(env);
  const dataSource = await openDataSource(config.database);
  try {
    const applied = await migrate(dataSource);
    if (name === 'migrate') return { applied };
    const app = await NestFactory.createApplicationContext(CliModule.forRoot(config, dataSource), { logger: false });
    try {
      return await command.run(app, values, config);
    } finally {
      await app.close();
    }
  } finally {
    if (dataSource.isInitialized) await dataSource.destroy();
  }
}

if (require.main === module) {
  runOpctl(process.argv.slice(2)).then(
    (result) => {
      process.stdout.write(JSON.stringify(result) + '\n');
    },
    (error: unknown) => {
      const known = error instanceof OpError || error instanceof ConfigError;
      const message = known ? (error as Error).message : `失败：${(error as Error)?.message ?? String(error)}`;
      const code = error instanceof OpError ? error.code : known ? 400 : 500;
      process.stdout.write(JSON.stringify({ error: { code, message } }) + '\n');
      process.stderr.write(message + '\n');
      process.exitCode = 1;
    },
  );
}
