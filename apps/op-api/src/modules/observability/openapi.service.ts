import { Injectable } from '@nestjs/common';
import { OP_ENDPOINT_NAMES, OP_RESPONSE_SCHEMAS, opEndpoint, type OpEndpoint } from '@op/contracts';
import { validationMetadatasToSchemas } from 'class-validator-jsonschema';

type Schema = Record<string, unknown>;

const SCHEMAS = '#/components/schemas/';
const ref = (name: string): Schema => ({ $ref: `${SCHEMAS}${name}` });

const SIGNED_QUERY = ['apiVersion', 'client', 'token', 'timestamp', 'nonce', 'sign'] as const;
const SIGNED_QUERY_DESCRIPTIONS: Record<(typeof SIGNED_QUERY)[number], string> = {
  apiVersion: '只支持 01',
  client: 'API 客户端 ID',
  token: '坐席令牌（operatorLogin 除外，必填）',
  timestamp: 'Unix 秒，与服务器时间相差不超过 300 秒',
  nonce: '可选；1 到 64 个可见 ASCII 字符，同一 client 600 秒内不可重复',
  sign: 'hmac-sha256 或 md5 签名（docs/CONTRACT.md §1）',
};

function signedQuery(endpoint: OpEndpoint): object[] {
  return SIGNED_QUERY.map((name) => ({
    name,
    in: 'query',
    required: name === 'token' ? endpoint.token : name !== 'nonce',
    // The guard's rule for a nonce (signature.guard.ts), so a generated client checks it too.
    schema: name === 'nonce' ? { type: 'string', pattern: '^[!-~]{1,64}$' } : { type: 'string' },
    description: SIGNED_QUERY_DESCRIPTIONS[name],
  }));
}

/**
 * @Min, @Max and CharLength give their bounds and nothing else: class-validator-jsonschema's own converters
 * also say `type: number`, which, merged after @IsInt's `integer`, made `pageSize` a number
 * that a validator built from the document let through as 2.5 (the API answers 400).
 */
const BOUNDS_ONLY = {
  min: (meta: { constraints: unknown[] }) => ({ minimum: meta.constraints[0] as number }),
  max: (meta: { constraints: unknown[] }) => ({ maximum: meta.constraints[0] as number }),
  // @op/contracts' CharLength: code points, as JSON Schema's minLength and maxLength count them.
  charLength: (meta: { constraints: unknown[] }) => ({
    minLength: meta.constraints[0] as number,
    maxLength: meta.constraints[1] as number,
  }),
};

/** Every error answer (docs/CONTRACT.md §2): the HTTP status equals `code`, `message` names the field. */
const ERROR_ENVELOPE: Schema = {
  type: 'object',
  required: ['code', 'message', 'data', 'foot'],
  properties: { code: { type: 'integer' }, message: { type: 'string' }, data: { type: 'null' }, foot: ref('Foot') },
  additionalProperties: false,
};

/** The callback's answer: the §2 envelope, `data.result` saying what became of the message. */
const CALLBACK_ANSWER: Schema = {
  type: 'object',
  required: ['code', 'message', 'data', 'foot'],
  properties: {
    code: { const: 200 },
    message: { type: 'string' },
    data: {
      type: 'object',
      required: ['result'],
      properties: { result: { enum: ['stored', 'duplicate', 'recalled', 'ignored', 'spooled'] } },
      additionalProperties: false,
    },
    foot: ref('Foot'),
  },
  additionalProperties: false,
};

/** A JSON body of this schema, as a request body or an answer names it. */
const jsonContent = (schema: object) => ({ 'application/json': { schema } });

/** Error answers by status, each the §2 error envelope. */
function errorAnswers(descriptions: Record<string, string>): Record<string, object> {
  return Object.fromEntries(
    Object.entries(descriptions).map(([status, description]) => [status, { description, content: jsonContent(ref('ErrorEnvelope')) }]),
  );
}

/** Whether a request schema names a field the body must have. */
function hasRequiredField(schema: unknown): boolean {
  const required = (schema as { required?: unknown } | undefined)?.required;
  return Array.isArray(required) && required.length > 0;
}

/**
 * The OpenAPI 3.1 description of every endpoint of the contracts' registry.
 *
 * Requests: the request classes' own class-validator rules (class-validator-jsonschema), so the
 * document cannot drift from what the API validates. Responses: the JSON Schemas generated from
 * the contracts' response types (`OpEndpointData`, committed as `response-schemas.generated.ts`
 * and kept current by its spec), each wrapped in the §2 envelope. The TypeScript types stay the
 * one source: nothing here restates a field.
 */
@Injectable()
export class OpenApiService {
  private cached?: object;

  document(): object {
    this.cached ??= this.build();
    return this.cached;
  }

  private build(): object {
    const { OpEndpointData: dataIndex, ...responseSchemas } = OP_RESPONSE_SCHEMAS;
    const dataSchemas = (dataIndex as { properties: Record<string, Schema> }).properties;
    const requestSchemas = this.requestSchemas();
    const clash = Object.keys(requestSchemas).filter((name) => name in responseSchemas || name === 'ErrorEnvelope');
    if (clash.length > 0) throw new Error(`OpenAPI: request and response schemas share the names ${clash.join(', ')}`);
    const schemas: Record<string, unknown> = { ...requestSchemas, ...responseSchemas, ErrorEnvelope: ERROR_ENVELOPE };

    const paths: Record<string, object> = {};
    for (const name of OP_ENDPOINT_NAMES) {
      const endpoint = opEndpoint(name);
      paths[endpoint.path] = {
        post: {
          operationId: name,
          summary: endpoint.summary,
          description:
            endpoint.roles.length === 1 && endpoint.roles[0] === 'admin' ? '仅管理员（admin）' : `角色：${endpoint.roles.join('、')}`,
          'x-op-roles': endpoint.roles,
          parameters: signedQuery(endpoint),
          requestBody: {
            // Needed only where a field is: an empty body is no body (all fields left out), and a
            // generator told otherwise made every caller of favoriteList or auditList send one.
            required: endpoint.request !== null && hasRequiredField(schemas[endpoint.request.name]),
            content: jsonContent(endpoint.request ? ref(endpoint.request.name) : { type: 'object' }),
          },
          responses: {
            '200': endpoint.file ? fileAnswer(endpoint.file) : envelopeAnswer(endpoint, dataSchemas[name]),
            default: {
              description: '错误信封：code 与 HTTP 状态相同，message 指明字段',
              content: jsonContent(ref('ErrorEnvelope')),
            },
          },
        },
      };
    }
    paths['/hx/callback'] = {
      post: {
        operationId: 'easemobCallback',
        summary: '环信发送后回调（由 security 字段校验，不用 /op/v2 签名）',
        requestBody: { required: true, content: jsonContent({ type: 'object' }) },
        responses: {
          '200': {
            description: '已存储、重复、撤回、忽略，或数据库不可用时已记入日志稍后存储',
            content: jsonContent(CALLBACK_ANSWER),
          },
          ...errorAnswers({
            '400': '请求体不是有效的 JSON 或 UTF-8',
            '401': 'appkey 未注册、security 错误、timestamp 过期，或 callId 已被使用且内容不同',
            '413': '请求体超过 1 MiB',
            '415': '字符集不是 UTF-8',
            '503': '数据库不可用且无法记入日志，环信会重试',
          }),
        },
      },
    };
    paths['/healthz'] = { get: { operationId: 'healthz', summary: '存活检查', responses: { '200': { description: '进程存活' } } } };
    paths['/readyz'] = {
      get: {
        operationId: 'readyz',
        summary: '就绪检查（数据库可用）',
        responses: {
          '200': { description: '就绪', content: jsonContent({ type: 'object' }) },
          '503': { description: '未就绪：数据库不可用，或启动尚未完成', content: jsonContent({ type: 'object' }) },
        },
      },
    };
    paths['/metrics'] = {
      get: {
        operationId: 'metrics',
        summary: 'Prometheus 指标',
        responses: { '200': { description: 'Prometheus 文本格式', content: { 'text/plain': { schema: { type: 'string' } } } } },
      },
    };
    paths['/openapi.json'] = {
      get: {
        operationId: 'openapi',
        summary: '本文档',
        responses: { '200': { description: 'OpenAPI 3.1 文档', content: jsonContent({ type: 'object' }) } },
      },
    };
    const document = {
      openapi: '3.1.0',
      info: { title: 'Op API', version: '01', description: '客服平台坐席接口（docs/CONTRACT.md）' },
      paths,
      components: { schemas },
    };
    // A dangling $ref makes the whole document unusable to client generators: refuse to serve one.
    const missing = danglingRefs(document, schemas);
    if (missing.length > 0) throw new Error(`OpenAPI: no schema for ${missing.join(', ')}`);
    return document;
  }

  /**
   * The schema of each registry request class, and of every class they reference. A class
   * without rules of its own (`FavoriteListRequest extends PageRequest {}`) gets no entry from
   * class-validator-jsonschema's map (it is keyed by the class that declares a rule), so each
   * request class's schema is its own properties merged with its ancestors'.
   */
  private requestSchemas(): Record<string, Schema> {
    const all = validationMetadatasToSchemas({ refPointerPrefix: SCHEMAS, additionalConverters: BOUNDS_ONLY }) as Record<string, Schema>;
    const out: Record<string, Schema> = {};
    const queue: string[] = [];
    for (const name of OP_ENDPOINT_NAMES) {
      const request = opEndpoint(name).request;
      if (!request || out[request.name]) continue;
      out[request.name] = withAncestors(request, all);
      queue.push(request.name);
    }
    // Nested classes (`@ValidateNested() @Type(() => X)`) are referenced by name: emit them too.
    while (queue.length > 0) {
      for (const target of refsIn(out[queue.pop()!])) {
        if (out[target] || !all[target]) continue;
        out[target] = all[target];
        queue.push(target);
      }
    }
    for (const schema of Object.values(out)) nullableOptionals(schema);
    return out;
  }
}

/**
 * An optional field may be sent as `null`, which counts as not given (api.md): said in the
 * schema, so that a typed or validating client may send what the API takes.
 */
function nullableOptionals(schema: Schema): void {
  const properties = schema.properties as Record<string, Schema> | undefined;
  if (!properties) return;
  const required = new Set((schema.required as string[] | undefined) ?? []);
  for (const [name, property] of Object.entries(properties)) {
    if (!required.has(name)) properties[name] = { anyOf: [property, { type: 'null' }] };
  }
}

/** The class's schema with the properties and required fields of every ancestor that declares rules. */
function withAncestors(type: new () => object, all: Record<string, Schema>): Schema {
  const chain: Schema[] = [];
  for (
    let current: unknown = type;
    typeof current === 'function' && current !== Function.prototype;
    current = Object.getPrototypeOf(current)
  ) {
    const own = all[(current as { name: string }).name];
    if (own) chain.unshift(own);
  }
  const properties: Record<string, unknown> = {};
  const required = new Set<string>();
  for (const schema of chain) {
    Object.assign(properties, schema.properties);
    for (const name of (schema.required as string[] | undefined) ?? []) required.add(name);
  }
  return { type: 'object', properties, ...(required.size > 0 ? { required: [...required] } : {}) };
}

function envelopeAnswer(endpoint: OpEndpoint, data: Schema | undefined): object {
  if (!data) throw new Error(`OpenAPI: no response schema for ${endpoint.name}: regenerate response-schemas.generated.ts`);
  const page = endpoint.paged ? { page: ref('PageInfo') } : {};
  return {
    description: endpoint.paged ? '成功信封（带 page 分页信息）' : '成功信封',
    content: jsonContent({
      type: 'object',
      required: ['code', 'message', 'data', ...Object.keys(page), 'foot'],
      properties: { code: { type: 'integer', const: 200 }, message: { type: 'string' }, data, ...page, foot: ref('Foot') },
      additionalProperties: false,
    }),
  };
}

/** A file answer: the body is the file itself, named by `content-disposition`. */
function fileAnswer(mediaTypes: readonly string[]): object {
  return {
    description: '文件（不是信封）；出错时为错误信封',
    headers: { 'content-disposition': { description: 'attachment; filename=…', schema: { type: 'string' } } },
    content: Object.fromEntries(mediaTypes.map((type) => [type.split(';')[0].trim(), { schema: { type: 'string' } }])),
  };
}

function refsIn(value: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const item of value) refsIn(item, found);
  else if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      if (key === '$ref' && typeof item === 'string' && item.startsWith(SCHEMAS)) found.add(item.slice(SCHEMAS.length));
      else refsIn(item, found);
    }
  }
  return found;
}

function danglingRefs(document: object, schemas: Record<string, unknown>): string[] {
  return [...refsIn(document)].filter((name) => !(name in schemas));
}
