'use strict';
// mocha's spec reporter, plus one plain closing line that CI reads: "tests: N passed, N failed, N skipped".
// Under scripts/run-tests.mjs (OUTERLOOP_TEST_SUMMARY set) the line names the toolchain of this run and
// the counts go to that file; the script prints the closing line for both runs.
const { writeFileSync } = require('node:fs');
const Mocha = require('mocha');
const { EVENT_RUN_END } = Mocha.Runner.constants;

class OuterloopReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    runner.once(EVENT_RUN_END, () => {
      const s = runner.stats || {};
      const counts = { passes: s.passes || 0, failures: s.failures || 0, pending: s.pending || 0 };
      const summary = process.env.OUTERLOOP_TEST_SUMMARY;
      const label = summary ? `${process.env.OUTERLOOP_TEST_TOOLCHAIN} toolchain` : 'tests';
      if (summary) writeFileSync(summary, JSON.stringify(counts));
      process.stdout.write(`\n${label}: ${counts.passes} passed, ${counts.failures} failed, ${counts.pending} skipped\n`);
    });
  }
}

module.exports = OuterloopReporter;
