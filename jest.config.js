// The whole suite: every project's specs in one run, ending with one summary line.
module.exports = {
  projects: ['<rootDir>/libs/contracts', '<rootDir>/apps/op-api', '<rootDir>/apps/op-admin'],
  // Integration specs start servers, processes and databases: room on a 2-core machine.
  testTimeout: 60_000,
  reporters: ['default', '<rootDir>/tools/test/summary-reporter.js'],
};
