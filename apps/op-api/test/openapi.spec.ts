import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SwaggerParser from '@apidevtools/swagger-parser';
import Ajv2020 from 'ajv/dist/2020';
import openapiTS, { astToString } from 'openapi-typescript';
import ts from 'typescript';
import { OP_ENDPOINT_NAMES, opEndpoint, type ChatInfo, type Envelope, type OpEndpointName } from '@op/contracts';
import { OpClient } from '@op/contracts/node';
import { APPKEY, CALLBACK_SECRET, callbackBody, postCallback } from './support/easemob';
import { ENGINES } from './support/databases';
import { record } from './support/records';
import { startTestApp, type TestApp, type TestTenant } from './support/test-app';

// Issue 17: the served /openapi.json is a document a standard client toolchain takes as it is,
// and it tells the truth: a real success answer of every endpoint validates against it.

type Schema = Record<string, unknown>;
interface OpenApiDocument {
  openapi: string;
  paths: Record<
    string,
    { post?: { requestBody?: { required?: boolean }; responses: Record<string, { content?: Record<string, { schema: Schema }> }> } }
  >;
  components: { schemas: Record<string, Schema> };
}

const fetchDocument = async (baseUrl: string) => (await (await fetch(`${baseUrl}/openapi.json`)).json()) as OpenApiDocument;
const successOf = (doc: OpenApiDocument, name: OpEndpointName) => doc.paths[opEndpoint(name).path].post!.responses['200'];

/** A valid body of every endpoint that takes one, for the token and role checks. */
const VALID_BODIES: Partial<Record<OpEndpointName, object>> = {
  auditList: {},
  customerErase: { customerId: 'u0001nobody', confirm: 'u0001nobody' },
  auditExport: { from: '2000-01-01 00:00:00', to: '2000-01-02 00:00:00' },
};

describe('the served OpenAPI document', () => {
  let t: TestApp;
  let doc: OpenApiDocument;
  let workDir: string;

  beforeAll(async () => {
    t = await startTestApp('sqlite');
    doc = await fetchDocument(t.baseUrl);
    workDir = mkdtempSync(join(tmpdir(), 'op-openapi-'));
  });

  afterAll(async () => {
    await t?.close();
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  it('is valid OpenAPI 3.1 to swagger-parser, every $ref resolved', async () => {
    expect(doc.openapi).toBe('3.1.0');
    await expect(SwaggerParser.validate(structuredClone(doc) as never)).resolves.toBeDefined();
    const dereferenced = (await SwaggerParser.dereference(structuredClone(doc) as never)) as unknown as OpenApiDocument;
    const favorites = successOf(dereferenced, 'favoriteList').content!['application/json'].schema as {
      properties: { data: { properties: object } };
    };
    expect(Object.keys(favorites.properties.data.properties)).toEqual(['favorites']);
  });

  it('refuses the fractions the API refuses (400 `pageSize 必须是整数`): whole-number fields are integer', () => {
    const ajv = new Ajv2020({ strict: false });
    ajv.addSchema({ $id: 'doc', components: doc.components });
    const valid = (name: string, body: object) => ajv.validate({ $ref: `doc#/components/schemas/${name}` }, body);
    const cases: Array<[string, Record<string, unknown>, Record<string, unknown>]> = [
      ['ChatMessageListRequest', { chatId: 'c', pageSize: 2.5 }, { chatId: 'c', pageSize: 2 }],
      ['ChatMessageListRequest', { chatId: 'c', pageNum: 1.5 }, { chatId: 'c', pageNum: 1 }],
      ['CustomerListRequest', { limit: 1.5 }, { limit: 1 }],
    ];
    for (const [name, fraction, whole] of cases)
      expect([name, fraction, valid(name, fraction), valid(name, whole)]).toEqual([name, fraction, false, true]);
    // And the answers' counts, which a generated client would otherwise read as floating point.
    expect(valid('PageInfo', { total: 2.5, page: 1, pageSize: 20, count: 0, next: false, startIndex: 0 })).toBe(false);
    expect(valid('PageInfo', { total: 2, page: 1, pageSize: 20, count: 2, next: false, startIndex: 0 })).toBe(true);
  });

  it('has every endpoint of the registry, files described as files', () => {
    expect(
      Object.keys(doc.paths)
        .filter((path) => path.startsWith('/op/v2/'))
        .sort(),
    ).toEqual(OP_ENDPOINT_NAMES.map((name) => `/op/v2/${name}`).sort());
    expect(Object.keys(successOf(doc, 'chatExport').content!).sort()).toEqual(['application/x-ndjson', 'text/csv', 'text/html']);
    expect(Object.keys(successOf(doc, 'auditExport').content!)).toEqual(['text/csv']);
    expect(successOf(doc, 'chatSearch').content!['application/json'].schema).toMatchObject({
      required: ['code', 'message', 'data', 'page', 'foot'],
    });
  });

  it('generates, with openapi-typescript, a client whose answer types are the contracts’ own', async () => {
    // arrayLength: the [start, end) offsets become tuples, as the contracts declare them.
    const generated = astToString(await openapiTS(structuredClone(doc) as never, { arrayLength: true }));
    writeFileSync(join(workDir, 'openapi.ts'), generated);
    // Every envelope endpoint's `data` in the generated types is mutually assignable with the
    // type the contracts (and so the API's services and OpClient) declare for it.
    const envelopeNames = OP_ENDPOINT_NAMES.filter((name) => !opEndpoint(name).file);
    const contracts = join(__dirname, '../../../libs/contracts/src/index').replace(/\\/g, '/');
    writeFileSync(
      join(workDir, 'check.ts'),
      [
        `import type { paths } from './openapi';`,
        `import type { OpEndpointData, PageInfo, Foot } from '${contracts}';`,
        `type Json<P extends keyof paths> = paths[P] extends { post: { responses: { 200: { content: { 'application/json': infer J } } } } } ? J : never;`,
        `type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;`,
        ...envelopeNames.map((name) => `export const ${name}: Same<Json<'/op/v2/${name}'>['data'], OpEndpointData['${name}']> = true;`),
        `export const page: Same<NonNullable<Json<'/op/v2/chatSearch'>['page']>, PageInfo> = true;`,
        `export const foot: Same<Json<'/op/v2/chatDetail'>['foot'], Foot> = true;`,
        `export const code: Json<'/op/v2/chatDetail'>['code'] = 200;`,
        '',
      ].join('\n'),
    );
    const program = ts.createProgram([join(workDir, 'check.ts')], {
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      experimentalDecorators: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.Preserve,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      types: [],
    });
    const errors = ts.getPreEmitDiagnostics(program).map((diagnostic) => {
      const where = diagnostic.file
        ? diagnostic.file.text.slice(diagnostic.start, diagnostic.file.text.indexOf('\n', diagnostic.start))
        : '';
      return `${where}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')}`;
    });
    expect(errors).toEqual([]);
    for (const name of envelopeNames) expect(generated).toContain(`"/op/v2/${name}"`);
  }, 120_000);
});

describe.each(ENGINES)('real answers of every endpoint against the served OpenAPI document (%s)', (engine) => {
  let t: TestApp;
  let admin: TestTenant;
  let agent: OpClient;
  let doc: OpenApiDocument;
  const validated = new Set<string>();

  /** Validates a success envelope against the document's 200 schema of the endpoint. */
  let check: (name: OpEndpointName, envelope: Envelope<unknown>) => void;

  beforeAll(async () => {
    t = await startTestApp(engine);
    admin = await t.createTenant({ role: 'admin' });
    agent = (await t.addOperator(admin, { role: 'agent' })).client;
    await t.operators.create({ tenantId: admin.tenantId, username: 'openapi-login', password: 'openapi-password', role: 'admin' });
    const now = Date.now() - 3_600_000;
    await t.importRecords(admin.tenantId, [
      record({ chatId: 'u0001api', timestamp: now, body: { type: 'txt', msg: '你好，我要退款' } }),
      record({
        chatId: 'u0001api',
        timestamp: now + 1000,
        from: 'kefu01',
        to: 'u0001customer',
        body: { type: 'txt', msg: '好的，马上为您办理退款' },
      }),
      record({
        chatId: 'u0001api',
        timestamp: now + 2000,
        body: { type: 'img', url: 'https://a1.easemob.com/x/chatfiles/img1', filename: '发票.jpg', secret: 's1' },
      }),
      record({
        chatId: 'u0001api',
        timestamp: now + 3000,
        body: { type: 'loc', addr: '北京市朝阳区幸福路 7 号', lat: 39.915, lng: 116.404 },
      }),
    ]);
    doc = await fetchDocument(t.baseUrl);
    // Refs point at `#/components/schemas/`: give Ajv the document's components as the root.
    const ajv = new Ajv2020({ allErrors: true, strict: true });
    ajv.addVocabulary(['components']);
    check = (name, envelope) => {
      const schema = successOf(doc, name).content!['application/json'].schema;
      const validate = ajv.compile({ ...schema, components: doc.components });
      expect({ name, valid: validate(envelope), errors: validate.errors ?? null }).toEqual({ name, valid: true, errors: null });
      validated.add(name);
    };
  });

  afterAll(async () => {
    await t?.close();
  });

  it('chat lifecycle, messages and search', async () => {
    const c = admin.client;
    const list = await c.chatMessageList({ chatId: 'u0001api', needMark: true, needFavorite: true });
    check('chatMessageList', list);
    const created = await c.chatCreate({ customerId: 'u0001fresh' });
    check('chatCreate', created);
    const chatId = created.data.chatId;
    check('chatAssign', await c.chatAssign({ chatId, operatorId: admin.operatorId }));
    check('chatDetail', await c.chatDetail({ chatId }));
    check('chatStatusUpdate', await c.chatStatusUpdate({ chatId, status: 5 }));
    const search = await c.chatSearch({ keyword: '退款' });
    expect(search.data.chats[0].hits.length).toBeGreaterThan(0);
    check('chatSearch', search);
    check('chatMessageSearch', await c.chatMessageSearch({ chatId: 'u0001api', keyword: '退款' }));
  });

  it('operators and customers for pickers', async () => {
    const c = admin.client;
    const operators = await c.operatorList();
    expect(operators.data.operators.length).toBeGreaterThan(0);
    check('operatorList', operators);
    const customers = await c.customerList({ prefix: 'u0001' });
    expect(customers.data.customers.length).toBeGreaterThan(0);
    check('customerList', customers);
  });

  it('the hours the archive may lack', async () => {
    await t.easemobApps.register(admin.tenantId, 'openapi-org#openapi-app', 'callback-secret');
    await t.easemobApps.setRestCredentials(admin.tenantId, 'openapi-org#openapi-app', { clientId: 'rest-id', clientSecret: 'rest-secret' });
    const gaps = await admin.client.easemobGaps({});
    expect(gaps.data.gaps.length).toBe(24);
    check('easemobGaps', gaps);
  });

  it('marks, favorites and the audit trail', async () => {
    const c = admin.client;
    const messageId = (await c.chatMessageList({ chatId: 'u0001api' })).data.msg[0].userMessageId;
    check('messageMarkAdd', await c.messageMarkAdd({ messageId, mark: '退款' }));
    check('markList', await c.markList());
    check('messageMarkRemove', await c.messageMarkRemove({ messageId, mark: '退款' }));
    check('messageFavoriteRemove', await c.messageFavoriteRemove({ messageId }));
    check('messageFavoriteAdd', await c.messageFavoriteAdd({ messageId }));
    const favorites = await c.favoriteList();
    expect(favorites.data.favorites).toHaveLength(1);
    check('favoriteList', favorites);
    const audit = await c.auditList({ pageSize: 100 });
    expect(audit.data.records.length).toBeGreaterThan(0);
    check('auditList', audit);
  });

  it('sign-in and sign-out', async () => {
    const anonymous = new OpClient({ baseUrl: t.baseUrl, clientId: admin.clientId, secret: admin.secret });
    const login = await anonymous.operatorLogin({ username: 'openapi-login', password: 'openapi-password' });
    check('operatorLogin', login);
    const signedIn = new OpClient({ baseUrl: t.baseUrl, clientId: admin.clientId, secret: admin.secret, token: login.data.token });
    check('operatorLogout', await signedIn.operatorLogout());
  });

  it('files answer with a media type the document names; erasure answers its counts', async () => {
    const c = admin.client;
    for (const format of ['jsonl', 'csv', 'html'] as const) {
      const response = await c.chatExport({ chatId: 'u0001api', format });
      expect(Object.keys(successOf(doc, 'chatExport').content!)).toContain(response.headers.get('content-type')!.split(';')[0]);
      expect(response.headers.get('content-disposition')).toContain('u0001api');
      expect((await response.text()).length).toBeGreaterThan(0);
    }
    validated.add('chatExport');
    const csv = await c.auditExport({ from: '2000-01-01 00:00:00', to: '2100-01-01 00:00:00' });
    expect(Object.keys(successOf(doc, 'auditExport').content!)).toContain(csv.headers.get('content-type')!.split(';')[0]);
    expect(await csv.text()).toContain('chatExport');
    validated.add('auditExport');
    const erased = await c.customerErase({ customerId: 'u0001fresh', confirm: 'u0001fresh' });
    expect(erased.data.chats).toBe(1);
    check('customerErase', erased);
  });

  it('answered every endpoint of the registry, and each error answer matches the error envelope', async () => {
    expect([...validated].sort()).toEqual([...OP_ENDPOINT_NAMES].sort());
    const refused = await admin.client.call<ChatInfo>('chatDetail', { chatId: 'u0001missing' });
    expect(refused.status).toBe(404);
    const ajv = new Ajv2020({ strict: true });
    ajv.addVocabulary(['components']);
    expect(ajv.validate({ $ref: '#/components/schemas/ErrorEnvelope', components: doc.components }, refused.envelope)).toBe(true);
  });

  it('asks for a body only where a field is required, and the API takes none there', async () => {
    const optional = OP_ENDPOINT_NAMES.filter((name) => doc.paths[opEndpoint(name).path].post!.requestBody?.required !== true);
    expect(optional).toEqual(
      expect.arrayContaining(['favoriteList', 'auditList', 'customerList', 'easemobGaps', 'markList', 'operatorList']),
    );
    expect(optional).not.toContain('chatMessageList');
    for (const name of optional.filter((name) => name !== 'operatorLogout')) {
      const { status, envelope } = await admin.client.call(name, undefined);
      expect({ name, status, message: envelope.message }).toEqual({ name, status: 200, message: '成功' });
      // Every field sent as null, which the document allows: taken as not given.
      const request = opEndpoint(name).request;
      if (!request) continue;
      const fields = Object.keys(doc.components.schemas[request.name].properties as object);
      const nulls = Object.fromEntries(fields.map((field) => [field, null]));
      const ajv = new Ajv2020({ strict: true });
      ajv.addVocabulary(['components']);
      expect({ name, valid: ajv.validate({ $ref: `#/components/schemas/${request.name}`, components: doc.components }, nulls) }).toEqual({
        name,
        valid: true,
      });
      const asNulls = await admin.client.call(name, nulls);
      expect({ name, status: asNulls.status, message: asNulls.envelope.message }).toEqual({ name, status: 200, message: '成功' });
    }
  });

  it("describes the Easemob callback's answers as it gives them: the envelope, with what became of the message", async () => {
    await t.easemobApps.register(admin.tenantId, APPKEY, CALLBACK_SECRET);
    const post = (doc.paths['/hx/callback'] as { post: { responses: Record<string, { content: Record<string, { schema: Schema }> }> } })
      .post;
    const ajv = new Ajv2020({ allErrors: true, strict: true });
    ajv.addVocabulary(['components']);
    const answers = async (body: unknown, status: string) => {
      const answer = await postCallback(t.baseUrl, body);
      expect(String(answer.status)).toBe(status);
      const validate = ajv.compile({ ...post.responses[status].content['application/json'].schema, components: doc.components });
      expect({ valid: validate(JSON.parse(answer.text)), errors: validate.errors ?? null }).toEqual({ valid: true, errors: null });
      return JSON.parse(answer.text) as Envelope<{ result: string }>;
    };
    const body = callbackBody({ from: 'u0001callback', to: 'kefu01' });
    expect((await answers(body, '200')).data).toEqual({ result: 'stored' });
    expect((await answers(body, '200')).data).toEqual({ result: 'duplicate' });
    await answers(callbackBody({ from: 'u0001callback', to: 'kefu01', secret: 'wrong' }), '401');
    expect(Object.keys(post.responses).sort()).toEqual(['200', '400', '401', '413', '415', '503']);
  });

  it('asks for a token and a role where the registry says so', async () => {
    for (const name of OP_ENDPOINT_NAMES) {
      const endpoint = opEndpoint(name);
      const body = VALID_BODIES[name] ?? {};
      const { status, envelope } = await admin.client.call(name, body, { token: null });
      if (endpoint.token) expect({ name, status, message: envelope.message }).toEqual({ name, status: 401, message: 'token 不能为空' });
      else expect({ name, status }).not.toEqual({ name, status: 401 });
      if (!endpoint.roles.includes('agent')) {
        const asAgent = await agent.call(name, body);
        expect({ name, status: asAgent.status, message: asAgent.envelope.message }).toEqual({
          name,
          status: 403,
          message: `${name} 只允许管理员（admin）调用`,
        });
      }
    }
  });
});
