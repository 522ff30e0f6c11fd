const preset = require('../../jest.preset.js');

const swc = preset.transform['^.+\\.(t|j|mj)s$'][1];

module.exports = {
  ...preset,
  displayName: 'op-admin',
  rootDir: __dirname,
  transform: {
    ...preset.transform,
    '^.+\\.tsx$': [
      '@swc/jest',
      {
        ...swc,
        jsc: {
          ...swc.jsc,
          parser: { syntax: 'typescript', tsx: true, decorators: true },
          transform: { ...swc.jsc.transform, react: { runtime: 'automatic' } },
        },
      },
    ],
  },
  moduleNameMapper: { ...preset.moduleNameMapper, '^@/(.*)$': '<rootDir>/src/$1' },
  moduleFileExtensions: ['ts', 'tsx', 'js', 'mjs', 'json'],
  // Component and logic specs beside the code; the browser end-to-end spec in e2e/.
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/src/**/*.spec.tsx', '<rootDir>/e2e/**/*.spec.ts'],
  // Read when this project runs alone; under the root run e2e/panel-harness.ts sets it.
  testTimeout: 120_000,
};
