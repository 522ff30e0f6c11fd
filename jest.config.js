// The whole suite: every project's specs in one run, ending with one summary line.
module.exports = {
  projects: ['<rootDir>/libs/contracts', '<rootDir>/apps/op-api'],
  reporters: ['default', '<rootDir>/tools/test/summary-reporter.js'],
};
