import { strict as assert } from 'node:assert';
import { compileCondition, evaluateCondition, type StatusFunction } from '../../../src/local-run/expression-eval';
import { ExpressionError } from '../../../src/local-run/expression-parser';

const variables: Record<string, string> = {
  'build.sourcebranch': 'refs/heads/main',
  kubeconfig: '',
  deploy: 'true',
  count: '10',
  'probe.answer': '42',
};

function run(condition: string, status: Partial<Record<StatusFunction, boolean>> = {}): boolean {
  return evaluateCondition(compileCondition(condition), {
    variable: (name) => variables[name.toLowerCase()],
    status: (fn) => status[fn] ?? (fn === 'succeeded' || fn === 'succeededorfailed' || fn === 'always'),
  });
}

describe('conditions', () => {
  const cases: Array<[condition: string, expected: boolean, status?: Partial<Record<StatusFunction, boolean>>]> = [
    ['succeeded()', true],
    ['failed()', false],
    ['failed()', true, { failed: true }],
    ['always()', true, { succeeded: false }],
    ['canceled()', false],
    ['succeededOrFailed()', true],
    ["eq(variables['Build.SourceBranch'], 'refs/heads/main')", true],
    ["eq(variables['build.sourcebranch'], 'REFS/HEADS/MAIN')", true],
    ["eq(variables.kubeconfig, '')", true],
    ["and(succeeded(), ne(variables['kubeconfig'], ''))", false],
    ["and(succeeded(), eq(variables['kubeconfig'], ''))", true],
    ["and(failed(), eq(variables['kubeconfig'], ''))", false],
    ["or(failed(), eq(variables.deploy, 'true'))", true],
    ["not(eq(variables.deploy, 'true'))", false],
    ["in(variables['Build.SourceBranch'], 'refs/heads/dev', 'refs/heads/main')", true],
    ["notIn(variables['Build.SourceBranch'], 'refs/heads/main')", false],
    ["contains(variables['Build.SourceBranch'], 'heads')", true],
    ["startsWith(variables['Build.SourceBranch'], 'refs/tags/')", false],
    ["endsWith(variables['Build.SourceBranch'], '/MAIN')", true],
    ["eq(variables.missing, '')", true],
    ["eq(variables['probe.answer'], 42)", true],
    ['lt(9, variables.count)', true], // the right side takes the left's type: 9 < 10 as numbers
    ['gt(9, variables.count)', false],
    ['eq(variables.deploy, true)', true],
    ["eq('it''s', 'IT''S')", true],
    ['xor(true, false)', true],
    ["eq(coalesce(variables.kubeconfig, 'none'), 'none')", true],
    ['variables.deploy', true],
    ['variables.kubeconfig', false],
  ];
  for (const [condition, expected, status] of cases) {
    it(`${condition} → ${expected}${status ? ` when ${JSON.stringify(status)}` : ''}`, () =>
      assert.equal(run(condition, status), expected));
  }

  const bad: Array<[condition: string, message: RegExp]> = [
    ['', /empty/],
    ['eq(variables.a)', /eq\(\) takes 2 arguments, not 1/],
    ['succeded()', /'succeded' is not a function/],
    ["eq(variables['a'], 'b'", /expected '\)' at the end/],
    ["eq('a, 'b')", /not closed/],
    ['coalesce()', /coalesce\(\) takes at least 1 argument, not 0/],
    ['eq(variables, 1)', /needs a name/],
    ['eq(1, 2) extra', /unexpected text at column 10/],
    ['$[ eq(1, 1) ]', /runtime/],
    ['eq(1 & 2)', /unexpected character '&' at column 6/],
  ];
  for (const [condition, message] of bad) {
    it(`rejects ${JSON.stringify(condition)} with a clear reason`, () => {
      assert.throws(
        () => compileCondition(condition),
        (err: unknown) => err instanceof ExpressionError && message.test(err.message),
      );
    });
  }
});
