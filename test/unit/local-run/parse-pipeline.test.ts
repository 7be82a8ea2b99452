import { strict as assert } from 'node:assert';
import { FileError } from '../../../src/common/errors';
import { allSteps, jobSteps } from '../../../src/local-run/model';
import { describeStep } from '../../../src/local-run/engine';
import { parsePipeline } from '../../../src/local-run/parse-pipeline';

const FILE = 'azure-pipelines.yml';

describe('parsePipeline', () => {
  it('reads a steps-only file as one implicit stage and job, with every step field', () => {
    const p = parsePipeline(
      `name: $(Date:yyyyMMdd)$(Rev:.r)
trigger: [main]
pool: { vmImage: ubuntu-latest }
variables:
  version: 1.10
  empty:
steps:
- task: DockerBuildTag@1
  name: web
  displayName: Build $(version)
  condition: succeeded()
  continueOnError: true
  timeoutInMinutes: 5
  env: { A: b }
  inputs:
    repository: shop/web
    noCache: true
- script: |
    echo one
    echo two
  workingDirectory: app
- bash: echo hi
  enabled: false
  failOnStderr: true
- publish: out/dir
  artifact: drop
- checkout: self
`,
      FILE,
    );
    assert.equal(p.buildNumberFormat, '$(Date:yyyyMMdd)$(Rev:.r)');
    assert.deepEqual(p.variables, [
      { name: 'version', value: '1.10', readonly: false },
      { name: 'empty', value: '', readonly: false },
    ]);
    assert.equal(p.stages.length, 1);
    assert.ok(p.stages[0].implicit && p.stages[0].jobs[0].implicit);
    const [task, script, bash, publish, checkout] = jobSteps(p.stages[0].jobs[0]);
    assert.deepEqual(task, {
      kind: 'task',
      reference: 'DockerBuildTag@1',
      taskName: 'DockerBuildTag',
      major: 1,
      inputs: { repository: 'shop/web', noCache: 'true' },
      path: 'steps[0]',
      name: 'web',
      displayName: 'Build $(version)',
      condition: 'succeeded()',
      continueOnError: true,
      enabled: true,
      env: { A: 'b' },
      timeoutInMinutes: 5,
      retryCount: 0,
    });
    assert.equal(script.kind, 'script');
    assert.equal(script.kind === 'script' && script.script, 'echo one\necho two\n');
    assert.equal(script.kind === 'script' && script.workingDirectory, 'app');
    assert.equal(script.displayName, 'CmdLine: echo one');
    assert.equal(bash.enabled, false);
    assert.equal(bash.kind === 'script' && bash.failOnStderr, true);
    assert.deepEqual([describeStep(script), describeStep(bash)], ['script', 'bash'], 'the report names what was written');
    assert.deepEqual(publish.kind === 'publish' && [publish.publishPath, publish.artifact], ['out/dir', 'drop']);
    assert.equal(checkout.kind, 'checkout');
  });

  it('reads stages → jobs → steps, list-form variables, and default stage dependencies', () => {
    const p = parsePipeline(
      `variables:
- name: registry
  value: 127.0.0.1:5000
- name: locked
  value: x
  readonly: true
stages:
- stage: Build
  variables: { a: '1' }
  jobs:
  - job: Images
    steps:
    - script: echo build
  - job: Check
    dependsOn: Images
    condition: succeededOrFailed()
    steps:
    - script: echo check
- stage: Deploy
  condition: and(succeeded(), eq(variables['Build.SourceBranch'], 'refs/heads/main'))
  jobs:
  - job: Apply
    displayName: Apply it
    steps:
    - script: echo deploy
`,
      FILE,
    );
    assert.deepEqual(p.variables, [
      { name: 'registry', value: '127.0.0.1:5000', readonly: false },
      { name: 'locked', value: 'x', readonly: true },
    ]);
    assert.deepEqual(
      p.stages.map((s) => [s.name, s.dependsOn]),
      [
        ['Build', []],
        ['Deploy', ['Build']],
      ],
    );
    assert.deepEqual(
      p.stages[0].jobs.map((j) => [j.name, j.dependsOn, j.condition]),
      [
        ['Images', [], undefined],
        ['Check', ['Images'], 'succeededOrFailed()'],
      ],
    );
    assert.deepEqual(
      allSteps(p).map(({ stage, job, step }) => `${stage.name}/${job.name}/${step.path}`),
      ['Build/Images/stages[0].jobs[0].steps[0]', 'Build/Check/stages[0].jobs[1].steps[0]', 'Deploy/Apply/stages[1].jobs[0].steps[0]'],
    );
  });

  it('reads pwsh: and powershell: steps where pwsh is installed, and retryCountOnTaskFailure', () => {
    const p = parsePipeline('steps:\n- pwsh: Write-Host hi\n  retryCountOnTaskFailure: 2\n- powershell: Write-Host there\n', FILE, {
      hasProgram: (name) => name === 'pwsh',
    });
    const [pwsh, powershell] = jobSteps(p.stages[0].jobs[0]);
    assert.ok(
      pwsh.kind === 'script' && pwsh.keyword === 'pwsh' && pwsh.displayName === 'PowerShell: Write-Host hi' && pwsh.retryCount === 2,
    );
    assert.ok(powershell.kind === 'script' && powershell.keyword === 'powershell' && powershell.retryCount === 0);
  });

  it('reads jobs without stages', () => {
    const p = parsePipeline('jobs:\n- job: A\n  steps:\n  - script: echo a\n- job: B\n  steps:\n  - bash: echo b\n', FILE);
    assert.deepEqual(
      p.stages[0].jobs.map((j) => j.name),
      ['A', 'B'],
    );
    assert.ok(p.stages[0].implicit);
  });

  const bad: Array<[what: string, yaml: string, message: string]> = [
    ['bad YAML, with its line', 'steps:\n- script: echo\n  bad: [\n', `${FILE}:4:1: not valid YAML`],
    ['no steps', 'variables: { a: b }\n', `${FILE}:1: a pipeline needs stages:, jobs: or steps: (or extends: a template that has them).`],
    [
      'a task without a major version',
      'steps:\n- task: DockerBuildTag\n',
      `${FILE}:2: steps[0].task: 'DockerBuildTag' must name a task and its major version, e.g. DockerBuildTag@1.`,
    ],
    [
      'a typo in a step key',
      'steps:\n- script: echo\n  condtion: always()\n',
      `${FILE}:3: steps[0].condtion: is not a key of a script step that outerloop run knows`,
    ],
    [
      'a bad condition',
      'steps:\n- script: echo\n  condition: eq(variables.a)\n',
      `${FILE}:3: steps[0].condition: eq() takes 2 arguments, not 1 in 'eq(variables.a)'.`,
    ],
    [
      'dependencies in a step condition',
      "steps:\n- script: echo\n  condition: eq(dependencies.A.result, 'Succeeded')\n",
      `${FILE}:3: steps[0].condition: 'dependencies' cannot be read in a step's condition (only variables can)`,
    ],
    [
      'a variable group',
      'variables:\n- group: prod\nsteps:\n- script: echo\n',
      `${FILE}:2: variables[0]: variable groups ('group: prod') are not supported by outerloop run; pass their values with --var, --secret or --variables-file.`,
    ],
    ['a missing template', 'steps:\n- template: build.yml\n', `${FILE}:2: the template 'build.yml' does not exist.`],
    [
      'an unknown root in ${{ }}',
      'steps:\n- script: echo ${{ foo.x }}\n',
      `${FILE}:2: 'foo' cannot be read in \${{ }} (it can read parameters, variables and the names of enclosing \${{ each }}) in '\${{ foo.x }}'.`,
    ],
    [
      'PowerShell where pwsh is not installed',
      'steps:\n- pwsh: Write-Host hi\n',
      `${FILE}:2: steps[0].pwsh: needs PowerShell (pwsh), which is not installed on this machine (not on PATH).`,
    ],
    [
      'a retry count out of range',
      'steps:\n- script: echo\n  retryCountOnTaskFailure: 11\n',
      `${FILE}:3: steps[0].retryCountOnTaskFailure: must be a whole number from 0 to 10, not '11'.`,
    ],
    [
      'a runtime matrix',
      'jobs:\n- job: A\n  strategy:\n    matrix: $[ variables.legs ]\n  steps:\n  - script: echo\n',
      `${FILE}:4: jobs[0].strategy.matrix: a matrix computed at run time ($[ ]) is not supported`,
    ],
    [
      'a deployment job without a strategy',
      'jobs:\n- deployment: D\n  environment: prod\n',
      `${FILE}:2: jobs[0]: a deployment job needs a strategy (runOnce, rolling or canary).`,
    ],
    [
      'a container job',
      'jobs:\n- job: A\n  container: ubuntu\n  steps:\n  - script: echo\n',
      `${FILE}:3: jobs[0].container: is not supported by outerloop run (container jobs`,
    ],
    [
      'a download of an unknown resource',
      'steps:\n- download: ci\n',
      `${FILE}:2: steps[0].download: 'ci' is neither current nor the alias of a pipeline in resources.pipelines.`,
    ],
    [
      'an unknown dependency',
      'jobs:\n- job: A\n  dependsOn: Z\n  steps:\n  - script: echo\n',
      `${FILE}:3: jobs[0].dependsOn: names job 'Z', which this file does not define.`,
    ],
    [
      'a dependsOn cycle',
      'jobs:\n- job: A\n  dependsOn: B\n  steps:\n  - script: echo\n- job: B\n  dependsOn: A\n  steps:\n  - script: echo\n',
      `${FILE}: the jobs' dependsOn form a cycle (A → B → A).`,
    ],
    [
      'two steps with one name',
      'steps:\n- script: echo\n  name: a\n- script: echo\n  name: A\n',
      `${FILE}:5: steps[1].name: step name 'A' is used twice in one job.`,
    ],
    [
      'a step name with a dash',
      'steps:\n- script: echo\n  name: my-step\n',
      `${FILE}:3: steps[0].name: 'my-step' is not a valid step name`,
    ],
    [
      'a non-boolean',
      'steps:\n- script: echo\n  continueOnError: maybe\n',
      `${FILE}:3: steps[0].continueOnError: must be true or false, not 'maybe'.`,
    ],
    [
      'an input that is a list',
      'steps:\n- task: A@1\n  inputs:\n    tags: [a, b]\n',
      `${FILE}:4: steps[0].inputs.tags: must be a single value, not a list or a mapping.`,
    ],
    ['steps and jobs', 'steps: []\njobs: []\n', `${FILE}:1: use only one of jobs and steps at the top level.`],
    ['an empty file', '', `${FILE}: the file is empty.`],
  ];
  for (const [what, yaml, message] of bad) {
    it(`rejects ${what} in one sentence naming where`, () => {
      assert.throws(
        () => parsePipeline(yaml, FILE, { hasProgram: () => false }),
        (err: unknown) => {
          assert.ok(err instanceof FileError, String(err));
          assert.ok(err.message.startsWith(message), `${err.message}\n  should start with\n${message}`);
          assert.ok(!err.message.includes('\n'), 'one line');
          return true;
        },
      );
    });
  }
});
