import { strict as assert } from 'node:assert';
import sinon from 'sinon';
import { ToolError } from '../../../src/common/errors';
import * as compose from '../../../src/docker/compose';
import { ComposeCli, type Argv, type ComposeProjectArgs } from '../../../src/docker/compose';
import type { ComposeCommand } from '../../../src/docker/tools';
import type { ProcessRunner } from '../../../src/process/runner';

const V1: ComposeCommand = { version: 1, file: 'docker-compose', args: [] };
const V2: ComposeCommand = { version: 2, file: 'docker', args: ['compose'] };
const project = (command: ComposeCommand): ComposeProjectArgs => ({
  command,
  projectName: 'shop-42',
  files: ['docker-compose.yml', 'ci.yml'],
});
const INVOCATION = { command: V1, projectName: 'shop-1', files: ['docker-compose.yml'], cwd: '/app', env: { TAG: 'dev' } };

describe('compose command lines (v1 and v2 alike: -p and every -f)', () => {
  const cases: Array<[string, (p: ComposeProjectArgs) => Argv, string[]]> = [
    ['config', (p) => compose.planConfig(p), ['config']],
    ['build', (p) => compose.planBuild(p, ['web', 'worker']), ['build', 'web', 'worker']],
    ['pull', (p) => compose.planPull(p, ['db']), ['pull', 'db']],
    ['up (all)', (p) => compose.planUp(p, [], { build: false }), ['up', '-d', '--no-build']],
    ['up (some)', (p) => compose.planUp(p, ['api'], { build: false }), ['up', '-d', '--no-build', 'api']],
    [
      'up for a deployment',
      (p) => compose.planUp(p, [], { pull: 'always', removeOrphans: true, wait: true, waitTimeoutSeconds: 60 }),
      ['up', '-d', '--pull', 'always', '--remove-orphans', '--wait', '--wait-timeout', '60'],
    ],
    [
      'up attached, rebuilt, recreated',
      (p) => compose.planUp(p, ['web'], { detach: false, build: true, forceRecreate: true }),
      ['up', '--build', '--force-recreate', 'web'],
    ],
    ['run', (p) => compose.planRun(p, 'tests'), ['run', '--rm', '-T', '--no-deps', 'tests']],
    [
      'logs',
      (p) => compose.planLogs(p, ['web'], { tail: 20, timestamps: true }),
      ['logs', '--no-color', '--timestamps', '--tail', '20', 'web'],
    ],
    ['down (keeps volumes unless told)', (p) => compose.planDown(p), ['down']],
    ['down -v --remove-orphans', (p) => compose.planDown(p, { volumes: true, removeOrphans: true }), ['down', '-v', '--remove-orphans']],
    [
      'down when cancelled',
      (p) => compose.planDown(p, { volumes: true, removeOrphans: true, stopTimeoutSeconds: 1 }),
      ['down', '-v', '--remove-orphans', '--timeout', '1'],
    ],
  ];
  const prefix = ['-p', 'shop-42', '-f', 'docker-compose.yml', '-f', 'ci.yml'];
  for (const [name, build, tail] of cases) {
    it(name, () => {
      assert.deepEqual(build(project(V1)), { file: 'docker-compose', args: [...prefix, ...tail] });
      assert.deepEqual(build(project(V2)), { file: 'docker', args: ['compose', ...prefix, ...tail] });
    });
  }
  it('profiles come first, one --profile each, in both versions', () => {
    const p = { ...project(V2), profiles: ['debug', 'e2e'] };
    assert.deepEqual(compose.planUp(p, [], { build: false }).args, [
      'compose',
      '--profile',
      'debug',
      '--profile',
      'e2e',
      ...prefix,
      'up',
      '-d',
      '--no-build',
    ]);
    assert.deepEqual(compose.planConfig({ ...p, command: V1 }).args, ['--profile', 'debug', '--profile', 'e2e', ...prefix, 'config']);
  });
  it('ps shows stopped containers in both versions', () => {
    assert.deepEqual(compose.planPs(project(V1)).args.slice(-1), ['ps']);
    assert.deepEqual(compose.planPs(project(V2)).args.slice(-2), ['ps', '-a']);
  });
});

describe('ComposeCli', () => {
  it('a failed command is a ToolError with Compose reason, a logging command in it neutralized', async () => {
    const exec = sinon
      .stub()
      .resolves({ code: 1, stdout: '', stderr: 'Creating x ...\nERROR: pull access denied ##vso[task.complete result=Succeeded]\n' });
    const cli = new ComposeCli({ exec } as unknown as ProcessRunner, INVOCATION);
    await assert.rejects(
      cli.up([], { build: false }),
      (e: unknown) =>
        e instanceof ToolError &&
        e.message === 'Compose could not start the app: pull access denied ##~vso[task.complete result=Succeeded]',
    );
    assert.deepEqual(exec.firstCall.args.slice(0, 2), [
      'docker-compose',
      ['-p', 'shop-1', '-f', 'docker-compose.yml', 'up', '-d', '--no-build'],
    ]);
    assert.deepEqual(
      [exec.firstCall.args[2].cwd, exec.firstCall.args[2].env],
      ['/app', { TAG: 'dev' }],
      "in the invocation's folder and environment",
    );
  });

  it('run returns the test service exit code, never an error', async () => {
    const exec = sinon.stub().resolves({ code: 4, stdout: '', stderr: '' });
    const cli = new ComposeCli({ exec } as unknown as ProcessRunner, INVOCATION);
    assert.equal(await cli.run('tests'), 4);
  });

  it('config and logs are read quietly: their output is returned, never streamed', async () => {
    const exec = sinon.stub().resolves({ code: 0, stdout: 'services: {}\n', stderr: '' });
    const cli = new ComposeCli({ exec } as unknown as ProcessRunner, INVOCATION);
    assert.equal(await cli.config(), 'services: {}\n');
    await cli.logs(['web']);
    for (const call of exec.getCalls()) assert.equal(call.args[2].quiet, true);
  });
});
