import { strict as assert } from 'node:assert';
import { closingLine, runFuzz } from '../../scripts/fuzz/harness';

// The compose fuzzer (scripts/fuzz/harness.ts) in CI: a fixed seed, 5,000 mutated compose files
// from the golden fixtures, each rendered in a worker with a time limit and read back in js-yaml
// and kubectl. Typed errors are fine; crashes, hangs and round-trip failures are not. The
// nightly-size run is documented in docs/development.md.

const SEED = 20261129;
const CASES = 5000;

describe('compose fuzzer (fixed seed)', function () {
  this.timeout(900_000);

  it(`${CASES} mutated compose files: typed errors or renderings that read back, never a crash or a hang`, async () => {
    const report = await runFuzz({ seed: SEED, cases: CASES, timePerDocumentMs: 10_000 });
    const line = closingLine(report, SEED);
    console.log(`      ${line}`);
    const failures = report.failures.slice(0, 5).map((f) => `${f.kind} in case ${f.id} (document kept in ${f.file}): ${f.detail}`);
    assert.deepEqual([report.crashes, report.hangs, report.roundTripFailures], [0, 0, 0], `${line}\n${failures.join('\n')}`);
    assert.equal(report.cases, CASES);
    // The fuzzer must reach both the converter's output and its error paths, by every mutator.
    assert.ok(report.rendered >= CASES / 10, `only ${report.rendered} renderings: the mutators break nearly everything`);
    assert.ok(report.typedErrors >= CASES / 10, `only ${report.typedErrors} typed errors: the mutators reach no error path`);
    for (const [kind, count] of Object.entries(report.byKind)) assert.ok(count >= CASES / 10, `${kind}: ${count} cases`);
  });
});
