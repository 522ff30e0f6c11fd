// Prints the plain `N passed, N failed` line CI reads, and writes it to OP_TEST_SUMMARY if set.
// A suite that failed to run (a compile error, a crash in beforeAll) counts as failed too.
const { writeFileSync } = require('node:fs');

class SummaryReporter {
  onRunComplete(_contexts, results) {
    const brokenSuites = results.testResults.filter((suite) => suite.testExecError && suite.numFailingTests === 0).length;
    const failed = results.numFailedTests + brokenSuites;
    const line = `${results.numPassedTests} passed, ${failed} failed${results.numPendingTests ? `, ${results.numPendingTests} skipped` : ''}`;
    process.stdout.write(`\n${line}\n`);
    if (process.env.OP_TEST_SUMMARY) writeFileSync(process.env.OP_TEST_SUMMARY, line + '\n');
  }
}

module.exports = SummaryReporter;
