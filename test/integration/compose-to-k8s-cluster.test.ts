import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { cp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { load, loadAll } from 'js-yaml';
import type { Deployment } from 'kubernetes-types/apps/v1';
import type { Job } from 'kubernetes-types/batch/v1';
import type { Namespace, PersistentVolumeClaimList, Service } from 'kubernetes-types/core/v1';
import type { ObjectMeta } from 'kubernetes-types/meta/v1';
import type { EndpointSpec, TaskRun } from '../../src/local-run/agent/task-process';
import { formatDigestFile } from '../../src/digests/digest-file';
import { deleteNamespaces, getJson, kubectl, requireTestCluster, uniqueNamespace, type Served, type TestCluster } from '../support/cluster';
import { EXAMPLES } from '../support/paths';
import { agentVariables, describeRun, isTaskLeftover, runVsixTask, startVsixTask } from '../support/task-harness';

/**
 * ComposeToK8s@1 from the .vsix against the test bed's real control plane (scripts/cluster.sh):
 * kube-apiserver with RBAC, kube-controller-manager, kube-scheduler and kwok's fake nodes, which
 * mark scheduled pods Running and Ready. So server-side apply, rollouts, rollbacks, prune and
 * permissions are the API server's own; only the containers are not run.
 */

const REGISTRY = '127.0.0.1:5000/outerloop-demo';
const PASSWORD = 'Pull-Secret-Pa55word-42';
const REGISTRY_ID = '00000000-0000-4000-8000-000000005001';
const REGISTRY_ENDPOINT: EndpointSpec = {
  id: REGISTRY_ID,
  url: 'http://127.0.0.1:5001',
  scheme: 'UsernamePassword',
  parameters: { username: 'ci', password: PASSWORD },
};
const KUBE_ID = '00000000-0000-4000-8000-000000016443';

/** A digest that differs per name, as a registry would give for different content. */
function digestOf(name: string): string {
  return `sha256:${createHash('sha256').update(name).digest('hex')}`;
}

interface App {
  variables: Record<string, string>;
  sources: string;
  namespace: string;
}

interface DeployOptions {
  /** Extra services (compose YAML under `services:`), appended to the example app's. */
  extraServices?: string;
  /** Extra top-level volumes. */
  extraVolumes?: string;
  /** Compose YAML merged over the example app (a second -f file). */
  override?: string;
  /** Digest per image name (`web`, `worker`, or an extra service's). */
  digests?: Record<string, string>;
  inputs?: Record<string, string>;
  endpoints?: EndpointSpec[];
  buildNumber?: string;
  onLine?: (line: string) => void;
}

/** The fields of a kubeconfig file these tests read or change. */
interface KubeconfigFile {
  clusters: Array<{ cluster: { server: string } }>;
  users: Array<{ user: Record<string, string> }>;
}

describe("ComposeToK8s@1 against the test bed's Kubernetes control plane", function () {
  this.timeout(240000);
  let cluster: TestCluster;
  const namespaces: string[] = [];
  const workFolders: string[] = [];

  before(function () {
    cluster = requireTestCluster(this);
  });

  after(async () => {
    if (cluster) await deleteNamespaces(cluster, namespaces);
    await Promise.all(workFolders.map((w) => rm(w, { recursive: true, force: true })));
  });

  /** A fresh agent work folder with the example app, deploying to a namespace of its own. */
  async function newApp(tag: string, namespace = uniqueNamespace(tag)): Promise<App> {
    const variables = await agentVariables();
    workFolders.push(variables['Agent.WorkFolder']);
    if (namespace.startsWith('outerloop-it-')) namespaces.push(namespace);
    const sources = variables['Build.SourcesDirectory'];
    await cp(EXAMPLES, sources, { recursive: true });
    return { variables, sources, namespace };
  }

  async function writeApp(app: App, options: DeployOptions): Promise<string[]> {
    let compose = readFileSync(join(EXAMPLES, 'docker-compose.yml'), 'utf8');
    if (options.extraServices) compose = compose.replace(/^volumes:$/m, `${options.extraServices.replace(/\n?$/, '\n')}volumes:`);
    if (options.extraVolumes) compose += options.extraVolumes.replace(/\n?$/, '\n');
    await writeFile(join(app.sources, 'docker-compose.yml'), compose);
    const files = ['docker-compose.yml'];
    if (options.override) {
      await writeFile(join(app.sources, 'docker-compose.override.yml'), options.override);
      files.push('docker-compose.override.yml');
    }
    const digests = { web: digestOf('web-1'), worker: digestOf('worker-1'), ...options.digests };
    const images = Object.entries(digests).map(([name, digest]) => ({
      reference: `${REGISTRY}/${name}:20261129.1`,
      repository: `${REGISTRY}/${name}`,
      tag: '20261129.1',
      digest,
    }));
    await writeFile(
      join(app.sources, 'image-digests.json'),
      formatDigestFile({
        version: 1,
        images,
        pipeline: { buildNumber: options.buildNumber ?? '20261129.1', sourceVersion: 'feedfacefeedface' },
      }),
    );
    return files;
  }

  async function deploy(app: App, options: DeployOptions = {}): Promise<TaskRun> {
    const files = await writeApp(app, options);
    const variables = { ...app.variables, 'Build.BuildNumber': options.buildNumber ?? app.variables['Build.BuildNumber'] };
    return runVsixTask('compose-to-k8s', {
      inputs: {
        composeFiles: files.join('\n'),
        environment: 'TAG=20261129.1',
        digestFile: 'image-digests.json',
        kubeconfig: cluster.kubeconfig,
        namespace: app.namespace,
        createNamespace: 'true',
        rolloutTimeout: '60',
        ...options.inputs,
      },
      variables,
      endpoints: options.endpoints,
      cwd: app.sources,
      baseEnv: cluster.taskEnv,
      onLine: options.onLine,
    });
  }

  async function deployment(app: App, name: string): Promise<Served<Deployment>> {
    return getJson(cluster, ['deployment', name, '--namespace', app.namespace]);
  }

  /** The names of a Deployment's ReplicaSets. */
  async function replicaSets(app: App, name: string): Promise<string[]> {
    const list = await getJson<{ items: Array<{ metadata: { name: string; ownerReferences?: Array<{ name: string }> } }> }>(cluster, [
      'replicasets',
      '--namespace',
      app.namespace,
    ]);
    return list.items
      .filter((rs) => rs.metadata.ownerReferences?.some((o) => o.name === name))
      .map((rs) => rs.metadata.name)
      .sort();
  }

  function assertReady(d: Served<Deployment>): void {
    assert.equal(d.status?.observedGeneration, d.metadata.generation, `${d.metadata.name} observed its generation`);
    assert.equal(d.status?.readyReplicas, d.spec.replicas, `${d.metadata.name} has all replicas ready`);
    assert.equal(d.status?.updatedReplicas, d.spec.replicas, `${d.metadata.name} has all replicas updated`);
  }

  function assertNoSecretIn(run: TaskRun, secret: string): void {
    const leak = run.output.split('\n').find((l) => l.includes(secret) && !l.startsWith('##vso[task.setsecret]'));
    assert.equal(leak, undefined, `a secret reached the log: ${leak}`);
  }

  it('first deploy of the example app: namespace, pull secret, every object server-side applied by outerloop, rollouts ready', async () => {
    const app = await newApp('first');
    const run = await deploy(app, { inputs: { containerRegistry: REGISTRY_ID }, endpoints: [REGISTRY_ENDPOINT] });
    assert.equal(run.result, 'Succeeded', describeRun(run));
    assert.match(run.message ?? '', /^Deployed \d+ objects to namespace outerloop-it-first-\w+ \(2 workloads rolled out\)\.$/);
    assertNoSecretIn(run, PASSWORD);

    const ns = await getJson<Served<Namespace>>(cluster, ['namespace', app.namespace]);
    assert.equal(ns.metadata.labels['app.kubernetes.io/managed-by'], 'outerloop');
    const secrets = await getJson<{ items: Array<{ metadata: { name: string }; type: string; data: Record<string, string> }> }>(cluster, [
      'secrets',
      '--namespace',
      app.namespace,
    ]);
    const pull = secrets.items.find((s) => s.type === 'kubernetes.io/dockerconfigjson');
    assert.ok(pull, 'the registry pull secret was applied');
    const auths = JSON.parse(Buffer.from(pull.data['.dockerconfigjson'], 'base64').toString('utf8')).auths;
    assert.equal(auths['127.0.0.1:5001'].password, PASSWORD, 'the pull secret holds the connection credentials');

    const applied = run.outputs['appliedObjects'].split(',');
    assert.ok(applied.includes('Deployment/web') && applied.includes('Deployment/worker'), applied.join(','));
    for (const ref of applied) {
      const [kind, name] = ref.split('/');
      const args = kind === 'Namespace' ? [kind.toLowerCase(), name] : [kind.toLowerCase(), name, '--namespace', app.namespace];
      const object = await getJson<Served<{ metadata: ObjectMeta }>>(cluster, [...args, '--show-managed-fields']);
      const managers = (object.metadata.managedFields as Array<{ manager: string; operation: string }>)
        .filter((m) => m.operation === 'Apply')
        .map((m) => m.manager);
      assert.deepEqual(managers, ['outerloop'], `${ref} is server-side applied by field manager outerloop`);
    }
    for (const name of ['web', 'worker']) {
      const d = await deployment(app, name);
      assertReady(d);
      assert.equal(d.spec.template.spec.containers[0].image, `${REGISTRY}/${name}@${digestOf(`${name}-1`)}`, `${name} is pinned by digest`);
      assert.deepEqual(d.spec.template.spec.imagePullSecrets, [{ name: pull.metadata.name }]);
    }
    const pods = await getJson<{ items: Array<{ status: { phase: string } }> }>(cluster, ['pods', '--namespace', app.namespace]);
    assert.ok(pods.items.length >= 2 && pods.items.every((p) => p.status.phase === 'Running'), 'the pods run on the fake nodes');
  });

  it('a redeploy where one digest changed rolls out only that workload; the other keeps its generation and ReplicaSet', async () => {
    const app = await newApp('redeploy');
    const first = await deploy(app, { buildNumber: '20261129.1' });
    assert.equal(first.result, 'Succeeded', describeRun(first));
    const web = await deployment(app, 'web');
    const worker = await deployment(app, 'worker');
    const webSets = await replicaSets(app, 'web');

    const second = await deploy(app, { buildNumber: '20261129.2', digests: { worker: digestOf('worker-2') } });
    assert.equal(second.result, 'Succeeded', describeRun(second));
    const webAfter = await deployment(app, 'web');
    const workerAfter = await deployment(app, 'worker');
    assert.equal(webAfter.metadata.generation, web.metadata.generation, 'web was not rolled out again');
    assert.deepEqual(await replicaSets(app, 'web'), webSets, 'web kept its ReplicaSet');
    assert.equal(workerAfter.metadata.generation, worker.metadata.generation + 1, 'worker rolled out once');
    assert.equal(workerAfter.spec.template.spec.containers[0].image, `${REGISTRY}/worker@${digestOf('worker-2')}`);
    assertReady(workerAfter);
    const service = await getJson<Served<Service>>(cluster, ['service', 'web', '--namespace', app.namespace]);
    assert.equal(service.metadata.annotations['outerloop.io/build-number'], '20261129.2', 'the release is traceable on the objects');
    const deploymentValues = JSON.stringify({ metadata: webAfter.metadata.annotations, template: webAfter.spec.template });
    assert.ok(!deploymentValues.includes('20261129'), `no per-build value on the Deployment or its pod template: ${deploymentValues}`);
  });

  it('prune deletes a service removed from the compose file and keeps its PersistentVolumeClaim with a warning', async () => {
    const app = await newApp('prune');
    const extraServices = `  cache:\n    image: ${REGISTRY}/cache:20261129.1\n    volumes:\n      - cachedata:/cache\n`;
    const first = await deploy(app, { extraServices, extraVolumes: '  cachedata: {}\n', digests: { cache: digestOf('cache-1') } });
    assert.equal(first.result, 'Succeeded', describeRun(first));
    assertReady(await deployment(app, 'cache'));

    const second = await deploy(app);
    assert.equal(second.result, 'Succeeded', describeRun(second));
    assert.match(second.message ?? '', /pruned \d+\)\.$/);
    await assert.rejects(
      kubectl(cluster, ['get', 'deployment', 'cache', '--namespace', app.namespace]),
      /NotFound/,
      'the removed service is gone',
    );
    const claims = await getJson<{ items: Array<{ metadata: { name: string } }> }>(cluster, [
      'persistentvolumeclaims',
      '--namespace',
      app.namespace,
    ]);
    const kept = claims.items.map((c) => c.metadata.name).find((n) => n.includes('cachedata'));
    assert.ok(kept, 'the claim of the removed service is kept');
    const warning = second.commands.find(
      (c) => c.command === 'task.issue' && c.properties['type'] === 'warning' && c.message.includes(`PersistentVolumeClaim/${kept}`),
    );
    assert.ok(warning, `a warning names PersistentVolumeClaim/${kept}:\n${second.output}`);
  });

  it("a rollout that cannot finish prints the pod's events, rolls back to the previous revision and fails in one sentence", async () => {
    const app = await newApp('rollback');
    const first = await deploy(app);
    assert.equal(first.result, 'Succeeded', describeRun(first));
    const before = await deployment(app, 'web');

    const tooBig = 'services:\n  web:\n    deploy:\n      resources:\n        reservations:\n          cpus: "64"\n';
    // An event whose message is a logging command, planted on the failing pod: printed, never obeyed.
    let planted: Promise<unknown> | undefined;
    const plant = async () => {
      for (let i = 0; i < 50; i++) {
        const pods = await getJson<{ items: Array<{ metadata: { name: string }; status: { phase: string } }> }>(cluster, [
          'pods',
          '--namespace',
          app.namespace,
        ]);
        const pending = pods.items.find((p) => p.metadata.name.startsWith('web-') && p.status.phase === 'Pending');
        if (pending) {
          const event = {
            apiVersion: 'v1',
            kind: 'Event',
            metadata: { name: `planted-${pending.metadata.name}`, namespace: app.namespace },
            involvedObject: { kind: 'Pod', name: pending.metadata.name, namespace: app.namespace },
            type: 'Normal',
            reason: 'Planted',
            message: '##vso[task.setvariable variable=pwned]yes',
            lastTimestamp: '2020-01-01T00:00:00Z',
          };
          return kubectl(cluster, ['create', '-f', '-'], { stdin: JSON.stringify(event) });
        }
        await new Promise((r) => setTimeout(r, 200));
      }
      throw new Error('no pending web pod appeared to plant the event on');
    };
    const run = await deploy(app, {
      override: tooBig,
      digests: { web: digestOf('web-2') },
      inputs: { rolloutTimeout: '20' },
      onLine: (line) => {
        if (!planted && /rollout status deployment\/web/.test(line)) planted = plant();
      },
    });
    await planted;
    assert.equal(run.result, 'Failed', describeRun(run));
    assert.match(run.output, /Normal Planted: ##~vso\[task\.setvariable variable=pwned\]yes/, 'the planted event is printed, neutralized');
    assert.ok(!/^##vso\[task\.setvariable variable=pwned/m.test(run.output) && run.variables['pwned'] === undefined, 'and neutralized');
    assert.match(
      run.message ?? '',
      /^deployment\/web did not roll out within 20 s \(pod web-[\w-]+ is Pending; FailedScheduling: .*Insufficient cpu.*\); rolled back to the previous revision\.$/,
    );
    assert.equal((run.message ?? '').split('\n').length, 1, 'one sentence');
    assert.match(
      run.output,
      /Events of pod\/web-[\w-]+ \(deployment\/web did not roll out\):\n(?: {2}.*\n)* {2}Warning FailedScheduling.*Insufficient cpu/,
    );

    const after = await deployment(app, 'web');
    assert.equal(
      after.spec.template.spec.containers[0].image,
      `${REGISTRY}/web@${digestOf('web-1')}`,
      'the template is the previous revision again',
    );
    assert.equal(
      after.spec.template.spec.containers[0].resources?.requests?.cpu,
      before.spec.template.spec.containers[0].resources?.requests?.cpu,
    );
    await kubectl(cluster, ['rollout', 'status', 'deployment/web', '--namespace', app.namespace, '--timeout=60s']);
  });

  it('a first deploy that fails says there is no previous revision to roll back to', async () => {
    const app = await newApp('firstfail');
    const tooBig = 'services:\n  web:\n    deploy:\n      resources:\n        reservations:\n          cpus: "64"\n';
    const run = await deploy(app, { override: tooBig, inputs: { rolloutTimeout: '15' } });
    assert.equal(run.result, 'Failed', describeRun(run));
    assert.match(
      run.message ?? '',
      /^deployment\/web did not roll out within 15 s \(.*Insufficient cpu.*\); not rolled back \(it was the first revision deployed, so there is no previous one to return to\)\./,
    );
  });

  it('a one-shot service (Job) deploys twice: the second deploy replaces the Job', async () => {
    const app = await newApp('job');
    const extraServices = `  migrate:\n    image: ${REGISTRY}/migrate:20261129.1\n    restart: "no"\n    command: ["sh", "-c", "echo migrated"]\n`;
    const first = await deploy(app, { extraServices, digests: { migrate: digestOf('migrate-1') } });
    assert.equal(first.result, 'Succeeded', describeRun(first));
    const job = await getJson<Served<Job>>(cluster, ['job', 'migrate', '--namespace', app.namespace]);

    const second = await deploy(app, { extraServices, digests: { migrate: digestOf('migrate-2') } });
    assert.equal(second.result, 'Succeeded', describeRun(second));
    const again = await getJson<Served<Job>>(cluster, ['job', 'migrate', '--namespace', app.namespace]);
    assert.notEqual(again.metadata.uid, job.metadata.uid, 'the Job was created again');
    assert.equal(again.spec.template.spec.containers[0].image, `${REGISTRY}/migrate@${digestOf('migrate-2')}`);
    assert.match(second.output, /Re-creating 1 Job\(s\)/);
  });

  it('a change to an immutable field fails in one sentence naming the object and the field; render with the kubeconfig catches it first', async () => {
    const app = await newApp('immutable');
    const volume = (cls: string) => `services: {}\nvolumes:\n  data:\n    labels:\n      outerloop.volume.storage-class: ${cls}\n`;
    const first = await deploy(app, { override: volume('standard') });
    assert.equal(first.result, 'Succeeded', describeRun(first));

    const render = await deploy(app, { override: volume('fast'), inputs: { action: 'render' } });
    assert.equal(render.result, 'Failed', describeRun(render));
    assert.match(render.message ?? '', /PersistentVolumeClaim\/[\w-]*data\b.*spec\.storageClassName/);
    assert.match(render.message ?? '', /server-side dry run/);

    const run = await deploy(app, { override: volume('fast') });
    assert.equal(run.result, 'Failed', describeRun(run));
    assert.match(run.message ?? '', /^PersistentVolumeClaim\/[\w-]*data cannot be changed in place: spec\.storageClassName is immutable/);
    assert.equal((run.message ?? '').split('\n').length, 1, 'one sentence');
    const claim = await getJson<Served<PersistentVolumeClaimList>>(cluster, ['persistentvolumeclaims', '--namespace', app.namespace]);
    assert.equal(claim.items[0].spec.storageClassName, 'standard', 'nothing was changed');
  });

  it('render with a kubeconfig runs a server-side dry run and creates nothing', async () => {
    const app = await newApp('render');
    const run = await deploy(app, { inputs: { action: 'render' } });
    assert.equal(run.result, 'Succeeded', describeRun(run));
    assert.match(run.output, /server-side dry run/);
    await assert.rejects(kubectl(cluster, ['get', 'namespace', app.namespace]), /NotFound/, 'a dry run creates nothing');
  });

  it('an object created earlier with client-side kubectl apply is taken over by the server-side apply', async () => {
    const app = await newApp('takeover');
    const render = await deploy(app, { inputs: { action: 'render' } });
    assert.equal(render.result, 'Succeeded', describeRun(render));
    const objects = loadAll(readFileSync(render.outputs['manifestsFile'], 'utf8')) as Array<{ kind: string; metadata: { name: string } }>;
    const web = structuredClone(objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'web')!) as Deployment;
    const legacyContainer = web.spec!.template.spec!.containers[0];
    legacyContainer.env = [...(legacyContainer.env ?? []), { name: 'LEGACY_SETTING', value: 'from-kubectl-apply' }];
    await kubectl(cluster, ['create', 'namespace', app.namespace]);
    await kubectl(cluster, ['apply', '--namespace', app.namespace, '-f', '-'], { stdin: JSON.stringify(web) });
    const legacy = await deployment(app, 'web');
    assert.ok(legacy.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration'], 'created by client-side apply');

    const run = await deploy(app, { inputs: { createNamespace: 'false' } });
    assert.equal(run.result, 'Succeeded', describeRun(run));
    const after = await getJson<Served<Deployment>>(cluster, ['deployment', 'web', '--namespace', app.namespace, '--show-managed-fields']);
    const env = (after.spec.template.spec.containers[0].env ?? []) as Array<{ name: string }>;
    assert.ok(!env.some((e) => e.name === 'LEGACY_SETTING'), 'the field only the old apply set is gone: outerloop owns the object');
    const managers = (after.metadata.managedFields as Array<{ manager: string; operation: string; fieldsV1: unknown }>).map(
      (m) => `${m.manager}:${m.operation}`,
    );
    assert.ok(managers.includes('outerloop:Apply'), managers.join(' '));
    assert.ok(
      !managers.some((m) => m.startsWith('kubectl-client-side-apply:')),
      `client-side apply no longer owns fields: ${managers.join(' ')}`,
    );
  });

  it('the least-privilege ServiceAccount deploys in its namespace, and elsewhere fails naming the missing permission', async () => {
    const limited = load(readFileSync(cluster.limitedKubeconfig, 'utf8')) as {
      users: Array<{ user: { token: string } }>;
      clusters: Array<{ cluster: Record<string, string> }>;
    };
    const token = limited.users[0].user.token;
    const endpoint: EndpointSpec = {
      id: KUBE_ID,
      url: cluster.server,
      scheme: 'Token',
      parameters: {
        apiToken: Buffer.from(token).toString('base64'),
        serviceAccountCertificate: Buffer.from(limited.clusters[0].cluster['certificate-authority-data'], 'base64').toString('utf8'),
      },
      data: { authorizationType: 'ServiceAccount' },
    };
    const app = await newApp('limited', cluster.limitedNamespace);
    const inputs = { kubeconfig: '', kubernetesServiceConnection: KUBE_ID, createNamespace: 'false', projectName: `limited-${Date.now()}` };
    const run = await deploy(app, { inputs, endpoints: [endpoint] });
    assert.equal(run.result, 'Succeeded', describeRun(run));
    assertNoSecretIn(run, token);
    assert.deepEqual(
      (await readdir(app.variables['Agent.TempDirectory'])).filter(isTaskLeftover),
      [],
      'the temporary kubeconfig is removed',
    );
    await kubectl(cluster, [
      'delete',
      'deployments,services,persistentvolumeclaims',
      '--selector',
      `app.kubernetes.io/part-of=${inputs.projectName}`,
      '--namespace',
      cluster.limitedNamespace,
      '--wait=false',
    ]);

    const elsewhere = await newApp('forbidden');
    const denied = await deploy(elsewhere, { inputs: { ...inputs, namespace: 'default' }, endpoints: [endpoint] });
    assert.equal(denied.result, 'Failed', describeRun(denied));
    assert.match(
      denied.message ?? '',
      /^The Kubernetes cluster at https:\/\/127\.0\.0\.1:\d+ refused .*: .*system:serviceaccount:outerloop-limited:outerloop-deployer.* cannot (patch|create|get) resource "\w+" in API group "[\w.]*" in the namespace "default"/,
    );
    assert.equal((denied.message ?? '').split('\n').length, 1, 'one sentence');
    assertNoSecretIn(denied, token);
  });

  it('the API server stopped during a rollout: the task fails within rolloutTimeout saying the cluster stopped answering', async () => {
    const app = await newApp('stopped');
    const pid = Number(readFileSync(cluster.apiserverPidFile, 'utf8').trim());
    const tooBig = 'services:\n  web:\n    deploy:\n      resources:\n        reservations:\n          cpus: "64"\n';
    let stopped = false;
    const started = Date.now();
    try {
      const run = await deploy(app, {
        override: tooBig,
        inputs: { rolloutTimeout: '20' },
        onLine: (line) => {
          if (!stopped && /rollout status deployment\/web/.test(line)) {
            stopped = true;
            setTimeout(() => process.kill(pid, 'SIGSTOP'), 1000);
          }
        },
      });
      const seconds = (Date.now() - started) / 1000;
      assert.ok(stopped, 'the API server was stopped during the rollout');
      assert.equal(run.result, 'Failed', describeRun(run));
      assert.match(
        run.message ?? '',
        /^The Kubernetes cluster at https:\/\/127\.0\.0\.1:\d+ stopped answering during the rollout of deployment\/web, so whether it finished is unknown and nothing was rolled back: /,
      );
      assert.ok(seconds < 20 + 12, `the task ended ${seconds} s after it started (rolloutTimeout 20 s, a 5 s probe)`);
    } finally {
      if (stopped) process.kill(pid, 'SIGCONT');
    }
    await kubectl(cluster, ['get', '--raw', '/readyz']);
  });

  it('a namespace that does not exist, without createNamespace, fails in one sentence saying what to do', async () => {
    const app = await newApp('nonamespace');
    const run = await deploy(app, { inputs: { createNamespace: 'false' } });
    assert.equal(run.result, 'Failed', describeRun(run));
    assert.equal(
      run.message,
      `Namespace ${app.namespace} does not exist on the Kubernetes cluster at ${cluster.server}, so nothing was applied: create it, or set createNamespace to true.`,
    );
    assert.ok(!/rollout status/.test(run.output), 'no rollout was started');
  });

  it('an unreachable cluster fails in one sentence, and the temporary kubeconfig is removed', async () => {
    const app = await newApp('unreachable');
    const admin = load(readFileSync(cluster.kubeconfig, 'utf8')) as KubeconfigFile;
    admin.clusters[0].cluster.server = 'https://127.0.0.1:1';
    const endpoint: EndpointSpec = {
      id: KUBE_ID,
      url: 'https://127.0.0.1:1',
      scheme: 'Kubeconfig',
      parameters: { kubeconfig: JSON.stringify(admin) },
      data: { authorizationType: 'Kubeconfig' },
    };
    const run = await deploy(app, { inputs: { kubeconfig: '', kubernetesServiceConnection: KUBE_ID }, endpoints: [endpoint] });
    assert.equal(run.result, 'Failed', describeRun(run));
    assert.match(
      run.message ?? '',
      /^Could not reach the Kubernetes cluster at https:\/\/127\.0\.0\.1:1, so nothing was applied: .*connection refused/,
    );
    assert.deepEqual(
      (await readdir(app.variables['Agent.TempDirectory'])).filter(isTaskLeftover),
      [],
      'the temporary kubeconfig is removed',
    );
    assertNoSecretIn(run, admin.users[0].user['client-key-data']);
  });

  it('an API server that accepts connections but never answers cannot hold the apply past rolloutTimeout', async () => {
    const app = await newApp('frozen');
    const pid = Number(readFileSync(cluster.apiserverPidFile, 'utf8').trim());
    process.kill(pid, 'SIGSTOP');
    const started = Date.now();
    let run: TaskRun;
    try {
      run = await deploy(app, { inputs: { rolloutTimeout: '3' } });
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    const seconds = (Date.now() - started) / 1000;
    assert.equal(run.result, 'Failed', describeRun(run));
    assert.match(
      run.message ?? '',
      /^The Kubernetes cluster at https:\/\/127\.0\.0\.1:\d+ did not answer in time, so the deployment stopped: /,
    );
    assert.ok(seconds < 3 + 5 + 10, `the task ended after ${seconds} s (rolloutTimeout 3 s, requests bounded at 8 s)`);
    await kubectl(cluster, ['get', '--raw', '/readyz']);
  });

  it('a cancelled job during the rollout removes the temporary kubeconfig (mode 0600 while it exists)', async () => {
    const app = await newApp('cancel');
    const files = await writeApp(app, {
      override: 'services:\n  web:\n    deploy:\n      resources:\n        reservations:\n          cpus: "64"\n',
    });
    const admin = load(readFileSync(cluster.kubeconfig, 'utf8')) as KubeconfigFile;
    const endpoint: EndpointSpec = {
      id: KUBE_ID,
      url: cluster.server,
      scheme: 'Kubeconfig',
      parameters: { kubeconfig: JSON.stringify(admin) },
      data: { authorizationType: 'Kubeconfig' },
    };
    let sawRollout!: () => void;
    const rolling = new Promise<void>((resolve) => (sawRollout = resolve));
    const task = await startVsixTask('compose-to-k8s', {
      inputs: {
        composeFiles: files.join('\n'),
        environment: 'TAG=20261129.1',
        digestFile: 'image-digests.json',
        kubernetesServiceConnection: KUBE_ID,
        namespace: app.namespace,
        createNamespace: 'true',
        rolloutTimeout: '120',
      },
      variables: app.variables,
      endpoints: [endpoint],
      cwd: app.sources,
      baseEnv: cluster.taskEnv,
      onLine: (line) => {
        if (/rollout status deployment\/web/.test(line)) sawRollout();
      },
    });
    await rolling;
    const temp = app.variables['Agent.TempDirectory'];
    const [folder] = (await readdir(temp)).filter((f) => f.startsWith('outerloop-kube-'));
    assert.ok(folder, 'the temporary kubeconfig exists while kubectl runs');
    assert.equal((await stat(join(temp, folder, 'kubeconfig'))).mode & 0o777, 0o600);
    task.child.kill('SIGTERM');
    const run = await task.done;
    assert.notEqual(run.result, 'Succeeded', describeRun(run));
    assert.deepEqual(
      (await readdir(app.variables['Agent.TempDirectory'])).filter(isTaskLeftover),
      [],
      'the temporary kubeconfig is removed',
    );
    assertNoSecretIn(run, admin.users[0].user['client-key-data']);
  });
});
