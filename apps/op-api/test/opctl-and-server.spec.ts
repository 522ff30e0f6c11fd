import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { OpClient } from '@op/contracts/node';
import { DataSource } from 'typeorm';
import type { ChatMessageListData } from '@op/contracts';
import { MIGRATIONS } from '../src/database/migrations';
import { createTestDatabase, ENGINES, type TestDatabase } from './support/databases';
import { MAIN, mysqlQuery, OPCTL, runNode, startServer } from './support/processes';
import { record, T0 } from './support/records';

/** The workspace's root, where npm runs its scripts. */
const ROOT = join(__dirname, '..', '..', '..');

beforeAll(() => {
  if (!existsSync(OPCTL) || !existsSync(MAIN))
    throw new Error('apps/op-api/dist is missing: run `npm test` (it builds first) or `npm run build`');
});

describe.each(ENGINES)('opctl and the built server on %s', (engine) => {
  let db: TestDatabase;
  let dataDir: string;
  let env: Record<string, string>;
  const opctl = async (...args: string[]) => {
    const run = await runNode(OPCTL, args, env);
    // Exactly one JSON object on stdout, success or not.
    expect(run.stdout.trim().split('\n')).toHaveLength(1);
    return { ...run, json: JSON.parse(run.stdout) as Record<string, unknown> };
  };

  beforeAll(async () => {
    db = await createTestDatabase(engine);
    dataDir = mkdtempSync(join(tmpdir(), 'op-cli-'));
    env = { OP_DATABASE_URL: db.url, OP_DATA_DIR: dataDir, OP_TIMEZONE: 'Asia/Shanghai' };
  });

  afterAll(async () => {
    await db?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('runs the whole operator workflow and the API serves what it made', async () => {
    const first = await opctl('migrate');
    const all = MIGRATIONS.map((migration) => new migration().name);
    expect(all[0]).toBe('InitialSchema1732500000000');
    expect(first).toMatchObject({ code: 0, json: { applied: all } });
    expect((await opctl('migrate')).json).toEqual({ applied: [] });

    const tenant = await opctl('tenant:create', '--name', '一号租户');
    expect(tenant.json).toEqual({ tenantId: expect.stringMatching(/^[0-9a-f]{32}$/) });
    const tenantId = tenant.json.tenantId as string;

    const client = await opctl('client:create', '--tenant', tenantId, '--sign-method', 'md5');
    expect(client.json).toEqual({
      clientId: expect.stringMatching(/^[0-9a-f]{32}$/),
      secret: expect.any(String),
      signMethod: 'md5',
      tenantId,
    });

    const operator = await opctl(
      'operator:create',
      '--tenant',
      tenantId,
      '--username',
      'alice',
      '--password',
      'a-long-password',
      '--role',
      'admin',
      '--im-username',
      'kefu01',
    );
    expect(operator.json).toEqual({ operatorId: expect.any(String), username: 'alice', role: 'admin', tenantId });
    const duplicate = await opctl('operator:create', '--tenant', tenantId, '--username', 'alice');
    expect(duplicate.code).not.toBe(0);
    expect(duplicate.json).toEqual({ error: { code: 409, message: 'username alice 已存在' } });

    const token = await opctl('token:issue', '--operator', operator.json.operatorId as string, '--ttl', '600');
    expect(token.json).toEqual({
      token: expect.stringMatching(/^o0001[0-9a-f]{32}$/),
      expiresAt: expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/),
    });

    expect(
      (await opctl('easemob:app', '--tenant', tenantId, '--appkey', 'easemob-demo#kefu', '--callback-secret', 'cb-secret')).json,
    ).toEqual({ tenantId, appkey: 'easemob-demo#kefu' });
    expect((await opctl('service-account:add', '--tenant', tenantId, '--im-username', 'robot01')).json).toEqual({
      tenantId,
      imUsername: 'robot01',
    });

    const file = join(dataDir, 'history.jsonl.gz');
    const lines = [0, 1, 2].map((i) =>
      JSON.stringify(record({ chatId: 'u0001cli', timestamp: T0 + i * 1000, msgId: `cli-${i}`, chatStatus: 3 })),
    );
    writeFileSync(file, gzipSync([lines[0], 'not json', lines[1], lines[2]].join('\n')));
    const imported = await opctl('import', '--tenant', tenantId, '--file', file);
    expect(imported.json).toEqual({ imported: 3, duplicates: 0, expired: 0, failed: 1, errors: [{ line: 2, message: '不是有效的 JSON' }] });
    expect(imported.stderr).toContain('import done: 3 imported');
    // A line that did not go in is a failure to a script, report or not.
    expect(imported.code).toBe(1);
    const again = await opctl('import', '--tenant', tenantId, '--file', file);
    expect(again.json).toMatchObject({ imported: 0, duplicates: 3 });
    expect(again.code).toBe(1);
    writeFileSync(join(dataDir, 'clean.jsonl'), `${lines[0]}\n`);
    expect((await opctl('import', '--tenant', tenantId, '--file', join(dataDir, 'clean.jsonl'))).code).toBe(0);
    // `npm run opctl` runs its wrapper in the package's folder, the operator's folder in INIT_CWD:
    // a relative --file is the operator's (it was looked for in the package's folder).
    const wrapped = spawnSync(
      process.execPath,
      [join(ROOT, 'tools/opctl/opctl.js'), 'import', '--tenant', tenantId, '--file', 'clean.jsonl'],
      { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env, INIT_CWD: dataDir, npm_lifecycle_event: 'opctl' }, encoding: 'utf8' },
    );
    expect([wrapped.status, JSON.parse(wrapped.stdout) as unknown]).toEqual([0, expect.objectContaining({ imported: 0, duplicates: 1 })]);

    const server = await startServer({ ...env, OP_HOST_NAME: 'cli-host' });
    try {
      const api = new OpClient({
        baseUrl: server.baseUrl,
        clientId: client.json.clientId as string,
        secret: client.json.secret as string,
        signMethod: 'md5',
        token: token.json.token as string,
      });
      const { status, envelope } = await api.call<ChatMessageListData>('chatMessageList', { chatId: 'u0001cli', pageSize: 2, pageNum: 2 });
      expect(status).toBe(200);
      expect(envelope.data).toMatchObject({
        status: '聊天中',
        chatId: 'u0001cli',
        msg: [{ hxMsgId: 'cli-2', createTime: '2016-02-19 18:43:02' }],
      });
      expect(envelope.page).toEqual({ total: 3, page: 2, pageSize: 2, count: 1, next: false, startIndex: 2 });
      expect(envelope.foot.host).toBe('cli-host');

      // `sign` prints a curl to paste, aimed at the API on OP_PORT; pasted into a shell, it is answered.
      const port = new URL(server.baseUrl).port;
      const signed = await runNode(
        OPCTL,
        ['sign', '--client', client.json.clientId as string, '--secret', client.json.secret as string, '--sign-method', 'md5'].concat([
          '--token',
          token.json.token as string,
          '--body',
          JSON.stringify({ chatId: 'u0001cli', pageSize: 1 }),
        ]),
        { ...env, OP_PORT: port },
      );
      expect(signed.stdout).toMatch(new RegExp(`^curl -s -X POST 'http://127\\.0\\.0\\.1:${port}/op/v2/chatMessageList\\?[^\\n]*\\n$`));
      const pasted = spawnSync('sh', ['-c', signed.stdout], { encoding: 'utf8' });
      expect(JSON.parse(pasted.stdout)).toMatchObject({ code: 200, data: { chatId: 'u0001cli', msg: [{ hxMsgId: 'cli-0' }] } });
    } finally {
      await server.stop();
    }
  });

  it('fails with a JSON error naming the flag or variable', async () => {
    const missing = await opctl('client:create');
    expect(missing.code).toBe(1);
    expect(missing.json).toEqual({ error: { code: 400, message: '--tenant 不能为空' } });
    const unknownTenant = await opctl('client:create', '--tenant', 'nope');
    expect(unknownTenant.json).toEqual({ error: { code: 404, message: '租户 nope 不存在' } });
    const badEnv = await runNode(OPCTL, ['migrate'], { ...env, OP_TIMEZONE: 'Nowhere/City' });
    expect(badEnv.code).toBe(1);
    expect(JSON.parse(badEnv.stdout)).toEqual({
      error: { code: 400, message: '配置错误：OP_TIMEZONE 不是有效的时区（例如 Asia/Shanghai）' },
    });
    const twice = await opctl('tenant:create', '--name', 'first', '--name', 'second');
    expect(twice.json).toEqual({ error: { code: 400, message: '--name 只能给出一次' } });
    // What Node's argument parser refuses, in the operator's words.
    for (const [args, message] of [
      [['tenant:create', '--nam', 'x'], '未知参数 --nam：npm run opctl -- tenant:create --help 列出它的参数'],
      [['token:issue', '--operator', 'o', '--ttl', '-5'], '--ttl 的值以 - 开头：请写作 --ttl=<值>'],
      [['token:issue', '--operator', 'o', '--ttl'], '--ttl 需要一个值'],
      [['tenant:create', '--name', 'x', 'yes'], '多余的参数 yes：每个值都要跟在它的 --参数 之后'],
    ] as const) {
      expect({ args, json: (await opctl(...args)).json }).toEqual({ args, json: { error: { code: 400, message } } });
    }
    const folder = await opctl('import', '--tenant', 'nope', '--file', dataDir);
    expect(folder.json).toEqual({ error: { code: 400, message: `--file 不是文件：${dataDir}` } });
    const badEscape = await runNode(OPCTL, ['migrate'], { ...env, OP_DATABASE_URL: 'mysql://root:S3cret%ZZ@127.0.0.1:3306/op' });
    expect(badEscape.code).toBe(1);
    expect(badEscape.stdout).toContain('OP_DATABASE_URL 中的密码含有无效的 % 转义');
    expect(badEscape.stdout).not.toContain('S3cret');
    // An IM name with white space at either end, which no callback's from or to has.
    const someTenant = ((await opctl('tenant:create', '--name', 'im')).json as { tenantId: string }).tenantId;
    for (const args of [
      ['service-account:add', '--tenant', someTenant, '--im-username', 'svc_bot '],
      ['operator:create', '--tenant', someTenant, '--username', 'padded', '--im-username', ' padded'],
    ]) {
      expect(await opctl(...args)).toMatchObject({ code: 1, json: { error: { code: 400, message: 'im-username 首尾不能有空白字符' } } });
    }
  });

  it('says in Chinese when the database is the cause: not there, refusing the login, its file busy', async () => {
    const failed = async (extra: Record<string, string>) => {
      const run = await runNode(OPCTL, ['tenant:create', '--name', 'x'], { ...env, ...extra });
      expect(run.code).toBe(1);
      return JSON.parse(run.stdout) as unknown;
    };
    if (engine === 'sqlite') {
      // Another process writing the file (the driver said `database is locked`).
      const holder = await new DataSource({ type: 'better-sqlite3', database: db.url.slice('sqlite:'.length) }).initialize();
      const runner = holder.createQueryRunner();
      await runner.query('BEGIN EXCLUSIVE');
      try {
        expect(await failed({})).toEqual({ error: { code: 503, message: '数据库文件正被另一进程占用（SQLITE_BUSY），请稍后重试' } });
      } finally {
        await runner.query('ROLLBACK');
        await runner.release();
        await holder.destroy();
      }
      return;
    }
    expect(await failed({ OP_DATABASE_URL: 'mysql://root@127.0.0.1:9/op' })).toEqual({
      error: { code: 503, message: '无法连接数据库（ECONNREFUSED）：请确认 OP_DATABASE_URL 所指的服务器在运行、地址和端口无误' },
    });
    const denied = await failed({ OP_DATABASE_URL: 'mysql://nobody:wrong-password@127.0.0.1:3306/op' });
    expect(denied).toEqual({
      error: {
        code: 503,
        message: expect.stringMatching(/^数据库拒绝了登录（ER_ACCESS_DENIED_\w+）：请检查 OP_DATABASE_URL 中的用户名、密码和权限$/),
      },
    });
    expect(JSON.stringify(denied)).not.toContain('wrong-password');
  });

  it('answers help with each command and its flags', async () => {
    const help = await opctl('--help');
    expect(help.code).toBe(0);
    expect((help.json.commands as Record<string, unknown>).import).toEqual({ required: ['--tenant', '--file'], optional: [] });
    const one = await opctl('token:issue', '--help');
    expect(one.code).toBe(0);
    expect(one.json).toMatchObject({ command: 'token:issue', required: ['--operator'], optional: ['--ttl'] });
    // The word as a value is a value: the tenant is made, not the help printed.
    const named = await opctl('tenant:create', '--name', 'help');
    expect([named.code, typeof named.json.tenantId]).toEqual([0, 'string']);
  });

  it('names the master key when a sealed secret does not open under it', async () => {
    const tenant = await opctl('tenant:create', '--name', 'sealed');
    expect((await opctl('client:create', '--tenant', tenant.json.tenantId as string)).code).toBe(0);
    const run = await runNode(OPCTL, ['master-key:rotate', '--new-key', '7c'.repeat(32)], { ...env, OP_MASTER_KEY: '6b'.repeat(32) });
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout).error.message).toContain('与当前主密钥（OP_MASTER_KEY，或数据目录中的 master.key）不符');
    // Nor does it seal anything new: a secret sealed under another key opened nowhere the others
    // did, and stopped every rotation after it.
    const wrongKey = { ...env, OP_MASTER_KEY: '6b'.repeat(32) };
    const tenantId = tenant.json.tenantId as string;
    for (const args of [
      ['client:create', '--tenant', tenantId],
      ['easemob:app', '--tenant', tenantId, '--appkey', 'sealed#app', '--callback-secret', 'cb-secret'],
    ]) {
      const refused = await runNode(OPCTL, args, wrongKey);
      expect({ args, code: refused.code, error: (JSON.parse(refused.stdout) as { error?: unknown }).error }).toEqual({
        args,
        code: 1,
        error: {
          code: 409,
          message:
            '当前主密钥（OP_MASTER_KEY，或数据目录中的 master.key）打不开已保存的任何密钥：请使用加密它们时的主密钥，新的密钥不会用它加密',
        },
      });
    }
    expect((await opctl('client:create', '--tenant', tenantId)).code).toBe(0);
    expect((await opctl('master-key:rotate', '--new-key', '7c'.repeat(32))).code).toBe(0);
  });

  it('refuses to start the API on a bad variable, naming it', async () => {
    const run = await runNode(MAIN, [], { ...env, OP_PORT: 'eighty' });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('配置错误：OP_PORT 必须是 0 到 65535 之间的整数');
  });

  it('says in its last line why the API could not start when the database refuses its credentials', async () => {
    const run = await runNode(MAIN, [], { ...env, OP_DATABASE_URL: 'mysql://op_nobody:wrong@127.0.0.1:3306/op_nowhere' });
    expect(run.code).toBe(1);
    expect(run.stderr.trim().split('\n').at(-1)).toMatch(/^Op API failed to start: Access denied for user 'op_nobody'@/);
  });
});

describe.each(ENGINES)('migrations run by several processes at once on %s', (engine) => {
  it('applies each migration once, the API starting beside two opctl migrate, none failing', async () => {
    const db = await createTestDatabase(engine);
    const dataDir = mkdtempSync(join(tmpdir(), 'op-migrate-'));
    const env = { OP_DATABASE_URL: db.url, OP_DATA_DIR: dataDir };
    try {
      const [server, ...runs] = await Promise.all([startServer(env), runNode(OPCTL, ['migrate'], env), runNode(OPCTL, ['migrate'], env)]);
      await server.stop();
      const applied = runs.map((run) => (JSON.parse(run.stdout) as { applied: string[] }).applied);
      expect(runs.map((run) => run.code)).toEqual([0, 0]);
      // Whoever came first applied every migration; the others found none pending.
      const all = MIGRATIONS.map((migration) => new migration().name);
      expect(applied.every((names) => names.length === 0 || names.length === all.length)).toBe(true);
      expect(await countMigrations(db.url)).toBe(all.length);
    } finally {
      await db.drop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

/** Rows of the migrations table, read as another process would. */
async function countMigrations(url: string): Promise<number> {
  if (!url.startsWith('sqlite:')) return Number((await mysqlQuery<{ n: number }>(url, 'SELECT COUNT(*) AS n FROM migrations'))[0].n);
  const reader = await new DataSource({ type: 'better-sqlite3', database: url.slice('sqlite:'.length) }).initialize();
  try {
    return Number((await reader.query<Array<{ n: number }>>('SELECT COUNT(*) AS n FROM migrations'))[0].n);
  } finally {
    await reader.destroy();
  }
}
