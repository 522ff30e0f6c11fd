module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'op-api',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts'],
  // Integration specs start servers and databases: give them room on a 2-core machine.
  testTimeout: 60_000,
};
