import { strict as assert } from 'node:assert';
import { describeVerdicts, judgeContainer, judgeReadiness } from '../../../src/docker/readiness';
import { parseInspect, type ContainerState } from '../../../src/docker/containers';

// A trimmed `docker inspect` of two compose containers, as the 20.10 engine prints it.
const INSPECT = JSON.stringify([
  {
    Id: 'aaa',
    Name: '/shop_web_1',
    RestartCount: 0,
    Config: {
      Image: 'shop_web',
      Labels: {
        'com.docker.compose.project': 'shop',
        'com.docker.compose.service': 'web',
        'com.docker.compose.container-number': '1',
        'com.docker.compose.oneoff': 'False',
      },
    },
    State: {
      Status: 'running',
      ExitCode: 0,
      StartedAt: '2026-11-22T02:24:34.319512806Z',
      Health: {
        Status: 'healthy',
        Log: [
          { Start: '2026-11-22T02:24:35.1Z', End: '2026-11-22T02:24:35.2Z', ExitCode: 1, Output: 'wget: refused\n' },
          { Start: '2026-11-22T02:24:36.3Z', End: '2026-11-22T02:24:36.36Z', ExitCode: 0, Output: '' },
        ],
      },
    },
    NetworkSettings: { Ports: { '8080/tcp': [{ HostIp: '127.0.0.1', HostPort: '32768' }], '9090/tcp': null } },
  },
  {
    Id: 'bbb',
    Name: '/shop_tests_run_1',
    RestartCount: 2,
    Config: { Image: 'shop_tests', Labels: { 'com.docker.compose.service': 'tests', 'com.docker.compose.oneoff': 'True' } },
    State: { Status: 'exited', ExitCode: 3, StartedAt: '0001-01-01T00:00:00Z' },
    NetworkSettings: { Ports: {} },
  },
]);

function state(extra: Partial<ContainerState>): ContainerState {
  return {
    id: 'x',
    name: 'p_s_1',
    service: 's',
    number: 1,
    oneOff: false,
    image: '',
    status: 'running',
    exitCode: 0,
    restartCount: 0,
    ports: [],
    labels: {},
    ...extra,
  };
}

describe('compose-test readiness', () => {
  it('parses docker inspect: labels, health, first passing check, ports', () => {
    const [web, tests] = parseInspect(INSPECT);
    assert.deepEqual(web, {
      id: 'aaa',
      name: 'shop_web_1',
      service: 'web',
      number: 1,
      oneOff: false,
      image: 'shop_web',
      status: 'running',
      exitCode: 0,
      restartCount: 0,
      startedAt: '2026-11-22T02:24:34.319512806Z',
      health: 'healthy',
      healthyAt: '2026-11-22T02:24:36.36Z',
      lastHealthCheck: { exitCode: 0, output: '' },
      ports: [{ containerPort: '8080', protocol: 'tcp', hostIp: '127.0.0.1', hostPort: '32768' }],
      labels: {
        'com.docker.compose.project': 'shop',
        'com.docker.compose.service': 'web',
        'com.docker.compose.container-number': '1',
        'com.docker.compose.oneoff': 'False',
      },
    });
    assert.equal(tests.oneOff, true);
    assert.equal(tests.startedAt, undefined);
    assert.equal(tests.health, undefined);
  });

  describe('judgeContainer', () => {
    const oneShot = new Set(['migrate']);
    const cases: Array<[string, Partial<ContainerState>, string, string]> = [
      ['running, no healthcheck', {}, 'ready', 'running'],
      ['healthy', { health: 'healthy' }, 'ready', 'healthy'],
      ['starting', { health: 'starting' }, 'waiting', 'health: starting'],
      [
        'starting, failing checks shown',
        { health: 'starting', lastHealthCheck: { exitCode: 1, output: 'curl: (7) refused\n' } },
        'waiting',
        'health: starting (last health check: exit 1, curl: (7) refused)',
      ],
      [
        'unhealthy fails',
        { health: 'unhealthy', lastHealthCheck: { exitCode: 1, output: 'HTTP 500' } },
        'failed',
        'turned unhealthy (last health check: exit 1, HTTP 500)',
      ],
      [
        'a health check printing a logging command is neutralized',
        { health: 'unhealthy', lastHealthCheck: { exitCode: 1, output: '##vso[task.setvariable variable=x]1' } },
        'failed',
        'turned unhealthy (last health check: exit 1, ##~vso[task.setvariable variable=x]1)',
      ],
      ['exited non-zero fails', { status: 'exited', exitCode: 3 }, 'failed', 'exited with code 3'],
      ['exited 0 fails for a long-running service', { status: 'exited', exitCode: 0 }, 'failed', 'exited with code 0'],
      ['exited 0 is done for a one-shot service', { service: 'migrate', status: 'exited', exitCode: 0 }, 'ready', 'completed'],
      ['a one-shot service that fails, fails', { service: 'migrate', status: 'exited', exitCode: 1 }, 'failed', 'exited with code 1'],
      ['dead fails', { status: 'dead', exitCode: 137 }, 'failed', 'exited with code 137'],
      [
        'restarting waits (the timeout ends a crash loop)',
        { status: 'restarting', exitCode: 1, restartCount: 2 },
        'waiting',
        'restarting (last exit code 1, 2 restarts)',
      ],
      ['created waits', { status: 'created' }, 'waiting', 'created'],
    ];
    for (const [name, extra, kind, reason] of cases) {
      it(name, () => {
        const v = judgeContainer(state(extra), oneShot);
        assert.deepEqual([v.kind, v.reason], [kind, reason]);
      });
    }
  });

  it('judgeReadiness: ready when all are, failed when one is, one-off containers ignored, nothing is not ready', () => {
    const none = new Set<string>();
    assert.equal(judgeReadiness([state({ service: 'a' }), state({ service: 'b', health: 'healthy' })], none).kind, 'ready');
    assert.equal(judgeReadiness([state({ service: 'a' }), state({ service: 'b', health: 'starting' })], none).kind, 'waiting');
    const failed = judgeReadiness(
      [state({ service: 'a', health: 'starting' }), state({ service: 'b', status: 'exited', exitCode: 2 })],
      none,
    );
    assert.equal(failed.kind, 'failed');
    assert.equal(failed.failed?.container.service, 'b');
    assert.equal(judgeReadiness([state({ oneOff: true, status: 'exited', exitCode: 1 }), state({})], none).kind, 'ready');
    assert.equal(judgeReadiness([], none).kind, 'waiting');
  });

  it('describeVerdicts: one line, scaled services numbered', () => {
    const r = judgeReadiness([state({ service: 'web', health: 'healthy' }), state({ service: 'worker', number: 2 })], new Set());
    assert.equal(describeVerdicts(r.verdicts, ['ready']), 'web (healthy), worker#2 (running)');
  });
});
