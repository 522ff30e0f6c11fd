import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createGenerator } from 'ts-json-schema-generator';
import { OP_RESPONSE_SCHEMAS } from './response-schemas.generated';

/**
 * The response schemas of the OpenAPI document are generated from the contracts' TypeScript
 * response types (`OpEndpointData` in endpoints.ts, and the envelope's `PageInfo` and `Foot`)
 * with ts-json-schema-generator, and committed as `response-schemas.generated.ts` so that the
 * API needs no compiler at run time. Why generated rather than declared beside the types: the
 * types are what the API's services return and what `OpClient` callers compile against; a
 * second, hand-written description of each field would drift from them silently. This spec
 * regenerates the schemas and fails when the committed file is stale.
 *
 * After changing a response type: OP_UPDATE_SCHEMAS=1 npx jest libs/contracts/src/lib/response-schemas.spec.ts
 */

const LIB = __dirname;
const OUTPUT = join(LIB, 'response-schemas.generated.ts');
const ROOTS = ['OpEndpointData', 'PageInfo', 'Foot'];
const COMPONENTS = '#/components/schemas/';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** `Int` (envelope.ts), TypeScript's name for a whole number: JSON Schema's `integer`, in place. */
const INT = '#/definitions/Int';

/** Draft-07 output made OpenAPI 3.1 (JSON Schema 2020-12): component refs, tuples as prefixItems, `Int` as integer. */
function toOpenApi(value: Json): Json {
  if (Array.isArray(value)) return value.map(toOpenApi);
  if (value === null || typeof value !== 'object') return value;
  if (value.$ref === INT) return { type: 'integer' };
  const out: { [key: string]: Json } = {};
  for (const [key, item] of Object.entries(value)) {
    if (key === '$ref' && typeof item === 'string') out.$ref = item.replace('#/definitions/', COMPONENTS);
    else if (key === 'items' && Array.isArray(item)) {
      out.prefixItems = toOpenApi(item);
      out.items = false;
    } else out[key] = toOpenApi(item);
  }
  return out;
}

function generate(): Record<string, Json> {
  const generator = createGenerator({
    path: join(LIB, '*.ts'),
    tsconfig: join(LIB, '../../tsconfig.json'),
    skipTypeCheck: true,
    expose: 'export',
    topRef: true,
    // Field comments stay in the TypeScript: as descriptions, every comment edit would be a schema change.
    jsDoc: 'none',
    // Answers carry exactly the declared fields: an undeclared one fails the API's OpenAPI spec.
    additionalProperties: false,
    sortProps: true,
  });
  const definitions: Record<string, Json> = {};
  for (const root of ROOTS) Object.assign(definitions, (generator.createSchema(root) as { definitions: Record<string, Json> }).definitions);
  delete definitions.Int;
  const sorted = Object.fromEntries(
    Object.keys(definitions)
      .sort()
      .map((name) => [name, toOpenApi(definitions[name])]),
  );
  return sorted;
}

function source(schemas: Record<string, Json>): string {
  return [
    '// Generated from the response types (OpEndpointData, PageInfo, Foot) by response-schemas.spec.ts: do not edit.',
    '// Regenerate: OP_UPDATE_SCHEMAS=1 npx jest libs/contracts/src/lib/response-schemas.spec.ts',
    '',
    '/** JSON Schema (2020-12, as OpenAPI 3.1 takes it) of each response type, keyed by type name; refs point at `#/components/schemas/`. */',
    `export const OP_RESPONSE_SCHEMAS: Readonly<Record<string, object>> = ${JSON.stringify(schemas, null, 2)};`,
    '',
  ].join('\n');
}

describe('the committed response schemas', () => {
  it('match the response types they are generated from', () => {
    const fresh = generate();
    if (process.env.OP_UPDATE_SCHEMAS === '1') writeFileSync(OUTPUT, source(fresh));
    // Stale? OP_UPDATE_SCHEMAS=1 npx jest libs/contracts/src/lib/response-schemas.spec.ts, then commit the file.
    else expect(OP_RESPONSE_SCHEMAS).toEqual(fresh);
    // Every envelope endpoint's data is described.
    expect(Object.keys((fresh.OpEndpointData as { properties: object }).properties).length).toBeGreaterThan(10);
  }, 120_000);
});
