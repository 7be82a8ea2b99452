import { strict as assert } from 'node:assert';
import { existsSync, statSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { loadAll } from 'js-yaml';
import sinon from 'sinon';
import { CancelledError, FileError, InputError, ToolError } from '../../../src/common/errors';
import type { ComposeToK8sInputs } from '../../../src/compose-to-k8s/inputs';
import { makeComposeToK8sPorts, runComposeToK8s, type ComposeToK8sPorts } from '../../../src/compose-to-k8s/run';
import { formatDigestFile, type DigestFile } from '../../../src/digests/digest-file';
import type { KubeconfigHandle } from '../../../src/k8s/apply/kubeconfig';
import { renderComposeProject } from '../../../src/k8s/convert';
import type { TaskContext } from '../../../src/pipeline/interfaces';
import { commandLines, failed, fakeKubectl, fakeOutput, infoLines } from '../k8s/apply/fakes';
import { API_IMAGE, fixtureRenderer } from './fixture-renderer';

const DIGEST = `sha256:${'a'.repeat(64)}`;
const TOKEN = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJjaSJ9.c2lnbmF0dXJlLXNlY3JldA';
const PASSWORD = 'regi$try-pa55';

function digestFile(images: DigestFile['images']): DigestFile {
  return { version: 1, images, pipeline: { buildNumber: 'ci-20261122.3', sourceVersion: 'feedface' } };
}
const API_ENTRY = { reference: API_IMAGE, repository: '127.0.0.1:5000/shop/api', tag: '20261122.3', digest: DIGEST };

describe('runComposeToK8s (with a fixture renderer and a fake kubectl)', () => {
  let work: string;
  let output: ReturnType<typeof fakeOutput>;
  let context: TaskContext;

  beforeEach(async () => {
    work = await mkdtemp(join(tmpdir(), 'outerloop-compose-to-k8s-run-'));
    await Promise.all(['temp', 'staging'].map((d) => mkdirp(join(work, d))));
    await writeFile(join(work, 'image-digests.json'), formatDigestFile(digestFile([API_ENTRY])));
    output = fakeOutput();
    context = {
      env: { input: () => undefined, variable: () => undefined, endpoint: () => undefined },
      output,
      runner: { exec: sinon.stub().rejects(new Error('no process may run')) },
      signal: new AbortController().signal,
      clock: Date.now,
    };
  });
  afterEach(async () => rm(work, { recursive: true, force: true }));

  /** The real ports over `ctx` (a runner that runs nothing), with the given ones in their place. */
  function ports(given: Partial<ComposeToK8sPorts>, ctx: TaskContext = context): ComposeToK8sPorts {
    return { ...makeComposeToK8sPorts(ctx), ...given };
  }

  async function mkdirp(dir: string): Promise<void> {
    await import('node:fs/promises').then((fs) => fs.mkdir(dir, { recursive: true }));
  }

  function inputs(overrides: Partial<ComposeToK8sInputs> = {}): ComposeToK8sInputs {
    return {
      action: 'deploy',
      compose: {
        files: [join(work, 'docker-compose.yml')],
        workingDir: work,
        environment: { TAG: '20261122.3' },
        profiles: [],
        strict: false,
        serviceType: 'ClusterIP',
        bindConfigMaps: true,
      },
      digests: { kind: 'file', path: join(work, 'image-digests.json') },
      requirePinned: true,
      cluster: {
        kind: 'token',
        server: 'https://k:6443',
        token: TOKEN,
        caData: 'Q0E=',
        insecure: false,
        source: "service connection 'aks'",
      },
      namespace: 'shop-qa',
      createNamespace: false,
      prune: true,
      allowLargePrune: false,
      rolloutTimeoutSeconds: 300,
      rollbackOnFailure: true,
      manifestsArtifact: 'k8s-manifests',
      tempDir: join(work, 'temp'),
      stagingDir: join(work, 'staging'),
      pipeline: {
        collectionUri: 'https://dev.azure.com/contoso/',
        teamProject: 'shop',
        buildId: '99',
        buildNumber: 'rel-1',
        sourceVersion: 'cafe',
      },
      ...overrides,
    };
  }

  /** A kubectl factory that records the kubeconfig it was given and checks it while in use. */
  function kubectlPort(rules: Parameters<typeof fakeKubectl>[0] = []) {
    const kubectl = fakeKubectl(rules);
    const handles: KubeconfigHandle[] = [];
    const factory = (handle: KubeconfigHandle) => {
      handles.push(handle);
      assert.equal(statSync(handle.path).mode & 0o777, 0o600);
      return kubectl;
    };
    return { kubectl, handles, factory };
  }

  const MANIFESTS = (staging: string) => join(staging, 'outerloop-k8s', 'k8s-manifests', 'manifests.yaml');

  it('render: writes and publishes the pinned, annotated manifests and touches no cluster', async () => {
    const renderer = fixtureRenderer();
    const kubectl = sinon.spy();
    const message = await runComposeToK8s(
      inputs({ action: 'render', cluster: undefined }),
      context,
      ports({ render: renderer.render, kubectl }),
    );
    const file = MANIFESTS(join(work, 'staging'));
    assert.equal(message, `Rendered 4 objects for namespace shop-qa into ${file}.`);
    sinon.assert.notCalled(kubectl);
    const yaml = await readFile(file, 'utf8');
    assert.ok(yaml.includes(`image: 127.0.0.1:5000/shop/api@${DIGEST}`));
    assert.ok(yaml.includes('outerloop.io/pipeline-run-url: https://dev.azure.com/contoso/shop/_build/results?buildId=99'));
    assert.ok(yaml.includes('outerloop.io/build-number: ci-20261122.3'));
    assert.ok(yaml.includes(`outerloop.io/image-digests: api=127.0.0.1:5000/shop/api@${DIGEST}`));
    sinon.assert.calledWith(output.setOutput, 'manifestsFile', file);
    sinon.assert.calledWith(output.setOutput, 'namespace', 'shop-qa');
    sinon.assert.calledWith(output.uploadArtifact, 'k8s-manifests', dirname(file));
    assert.deepEqual(await readdir(dirname(file)), ['manifests.yaml']);
    const call = renderer.calls[0];
    assert.deepEqual(
      [call.source.files, call.source.workingDir, call.source.environment, call.namespace, call.digests?.images[0].digest],
      [[join(work, 'docker-compose.yml')], work, { TAG: '20261122.3' }, 'shop-qa', DIGEST],
    );
    sinon.assert.calledWithMatch(output.warning, /^services\.api\.build\.ssh: not converted \(##~vso\[/);
    assert.ok(infoLines(output).every((l) => !l.includes('##vso[')));
  });

  it('deploy: applies through a 0600 temporary kubeconfig, with the registry password only on stdin, and removes it', async () => {
    const { kubectl, handles, factory } = kubectlPort();
    const registry = { registry: '127.0.0.1:5001', username: 'ci', password: PASSWORD };
    const message = await runComposeToK8s(
      inputs({ registry, createNamespace: true }),
      context,
      ports({ render: fixtureRenderer().render, kubectl: factory }),
    );
    assert.equal(message, 'Deployed 6 objects to namespace shop-qa (2 workloads rolled out).');
    assert.equal(handles.length, 1);
    assert.ok(handles[0].path.startsWith(join(work, 'temp')));
    assert.ok(!existsSync(handles[0].path), 'the temporary kubeconfig is removed');
    assert.deepEqual(await readdir(join(work, 'temp')), []);
    assert.deepEqual(
      commandLines(kubectl).map((l) => l.split(' --')[0]),
      [
        'apply',
        'rollout status deployment/api',
        'rollout status deployment/cache',
        'get configmaps,cronjobs.batch,daemonsets.apps,deployments.apps,horizontalpodautoscalers.autoscaling,ingresses.networking.k8s.io,jobs.batch,networkpolicies.networking.k8s.io,persistentvolumeclaims,poddisruptionbudgets.policy,secrets,serviceaccounts,services,statefulsets.apps',
      ],
    );
    const stdin = kubectl.run.getCall(0).args[1].stdin as string;
    assert.ok(stdin.startsWith('---\napiVersion: v1\nkind: Namespace\n'));
    assert.ok(stdin.includes('kubernetes.io/dockerconfigjson'));
    for (const line of commandLines(kubectl)) assert.ok(!line.includes(PASSWORD) && !line.includes(TOKEN));
    const file = await readFile(MANIFESTS(join(work, 'staging')), 'utf8');
    assert.ok(!file.includes('dockerconfigjson') && file.includes('name: shop-registry'));
    for (const secret of [TOKEN, PASSWORD]) sinon.assert.calledWith(output.setSecret, secret);
    sinon.assert.calledWith(
      output.setOutput,
      'appliedObjects',
      'Namespace/shop-qa,Secret/shop-registry,Deployment/api,Deployment/cache,Service/api,Service/cache',
    );
    assert.ok(
      infoLines(output).some(
        (l) =>
          l ===
          'Applying 6 objects to namespace shop-qa on https://k:6443: Namespace/shop-qa, Secret/shop-registry, Deployment/api, Deployment/cache, Service/api, Service/cache',
      ),
    );
    // The record: where it went, what was applied and rolled out; no secret in it or in the summary.
    const record = JSON.parse(output.addAttachment.lastCall.args[2]);
    assert.deepEqual(
      [record.task, record.action, record.namespace, record.cluster, record.objects.length, record.workloads],
      [
        'ComposeToK8s',
        'deploy',
        'shop-qa',
        'https://k:6443',
        6,
        [
          { name: 'deployment/api', status: 'rolled out' },
          { name: 'deployment/cache', status: 'rolled out' },
        ],
      ],
    );
    for (const text of [output.addAttachment.lastCall.args[2], output.uploadSummary.lastCall.args[1]])
      assert.ok(!text.includes(PASSWORD) && !text.includes(TOKEN));
  });

  it("passes the init containers' images and the bind-mount switch to the converter", async () => {
    const renderer = fixtureRenderer();
    const base = inputs({ action: 'render', cluster: undefined });
    const waitImage = `registry.local/busybox@sha256:${'b'.repeat(64)}`;
    await runComposeToK8s(
      { ...base, compose: { ...base.compose, waitImage, kubectlImage: 'registry.local/kubectl:1.30', bindConfigMaps: false } },
      context,
      ports({ render: renderer.render }),
    );
    assert.deepEqual(
      [renderer.calls[0].waitImage, renderer.calls[0].kubectlImage, renderer.calls[0].bindConfigMaps],
      [waitImage, 'registry.local/kubectl:1.30', false],
    );
  });

  it("asks the docker port for the EXPOSE of an image others reach, and without an answer keeps the converter's warning", async () => {
    await writeFile(
      join(work, 'docker-compose.yml'),
      [
        'name: shop',
        'services:',
        '  api: {image: "' + API_IMAGE + '", build: ., depends_on: [db]}',
        '  db: {image: example/db:1}',
        '',
      ].join('\n'),
    );
    const render = inputs({ action: 'render', cluster: undefined, requirePinned: false });
    const inspectImages = sinon
      .stub()
      .resolves([{ id: `sha256:${'d'.repeat(64)}`, repoDigests: [], exposedPorts: [{ port: 5432, protocol: 'tcp' }] }]);
    await runComposeToK8s(render, context, ports({ render: renderComposeProject, docker: { inspectImages } }));
    sinon.assert.calledOnceWithExactly(inspectImages, ['example/db:1']);
    const yaml = await readFile(MANIFESTS(join(work, 'staging')), 'utf8');
    const db = (loadAll(yaml) as Array<{ kind: string; metadata: { name: string }; spec: { ports?: unknown } }>).find(
      (o) => o.kind === 'Service' && o.metadata.name === 'db',
    );
    assert.deepEqual(db?.spec.ports, [{ name: 'tcp-5432', port: 5432, protocol: 'TCP', targetPort: 5432 }]);

    const warned = (): string[] => output.warning.getCalls().map((c) => String(c.args[0]));
    assert.ok(!warned().some((w) => w.includes('services.db has no ports')));
    const noDocker = sinon.stub().rejects(Object.assign(new Error('spawn docker ENOENT'), { code: 'ENOENT' }));
    await runComposeToK8s(render, context, ports({ render: renderComposeProject, docker: { inspectImages: noDocker } }));
    assert.ok(
      warned().some((w) => w.includes('services.db has no ports or expose, so it gets no Service, and api (depends_on) cannot reach it')),
    );
  });

  it('compose secrets never leave in the clear: kept out of the file, the artifact and the log, masked, applied only on stdin', async () => {
    const content = 'db-pa55word-7f3c';
    await writeFile(join(work, 'db_password.txt'), `${content}\n`);
    await writeFile(
      join(work, 'docker-compose.yml'),
      [
        'name: shop',
        'services:',
        `  api: {image: "${API_IMAGE}", build: ., secrets: [db_password], environment: {HELLO: world}}`,
        'secrets:',
        '  db_password: {file: ./db_password.txt}',
        '',
      ].join('\n'),
    );
    const { kubectl, factory } = kubectlPort();
    await runComposeToK8s(inputs(), context, ports({ render: renderComposeProject, kubectl: factory }));
    const encoded = Buffer.from(`${content}\n`).toString('base64');
    const file = await readFile(MANIFESTS(join(work, 'staging')), 'utf8');
    assert.ok(file.includes('secretName: db-password'), 'the pod still mounts the Secret');
    assert.ok(
      !file.includes('kind: Secret') && !file.includes(content) && !file.includes(encoded),
      'the manifests file (and so the artifact) holds no Secret',
    );
    const logged = [...infoLines(output), ...output.warning.getCalls().map((c) => String(c.args[0]))].join('\n');
    assert.ok(!logged.includes(content) && !logged.includes(encoded), 'the log holds neither form');
    assert.ok(
      infoLines(output).some((l) =>
        l.startsWith(
          "Kept out of the manifests file, the artifact and the log, since they hold compose secrets' contents: Secret db-password (",
        ),
      ),
    );
    for (const value of [content, encoded]) sinon.assert.calledWith(output.setSecret, value);
    const stdin = kubectl.run.getCall(0).args[1].stdin as string;
    assert.ok(stdin.includes('kind: Secret') && stdin.includes(encoded), "the real data is applied from kubectl's stdin");
    for (const line of commandLines(kubectl)) assert.ok(!line.includes(content) && !line.includes(encoded));
  });

  it('deploy: a failed rollout rolls back, fails with the reason, and still removes the kubeconfig', async () => {
    const { kubectl, handles, factory } = kubectlPort([
      ['rollout status deployment/api', failed('error: timed out waiting for the condition')],
    ]);
    await assert.rejects(
      runComposeToK8s(inputs(), context, ports({ render: fixtureRenderer().render, kubectl: factory })),
      (err: unknown) =>
        err instanceof ToolError &&
        /^deployment\/api did not roll out within 300 s .*; rolled back to the previous revision\.$/.test(err.message),
    );
    assert.ok(commandLines(kubectl).includes('rollout undo deployment/api --namespace shop-qa'));
    assert.ok(!commandLines(kubectl).some((l) => l.startsWith('delete')), 'no prune after a failed rollout');
    assert.ok(!existsSync(handles[0].path));
  });

  it('deploy: a cancelled job removes the kubeconfig too', async () => {
    const { handles, factory } = kubectlPort([
      [
        'apply',
        () => {
          throw new CancelledError('SIGTERM');
        },
      ],
    ]);
    await assert.rejects(runComposeToK8s(inputs(), context, ports({ render: fixtureRenderer().render, kubectl: factory })), CancelledError);
    assert.ok(!existsSync(handles[0].path));
    assert.deepEqual(await readdir(join(work, 'temp')), []);
  });

  it("deploy: takes the namespace from the kubeconfig's context when none is given", async () => {
    const { kubectl, factory } = kubectlPort();
    const content =
      'apiVersion: v1\nkind: Config\ncurrent-context: qa\ncontexts:\n- name: qa\n  context: {cluster: c, user: u, namespace: from-context}\nclusters:\n- name: c\n  cluster: {server: "https://qa:6443"}\nusers:\n- name: u\n  user: {token: kube-secret-token}\n';
    await runComposeToK8s(
      inputs({ namespace: undefined, cluster: { kind: 'kubeconfig', content, source: 's' } }),
      context,
      ports({ render: fixtureRenderer().render, kubectl: factory }),
    );
    assert.ok(commandLines(kubectl)[0].includes('--namespace from-context'));
    sinon.assert.calledWith(output.setSecret, 'kube-secret-token');
  });

  it('fails naming the image when a built image is not in the digest file, before writing or applying anything', async () => {
    await writeFile(join(work, 'image-digests.json'), formatDigestFile(digestFile([{ ...API_ENTRY, tag: 'other' }])));
    const { kubectl, factory } = kubectlPort();
    await assert.rejects(
      runComposeToK8s(inputs(), context, ports({ render: fixtureRenderer().render, kubectl: factory })),
      (err: unknown) => {
        assert.ok(err instanceof FileError);
        assert.equal(
          err.message,
          `${join(work, 'image-digests.json')}: has no digest for image '${API_IMAGE}' of service 'api', which this project builds and requirePinned demands be pinned; push it with PushDigest@1 first, or set requirePinned to false.`,
        );
        return true;
      },
    );
    sinon.assert.notCalled(kubectl.run);
    assert.ok(!existsSync(join(work, 'staging', 'outerloop-k8s')));
  });

  it('fails when images must be pinned and no digests are given; deploys them as written when not required', async () => {
    await assert.rejects(
      runComposeToK8s(inputs({ digests: undefined }), context, ports({ render: fixtureRenderer().render, kubectl: kubectlPort().factory })),
      (err: unknown) =>
        err instanceof InputError &&
        /^Input 'digestFile' is required: service 'api' builds image '127\.0\.0\.1:5000\/shop\/api:20261122\.3', which must be pinned/.test(
          err.message,
        ),
    );
    const { kubectl, factory } = kubectlPort();
    await runComposeToK8s(
      inputs({ digests: undefined, requirePinned: false }),
      context,
      ports({ render: fixtureRenderer().render, kubectl: factory }),
    );
    assert.ok((kubectl.run.getCall(0).args[1].stdin as string).includes(`image: ${API_IMAGE}`));
  });

  it('fails in one sentence naming the input when the kubeconfig file is missing', async () => {
    await assert.rejects(
      runComposeToK8s(
        inputs({ cluster: { kind: 'file', path: join(work, 'no-kubeconfig'), source: 'x' } }),
        context,
        ports({ render: fixtureRenderer().render }),
      ),
      {
        message: `Input 'kubeconfig' names ${join(work, 'no-kubeconfig')}, which does not exist or cannot be read.`,
      },
    );
  });

  it('fails in one sentence when the digest file is missing', async () => {
    await assert.rejects(
      runComposeToK8s(
        inputs({ digests: { kind: 'file', path: join(work, 'nope.json') } }),
        context,
        ports({ render: fixtureRenderer().render }),
      ),
      {
        message: `${join(work, 'nope.json')}: the digest file does not exist or cannot be read.`,
      },
    );
  });

  it("fetches the digest file from another build's artifact", async () => {
    const readFileStub = sinon
      .stub()
      .resolves({ path: 'image-digests/image-digests.json', text: formatDigestFile(digestFile([API_ENTRY])) });
    const artifacts = sinon.stub().returns({ readFile: readFileStub });
    const renderer = fixtureRenderer();
    const connection = { collectionUri: 'https://dev.azure.com/contoso/', project: 'shop', accessToken: 'job-token' };
    await runComposeToK8s(
      inputs({ action: 'render', cluster: undefined, digests: { kind: 'build', buildId: 77, artifactName: 'image-digests', connection } }),
      context,
      ports({ render: renderer.render, artifacts }),
    );
    sinon.assert.calledWith(artifacts, connection);
    sinon.assert.calledWith(readFileStub, 77, 'image-digests', 'image-digests.json');
    sinon.assert.calledWith(output.setSecret, 'job-token');
    assert.equal(renderer.calls[0].digests?.images[0].digest, DIGEST);
    assert.ok(infoLines(output).includes('Digest file from build 77 artifact image-digests/image-digests/image-digests.json: 1 image(s).'));
  });

  it('render with a cluster: a server-side dry run of what deploy would apply, in default while the namespace does not exist yet', async () => {
    const { kubectl, handles, factory } = kubectlPort([
      ['get namespace', failed('Error from server (NotFound): namespaces "shop-qa" not found')],
    ]);
    const message = await runComposeToK8s(
      inputs({ action: 'render', createNamespace: true }),
      context,
      ports({ render: fixtureRenderer().render, kubectl: factory }),
    );
    assert.match(
      message,
      /^Rendered 4 objects for namespace shop-qa into .*; the API server at https:\/\/k:6443 accepted them in a server-side dry run\.$/,
    );
    assert.deepEqual(
      commandLines(kubectl).map((l) => l.split(' --')[0]),
      ['get namespace shop-qa', 'apply'],
    );
    assert.ok(commandLines(kubectl)[1].endsWith('--namespace default --filename - --dry-run=server'), commandLines(kubectl)[1]);
    assert.ok(!existsSync(handles[0].path), 'the temporary kubeconfig is removed');
  });

  it('an unreachable cluster fails clearly, after logging what was to be applied', async () => {
    const { handles, factory } = kubectlPort([['apply', failed('Unable to connect to the server: dial tcp 10.0.0.1:443: i/o timeout')]]);
    await assert.rejects(runComposeToK8s(inputs(), context, ports({ render: fixtureRenderer().render, kubectl: factory })), {
      message:
        'Could not reach the Kubernetes cluster at https://k:6443, so nothing was applied: Unable to connect to the server: dial tcp 10.0.0.1:443: i/o timeout',
    });
    assert.ok(infoLines(output).some((l) => l.startsWith('Applying 4 objects to namespace shop-qa')));
    assert.ok(!existsSync(handles[0].path));
  });

  it('kubectl missing from PATH is one clear error, and nothing is left behind', async () => {
    const exec = sinon
      .stub()
      .rejects(new ToolError('kubectl', "'kubectl' was not found on PATH; install it on the agent or add it to PATH."));
    const ctx = { ...context, runner: { exec } };
    await assert.rejects(
      runComposeToK8s(inputs(), ctx, ports({ render: fixtureRenderer().render }, ctx)),
      /^ToolError: kubectl was not found on PATH/,
    );
    const kubeconfig = exec.firstCall.args[1][1] as string;
    assert.deepEqual(
      exec.firstCall.args[1].slice(2, 5),
      ['--request-timeout=305s', 'apply', '--server-side'],
      'every request is bounded by rolloutTimeout (300 s + 5)',
    );
    assert.ok(!existsSync(kubeconfig));
    assert.deepEqual(await readdir(join(work, 'temp')), []);
  });

  it("chart: writes the chart without the compose secrets' Secrets, names them, masks them, and touches no cluster", async () => {
    const content = 'db-pa55word-7f3c';
    await writeFile(join(work, 'db_password.txt'), `${content}\n`);
    await writeFile(
      join(work, 'docker-compose.yml'),
      [
        'name: shop',
        'services:',
        `  api: {image: "${API_IMAGE}", build: ., secrets: [db_password], ports: ["8080:8080"]}`,
        'secrets:',
        '  db_password: {file: ./db_password.txt}',
        '',
      ].join('\n'),
    );
    const kubectl = sinon.spy();
    const message = await runComposeToK8s(
      inputs({ action: 'chart', chart: { package: true, artifact: 'helm-chart' }, namespace: undefined, cluster: undefined }),
      context,
      ports({ render: renderComposeProject, kubectl }),
    );
    sinon.assert.notCalled(kubectl);
    const dir = join(work, 'staging', 'outerloop-helm', 'helm-chart', 'shop');
    assert.match(message, /^Wrote the Helm chart shop 0\.0\.0-rel-1 and shop-0\.0\.0-rel-1\.tgz into /);
    sinon.assert.calledWith(output.setOutput, 'chartDirectory', dir);
    sinon.assert.calledWith(output.setOutput, 'chartPackageFile', join(dirname(dir), 'shop-0.0.0-rel-1.tgz'));
    sinon.assert.calledWith(output.uploadArtifact, 'helm-chart', dirname(dir));
    const files = await readdir(join(dir, 'templates'));
    assert.ok(files.includes('deployment.yaml') && !files.includes('secret.yaml'), files.join(', '));
    const encoded = Buffer.from(`${content}\n`).toString('base64');
    for (const file of files) {
      const text = await readFile(join(dir, 'templates', file), 'utf8');
      assert.ok(!text.includes(content) && !text.includes(encoded), `${file} holds no secret`);
    }
    assert.ok(
      (await readFile(join(dir, 'templates', 'deployment.yaml'), 'utf8')).includes('secretName: db-password'),
      'the pod still mounts the Secret',
    );
    assert.ok(output.warning.getCalls().some((c) => /^The chart leaves out Secret db-password /.test(String(c.args[0]))));
    for (const value of [content, encoded]) sinon.assert.calledWith(output.setSecret, value);
  });
});
