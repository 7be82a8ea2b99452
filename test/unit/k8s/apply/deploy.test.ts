import { strict as assert } from 'node:assert';
import sinon from 'sinon';
import { CancelledError, ToolError } from '../../../../src/common/errors';
import { deployToCluster, describeApplyFailure, type ClusterDeployPlan } from '../../../../src/k8s/apply/deploy';
import { KubectlCli } from '../../../../src/k8s/apply/kubectl';
import type { KubernetesObject } from '../../../../src/k8s/objects';
import type { ProcessRunner } from '../../../../src/process/runner';
import { commandLines, failed, fakeKubectl, fakeOutput, infoLines, ok } from './fakes';

const objects: KubernetesObject[] = [
  { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'api' } },
  { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'db' } },
  { apiVersion: 'v1', kind: 'Service', metadata: { name: 'api' } },
];

function plan(overrides: Partial<ClusterDeployPlan> = {}): ClusterDeployPlan {
  return {
    namespace: 'shop',
    manifests: '---\nkind: Deployment\n',
    objects,
    workloads: [
      { kind: 'Deployment', name: 'api', matchLabels: { 'app.kubernetes.io/name': 'api' } },
      { kind: 'StatefulSet', name: 'db', matchLabels: { 'app.kubernetes.io/name': 'db' } },
    ],
    recreate: [],
    rolloutTimeoutSeconds: 600,
    rollbackOnFailure: true,
    pruneSelector: 'app.kubernetes.io/part-of=shop',
    server: 'https://k:6443',
    ...overrides,
  };
}

const PODS = JSON.stringify({
  items: [
    {
      metadata: { name: 'api-7d9-x', creationTimestamp: '2026-11-22T03:00:00Z' },
      status: {
        conditions: [{ type: 'Ready', status: 'False' }],
        containerStatuses: [{ name: 'api', restartCount: 4, state: { waiting: { reason: 'CrashLoopBackOff' } } }],
      },
    },
  ],
});
const EVENTS = JSON.stringify({
  items: [{ type: 'Warning', reason: 'BackOff', message: 'Back-off restarting failed container', lastTimestamp: '2026-11-22T03:00:09Z' }],
});
const EXISTING = JSON.stringify({
  items: [
    { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'api' } },
    { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'old-worker' } },
    { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'old-data' } },
  ],
});

describe('deployToCluster', () => {
  it('applies everything in one server-side call, waits for each rollout, then prunes what is gone', async () => {
    const kubectl = fakeKubectl([['get configmaps', ok(EXISTING)]]);
    const output = fakeOutput();
    const report = await deployToCluster(plan(), { kubectl, output, now: () => 0 });
    assert.deepEqual(commandLines(kubectl), [
      'apply --server-side --field-manager=outerloop --force-conflicts --namespace shop --filename -',
      'rollout status deployment/api --namespace shop --timeout=600s',
      'rollout status statefulset/db --namespace shop --timeout=600s',
      `get ${'configmaps,cronjobs.batch,daemonsets.apps,deployments.apps,horizontalpodautoscalers.autoscaling,ingresses.networking.k8s.io,jobs.batch,networkpolicies.networking.k8s.io,persistentvolumeclaims,poddisruptionbudgets.policy,secrets,serviceaccounts,services,statefulsets.apps'} --namespace shop --selector app.kubernetes.io/part-of=shop --output=json`,
      'delete deployment.apps/old-worker --namespace shop --ignore-not-found --wait=false',
    ]);
    assert.equal(kubectl.run.firstCall.args[1].stdin, '---\nkind: Deployment\n');
    assert.deepEqual(report, { pruned: ['deployment.apps/old-worker'] });
    sinon.assert.calledWithMatch(output.warning, /^PersistentVolumeClaim\/old-data is no longer in the manifests but was kept/);
  });

  it('watches the rollouts side by side within one shared deadline; a watch started after it still gets a short look', async () => {
    let t = 0;
    const workloads = Array.from({ length: 9 }, (_, i) => ({
      kind: 'Deployment',
      name: `w${i}`,
      matchLabels: { 'app.kubernetes.io/name': `w${i}` },
    }));
    // Each watch takes longer than the whole deadline, and the clock moves when it ends.
    const kubectl = fakeKubectl([['rollout status', () => new Promise((resolve) => setImmediate(() => ((t += 700_000), resolve(ok()))))]]);
    await deployToCluster(plan({ workloads, pruneSelector: undefined }), { kubectl, output: fakeOutput(), now: () => t });
    const watches = kubectl.run.getCalls().filter((c) => c.args[0][0] === 'rollout');
    assert.deepEqual(
      watches.map((c) => (c.args[0] as string[]).at(-1)),
      [...Array(8).fill('--timeout=600s'), '--timeout=5s'],
    );
    assert.deepEqual(
      watches.map((c) => c.args[1].timeoutSeconds),
      [...Array(8).fill(601), 6],
      'and so are their requests',
    );
  });

  it('a workload that is fine is not reported or rolled back because another one used up the time', async () => {
    let t = 0;
    const kubectl = fakeKubectl([
      ['rollout status deployment/api', () => ((t += 600_000), failed('error: timed out waiting for the condition'))],
      ['get pods', ok('{"items":[]}')],
      ['get events', ok('{"items":[]}')],
    ]);
    await assert.rejects(deployToCluster(plan({ pruneSelector: undefined }), { kubectl, output: fakeOutput(), now: () => t }), {
      message:
        'deployment/api did not roll out within 600 s (error: timed out waiting for the condition); rolled back to the previous revision.',
    });
    assert.deepEqual(
      commandLines(kubectl).filter((l) => l.startsWith('rollout undo')),
      ['rollout undo deployment/api --namespace shop'],
    );
  });

  it('deletes the Jobs it is about to create again before the apply (a Job cannot change in place)', async () => {
    const kubectl = fakeKubectl();
    const output = fakeOutput();
    await deployToCluster(plan({ recreate: ['job.batch/migrate'], workloads: [], pruneSelector: undefined }), { kubectl, output });
    assert.deepEqual(commandLines(kubectl), [
      'delete job.batch/migrate --namespace shop --ignore-not-found --wait=true --timeout=600s',
      'apply --server-side --field-manager=outerloop --force-conflicts --namespace shop --filename -',
    ]);
    sinon.assert.calledWith(output.info, 'Re-creating 1 Job(s), whose pod template cannot change in place: job.batch/migrate');
    const unreachable = fakeKubectl([
      ['delete', failed('The connection to the server k:6443 was refused - did you specify the right host or port?')],
    ]);
    await assert.rejects(
      deployToCluster(plan({ recreate: ['job.batch/migrate'] }), { kubectl: unreachable, output }),
      /^ToolError: Could not reach the Kubernetes cluster at https:\/\/k:6443/,
    );
    assert.equal(unreachable.run.callCount, 1);
  });

  it('does not prune when prune is off', async () => {
    const kubectl = fakeKubectl();
    await deployToCluster(plan({ pruneSelector: undefined }), { kubectl, output: fakeOutput() });
    assert.ok(!commandLines(kubectl).some((l) => l.startsWith('get') || l.startsWith('delete')));
  });

  it("on a failed rollout: prints the failing pod's events and last log lines, rolls back, and fails with the reason", async () => {
    const kubectl = fakeKubectl([
      ['rollout status deployment/api', failed('error: timed out waiting for the condition')],
      ['get pods', ok(PODS)],
      ['get events', ok(EVENTS)],
      [
        'logs',
        ok(
          '[pod/api-7d9-x/api] starting\n[pod/api-7d9-x/api] ##vso[task.complete result=Succeeded]\n[pod/api-7d9-x/api] fatal: no database\n',
        ),
      ],
    ]);
    const output = fakeOutput();
    await assert.rejects(deployToCluster(plan(), { kubectl, output, now: () => 0 }), (err: unknown) => {
      assert.ok(err instanceof ToolError);
      assert.equal(
        err.message,
        'deployment/api did not roll out within 600 s (pod api-7d9-x is CrashLoopBackOff; BackOff: Back-off restarting failed container; last log line: "[pod/api-7d9-x/api] fatal: no database"); rolled back to the previous revision.',
      );
      return true;
    });
    assert.deepEqual(commandLines(kubectl).slice(1), [
      'rollout status deployment/api --namespace shop --timeout=600s',
      'rollout status statefulset/db --namespace shop --timeout=600s',
      `get ${'configmaps,cronjobs.batch,daemonsets.apps,deployments.apps,horizontalpodautoscalers.autoscaling,ingresses.networking.k8s.io,jobs.batch,networkpolicies.networking.k8s.io,persistentvolumeclaims,poddisruptionbudgets.policy,secrets,serviceaccounts,services,statefulsets.apps'} --namespace shop --selector app.kubernetes.io/part-of=shop --output=json`,
      'get --raw /readyz',
      'get pods --namespace shop --selector app.kubernetes.io/name=api --output=json',
      'get events --namespace shop --field-selector involvedObject.kind=Pod,involvedObject.name=api-7d9-x --output=json',
      'logs pod/api-7d9-x --namespace shop --all-containers --prefix --tail=20 --previous',
      'rollout undo deployment/api --namespace shop',
    ]);
    const log = infoLines(output).join('\n');
    assert.match(
      log,
      /Events of pod\/api-7d9-x \(deployment\/api did not roll out\):\n {2}Warning BackOff: Back-off restarting failed container/,
    );
    assert.match(log, /Last log lines of pod\/api-7d9-x \(previous instance\):\n {2}\[pod\/api-7d9-x\/api\] starting/);
    assert.ok(!log.includes('##vso['), 'pod output cannot issue logging commands');
  });

  it('says so when it may not roll back, or when there is nothing to roll back to, and counts other failures', async () => {
    const rules: Parameters<typeof fakeKubectl>[0] = [
      ['rollout status', failed('error: deployment "api" exceeded its progress deadline')],
      ['rollout undo', failed('error: no rollout history found for deployment "api"')],
      ['get pods', ok('{"items":[]}')],
      ['get events', ok('{"items":[]}')],
    ];
    const noRollback = fakeKubectl(rules);
    await assert.rejects(deployToCluster(plan({ rollbackOnFailure: false }), { kubectl: noRollback, output: fakeOutput() }), {
      message:
        'deployment/api did not roll out within 600 s (error: deployment "api" exceeded its progress deadline); not rolled back (rollbackOnFailure is false). 1 more workload(s) failed too: statefulset/db.',
    });
    assert.ok(!commandLines(noRollback).some((l) => l.startsWith('rollout undo')));
    assert.ok(
      commandLines(noRollback).includes(
        'get events --namespace shop --field-selector involvedObject.kind=Deployment,involvedObject.name=api --output=json',
      ),
    );
    const output = fakeOutput();
    await assert.rejects(deployToCluster(plan({ workloads: plan().workloads.slice(0, 1) }), { kubectl: fakeKubectl(rules), output }), {
      message:
        'deployment/api did not roll out within 600 s (error: deployment "api" exceeded its progress deadline); not rolled back (it was the first revision deployed, so there is no previous one to return to).',
    });
    sinon.assert.calledWithMatch(output.warning, /^Could not roll back deployment\/api: it was the first revision deployed/);
  });

  const applyFailures: Array<[string, string, RegExp]> = [
    [
      'a rejected object',
      'deployment.apps/api serverside-applied\nError from server (Invalid): Deployment.apps "api" is invalid: spec.replicas: Invalid value: -1',
      /^The Kubernetes API server at https:\/\/k:6443 rejected the manifests, so no rollout was started: Error from server \(Invalid\): Deployment\.apps "api" is invalid/,
    ],
    [
      'an unreachable cluster',
      'The connection to the server k:6443 was refused - did you specify the right host or port?',
      /^Could not reach the Kubernetes cluster at https:\/\/k:6443, so nothing was applied: The connection to the server k:6443 was refused/,
    ],
    [
      'refused credentials',
      'error: You must be logged in to the server (Unauthorized)',
      /^The Kubernetes cluster at https:\/\/k:6443 refused the credentials or their permissions, so the deployment stopped: error: You must be logged in/,
    ],
    // What kubectl 1.32 prints against a server that accepts connections and never answers, with --request-timeout and without.
    [
      'a cluster that does not answer in time',
      'error: error validating "STDIN": error validating data: failed to download openapi: Get "https://k:6443/openapi/v2?timeout=3s": context deadline exceeded; if you choose to ignore these errors, turn validation off with --validate=false',
      /^The Kubernetes cluster at https:\/\/k:6443 did not answer in time, so the deployment stopped: error: error validating "STDIN".*context deadline exceeded/,
    ],
    [
      'a TLS handshake that never completes',
      'error: error validating "STDIN": error validating data: failed to download openapi: Get "https://k:6443/openapi/v2?timeout=32s": net/http: TLS handshake timeout; if you choose to ignore these errors, turn validation off with --validate=false',
      /^The Kubernetes cluster at https:\/\/k:6443 did not answer in time, so the deployment stopped: .*TLS handshake timeout/,
    ],
  ];
  for (const [what, stderr, expected] of applyFailures) {
    it(`stops after the apply with one clear sentence on ${what}`, async () => {
      const kubectl = fakeKubectl([['apply', failed(stderr)]]);
      await assert.rejects(
        deployToCluster(plan(), { kubectl, output: fakeOutput() }),
        (err: unknown) => err instanceof ToolError && expected.test(err.message),
      );
      assert.equal(kubectl.run.callCount, 1);
    });
  }

  it('after a failed rollout, a cluster that no longer answers the readiness probe is named, and nothing else is tried', async () => {
    const kubectl = fakeKubectl([
      ['rollout status', failed('error: timed out waiting for the condition')],
      [
        'get --raw /readyz',
        failed('Unable to connect to the server: net/http: request canceled (Client.Timeout exceeded while awaiting headers)'),
      ],
    ]);
    await assert.rejects(deployToCluster(plan(), { kubectl, output: fakeOutput() }), {
      message:
        'The Kubernetes cluster at https://k:6443 stopped answering during the rollout of deployment/api, so whether it finished is unknown and nothing was rolled back: Unable to connect to the server: net/http: request canceled (Client.Timeout exceeded while awaiting headers)',
    });
    assert.deepEqual(commandLines(kubectl).slice(-1), ['get --raw /readyz']);
    assert.equal(kubectl.run.lastCall.args[1].timeoutSeconds, 5, 'the probe is short');
  });

  const immutable: Array<[string, string, string]> = [
    [
      'a claim whose storage class changed (the server names only spec, the diff names the field)',
      'The PersistentVolumeClaim "data" is invalid: spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims\n@@ -10,7 +10,7 @@\n  "VolumeName": "pool-36",\n- "StorageClassName": "standard",\n+ "StorageClassName": "fast",\n',
      'PersistentVolumeClaim/data cannot be changed in place: spec.storageClassName is immutable, so change it back, or delete the object (deleting a claim deletes its data) and deploy again; no rollout was started.',
    ],
    [
      "a Deployment's selector",
      'Error from server (Invalid): Deployment.apps "api" is invalid: spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"x"}}: field is immutable',
      'Deployment/api cannot be changed in place: spec.selector is immutable, so change it back, or delete the object and deploy again; no rollout was started.',
    ],
    [
      "a Job's template, among other errors",
      'Error from server (Invalid): Job.batch "migrate" is invalid: spec.selector: Required value, spec.template: Invalid value: core.PodTemplateSpec{}: field is immutable',
      'Job/migrate cannot be changed in place: spec.template is immutable, so change it back, or delete the object and deploy again; no rollout was started.',
    ],
  ];
  for (const [what, stderr, expected] of immutable) {
    it(`names the object and the field on ${what}`, () => {
      assert.equal(describeApplyFailure({ code: 1, stdout: '', stderr }), expected);
    });
  }

  it('a missing namespace says to create it or set createNamespace; a dry run names itself', () => {
    const stderr = 'Error from server (NotFound): namespaces "shop-qa" not found';
    assert.equal(
      describeApplyFailure({ code: 1, stdout: '', stderr }, 'https://k:6443'),
      'Namespace shop-qa does not exist on the Kubernetes cluster at https://k:6443, so nothing was applied: create it, or set createNamespace to true.',
    );
    const denied =
      'Error from server (Forbidden): deployments.apps "api" is forbidden: User "system:serviceaccount:qa:ci" cannot patch resource "deployments" in API group "apps" in the namespace "prod"';
    assert.equal(
      describeApplyFailure({ code: 1, stdout: '', stderr: denied }, 'https://k:6443', 'dry-run'),
      `The Kubernetes cluster at https://k:6443 refused the credentials or their permissions, so the server-side dry run could not validate the manifests: ${denied}`,
    );
  });

  it('names the exit code when kubectl says nothing', () => {
    assert.equal(
      describeApplyFailure({ code: 3, stdout: '', stderr: '' }),
      'The Kubernetes API server rejected the manifests, so no rollout was started: exit code 3',
    );
  });

  it('fails clearly when pruning cannot list or delete', async () => {
    await assert.rejects(
      deployToCluster(plan(), {
        kubectl: fakeKubectl([['get', failed('Error from server (Forbidden): secrets is forbidden')]]),
        output: fakeOutput(),
      }),
      {
        message:
          "Could not list the app's objects to prune (app.kubernetes.io/part-of=shop): Error from server (Forbidden): secrets is forbidden",
      },
    );
    await assert.rejects(
      deployToCluster(plan(), {
        kubectl: fakeKubectl([
          ['get', ok(EXISTING)],
          ['delete', failed('error: boom')],
        ]),
        output: fakeOutput(),
      }),
      {
        message: 'The deployment succeeded but pruning failed: error: boom',
      },
    );
  });
});

describe('KubectlCli', () => {
  it('runs kubectl with the kubeconfig flags first and the manifests on stdin', async () => {
    const exec = sinon.stub<Parameters<ProcessRunner['exec']>, ReturnType<ProcessRunner['exec']>>().resolves(ok('x'));
    const kubectl = new KubectlCli({ exec }, ['--kubeconfig', '/t/k', '--context', 'qa']);
    assert.deepEqual(await kubectl.run(['apply', '-f', '-'], { stdin: 'doc' }), ok('x'));
    assert.equal(exec.firstCall.args[0], 'kubectl');
    assert.deepEqual(exec.firstCall.args[1], ['--kubeconfig', '/t/k', '--context', 'qa', 'apply', '-f', '-']);
    assert.equal(exec.firstCall.args[2]?.stdin, 'doc');
  });

  it('names what is missing when kubectl is not on PATH', async () => {
    const exec = sinon
      .stub()
      .rejects(new ToolError('kubectl', "'kubectl' was not found on PATH; install it on the agent or add it to PATH."));
    await assert.rejects(new KubectlCli({ exec }, []).run(['version']), {
      message:
        "kubectl was not found on PATH: install the kubectl client on the agent (for example with the KubectlInstaller@0 task) or use action 'render'.",
    });
  });

  it('stops with the cancellation once the job is cancelled', async () => {
    const controller = new AbortController();
    const exec = sinon.stub().callsFake(async () => {
      controller.abort(new CancelledError('SIGTERM'));
      return { code: 143, stdout: '', stderr: '' };
    });
    const kubectl = new KubectlCli({ exec }, [], controller.signal);
    await assert.rejects(kubectl.run(['rollout', 'status']), CancelledError);
    await assert.rejects(kubectl.run(['rollout', 'undo']), CancelledError);
    sinon.assert.calledOnce(exec);
  });
});
