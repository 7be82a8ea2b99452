import { strict as assert } from 'node:assert';
import sinon from 'sinon';
import { CancelledError, ToolError } from '../../../src/common/errors';
import { executeDeploy, type ComposeDeployPlan, type DeployPorts } from '../../../src/compose-deploy/run';
import type { Compose } from '../../../src/docker/compose';
import type { ContainerState } from '../../../src/docker/containers';
import type { Docker } from '../../../src/docker/engine';
import type { PipelineOutput } from '../../../src/pipeline/interfaces';
import { runningContainer } from './containers';

const OLD = `127.0.0.1:5000/shop/web@sha256:${'1'.repeat(64)}`;
const NEW = `127.0.0.1:5000/shop/web@sha256:${'2'.repeat(64)}`;
const TRACE = { 'outerloop.io/build-number': '1' };

function web(image: string, extra: Partial<ContainerState> = {}): ContainerState {
  return runningContainer('web', image, TRACE, { id: `id-${image.slice(-4)}`, health: 'healthy', ...extra });
}

function plan(extra: Partial<ComposeDeployPlan> = {}): ComposeDeployPlan {
  return {
    project: 'shop',
    images: [{ service: 'web', image: '127.0.0.1:5000/shop/web:1', deployed: NEW, pinned: true, built: true }],
    labelsFor: () => ({ 'outerloop.io/build-number': '2' }),
    unreachable: (err) => new ToolError('docker', `Could not reach the Docker engine at tcp://qa:2376: ${(err as Error).message}`),
    upWait: true,
    removeStale: false,
    waitTimeoutSeconds: 30,
    oneShot: [],
    rollbackOnFailure: true,
    ...extra,
  };
}

/** Sinon fakes; `states` are what successive `docker inspect`s of the project show (the last one repeats). */
function fakes(states: ContainerState[][]) {
  const controller = new AbortController();
  const calls: string[] = [];
  let n = 0;
  const compose = {
    pull: sinon.stub().callsFake(async (s: string[]) => void calls.push(`pull ${s.join(' ')}`)),
    up: sinon
      .stub()
      .callsFake(
        async (s: string[], o: { wait?: boolean; removeOrphans?: boolean }) =>
          void calls.push(
            `up ${s.join(' ')}${o.wait ? ' --wait' : ''}${o.removeOrphans ? ' --remove-orphans' : ''}`.replace(/ {2,}/g, ' '),
          ),
      ),
    remove: sinon.stub().callsFake(async (s: string[]) => void calls.push(`rm ${s.join(' ')}`)),
  };
  const docker = {
    inspectProject: sinon.stub().callsFake(async () => {
      const containers = states[Math.min(n++, states.length - 1)];
      return {
        containers,
        raw: containers.map((c) => ({ Id: c.id, State: { Health: { Log: [{ End: 't', ExitCode: 1, Output: 'not ready\n' }] } } })),
      };
    }),
    logs: sinon.stub().resolves('2026-11-29T00:00:00Z ##vso[task.setvariable variable=x]boom\n'),
    watchEvents: sinon
      .stub()
      .callsFake(
        (_p: string, _e: () => void, signal: AbortSignal) => new Promise<void>((r) => signal.addEventListener('abort', () => r())),
      ),
  };
  const overrides: string[] = [];
  const output = { info: sinon.stub(), warning: sinon.stub(), debug: sinon.stub(), setSecret: sinon.stub(), setOutput: sinon.stub() };
  const ports: DeployPorts = {
    compose: compose as unknown as Compose,
    docker: docker as unknown as Docker,
    output: output as unknown as PipelineOutput,
    signal: controller.signal,
    now: Date.now,
    writeOverride: async (text) => {
      calls.push('write override');
      overrides.push(text);
    },
  };
  return { calls, compose, docker, output, ports, overrides, controller };
}

describe('executeDeploy (ports faked)', () => {
  it('pulls the pinned images while it records what runs, writes the override with the labels, then up --wait --remove-orphans: deployed', async () => {
    const f = fakes([[web(OLD)], [web(NEW)]]);
    const result = await executeDeploy(plan(), f.ports);
    assert.equal(result.outcome, 'deployed');
    assert.deepEqual(f.calls, ['write override', 'pull web', 'write override', 'up --wait --remove-orphans']);
    assert.match(f.overrides[1], /"outerloop.io\/build-number": "2"/);
    assert.match(f.overrides[0], new RegExp(`image: "${NEW.replace(/[.]/g, '\\.')}"`));
    assert.deepEqual(f.output.setOutput.firstCall.args, ['previousImages', `web=${OLD}`]);
  });

  it('a service that turns unhealthy: its health log and last lines shown (neutralized), rolled back to the previous image and waited for', async () => {
    const f = fakes([[web(OLD)], [web(NEW, { health: 'unhealthy', lastHealthCheck: { exitCode: 1, output: 'not ready' } })]]);
    f.compose.up.onFirstCall().rejects(new ToolError('compose', 'Compose could not start the app: dependency failed'));
    const result = await executeDeploy(plan(), f.ports);
    assert.equal(result.outcome, 'rolled back');
    assert.equal(
      result.failure?.message,
      "Service 'web' turned unhealthy (last health check: exit 1, not ready). Rolled back to the previous images, which are ready again.",
    );
    // The first up (rejected) is a stub's own answer; the rollback's goes through the recording fake.
    assert.deepEqual(f.compose.up.firstCall.args[0], []);
    assert.deepEqual(f.calls, ['write override', 'pull web', 'write override', 'write override', 'up web --wait']);
    assert.match(f.overrides[2], new RegExp(`image: "${OLD.replace(/[.]/g, '\\.')}"[^]*"outerloop.io/build-number": "1"`));
    const printed = f.output.info.args.map((a) => String(a[0]));
    assert.ok(printed.includes('--- last 1 health check(s) of web ---'));
    assert.ok(
      printed.some((l) => l.includes('##~vso[task.setvariable')),
      'container output is neutralized',
    );
    assert.ok(!printed.some((l) => l.includes('##vso[')));
  });

  it('says when the rollback failed too, and when there was nothing to roll back to', async () => {
    const bad = [web(NEW, { status: 'exited', exitCode: 3, health: undefined })];
    const f = fakes([[web(OLD)], bad]);
    f.compose.up.rejects(new ToolError('compose', 'Compose could not start the app'));
    const failed = await executeDeploy(plan(), f.ports);
    assert.equal(failed.outcome, 'failed');
    assert.equal(failed.failure?.message, "Service 'web' exited with code 3. The rollback failed too: Service 'web' exited with code 3.");

    const first = fakes([[], bad]);
    first.compose.up.rejects(new ToolError('compose', 'Compose could not start the app'));
    const nothing = await executeDeploy(plan(), first.ports);
    assert.match(nothing.failure?.message ?? '', /Nothing of project 'shop' ran before this deploy, so there is nothing to roll back to/);

    const off = fakes([[web(OLD)], bad]);
    off.compose.up.rejects(new ToolError('compose', 'x'));
    const kept = await executeDeploy(plan({ rollbackOnFailure: false }), off.ports);
    assert.match(kept.failure?.message ?? '', /Not rolled back \(rollbackOnFailure is false\)/);
    assert.equal(off.compose.up.callCount, 1);
  });

  it('on Compose v1: removes the services that change, then up, then watches the project until ready', async () => {
    const f = fakes([[web(OLD)], [web(OLD)], [web(NEW)]]);
    const result = await executeDeploy(plan({ upWait: false, removeStale: true }), f.ports);
    assert.equal(result.outcome, 'deployed');
    assert.deepEqual(f.calls, ['write override', 'pull web', 'write override', 'rm web', 'up --remove-orphans']);
  });

  it('a timeout names the services still waiting, with input waitTimeout', async () => {
    const f = fakes([[web(OLD)], [web(NEW, { health: 'starting' })]]);
    f.compose.up.onFirstCall().rejects(new ToolError('compose', 'timeout'));
    const result = await executeDeploy(plan({ rollbackOnFailure: false }), f.ports);
    assert.match(result.failure?.message ?? '', /^The app was not ready within 30 s \(input 'waitTimeout'\): web \(health: starting\)\./);
  });

  it('an engine that does not answer the first query: one sentence naming the host', async () => {
    const f = fakes([[]]);
    f.docker.inspectProject.rejects(new ToolError('docker', "'docker ps' failed: remote error: tls: bad certificate"));
    f.compose.pull.rejects(new ToolError('compose', 'Compose could not pull the images: tls'));
    await assert.rejects(
      executeDeploy(plan(), f.ports),
      /^ToolError: Could not reach the Docker engine at tcp:\/\/qa:2376: 'docker ps' failed: remote error: tls: bad certificate$/,
    );
    assert.equal(f.compose.up.callCount, 0);
  });

  it('cancellation is thrown as it comes: no rollback', async () => {
    const f = fakes([[web(OLD)]]);
    f.compose.up.callsFake(async () => {
      f.controller.abort(new CancelledError('SIGINT'));
      throw new ToolError('compose', 'killed');
    });
    await assert.rejects(executeDeploy(plan(), f.ports), CancelledError);
    assert.equal(f.compose.up.callCount, 1);
  });
});
