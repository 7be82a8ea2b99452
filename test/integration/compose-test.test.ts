import { strict as assert } from 'node:assert';
import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TaskRun } from '../../src/local-run/agent/task-process';
import { FIXTURES } from '../support/paths';
import { agentVariables, describeRun, startVsixTask } from '../support/task-harness';
import { requireTestBed, type TestBed } from '../support/testbed';

const APP = join(FIXTURES, 'compose-test-app');
const LABEL = 'com.docker.compose.project';

describe('ComposeTest@1 on the test bed (run from the unpacked .vsix)', function () {
  let bed: TestBed;
  let resultsRoot: string;
  before(async function () {
    bed = requireTestBed(this);
    resultsRoot = await mkdtemp(join(tmpdir(), 'outerloop-compose-test-'));
  });
  after(async () => {
    if (resultsRoot) await rm(resultsRoot, { recursive: true, force: true });
  });

  const docker = (...args: string[]): string => execFileSync('docker', args, { env: bed.env, encoding: 'utf8' });

  /** Everything still carrying the project's label: must be nothing after every run. */
  function leftovers(project: string): string[] {
    const filter = ['--filter', `label=${LABEL}=${project}`];
    return [
      ...docker('ps', '-a', '--format', 'container {{.Names}}', ...filter).split('\n'),
      ...docker('network', 'ls', '--format', 'network {{.Name}}', ...filter).split('\n'),
      ...docker('volume', 'ls', '--format', 'volume {{.Name}}', ...filter).split('\n'),
    ].filter(Boolean);
  }

  /** Writes an env file (for the `envFile` input) and returns its path. */
  async function writeEnvFile(values: Record<string, string>): Promise<string> {
    const file = join(resultsRoot, `${randomBytes(4).toString('hex')}.env`);
    await writeFile(
      file,
      Object.entries(values)
        .map(([k, v]) => `${k}=${v}\n`)
        .join(''),
    );
    return file;
  }

  interface Case {
    run: TaskRun;
    project: string;
    results: string;
  }

  /** Runs the task on the fixture app with a unique project; `onLine` may signal the task. */
  async function runApp(
    knobs: Record<string, string>,
    inputs: Record<string, string> = {},
    onLine?: (line: string, kill: (signal?: NodeJS.Signals) => void, project: string) => void,
  ): Promise<Case> {
    const project = `ct-${randomBytes(4).toString('hex')}`;
    const results = join(resultsRoot, project);
    const environment = Object.entries({ RESULTS_DIR: results, ...knobs })
      .map(([k, v]) => `${k}=${v}`)
      .join('\n');
    let kill = (_signal?: NodeJS.Signals): void => undefined;
    const started = await startVsixTask('compose-test', {
      inputs: {
        composeFiles: 'docker-compose.yml',
        workingDirectory: APP,
        projectName: project,
        environment,
        testCommand: 'node tests/smoke.js',
        testResultsFiles: `${results}/*.xml`,
        removeImages: 'true',
        waitTimeout: '60',
        ...inputs,
      },
      variables: await agentVariables(),
      baseEnv: bed.env,
      onLine: onLine ? (line) => onLine(line, (signal) => kill(signal), project) : undefined,
    });
    kill = (signal = 'SIGTERM') => started.child.kill(signal);
    return { run: await started.done, project, results };
  }

  function assertNothingLeft(c: Case): void {
    assert.deepEqual(leftovers(c.project), [], `nothing of ${c.project} remains\n${describeRun(c.run)}`);
    // Compose v1 names a built image project_service, v2 project-service.
    const images = docker(
      'image',
      'ls',
      '--format',
      '{{.Repository}}',
      '--filter',
      `reference=${c.project}_*`,
      '--filter',
      `reference=${c.project}-*`,
    ).trim();
    assert.equal(images, '', 'the images the run built were removed (removeImages)');
  }

  /** How the task runs Compose on this toolchain, as its command lines show it. */
  const composeCommand = (): string => (bed.toolchain === 'modern' ? 'docker compose' : 'docker-compose');

  function assertPublishedResults(c: Case, failures: number): void {
    const publish = c.run.commands.filter((x) => x.command === 'results.publish');
    assert.equal(publish.length, 1, describeRun(c.run));
    assert.equal(publish[0].properties['type'], 'JUnit');
    const file = join(c.results, 'TEST-smoke.xml');
    assert.equal(publish[0].properties['resultfiles'], file);
    assert.match(readFileSync(file, 'utf8'), new RegExp(`failures="${failures}"`));
  }

  /**
   * The logs artifact was published, and holds each service's log (named the same by both Compose versions), ps and the containers'
   * state.
   */
  function assertLogsArtifact(c: Case): string {
    const upload = c.run.commands.filter((x) => x.command === 'artifact.upload');
    assert.equal(upload.length, 1, describeRun(c.run));
    assert.equal(upload[0].properties['artifactname'], 'compose-logs');
    const dir = c.run.outputs['logsDirectory'];
    assert.equal(upload[0].message, dir);
    const files = readdirSync(dir).sort();
    assert.ok(files.includes('ps.txt') && files.includes('containers.json'), files.join(', '));
    assert.ok(files.includes('web-1.log'), files.join(', '));
    const state = JSON.parse(readFileSync(join(dir, 'containers.json'), 'utf8')) as Array<{
      Labels: Record<string, string>;
      State: unknown;
    }>;
    assert.ok(state.length >= 1 && state.every((s) => s.Labels[LABEL] === c.project && s.State));
    assert.match(readFileSync(join(dir, 'ps.txt'), 'utf8'), new RegExp(`${c.project}[-_]web[-_]1`));
    return dir;
  }

  it('passes: builds, starts the named services with their dependencies, waits until ready, tests through the published ports, tears down', async () => {
    // `services` names worker (which needs web) and edge-proxy.v2 (a range and a UDP port): web starts as a dependency.
    const c = await runApp(
      {},
      { composeFiles: 'docker-compose.yml\ndocker-compose.ports.yml', services: 'worker\nedge-proxy.v2', logsOnSuccess: 'true' },
    );
    assert.equal(c.run.result, 'Succeeded', describeRun(c.run));
    assert.match(c.run.message ?? '', new RegExp(`^The tests passed against project '${c.project}'`));
    assert.deepEqual([c.run.outputs['projectName'], c.run.outputs['testExitCode']], [c.project, '0']);
    assert.ok(
      c.run.output.includes(
        `##[command]${composeCommand()} -p ${c.project} -f docker-compose.yml -f docker-compose.ports.yml up -d --no-build worker edge-proxy.v2\n`,
      ),
      describeRun(c.run),
    );
    assert.match(c.run.output, /All services are ready: edge-proxy\.v2 \(running\), web \(healthy\), worker \(running\)\./);
    // What the test command itself sees: every published port, service names upper-cased with `_` for other characters.
    const sees = /smoke: sees (.*)/
      .exec(c.run.output)?.[1]
      .split(' ')
      .map((v) => v.replace(/:\d+$/, ':PORT'))
      .sort();
    assert.deepEqual(
      sees,
      [
        'COMPOSE_EDGE_PROXY_V2_5353_UDP=127.0.0.1:PORT',
        'COMPOSE_EDGE_PROXY_V2_9000=127.0.0.1:PORT',
        'COMPOSE_EDGE_PROXY_V2_9001=127.0.0.1:PORT',
        'COMPOSE_WEB_8080=127.0.0.1:PORT',
      ],
      describeRun(c.run),
    );
    assert.match(c.run.output, /smoke: passed/);
    assertPublishedResults(c, 0);
    const logs = assertLogsArtifact(c);
    assert.match(readFileSync(join(logs, 'web-1.log'), 'utf8'), /web: serving on 8080/);
    assertNothingLeft(c);
  });

  it('fails when the tests fail, and still publishes results and logs and tears down', async () => {
    // EXPECT comes from the env file: it reaches the test command.
    const c = await runApp({}, { envFile: await writeEnvFile({ EXPECT: 'not on the page' }) });
    assert.equal(c.run.result, 'Failed', describeRun(c.run));
    assert.equal(c.run.message, 'The tests failed: the test command exited with code 1.');
    assert.match(c.run.output, /smoke: FAILED: the page does not contain 'not on the page'/);
    assert.equal(c.run.outputs['testExitCode'], '1');
    assertPublishedResults(c, 1);
    assertLogsArtifact(c);
    assertNothingLeft(c);
  });

  it('fails at the readiness timeout when a service never turns healthy, naming it and its last health check', async () => {
    // 10 s: Compose v1's `up` alone can take 4 s on a busy machine, and the timeout must catch web's health checks, not `up`.
    const c = await runApp({ HEALTH_PATH: '/missing', HEALTH_START_PERIOD: '120s' }, { waitTimeout: '10' });
    assert.equal(c.run.result, 'Failed', describeRun(c.run));
    assert.match(
      c.run.message ?? '',
      /^The app was not ready within 10 s \(input 'waitTimeout'\): web \(health: starting \(last health check: exit 1, .*404/,
    );
    assert.equal(c.run.outputs['testExitCode'], undefined, 'the tests never ran');
    assert.ok(!c.run.commands.some((x) => x.command === 'results.publish'), 'no results were written, none published');
    assert.match(c.run.output, /No test result files match/);
    assertLogsArtifact(c);
    assertNothingLeft(c);
  });

  it('fails fast when a service turns unhealthy, naming it and showing its last log lines', async () => {
    const started = Date.now();
    const c = await runApp({ HEALTH_PATH: '/missing' });
    assert.equal(c.run.result, 'Failed', describeRun(c.run));
    assert.match(
      c.run.message ?? '',
      /^Service 'web' turned unhealthy \(last health check: exit 1, .*404.*\) before the app was ready; its last log lines are above\.$/,
    );
    assert.match(c.run.output, /last \d+ log line\(s\) of web \(turned unhealthy[^\n]*\n(?:[^\n]*\n)*?[^\n]*web: serving on 8080/);
    assert.ok(Date.now() - started < 45000, 'it did not wait for the 60 s timeout');
    assertLogsArtifact(c);
    assertNothingLeft(c);
  });

  it('fails fast when a service exits, naming it and showing its last log lines', async () => {
    const started = Date.now();
    // WORKER_EXIT comes from the env file: it reaches the compose file's interpolation.
    const c = await runApp({}, { envFile: await writeEnvFile({ WORKER_EXIT: '3' }) });
    assert.equal(c.run.result, 'Failed', describeRun(c.run));
    assert.equal(c.run.message, "Service 'worker' exited with code 3 before the app was ready; its last log lines are above.");
    assert.match(c.run.output, /last 1 log line\(s\) of worker \(exited with code 3\)[^\n]*\n[^\n]*worker: giving up with code 3/);
    assert.ok(Date.now() - started < 45000, 'it did not wait for the 60 s timeout');
    const logs = assertLogsArtifact(c);
    assert.match(readFileSync(join(logs, 'worker-1.log'), 'utf8'), /worker: giving up with code 3/);
    assertNothingLeft(c);
  });

  it('on SIGTERM in the middle of the tests, stops them, publishes what there is and tears down before exiting', async () => {
    const started = Date.now();
    let signalled = false;
    const c = await runApp({ HOLD_SECONDS: '120' }, {}, (line, kill) => {
      if (!signalled && line.includes('smoke: holding')) {
        signalled = true;
        kill();
      }
    });
    assert.ok(signalled, describeRun(c.run));
    assert.equal(c.run.result, 'Failed', describeRun(c.run));
    assert.equal(c.run.message, 'The task was cancelled (SIGTERM).');
    assert.match(c.run.output, /Received SIGTERM: cleaning up before exiting\./);
    assert.match(c.run.output, /down -v --remove-orphans --timeout 1/);
    assert.ok(Date.now() - started < 60000, 'the test command did not hold the task for its 120 s');
    assertPublishedResults(c, 0);
    assertLogsArtifact(c);
    assertNothingLeft(c);
    assert.ok(existsSync(c.results));
  });

  it('on SIGINT while waiting for readiness, stops compose up and tears down before exiting', async () => {
    let signalled = false;
    const c = await runApp({ STARTUP_DELAY: '120' }, {}, (line, kill, project) => {
      if (!signalled && / up -d --no-build/.test(line)) {
        signalled = true;
        // Once web's container exists (Compose v1 takes a while to get there), so that there is a log to publish.
        let sent = false;
        const poll = setInterval(() => {
          execFile(
            'docker',
            ['ps', '-aq', '--filter', `label=${LABEL}=${project}`, '--filter', 'label=com.docker.compose.service=web'],
            { env: bed.env },
            (_err, out) => {
              if (sent || !out.trim()) return;
              sent = true;
              clearInterval(poll);
              kill('SIGINT');
            },
          );
        }, 200);
      }
    });
    assert.ok(signalled, describeRun(c.run));
    assert.equal(c.run.result, 'Failed', describeRun(c.run));
    assert.equal(c.run.message, 'The task was cancelled (SIGINT).');
    assert.match(c.run.output, /Received SIGINT: cleaning up before exiting\./);
    assert.match(c.run.output, /down -v --remove-orphans --timeout 1/);
    assert.equal(c.run.outputs['testExitCode'], undefined, 'the tests never ran');
    assertLogsArtifact(c);
    assertNothingLeft(c);
  });

  it('runs a test service with compose run --rm in the app network; its exit code is the result', async () => {
    const c = await runApp(
      {},
      { composeFiles: 'docker-compose.yml\ndocker-compose.tests.yml', testCommand: '', testService: 'tests', testResultsFiles: '' },
    );
    assert.equal(c.run.result, 'Succeeded', describeRun(c.run));
    assert.match(c.run.output, /-f docker-compose.yml -f docker-compose.tests.yml up -d --no-build web worker\n/);
    assert.match(c.run.output, /All services are ready: web \(healthy\), worker \(running\)\./);
    assert.match(c.run.output, /run --rm -T --no-deps tests\n/);
    assert.match(c.run.output, /tests: passed/);
    assert.equal(c.run.outputs['testExitCode'], '0');
    assertNothingLeft(c);
    assert.equal(docker('image', 'ls', '-q', bed.baseImage).trim().length > 0, true, 'the base image the test service uses is kept');
  });

  it("profiles enable a service; a v2 project file's top-level name: and include: work on Compose v2 and get one sentence on v1", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'outerloop-ct-v2-'));
    const idle = (extra = ''): string => `    image: ${bed.baseImage}\n    command: [sleep, '300']\n    stop_signal: SIGKILL\n${extra}`;
    const app = `services:\n  web:\n${idle('    depends_on: [db]\n')}  debug:\n${idle('    profiles: [debug]\n')}`;
    try {
      await writeFile(join(dir, 'db.yml'), `services:\n  db:\n${idle()}`);
      await writeFile(join(dir, 'compose.yml'), `name: from-the-file\ninclude:\n  - db.yml\n${app}`);
      // The same app as Compose v1 can read it: db inline, no name:, no include:.
      await writeFile(join(dir, 'v1.yml'), `${app}  db:\n${idle()}`);
      const inputs = { workingDirectory: dir, testCommand: 'true', testResultsFiles: '', profiles: 'debug' };
      if (bed.toolchain === 'modern') {
        const c = await runApp({}, { ...inputs, composeFiles: 'compose.yml' });
        assert.equal(c.run.result, 'Succeeded', describeRun(c.run));
        assert.ok(
          c.run.output.includes(`##[command]docker compose --profile debug -p ${c.project} -f compose.yml up -d --no-build\n`),
          describeRun(c.run),
        );
        assert.match(
          c.run.output,
          /All services are ready: db \(running\), debug \(running\), web \(running\)\./,
          'the included db and the debug profile run',
        );
        assert.equal(c.run.outputs['projectName'], c.project, "projectName wins over the file's name:");
        assertNothingLeft(c);
      } else {
        const rejected = await runApp({}, { ...inputs, composeFiles: 'compose.yml' });
        assert.equal(rejected.run.result, 'Failed', describeRun(rejected.run));
        assert.equal(
          rejected.run.message,
          "Input 'composeFiles' names 'compose.yml', whose top-level 'name' and 'include' need Compose v2 ('docker compose'), but this agent has only Compose v1 ('docker-compose'): install the Compose v2 plugin, or leave them out.",
        );
        assert.ok(!/ up -d /.test(rejected.run.output), 'nothing started');
        const c = await runApp({}, { ...inputs, composeFiles: 'v1.yml' });
        assert.equal(c.run.result, 'Succeeded', describeRun(c.run));
        assert.ok(
          c.run.output.includes(`##[command]docker-compose --profile debug -p ${c.project} -f v1.yml up -d --no-build\n`),
          describeRun(c.run),
        );
        assert.match(c.run.output, /All services are ready: db \(running\), debug \(running\), web \(running\)\./);
        assertNothingLeft(c);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a compose file Compose rejects fails with its reason (file and key), and starts nothing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'outerloop-ct-bad-'));
    try {
      await writeFile(join(dir, 'docker-compose.yml'), `services:\n  web:\n    image: ${bed.baseImage}\n    bogus: 1\n`);
      const c = await runApp({}, { workingDirectory: dir, testCommand: 'true', testResultsFiles: '' });
      assert.equal(c.run.result, 'Failed', describeRun(c.run));
      assert.match(c.run.message ?? '', /^Compose could not read the compose files: .*docker-compose\.yml.*services\.web.*bogus/);
      assert.ok(!/ up -d /.test(c.run.output));
      assert.deepEqual(leftovers(c.project), []);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
