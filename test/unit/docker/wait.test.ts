import { strict as assert } from 'node:assert';
import type { Docker } from '../../../src/docker/engine';
import type { ContainerState } from '../../../src/docker/containers';
import { POLL_WITH_EVENTS_MS, waitForReadiness } from '../../../src/docker/wait';

function state(extra: Partial<ContainerState>): ContainerState {
  return {
    id: 'x',
    name: 'p_web_1',
    service: 'web',
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

/** A docker whose web container's state a test changes; events are delivered only if `events` is true. */
function fakeDocker(events: boolean): { docker: Docker; set(s: ContainerState): void; inspections: number } {
  let current = state({ health: 'starting' });
  let notify: (() => void) | undefined;
  const fake = {
    inspections: 0,
    set(s: ContainerState) {
      current = s;
      notify?.();
    },
    docker: {
      inspectProject: async () => {
        fake.inspections++;
        return { containers: [current], raw: [] };
      },
      watchEvents: (_p: string, onEvent: () => void, signal: AbortSignal) =>
        events
          ? new Promise<void>((resolve) => {
              notify = onEvent;
              signal.addEventListener('abort', () => resolve());
            })
          : Promise.reject(new Error('no events')),
    } as unknown as Docker,
  };
  return fake;
}

describe('waitForReadiness', () => {
  const base = { project: 'p', oneShot: new Set<string>(), signal: new AbortController().signal };

  it('notices readiness as soon as docker events reports the change, well before the next poll', async () => {
    const fake = fakeDocker(true);
    setTimeout(() => fake.set(state({ health: 'healthy' })), 80);
    const started = Date.now();
    const outcome = await waitForReadiness(fake.docker, { ...base, deadline: Date.now() + 10_000 });
    const took = Date.now() - started;
    assert.equal(outcome.readiness.kind, 'ready');
    assert.ok(took < POLL_WITH_EVENTS_MS / 2, `took ${took} ms`);
  });

  it('polls when the event stream is not available', async () => {
    const fake = fakeDocker(false);
    setTimeout(() => fake.set(state({ health: 'healthy' })), 250);
    const started = Date.now();
    const outcome = await waitForReadiness(fake.docker, { ...base, deadline: Date.now() + 10_000 });
    assert.equal(outcome.readiness.kind, 'ready');
    assert.ok(fake.inspections >= 2 && fake.inspections <= 5, `${fake.inspections} inspections`);
    assert.ok(Date.now() - started < 700, `polled at its quick pace (${Date.now() - started} ms)`);
  });

  it('returns at once when a container fails', async () => {
    const fake = fakeDocker(true);
    fake.set(state({ status: 'exited', exitCode: 1 }));
    const outcome = await waitForReadiness(fake.docker, { ...base, deadline: Date.now() + 10_000 });
    assert.deepEqual([outcome.readiness.kind, outcome.timedOut], ['failed', false]);
  });

  it('times out at the deadline, with the last state', async () => {
    const fake = fakeDocker(true);
    const started = Date.now();
    const outcome = await waitForReadiness(fake.docker, { ...base, deadline: Date.now() + 150 });
    assert.deepEqual([outcome.readiness.kind, outcome.timedOut], ['waiting', true]);
    assert.ok(Date.now() - started < 1000);
  });

  it('stops waiting when the job is cancelled', async () => {
    const fake = fakeDocker(true);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const started = Date.now();
    await waitForReadiness(fake.docker, { ...base, signal: controller.signal, deadline: Date.now() + 10_000 });
    assert.ok(Date.now() - started < 500);
  });
});
