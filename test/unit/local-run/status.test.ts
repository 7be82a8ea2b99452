import { strict as assert } from 'node:assert';
import type { StatusFunction } from '../../../src/local-run/expression-eval';
import type { StepResult } from '../../../src/local-run/report';
import { dependencyOrder, evaluateStatusOfDependencies, evaluateStatusOfJobSoFar, worse } from '../../../src/local-run/status';

describe('status functions and results', () => {
  const steps: Array<[fn: StatusFunction, job: StepResult, cancelled: boolean, expected: boolean]> = [
    ['succeeded', 'Succeeded', false, true],
    ['succeeded', 'SucceededWithIssues', false, true],
    ['succeeded', 'Failed', false, false],
    ['succeeded', 'Succeeded', true, false],
    ['failed', 'Failed', false, true],
    ['failed', 'Succeeded', false, false],
    ['failed', 'Failed', true, false],
    ['succeededorfailed', 'Failed', false, true],
    ['succeededorfailed', 'Succeeded', true, false],
    ['always', 'Failed', true, true],
    ['canceled', 'Succeeded', true, true],
    ['canceled', 'Failed', false, false],
  ];
  for (const [fn, job, cancelled, expected] of steps) {
    it(`in a step: ${fn}() with the job ${job}${cancelled ? ', cancelled' : ''} → ${expected}`, () =>
      assert.equal(evaluateStatusOfJobSoFar(fn, job, cancelled), expected));
  }

  const deps: Array<[fn: StatusFunction, results: StepResult[], expected: boolean]> = [
    ['succeeded', [], true],
    ['succeeded', ['Succeeded', 'SucceededWithIssues'], true],
    ['succeeded', ['Succeeded', 'Skipped'], false],
    ['failed', ['Succeeded', 'Failed'], true],
    ['failed', ['Skipped'], false],
    ['succeededorfailed', ['Failed', 'Succeeded'], true],
    ['succeededorfailed', ['Skipped'], false],
  ];
  for (const [fn, results, expected] of deps) {
    it(`in a job or stage: ${fn}() over [${results.join(', ')}] → ${expected}`, () =>
      assert.equal(evaluateStatusOfDependencies(fn, results, false), expected));
  }

  it('ranks results', () => {
    assert.equal(worse('Succeeded', 'Failed'), 'Failed');
    assert.equal(worse('Canceled', 'SucceededWithIssues'), 'Canceled');
    assert.equal(worse('Skipped', 'Succeeded'), 'Succeeded');
  });

  it('orders by dependsOn, keeping file order otherwise, and rejects a cycle', () => {
    const items = [
      { name: 'C', dependsOn: ['B'] },
      { name: 'A', dependsOn: [] },
      { name: 'B', dependsOn: ['A'] },
      { name: 'D', dependsOn: [] },
    ];
    assert.deepEqual(
      dependencyOrder(items, 'job', 'f.yml').map((i) => i.name),
      ['A', 'B', 'C', 'D'],
    );
    assert.throws(
      () =>
        dependencyOrder(
          [
            { name: 'A', dependsOn: ['B'] },
            { name: 'B', dependsOn: ['A'] },
          ],
          'stage',
          'f.yml',
        ),
      (err: unknown) => err instanceof Error && err.message === "f.yml: the stages' dependsOn form a cycle (A → B → A).",
    );
  });
});
