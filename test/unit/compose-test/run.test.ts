import { strict as assert } from 'node:assert';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sinon from 'sinon';
import { CancelledError, InputError, ToolError } from '../../../src/common/errors';
import type { ComposeInvocation } from '../../../src/docker/compose';
import type { ContainerState } from '../../../src/docker/containers';
import type { ProjectResources } from '../../../src/docker/engine';
import type { ComposeTestInputs } from '../../../src/compose-test/inputs';
import { ReadinessError } from '../../../src/docker/readiness';
import { TestsFailedError, executeComposeTest, runComposeTest, type ProjectRun } from '../../../src/compose-test/run';
import { fakeCompose, fakeContext, fakeDocker, fakeOutput } from '../../support/task-fakes';

const CONFIG = `services:
  web: {build: {context: ./web}, ports: ["127.0.0.1::8080"]}
  worker: {build: {context: ./worker}, depends_on: {web: {condition: service_healthy}}}
  db: {image: postgres:16}
`;
const PROJECT: ComposeInvocation = {
  command: { version: 1, file: 'docker-compose', args: [] },
  projectName: 'shop-1',
  files: ['docker-compose.yml'],
  cwd: '/app',
  env: {},
};
const NOTHING: ProjectResources = { containers: [], networks: [], volumes: [] };

function container(service: string, extra: Partial<ContainerState> = {}): ContainerState {
  return {
    id: `id-${service}`,
    name: `shop-1_${service}_1`,
    service,
    number: 1,
    oneOff: false,
    image: '',
    status: 'running',
    exitCode: 0,
    restartCount: 0,
    ports: service === 'web' ? [{ containerPort: '8080', protocol: 'tcp', hostIp: '127.0.0.1', hostPort: '32768' }] : [],
    labels: {},
    ...extra,
  };
}

const READY = [container('web', { health: 'healthy' }), container('worker'), container('db')];

/** The shared sinon fakes of every port (test/support/task-fakes.ts); `containers` is what docker inspect shows. */
function fakes(containers: ContainerState[] = READY, testExit = 0) {
  const controller = new AbortController();
  const compose = fakeCompose();
  compose.config.resolves(CONFIG);
  compose.run.resolves(testExit);
  compose.ps.resolves('NAME STATE\n');
  const docker = fakeDocker();
  docker.inspectProject.resolves({
    containers,
    raw: containers.map((c) => ({
      Id: c.id,
      Name: `/${c.name}`,
      Config: { Labels: {}, Env: ['SECRET=x'] },
      State: { Status: c.status },
    })),
  });
  docker.logs.resolves('2026-11-22T00:00:00Z some line\n');
  docker.watchEvents.callsFake(
    (_p: string, _e: () => void, signal: AbortSignal) => new Promise<void>((r) => signal.addEventListener('abort', () => r())),
  );
  docker.findResources.resolves(NOTHING);
  const output = fakeOutput();
  const runner = { exec: sinon.stub().resolves({ code: testExit, stdout: '', stderr: '' }) };
  const ports: ProjectRun = {
    compose,
    docker,
    output,
    runner,
    signal: controller.signal,
    baseEnv: { PATH: '/bin' },
    clock: Date.now,
    env: { input: () => undefined, variable: () => undefined, endpoint: () => undefined },
  };
  return { compose, docker, output, runner, ports, controller };
}

describe('executeComposeTest (ports faked)', () => {
  let logsRoot: string;
  let inputs: ComposeTestInputs;
  beforeEach(async () => {
    logsRoot = await mkdtemp(join(tmpdir(), 'outerloop-ct-run-'));
    inputs = {
      compose: { files: ['docker-compose.yml'], workingDir: logsRoot, environment: {}, profiles: [] },
      workingDirectory: logsRoot,
      projectName: 'shop-1',
      build: true,
      pull: 'missing',
      services: [],
      waitTimeoutSeconds: 30,
      test: { kind: 'command', command: 'npm test' },
      logsArtifact: 'compose-logs',
      logsOnSuccess: false,
      teardown: 'always',
      removeImages: false,
      logsRoot,
      pipeline: {},
    };
  });
  afterEach(() => rm(logsRoot, { recursive: true, force: true }));

  it('passes: build, up, wait, test with the ports in its environment, down, sweep; no logs artifact on success', async () => {
    const f = fakes();
    const message = await executeComposeTest(inputs, { TAG: 'ci' }, PROJECT, f.ports);
    assert.match(message, /^The tests passed against project 'shop-1'/);
    sinon.assert.callOrder(
      f.compose.config,
      f.compose.build,
      f.compose.up,
      f.docker.inspectProject,
      f.runner.exec,
      f.compose.down,
      f.docker.findResources,
    );
    // Every service is in scope: `build` names none (all), started alongside `config`.
    assert.deepEqual(f.compose.build.firstCall.args[0], []);
    sinon.assert.calledOnce(f.compose.build);
    assert.deepEqual(f.compose.up.firstCall.args[0], []);
    const [file, args, options] = f.runner.exec.firstCall.args;
    assert.deepEqual([file, args], ['bash', ['-c', 'npm test']]);
    assert.deepEqual(options.env, { PATH: '/bin', TAG: 'ci', COMPOSE_PROJECT_NAME: 'shop-1', COMPOSE_WEB_8080: '127.0.0.1:32768' });
    assert.equal(options.processGroup, true);
    assert.deepEqual(
      f.compose.down.firstCall.args[0],
      { volumes: true, removeOrphans: true },
      'down -v --remove-orphans, without a short stop timeout',
    );
    assert.deepEqual(f.compose.up.firstCall.args[1]?.build, false, 'up --no-build: the images were built before');
    assert.deepEqual(f.output.setOutput.args, [
      ['projectName', 'shop-1'],
      ['testExitCode', '0'],
    ]);
    sinon.assert.notCalled(f.output.uploadArtifact);
    sinon.assert.calledWithMatch(f.output.info, /^All services are ready: db \(running\), web \(healthy\), worker \(running\)\.$/);
  });

  it('a failing test still gets its logs published and the app torn down; removeImages removes what was built', async () => {
    const f = fakes(READY, 2);
    inputs.removeImages = true;
    await assert.rejects(
      executeComposeTest(inputs, {}, PROJECT, f.ports),
      (e: unknown) => e instanceof TestsFailedError && e.message === 'The tests failed: the test command exited with code 2.',
    );
    const dir = join(logsRoot, 'compose-logs-shop-1');
    sinon.assert.calledWith(f.output.uploadArtifact, 'compose-logs', dir);
    sinon.assert.calledWith(f.output.setOutput, 'logsDirectory', dir);
    for (const file of ['web-1.log', 'worker-1.log', 'ps.txt', 'containers.json']) assert.ok(existsSync(join(dir, file)), file);
    sinon.assert.callOrder(f.compose.ps, f.compose.down, f.docker.removeImages);
    assert.deepEqual(f.docker.removeImages.firstCall.args[0], ['shop-1_web', 'shop-1_worker']);
    // The run summary and the record say it failed, why, and where the logs are, after the teardown.
    sinon.assert.callOrder(f.compose.down, f.output.uploadSummary, f.output.addAttachment);
    assert.match(f.output.uploadSummary.firstCall.args[1], /^### ComposeTest: shop-1 failed\n/);
    const [type, name, text] = f.output.addAttachment.firstCall.args;
    assert.deepEqual([type, name], ['outerloop.result', 'compose-test']);
    const record = JSON.parse(text);
    assert.deepEqual(
      [record.outcome, record.failure, record.exitCode, record.logsArtifact, record.services.map((s: { name: string }) => s.name)],
      ['failed', 'The tests failed: the test command exited with code 2.', 2, 'compose-logs', ['db', 'web', 'worker']],
    );
  });

  it('a service that exits fails before the tests, naming it, and is torn down', async () => {
    const f = fakes([container('web', { health: 'healthy' }), container('worker', { status: 'exited', exitCode: 3 })]);
    await assert.rejects(
      executeComposeTest(inputs, {}, PROJECT, f.ports),
      (e: unknown) =>
        e instanceof ReadinessError &&
        e.message === "Service 'worker' exited with code 3 before the app was ready; its last log lines are above.",
    );
    sinon.assert.notCalled(f.runner.exec);
    sinon.assert.calledWith(f.docker.logs, 'id-worker', 20);
    sinon.assert.calledOnce(f.compose.down);
    sinon.assert.calledOnce(f.output.uploadArtifact);
    assert.equal(
      f.output.setOutput.args.find(([k]) => k === 'testExitCode'),
      undefined,
    );
    const record = JSON.parse(f.output.addAttachment.firstCall.args[2]);
    assert.deepEqual([record.outcome, record.exitCode, record.readyAfterMs, record.services], ['failed', undefined, undefined, []]);
  });

  it('waitTimeout bounds compose up too (v1 waits for service_healthy dependencies itself)', async () => {
    const f = fakes([container('web', { health: 'starting' })]);
    f.compose.up.callsFake(
      (_s: string[], options: { signal: AbortSignal }) => new Promise<void>((r) => options.signal.addEventListener('abort', () => r())),
    );
    inputs.waitTimeoutSeconds = 1;
    const started = Date.now();
    await assert.rejects(
      executeComposeTest(inputs, {}, PROJECT, f.ports),
      (e: unknown) =>
        e instanceof ReadinessError &&
        e.message === "The app was not ready within 1 s (input 'waitTimeout'): web (health: starting); 'compose up' had not finished.",
    );
    assert.ok(Date.now() - started < 3000);
    sinon.assert.notCalled(f.runner.exec);
    sinon.assert.calledOnce(f.compose.down);
  });

  it('cancelled during the tests: tears down quickly and reports the cancellation', async () => {
    const f = fakes();
    f.runner.exec.callsFake(async () => {
      f.controller.abort(new CancelledError('SIGTERM'));
      return { code: 143, stdout: '', stderr: '' };
    });
    await assert.rejects(executeComposeTest(inputs, {}, PROJECT, f.ports), CancelledError);
    assert.deepEqual(f.compose.down.firstCall.args[0], { volumes: true, removeOrphans: true, stopTimeoutSeconds: 1 });
    sinon.assert.calledOnce(f.output.uploadArtifact);
  });

  it('removes what down left behind, and fails only if something still remains', async () => {
    const f = fakes();
    const left = { containers: ['c1'], networks: [], volumes: ['v1'] };
    f.docker.findResources.onFirstCall().resolves(left).onSecondCall().resolves(NOTHING);
    f.compose.down.rejects(new Error('Compose could not tear the app down: boom'));
    await executeComposeTest(inputs, {}, PROJECT, f.ports);
    sinon.assert.calledWith(f.docker.removeResources, left);
    sinon.assert.calledWithMatch(f.output.warning, /boom \(what was left has been removed\)/);

    const g = fakes();
    g.docker.findResources.resolves(left);
    await assert.rejects(executeComposeTest(inputs, {}, PROJECT, g.ports), /could not be removed completely: c1, v1 remain/);
  });

  const policies: Array<[ComposeTestInputs['teardown'], number, boolean]> = [
    ['never', 0, false],
    ['onSuccess', 1, false],
    ['onSuccess', 0, true],
    ['always', 1, true],
  ];
  for (const [teardown, exit, downs] of policies) {
    it(`teardown ${teardown} with tests exiting ${exit}: ${downs ? 'tears down' : 'leaves the app up and says how to remove it'}`, async () => {
      const f = fakes(READY, exit);
      inputs.teardown = teardown;
      await executeComposeTest(inputs, {}, PROJECT, f.ports).catch(() => undefined);
      assert.equal(f.compose.down.called, downs);
      if (!downs)
        sinon.assert.calledWithMatch(
          f.output.info,
          /left running .* docker-compose -p shop-1 -f docker-compose.yml down -v --remove-orphans$/,
        );
    });
  }

  it('a test service runs with compose run, its dependencies named on up', async () => {
    const f = fakes();
    inputs.test = { kind: 'service', service: 'worker' };
    await executeComposeTest(inputs, {}, PROJECT, f.ports);
    sinon.assert.calledWith(f.compose.run, 'worker');
    assert.deepEqual(f.compose.build.args, [[['web', 'worker'], { signal: f.ports.signal }]]);
    assert.deepEqual(f.compose.up.firstCall.args[0], ['db', 'web']);
    sinon.assert.notCalled(f.runner.exec);
  });

  it("pull 'never' with an image missing fails before anything starts, and leaves nothing to tear down", async () => {
    const f = fakes();
    inputs.pull = 'never';
    f.docker.imageExists.resolves(false);
    await assert.rejects(
      executeComposeTest(inputs, {}, PROJECT, f.ports),
      (e: unknown) =>
        e instanceof InputError && e.message === "Input 'pull' is 'never', but image 'postgres:16' of service 'db' is not on this agent.",
    );
    sinon.assert.notCalled(f.compose.up);
    sinon.assert.notCalled(f.compose.down);
  });

  it("build false builds nothing, and removeImages then removes nothing (the images are an earlier step's)", async () => {
    const f = fakes();
    inputs.build = false;
    inputs.removeImages = true;
    await executeComposeTest(inputs, {}, PROJECT, f.ports);
    sinon.assert.notCalled(f.compose.build);
    assert.deepEqual(
      f.docker.imageExists.args.map(([image]) => image),
      ['shop-1_web', 'shop-1_worker'],
    );
    sinon.assert.calledOnce(f.compose.down);
    sinon.assert.notCalled(f.docker.removeImages);
  });

  it("build false with a service's image missing fails naming the input, before anything starts", async () => {
    const f = fakes();
    inputs.build = false;
    f.docker.imageExists.callsFake(async (image: string) => image !== 'shop-1_worker');
    await assert.rejects(
      executeComposeTest(inputs, {}, PROJECT, f.ports),
      (e: unknown) =>
        e instanceof InputError &&
        e.message ===
          "Input 'build' is false, but image 'shop-1_worker' of service 'worker' is not on this agent: build it in an earlier step or set 'build' to true.",
    );
    sinon.assert.notCalled(f.compose.up);
    sinon.assert.notCalled(f.compose.build);
  });

  // CONFIG's web and worker have build sections; give web an image so it can be pulled.
  const pulls: Array<[ComposeTestInputs['pull'], string[], string[][]]> = [
    ['missing', ['reg/web:1'], [['web']]],
    ['missing', [], []],
    ['always', [], [['db', 'web']]],
  ];
  for (const [pull, absent, expected] of pulls) {
    it(`build false, pull ${pull}, ${absent.length ? "web's image missing" : 'every image there'}: pulls ${JSON.stringify(expected)} (up --no-build would not)`, async () => {
      const f = fakes();
      f.compose.config.resolves(CONFIG.replace('web: {build: {context: ./web},', 'web: {build: {context: ./web}, image: "reg/web:1",'));
      inputs.build = false;
      inputs.pull = pull;
      const pulled = new Set<string>();
      f.compose.pull.callsFake(async (services: string[]) => services.forEach((s) => pulled.add(s === 'web' ? 'reg/web:1' : s)));
      f.docker.imageExists.callsFake(async (image: string) => !absent.includes(image) || pulled.has(image));
      await executeComposeTest(inputs, {}, PROJECT, f.ports);
      assert.deepEqual(
        f.compose.pull.args.map(([services]) => services),
        expected,
      );
      sinon.assert.notCalled(f.compose.build);
    });
  }

  it('a failing test service: its exit code is the result and the output', async () => {
    const f = fakes(READY, 4);
    inputs.test = { kind: 'service', service: 'worker' };
    await assert.rejects(
      executeComposeTest(inputs, {}, PROJECT, f.ports),
      (e: unknown) => e instanceof TestsFailedError && e.message === "The tests failed: test service 'worker' exited with code 4.",
    );
    sinon.assert.calledWith(f.output.setOutput, 'testExitCode', '4');
    sinon.assert.calledOnce(f.compose.down);
  });

  it('a service whose health check prints a logging command: named, and nothing of it reaches the log as a command', async () => {
    const evil = '##vso[task.setvariable variable=pwned]1';
    const f = fakes([container('web', { health: 'unhealthy', lastHealthCheck: { exitCode: 1, output: evil } }), container('worker')]);
    f.docker.logs.resolves(`2026-11-22T00:00:00Z ${evil}\n`);
    await assert.rejects(
      executeComposeTest(inputs, {}, PROJECT, f.ports),
      (e: unknown) =>
        e instanceof ReadinessError &&
        e.message.startsWith("Service 'web' turned unhealthy (last health check: exit 1, ##~vso[") &&
        !e.message.includes('##vso['),
    );
    sinon.assert.calledWith(f.docker.logs, 'id-web', 20);
    const lines = [...f.output.info.args, ...f.output.warning.args].map(([l]) => String(l));
    assert.ok(
      lines.some((l) => l.includes('##~vso[task.setvariable')),
      lines.join('\n'),
    );
    assert.ok(!lines.some((l) => l.includes('##vso[')), lines.join('\n'));
  });

  it("pull 'always' pulls the services that are not built", async () => {
    const f = fakes();
    inputs.pull = 'always';
    await executeComposeTest(inputs, {}, PROJECT, f.ports);
    assert.deepEqual(f.compose.pull.firstCall.args[0], ['db']);
  });

  it('saves container state without environment or command lines (they may hold secrets)', async () => {
    const f = fakes(READY, 1);
    await executeComposeTest(inputs, {}, PROJECT, f.ports).catch(() => undefined);
    const { readFile } = await import('node:fs/promises');
    const state = await readFile(join(logsRoot, 'compose-logs-shop-1', 'containers.json'), 'utf8');
    assert.ok(!state.includes('SECRET'), state);
  });
});

describe('runComposeTest (ports faked)', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'outerloop-ct-ports-'));
    await writeFile(join(dir, 'docker-compose.yml'), 'services:\n  web: {image: "${REGISTRY}/web:${TAG}"}\n');
    await writeFile(join(dir, 'ci.env'), 'TAG=from-file\nREGISTRY=r.io\n');
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  function inputs(): ComposeTestInputs {
    return {
      compose: {
        files: ['docker-compose.yml'],
        workingDir: dir,
        environment: { TAG: '42' },
        envFiles: [join(dir, 'ci.env')],
        profiles: ['debug'],
      },
      workingDirectory: dir,
      projectName: 'shop-1',
      build: false,
      pull: 'never',
      services: [],
      waitTimeoutSeconds: 30,
      test: { kind: 'service', service: 'web' },
      logsOnSuccess: false,
      teardown: 'always',
      removeImages: false,
      pipeline: {},
    };
  }

  it('opens Compose for the project: its files and profiles, in the working directory, the env file under the environment input', async () => {
    const compose = fakeCompose();
    compose.config.resolves('services:\n  web: {image: r.io/web:42}\n');
    const openCompose = sinon.stub().returns(compose);
    const docker = fakeDocker();
    docker.inspectProject.resolves({ containers: [container('web')], raw: [] });
    const ports = {
      docker,
      detectCompose: sinon.stub().resolves({ version: 2, file: 'docker', args: ['compose'] }),
      openCompose,
      baseEnv: { PATH: '/bin', TAG: 'agent' },
    };
    await runComposeTest(inputs(), fakeContext(), ports);
    const project: ComposeInvocation = openCompose.firstCall.args[0];
    assert.deepEqual(
      { ...project, env: { TAG: project.env['TAG'], REGISTRY: project.env['REGISTRY'], PATH: project.env['PATH'] } },
      {
        command: { version: 2, file: 'docker', args: ['compose'] },
        projectName: 'shop-1',
        files: ['docker-compose.yml'],
        profiles: ['debug'],
        cwd: dir,
        env: { TAG: '42', REGISTRY: 'r.io', PATH: '/bin' },
      },
    );
    sinon.assert.calledOnce(compose.run);
  });

  it('with Compose v1 only, names a file whose top-level keys need v2 (read by the compose YAML reader, tags and all); a file it cannot read is left to Compose', async () => {
    await writeFile(
      join(dir, 'docker-compose.yml'),
      'name: shop\ninclude: [db.yml]\nservices:\n  web: {image: r.io/web:1, ports: !reset []}\n',
    );
    const v1 = () => ({
      docker: fakeDocker(),
      detectCompose: sinon.stub().resolves({ version: 1, file: 'docker-compose', args: [] }),
      openCompose: sinon.stub().returns(fakeCompose()),
      baseEnv: {},
    });
    const ports = v1();
    await assert.rejects(runComposeTest(inputs(), fakeContext(), ports), (e: unknown) => {
      assert.ok(e instanceof InputError);
      assert.equal(
        e.message,
        "Input 'composeFiles' names 'docker-compose.yml', whose top-level 'name' and 'include' need Compose v2 ('docker compose'), but this agent has only Compose v1 ('docker-compose'): install the Compose v2 plugin, or leave them out.",
      );
      return true;
    });
    sinon.assert.notCalled(ports.openCompose);

    await writeFile(join(dir, 'docker-compose.yml'), 'name: shop\nservices: [unclosed\n');
    const broken = v1();
    await runComposeTest(inputs(), fakeContext(), broken).catch(() => undefined);
    sinon.assert.calledOnce(broken.openCompose);
  });

  it('says that no Compose was found, and names a compose file that is not there, before anything runs', async () => {
    const none = { docker: fakeDocker(), detectCompose: sinon.stub().resolves(undefined), openCompose: sinon.stub(), baseEnv: {} };
    await assert.rejects(
      runComposeTest(inputs(), fakeContext(), none),
      (e: unknown) => e instanceof ToolError && /^Neither 'docker compose' \(Compose v2\) nor 'docker-compose'/.test(e.message),
    );
    sinon.assert.notCalled(none.openCompose);
    const missing = { ...inputs(), compose: { ...inputs().compose, files: ['nope.yml'] } };
    await assert.rejects(runComposeTest(missing, fakeContext(), none), {
      message: `Input 'composeFiles' names 'nope.yml', which does not exist in ${dir}.`,
    });
  });
});
