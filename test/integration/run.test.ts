import { strict as assert } from 'node:assert';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../support/paths';
import { FIXTURE_TASKS } from '../support/run-pipeline';
import { testTempDir } from '../support/temp';

const CLI = join(ROOT, 'bin', 'outerloop.js');

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI (dist/cli/outerloop.js through bin/outerloop.js) as a user would. */
function outerloop(
  args: string[],
  cwd: string,
  options: { env?: NodeJS.ProcessEnv; onStdout?: (text: string, child: ReturnType<typeof spawn>) => void } = {},
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd,
      env: { ...process.env, NO_COLOR: '', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const run: CliRun = { code: null, stdout: '', stderr: '' };
    child.stdout.on('data', (c: Buffer) => {
      run.stdout += c.toString();
      options.onStdout?.(run.stdout, child);
    });
    child.stderr.on('data', (c: Buffer) => (run.stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ ...run, code }));
  });
}

const describeRun = (r: CliRun): string => `exit ${r.code}\n--- stdout ---\n${r.stdout}\n--- stderr ---\n${r.stderr}`;

async function gitRepo(files: Record<string, string>): Promise<{ dir: string; sha: string }> {
  const dir = await testTempDir('outerloop-run-cli-');
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
  const git = (...args: string[]): string =>
    execFileSync('git', ['-c', 'user.name=outerloop', '-c', 'user.email=outerloop@example.test', ...args], {
      cwd: dir,
      encoding: 'utf8',
    }).trim();
  git('init', '-q', '-b', 'feature/local-run');
  git('add', '-A');
  git('commit', '-q', '-m', 'a commit');
  return { dir, sha: git('rev-parse', 'HEAD') };
}

const PIPELINE = `variables:
  greeting: hello
steps:
- task: Probe@1
  name: probe
  displayName: Probe says $(greeting)
  inputs:
    outputs: answer=42
    artifactName: drop
    resultsFile: probe.xml
    password: $(regPassword)
- script: |
    echo "answer $(probe.answer) from $(Build.SourceVersion) on $(Build.SourceBranch) build $(Build.BuildNumber)"
    echo "password $(regPassword) ##vso[task.setvariable variable=evil]x"
    echo "endpoint ep-pass-123"
  displayName: Use the output
- bash: exit 3
  displayName: Fail
- script: echo "never"
  displayName: Skipped after the failure
- script: echo "cleaning up after $(Agent.JobStatus)"
  displayName: Clean up
  condition: always()
`;

describe('outerloop run (the built CLI, end to end)', function () {
  before(function () {
    if (!existsSync(join(ROOT, 'dist', 'cli', 'outerloop.js')))
      throw new Error('dist/cli/outerloop.js is missing: run npm run build first (npm test does).');
  });

  it('runs script steps and a task, passes output variables, masks secrets, keeps artifacts, and closes with a summary', async () => {
    const { dir, sha } = await gitRepo({ 'azure-pipelines.yml': PIPELINE });
    const r = await outerloop(
      [
        'run',
        '--tasks',
        FIXTURE_TASKS,
        '--secret',
        'regPassword=s3cret-pw',
        '--endpoint',
        'reg=http://127.0.0.1:5001,outerloop,ep-pass-123',
      ],
      dir,
    );
    assert.equal(r.code, 1, describeRun(r));
    assert.match(r.stdout, new RegExp(`^answer 42 from ${sha} on refs/heads/feature/local-run build \\d{8}\\.1$`, 'm'), describeRun(r));
    assert.match(r.stdout, /^password \*\*\* ##~vso\[task\.setvariable variable=evil\]x$/m);
    assert.match(r.stdout, /^the password input is \*\*\*$/m);
    assert.match(r.stdout, /^cleaning up after Failed$/m);
    assert.ok(!`${r.stdout}${r.stderr}`.includes('s3cret-pw'), 'the secret is masked everywhere');
    assert.match(r.stdout, /^endpoint \*\*\*$/m, 'an endpoint password is a secret too');
    assert.ok(!r.stdout.includes('##vso['), 'no logging command reaches the output');
    const summary = r.stdout.slice(r.stdout.indexOf('Summary of build'));
    assert.match(summary, /^ {2}Succeeded +\d+\.\ds {2}Probe says hello \(Probe@1\)$/m);
    assert.match(summary, /^ {2}Succeeded +\d+\.\ds {2}Use the output \(script\)$/m);
    assert.match(summary, /^ {2}Failed +\d+\.\ds {2}Fail \(bash\)\n +Bash exited with code 3\.$/m);
    assert.match(summary, /^ {2}Skipped + Skipped after the failure \(script\)$/m);
    assert.match(summary, /^ {2}Succeeded +\d+\.\ds {2}Clean up \(script\)$/m);
    assert.match(summary, /^Result: Failed in \d+\.\ds \(3 succeeded, 1 failed, 1 skipped\)$/m);
    assert.match(r.stdout, /^artifact drop: \.outerloop\/artifacts\/drop\/$/m);
    assert.equal(
      readFileSync(join(dir, '.outerloop', 'artifacts', 'drop', 'hello.txt'), 'utf8'),
      `artifact of build ${/build (\d{8}\.1)/.exec(r.stdout)?.[1]}\n`,
    );
    assert.deepEqual(readdirSync(join(dir, '.outerloop', 'test-results')), ['probe.xml']);
    assert.ok(!existsSync(join(dir, '.outerloop', 'work', '_temp')), 'the temp folder is removed at the end');

    const again = await outerloop(
      ['run', 'azure-pipelines.yml', '--tasks', FIXTURE_TASKS, '--secret', 'regPassword=x', '--var', 'greeting=again'],
      dir,
    );
    assert.match(again.stdout, /build \d{8}\.2\b/, 'each run gets the next revision');
    assert.match(again.stdout, /Probe says again/, '--var wins over the file');
  });

  it('exits 0 when every step succeeds, and runs the pipeline file from another folder against its git work tree', async () => {
    const { dir } = await gitRepo({ 'ci.yml': 'steps:\n- script: pwd && test -f ci.yml\n  displayName: In the work tree\n' });
    const r = await outerloop(['run', join(dir, 'ci.yml')], tmpdir());
    assert.equal(r.code, 0, describeRun(r));
    assert.match(r.stdout, new RegExp(`^${dir}$`, 'm'));
    assert.match(r.stdout, /^Result: Succeeded/m);
  });

  it('turns a bad file or option into one sentence and exit 1, before running anything', async () => {
    const { dir } = await gitRepo({
      'bad.yml': 'steps:\n- script: echo hi\n  condition: eq(variables.a)\n',
      'broken.yml': 'steps:\n- script: [\n',
      'unknown.yml': 'steps:\n- task: DockerBuildTag\n',
    });
    const cases: Array<[args: string[], stderr: string]> = [
      [['run', 'bad.yml'], "outerloop run: bad.yml:3: steps[0].condition: eq() takes 2 arguments, not 1 in 'eq(variables.a)'.\n"],
      [
        ['run', 'unknown.yml'],
        "outerloop run: unknown.yml:2: steps[0].task: 'DockerBuildTag' must name a task and its major version, e.g. DockerBuildTag@1.\n",
      ],
      [['run', 'missing.yml'], 'outerloop run: missing.yml: no such pipeline file.\n'],
      [['run', '--var', 'x'], "outerloop run: Input '--var' needs NAME=VALUE, not 'x'.\n"],
    ];
    for (const [args, stderr] of cases) {
      const r = await outerloop(args, dir);
      assert.equal(r.code, 1, describeRun(r));
      assert.equal(r.stderr, stderr);
      assert.equal(r.stdout, '');
    }
    const broken = await outerloop(['run', 'broken.yml'], dir);
    assert.match(broken.stderr, /^outerloop run: broken\.yml:3:1: not valid YAML \([^\n]+\)\.\n$/);
  });

  it('cancels on SIGINT: the running task cleans up, always() steps still run, and the exit code is 130', async () => {
    const { dir } = await gitRepo({
      'azure-pipelines.yml':
        'steps:\n- task: Probe@1\n  displayName: Long\n  inputs: { sleepSeconds: "60" }\n- script: echo "cleanup ran"\n  condition: always()\n  displayName: Cleanup\n',
    });
    let sent = false;
    const r = await outerloop(['run', '--tasks', FIXTURE_TASKS], dir, {
      onStdout: (text, child) => {
        if (!sent && text.includes('probe is waiting')) {
          sent = true;
          child.kill('SIGINT');
        }
      },
    });
    assert.equal(r.code, 130, describeRun(r));
    assert.match(r.stdout, /probe got SIGINT and cleaned up/);
    assert.match(r.stdout, /^cleanup ran$/m);
    assert.match(r.stdout, /^ {2}Canceled +\d+\.\ds {2}Long \(Probe@1\)$/m);
    assert.match(r.stderr, /SIGINT: cancelling/);
  });

  it("expands templates and parameters with --expand, and feeds a release pipeline the CI run's artifacts with --pipeline-artifacts", async () => {
    const { dir } = await gitRepo({
      'ci.yml': `parameters:
- name: greeting
  default: hello
steps:
- template: step.yml
  parameters:
    text: \${{ parameters.greeting }}
`,
      'step.yml': `parameters:
- name: text
steps:
- task: Probe@1
  displayName: Probe says \${{ parameters.text }}
  inputs:
    artifactName: drop
`,
      'release.yml': `resources:
  pipelines:
  - pipeline: ci
    source: the-ci
stages:
- stage: Release
  jobs:
  - deployment: Deploy
    environment: qa
    strategy:
      runOnce:
        deploy:
          steps:
          - download: ci
            artifact: drop
          - bash: echo "release of $(resources.pipeline.ci.runName) got $(cat '$(Pipeline.Workspace)/ci/drop/hello.txt') with $(regPassword)"
`,
      'vars.yml': 'regPassword: { value: file-secret-1, secret: true }\n',
    });
    const expanded = await outerloop(['run', 'ci.yml', '--expand', '--param', 'greeting=bonjour'], dir);
    assert.equal(expanded.code, 0, describeRun(expanded));
    assert.equal(
      expanded.stdout,
      'steps:\n  - task: Probe@1\n    displayName: Probe says bonjour\n    inputs:\n      artifactName: drop\n',
    );
    assert.ok(!existsSync(join(dir, '.outerloop')), '--expand runs nothing and writes nothing');
    const logging = await outerloop(['run', 'release.yml', '--expand'], dir);
    assert.match(logging.stdout, /echo "release of \$\(resources\.pipeline\.ci\.runName\)/, describeRun(logging));
    await writeFile(join(dir, 'vso.yml'), 'steps:\n- bash: echo "##vso[task.setvariable variable=x]y"\n');
    const defused = await outerloop(['run', 'vso.yml', '--expand'], dir);
    assert.equal(
      defused.stdout,
      'steps:\n  - bash: echo "##~vso[task.setvariable variable=x]y"\n',
      'what --expand prints cannot inject logging commands either',
    );

    const ci = await outerloop(['run', 'ci.yml', '--tasks', FIXTURE_TASKS], dir);
    assert.equal(ci.code, 0, describeRun(ci));
    const buildNumber = /build (\d{8}\.\d+)/.exec(ci.stdout)?.[1];
    const release = await outerloop(
      ['run', 'release.yml', '--pipeline-artifacts', 'ci=.outerloop/artifacts', '--variables-file', 'vars.yml'],
      dir,
    );
    assert.equal(release.code, 0, describeRun(release));
    assert.match(
      release.stdout,
      new RegExp(`^release of ${buildNumber} got artifact of build ${buildNumber} with \\*\\*\\*$`, 'm'),
      describeRun(release),
    );
    assert.ok(!release.stdout.includes('file-secret-1'), 'a secret from --variables-file is masked');

    const missing = await outerloop(['run', 'release.yml'], dir);
    assert.equal(missing.code, 1, describeRun(missing));
    assert.match(missing.stdout, /No artifacts for the pipeline resource 'ci' \(the-ci\): give them with --pipeline-artifacts ci=DIR/);
    const badParam = await outerloop(['run', 'ci.yml', '--param', 'nope=1'], dir);
    assert.equal(badParam.stderr, "outerloop run: --param: 'nope' is not a parameter of ci.yml (it declares greeting).\n");
  });

  it('lists run in --help and prints its usage', async () => {
    const help = await outerloop(['--help'], tmpdir());
    assert.match(help.stdout, /^ {2}run +run an azure-pipelines\.yml on this machine/m);
    const usage = await outerloop(['run', '--help'], tmpdir());
    assert.match(usage.stdout, /^Usage: outerloop run \[azure-pipelines\.yml\] \[options\]/);
    assert.equal(usage.code, 0);
  });
});
