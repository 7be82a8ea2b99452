import { strict as assert } from 'node:assert';
import { formatEvents, keyEvent, pickFailingPod, type ListedPod } from '../../../../src/k8s/apply/diagnose';
import { PruneRefusedError, checkPrune, deleteRef, planPrune, type ListedObject } from '../../../../src/k8s/apply/prune';
import type { KubernetesObject } from '../../../../src/k8s/objects';

const applied: KubernetesObject[] = [
  { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'api' } },
  { apiVersion: 'v1', kind: 'Service', metadata: { name: 'api' } },
];

describe('planPrune', () => {
  const table: Array<[string, Parameters<typeof planPrune>[0], { delete: string[]; kept: string[] }]> = [
    ['nothing to prune', [{ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'api' } }], { delete: [], kept: [] }],
    [
      'deletes what the manifests no longer hold, with its API group',
      [
        { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'worker' } },
        { apiVersion: 'v1', kind: 'Service', metadata: { name: 'api' } },
        { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'web' } },
        { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'api-env' } },
      ],
      { delete: ['configmap/api-env', 'deployment.apps/worker', 'ingress.networking.k8s.io/web'], kept: [] },
    ],
    [
      "leaves objects owned by another (a CronJob's Jobs) alone",
      [{ apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'report-123', ownerReferences: [{}] } }],
      { delete: [], kept: [] },
    ],
    [
      'keeps claims: they hold data',
      [{ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'db-data' } }],
      { delete: [], kept: ['PersistentVolumeClaim/db-data'] },
    ],
    [
      'a same-named object of another kind is not the same object',
      [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'api' } }],
      { delete: ['configmap/api'], kept: [] },
    ],
  ];
  for (const [name, existing, expected] of table) it(name, () => assert.deepEqual(planPrune(existing, applied), expected));

  it('names objects as kubectl does', () => {
    assert.equal(deleteRef({ apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'r' } }), 'cronjob.batch/r');
    assert.equal(deleteRef({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' } }), 'secret/s');
  });
});

describe('checkPrune', () => {
  const deployment = (name: string): ListedObject => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name } });
  const check = (existing: ListedObject[], manifests: KubernetesObject[], allow = false): void =>
    checkPrune(existing, manifests, planPrune(existing, manifests), allow);
  const namespaceOnly: KubernetesObject[] = [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } }];

  it('refuses when the new manifests hold no workload, even when large prunes are allowed', () => {
    for (const allow of [false, true]) {
      assert.throws(
        () => check([deployment('api'), deployment('web')], namespaceOnly, allow),
        (err: unknown) =>
          err instanceof PruneRefusedError &&
          /no workload, and pruning would delete 2 object\(s\) of the running app \(deployment\.apps\/api, deployment\.apps\/web\)/.test(
            err.message,
          ),
      );
    }
  });

  it('refuses to delete more than half of the workloads unless allowLargePrune is set', () => {
    const existing = [
      deployment('api'),
      deployment('old1'),
      deployment('old2'),
      { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j-1', ownerReferences: [{}] } },
    ];
    assert.throws(
      () => check(existing, applied),
      /delete 2 of the app's 3 workloads \(deployment\.apps\/old1, deployment\.apps\/old2\); set the input allowLargePrune/,
    );
    assert.doesNotThrow(() => check(existing, applied, true));
  });

  it('lets a rename (half of the workloads) and a prune of other kinds through', () => {
    assert.doesNotThrow(() => check([deployment('api'), deployment('old')], applied));
    assert.doesNotThrow(() => check([deployment('api'), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } }], applied));
    assert.doesNotThrow(() => check([], namespaceOnly));
  });
});

function pod(
  name: string,
  options: { ready?: boolean; waiting?: string; restarts?: number; created?: string; terminated?: number } = {},
): ListedPod {
  return {
    metadata: { name, creationTimestamp: options.created ?? '2026-11-22T03:00:00Z' },
    status: {
      phase: 'Running',
      conditions: [{ type: 'Ready', status: options.ready ? 'True' : 'False' }],
      containerStatuses: [
        {
          name: 'c',
          restartCount: options.restarts ?? 0,
          state: options.waiting
            ? { waiting: { reason: options.waiting } }
            : options.terminated !== undefined
              ? { terminated: { reason: 'Error', exitCode: options.terminated } }
              : {},
        },
      ],
    },
  };
}

describe('pickFailingPod', () => {
  const table: Array<[string, ListedPod[], ReturnType<typeof pickFailingPod>]> = [
    ['none when every pod is ready', [pod('a', { ready: true })], undefined],
    ['none when there are no pods', [], undefined],
    [
      'a crash-looping pod before a merely unready one',
      [pod('slow'), pod('crash', { waiting: 'CrashLoopBackOff', restarts: 3 })],
      { name: 'crash', reason: 'CrashLoopBackOff', restarted: true },
    ],
    [
      'an image pull failure',
      [pod('a', { ready: true }), pod('b', { waiting: 'ImagePullBackOff' })],
      { name: 'b', reason: 'ImagePullBackOff', restarted: false },
    ],
    [
      'the one with more restarts',
      [pod('x', { waiting: 'CrashLoopBackOff', restarts: 1 }), pod('y', { waiting: 'CrashLoopBackOff', restarts: 5 })],
      { name: 'y', reason: 'CrashLoopBackOff', restarted: true },
    ],
    [
      'the newest otherwise',
      [pod('old', { created: '2026-11-22T01:00:00Z' }), pod('new', { created: '2026-11-22T02:00:00Z' })],
      { name: 'new', reason: 'Running', restarted: false },
    ],
    [
      'a container that exited with an error',
      [pod('e', { terminated: 2 })],
      { name: 'e', reason: 'Error (exit code 2)', restarted: false },
    ],
  ];
  for (const [name, pods, expected] of table) it(name, () => assert.deepEqual(pickFailingPod(pods), expected));
});

describe('events', () => {
  const events = [
    {
      type: 'Warning',
      reason: 'BackOff',
      message: 'Back-off restarting failed container',
      count: 5,
      lastTimestamp: '2026-11-22T03:00:09Z',
    },
    { type: 'Normal', reason: 'Pulled', message: 'pulled', lastTimestamp: '2026-11-22T03:00:01Z' },
    { type: 'Normal', reason: 'Started', message: 'started', lastTimestamp: '2026-11-22T03:00:10Z' },
  ];
  it('formats them oldest first, with counts', () => {
    assert.deepEqual(formatEvents(events), [
      'Normal Pulled: pulled',
      'Warning BackOff (x5): Back-off restarting failed container',
      'Normal Started: started',
    ]);
    assert.deepEqual(formatEvents(events, 1), ['Normal Started: started']);
  });
  it('picks the last warning as the key event, else the last event', () => {
    assert.equal(keyEvent(events), 'BackOff: Back-off restarting failed container');
    assert.equal(keyEvent(events.slice(1)), 'Started: started');
    assert.equal(keyEvent([]), undefined);
  });
});
