import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dump } from 'js-yaml';
import { FileError } from '../../../src/common/errors';
import { compileCondition, evaluate, type Value } from '../../../src/local-run/expression-eval';
import { expandPipelineFile, parsePipeline } from '../../../src/local-run/parse-pipeline';
import { EXPAND_FIXTURES, listExpandFixtures, runExpandFixture } from '../../support/expand-fixtures';

const made: string[] = [];
after(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/** Writes files into a fresh folder and expands `main` there. */
function expandFiles(
  files: Record<string, string>,
  options: { parameters?: Record<string, string>; variables?: Record<string, string> } = {},
): string {
  const dir = mkdtempSync(join(tmpdir(), 'outerloop-expand-'));
  made.push(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  const path = join(dir, 'main.yml');
  const doc = expandPipelineFile(path, 'main.yml', files['main.yml'], {
    repositoryRoot: dir,
    display: (p) => p.slice(dir.length + 1),
    ...options,
  });
  return dump(doc, { lineWidth: -1 });
}

describe('template expressions (${{ }}): the documented functions', () => {
  const parameters: Record<string, Value> = { env: 'prod', list: ['a', 'b'], map: { x: '1' }, flag: true, n: 3 };
  const cases: Array<[expression: string, expected: Value]> = [
    ["eq(parameters.env, 'PROD')", true],
    ["ne(parameters.env, 'dev')", true],
    ["in(parameters.env, 'qa', 'prod')", true],
    ["notIn(parameters.env, 'qa')", true],
    ["containsValue(parameters.list, 'b')", true],
    ["contains('ABCDE', 'BCD')", true],
    ["startsWith('ABCDE', 'ab')", true],
    ["endsWith('ABCDE', 'de')", true],
    ["format('{0}-{1}', parameters.env, 42)", 'prod-42'],
    ["format('{{0}} {0}', 'x')", '{0} x'],
    ["join(';', parameters.list)", 'a;b'],
    ["split('a,b,c', ',')", ['a', 'b', 'c']],
    ["replace('a-b-c', '-', '_')", 'a_b_c'],
    ['length(parameters.list)', 2],
    ["length('four')", 4],
    ["lower('ABC')", 'abc'],
    ["upper('abc')", 'ABC'],
    ["trim('  x ')", 'x'],
    ["coalesce('', parameters.missing, 'fallback')", 'fallback'],
    ["iif(eq(parameters.env, 'prod'), 'p', 'd')", 'p'],
    ['parameters.list[1]', 'b'],
    ["parameters['map'].X", '1'],
    ['gt(parameters.n, 2)', true],
    ["le(parameters.n, '3')", true],
    ['and(parameters.flag, not(false))', true],
    ['xor(true, true)', false],
    ['convertToJson(parameters.map)', '{\n  "x": "1"\n}'],
  ];
  for (const [expression, expected] of cases) {
    it(`${expression} → ${JSON.stringify(expected)}`, () => {
      const value = evaluate(compileCondition(expression), {
        variable: () => undefined,
        status: () => false,
        root: (name) => (name.toLowerCase() === 'parameters' ? parameters : undefined),
      });
      assert.deepEqual(value, expected);
    });
  }
});

describe('compile-time expansion', () => {
  it('binds typed parameters with defaults and values, and --param overrides them', () => {
    const main = `parameters:
- name: env
  type: string
  default: dev
  values: [dev, prod]
- name: replicas
  type: number
  default: 2
- name: debug
  type: boolean
  default: false
steps:
- script: echo \${{ parameters.env }} \${{ parameters.replicas }} \${{ parameters.debug }}
`;
    assert.match(expandFiles({ 'main.yml': main }), /script: echo dev 2 False/);
    assert.match(
      expandFiles({ 'main.yml': main }, { parameters: { env: 'prod', replicas: '5', debug: 'true' } }),
      /script: echo prod 5 True/,
    );
    assert.throws(() => expandFiles({ 'main.yml': main }, { parameters: { env: 'qa' } }), /parameter 'env' may be 'dev', 'prod', not 'qa'/);
    assert.throws(
      () => expandFiles({ 'main.yml': main }, { parameters: { replicas: 'many' } }),
      /parameter 'replicas' is a number, and 'many' is not one/,
    );
    assert.throws(
      () => expandFiles({ 'main.yml': main }, { parameters: { nope: 'x' } }),
      /--param: 'nope' is not a parameter of main.yml \(it declares env, replicas, debug\)/,
    );
  });

  it('takes ${{ if }}, ${{ elseif }} and ${{ else }} in mappings and in sequences', () => {
    const main = `parameters:
- name: env
  default: qa
variables:
  \${{ if eq(parameters.env, 'prod') }}:
    size: large
  \${{ elseif eq(parameters.env, 'qa') }}:
    size: medium
  \${{ else }}:
    size: small
steps:
- \${{ if ne(parameters.env, 'prod') }}:
  - script: echo not prod
  - script: echo twice
- script: echo always
`;
    assert.equal(
      expandFiles({ 'main.yml': main }),
      'variables:\n  size: medium\nsteps:\n  - script: echo not prod\n  - script: echo twice\n  - script: echo always\n',
    );
    assert.match(expandFiles({ 'main.yml': main }, { parameters: { env: 'prod' } }), /size: large\nsteps:\n {2}- script: echo always\n$/);
  });

  it('takes ${{ each }} over sequences and mappings, and expressions in keys', () => {
    const main = `parameters:
- name: regions
  type: object
  default: [eu, us]
- name: tags
  type: object
  default: { team: shop, tier: web }
jobs:
- \${{ each region in parameters.regions }}:
  - job: deploy_\${{ region }}
    variables:
      \${{ each tag in parameters.tags }}:
        tag_\${{ tag.key }}: \${{ tag.value }}
    steps:
    - script: echo \${{ region }}
`;
    const out = expandFiles({ 'main.yml': main });
    assert.match(out, /- job: deploy_eu\n {4}variables:\n {6}tag_team: shop\n {6}tag_tier: web\n/);
    assert.match(out, /- job: deploy_us\n/);
  });

  it('expands step, job, stage and variable templates with parameters, relative paths, nesting and extends', () => {
    const files = {
      'main.yml': `extends:
  template: pipeline.yml
  parameters:
    images: [web, api]
`,
      'pipeline.yml': `parameters:
- name: images
  type: object
stages:
- stage: Build
  variables:
  - template: vars.yml
  jobs:
  - template: job.yml
    parameters:
      images: \${{ parameters.images }}
`,
      'vars.yml': 'variables:\n  registry: 127.0.0.1:5000\n',
      'job.yml': `parameters:
  images: []
jobs:
- job: Images
  steps:
  - \${{ each image in parameters.images }}:
    - template: /step.yml
      parameters:
        image: \${{ image }}
`,
      'step.yml': 'parameters:\n- name: image\nsteps:\n- script: docker build ${{ parameters.image }}\n  name: ${{ parameters.image }}\n',
    };
    const out = expandFiles(files);
    assert.match(out, /variables:\n {6}- name: registry\n {8}value: 127\.0\.0\.1:5000\n/);
    assert.match(out, /- script: docker build web\n +name: web\n +- script: docker build api\n +name: api\n/);
  });

  it("expands the documented examples: wrapping each job's steps, injecting dependencies, and an escaped ${{", () => {
    const files = {
      'main.yml': `jobs:
- template: job.yml
  parameters:
    jobs:
    - job: A
      steps:
      - script: echo This will get sandwiched
    - job: B
      dependsOn:
      - A
      steps:
      - script: echo So will this!
`,
      'job.yml': `parameters:
- name: 'jobs'
  type: jobList
  default: []

jobs:
- job: SomeSpecialTool
  steps:
  - task: RunSpecialTool@1
- \${{ each job in parameters.jobs }}:
  - \${{ each pair in job }}:
      \${{ if and(ne(pair.key, 'steps'), ne(pair.key, 'dependsOn')) }}:
        \${{ pair.key }}: \${{ pair.value }}
    dependsOn:
    - SomeSpecialTool
    - \${{ if job.dependsOn }}:
      - \${{ job.dependsOn }}
    steps:
    - task: SetupMyBuildTools@1
    - \${{ job.steps }}
    - task: PublishMyTelemetry@1
      condition: always()
    - script: echo \${{ 'my\${{value with a '' quote' }}
`,
    };
    assert.equal(
      expandFiles(files),
      `jobs:
  - job: SomeSpecialTool
    steps:
      - task: RunSpecialTool@1
  - job: A
    dependsOn:
      - SomeSpecialTool
    steps:
      - task: SetupMyBuildTools@1
      - script: echo This will get sandwiched
      - task: PublishMyTelemetry@1
        condition: always()
      - script: echo my\${{value with a ' quote
  - job: B
    dependsOn:
      - SomeSpecialTool
      - A
    steps:
      - task: SetupMyBuildTools@1
      - script: echo So will this!
      - task: PublishMyTelemetry@1
        condition: always()
      - script: echo my\${{value with a ' quote
`,
    );
  });

  it('merges a mapping with ${{ insert }}, and checks the structured parameter types', () => {
    const main = `parameters:
- name: extraEnv
  type: object
  default: { A: '1', B: '2' }
- name: setup
  type: stepList
  default:
  - script: echo setup
steps:
- \${{ parameters.setup }}
- script: echo run
  env:
    FIXED: x
    \${{ insert }}: \${{ parameters.extraEnv }}
`;
    assert.equal(
      expandFiles({ 'main.yml': main }),
      "steps:\n  - script: echo setup\n  - script: echo run\n    env:\n      FIXED: x\n      A: '1'\n      B: '2'\n",
    );
    assert.throws(
      () => expandFiles({ 'main.yml': main }, { parameters: { setup: 'script: echo not a list' } }),
      /parameter 'setup' is a stepList and takes a sequence/,
    );
  });

  it("gives ${{ variables.x }} the file's variables (list or mapping form) and the predefined ones, not --var", () => {
    const main = `variables:
- name: foo
  value: test
steps:
- script: echo start
- \${{ if eq(variables.foo, 'test') }}:
  - script: echo this is a test
- script: echo \${{ variables['Build.Reason'] }} [\${{ variables.fromCommandLine }}]
`;
    assert.equal(
      expandFiles({ 'main.yml': main }, { variables: { 'Build.Reason': 'Manual' } }),
      'variables:\n  - name: foo\n    value: test\nsteps:\n  - script: echo start\n  - script: echo this is a test\n  - script: echo Manual []\n',
    );
  });

  it('extends a template: the pipeline keeps its own keys, its variables come first, and the template sees them', () => {
    const files = {
      'main.yml': 'name: $(Date:yyyyMMdd)\nvariables:\n  region: eu\nextends:\n  template: base.yml\n',
      'base.yml': 'variables:\n- name: tier\n  value: web\nsteps:\n- script: echo ${{ variables.region }}\n',
    };
    assert.equal(
      expandFiles(files),
      'name: $(Date:yyyyMMdd)\nvariables:\n  - name: region\n    value: eu\n  - name: tier\n    value: web\nsteps:\n  - script: echo eu\n',
    );
    assert.throws(
      () => expandFiles({ ...files, 'main.yml': files['main.yml'] + 'steps: []\n' }),
      /main\.yml:6: a pipeline that extends a template cannot have steps: of its own/,
    );
  });

  it('names the template file and line of an error, and enforces the nesting limit', () => {
    const files = {
      'main.yml': 'steps:\n- template: step.yml\n  parameters:\n    who: x\n',
      'step.yml': 'parameters:\n- name: who\nsteps:\n- script: echo\n  condition: eq(variables.a)\n',
    };
    const dir = mkdtempSync(join(tmpdir(), 'outerloop-expand-'));
    made.push(dir);
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    assert.throws(
      () =>
        parsePipeline(files['main.yml'], 'main.yml', {
          path: join(dir, 'main.yml'),
          repositoryRoot: dir,
          display: (p) => p.slice(dir.length + 1),
        }),
      (err: unknown) => {
        assert.ok(err instanceof FileError);
        assert.equal(err.message, "step.yml:5: steps[0].condition: eq() takes 2 arguments, not 1 in 'eq(variables.a)'.");
        return true;
      },
    );
    assert.throws(
      () => expandFiles({ 'main.yml': 'steps:\n- template: main.yml\n' }),
      /main\.yml:2: templates are nested more than 20 levels deep/,
    );
    const long = 'x'.repeat(1000);
    const bomb = `parameters:\n- name: items\n  type: object\n  default: [${Array(200).fill(long).join(', ')}]\nsteps:\n- \${{ each a in parameters.items }}:\n  - \${{ each b in parameters.items }}:\n    - script: echo \${{ a }} \${{ b }}\n`;
    const started = Date.now();
    assert.throws(() => expandFiles({ 'main.yml': bomb }), /the expanded pipeline passes 10 MB, the service's limit/);
    assert.ok(Date.now() - started < 5000, 'refused at once');
    assert.throws(
      () => expandFiles({ 'main.yml': 'steps:\n- template: s.yml\n  parameters: { extra: 1 }\n', 's.yml': 'steps: []\n' }),
      /main\.yml:2: 'extra' is not a parameter of s\.yml \(it declares none\)/,
    );
    assert.throws(
      () => expandFiles({ 'main.yml': 'steps:\n- template: s.yml\n', 's.yml': 'parameters:\n- name: who\nsteps: []\n' }),
      /main\.yml:2: parameter 'who' of s\.yml needs a value: it has no default/,
    );
    assert.throws(
      () => expandFiles({ 'main.yml': 'jobs:\n- template: s.yml\n', 's.yml': 'steps: []\n' }),
      /the template s\.yml is used where jobs are listed, but it holds steps/,
    );
    assert.throws(
      () => expandFiles({ 'main.yml': 'steps:\n- template: s.yml@tools\n' }),
      /in the repository 'tools'; outerloop run reads templates from this repository only/,
    );
    assert.throws(
      () =>
        expandFiles({
          'main.yml': 'parameters:\n- name: m\n  type: object\n  default: [a]\nsteps:\n- script: x\n  ${{ parameters.m }}: y\n',
        }),
      /^FileError: main\.yml:7: a sequence cannot be used as text in '\$\{\{ parameters\.m \}\}'\.$/,
    );
  });
});

describe('golden fixtures of full expansion (test/fixtures/run-expand/<case>/, npm run regen-fixtures)', () => {
  for (const name of listExpandFixtures()) {
    it(name, () => assert.equal(runExpandFixture(name), readFileSync(join(EXPAND_FIXTURES, name, 'expected.yml'), 'utf8')));
  }
});
