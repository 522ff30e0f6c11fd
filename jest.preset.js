// Shared Jest settings. NestJS 12 ships ESM only and Jest's CommonJS runtime cannot require ESM, so
// @swc/jest compiles both our TypeScript and those packages to CommonJS.
const { join } = require('node:path');

const contracts = join(__dirname, 'libs/contracts/src');

module.exports = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.(t|j|mj)s$': [
      '@swc/jest',
      {
        jsc: {
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
          target: 'es2022',
        },
        module: { type: 'commonjs' },
      },
    ],
  },
  // The OpenAPI toolchain's ESM-only packages (openapi.spec.ts) and request-filtering-agent are compiled the same way.
  transformIgnorePatterns: [
    '/node_modules/(?!(@nestjs|light-my-request|cookie|file-type|uid|load-esm|@apidevtools/json-schema-ref-parser|openapi-typescript|change-case|parse-json|supports-color|type-fest|index-to-position|request-filtering-agent)/)',
  ],
  moduleNameMapper: {
    '^@op/contracts$': join(contracts, 'index.ts'),
    '^@op/contracts/node$': join(contracts, 'node/index.ts'),
    '^@op/contracts/testing$': join(contracts, 'testing/index.ts'),
    // The API's test-support entry (apps/op-api/package.json "exports"), for the panel's e2e specs.
    '^op-api/testing$': join(__dirname, 'apps/op-api/test/testing.ts'),
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  moduleFileExtensions: ['ts', 'js', 'mjs', 'json'],
};
