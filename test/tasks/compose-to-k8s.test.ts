import { strict as assert } from 'node:assert';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { loadAll } from 'js-yaml';
import JSZip from 'jszip';
import { formatDigestFile } from '../../src/digests/digest-file';
import type { EndpointSpec } from '../../src/local-run/agent/task-process';
import { startFakeAzureDevOps, type FakeAzureDevOps } from '../support/fake-azure-devops';
import { runHelm } from '../support/helm';
import { agentVariables, describeRun, isTaskLeftover, runVsixTask } from '../support/task-harness';

/**
 * ComposeToK8s@1 run from the unpacked .vsix as the agent runs it: bad input, digest sources and
 * render, which fail or finish before any cluster is needed. Everything that reaches a cluster runs
 * against the test bed's control plane (test/integration/compose-to-k8s-cluster.test.ts).
 */

const JWT = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6cWE6Y2kifQ.c2lnbmF0dXJlLW9mLXRoZS10b2tlbg';
const PASSWORD = 'Regi5try-Pa55word';
const JOB_TOKEN = 'job-access-token-4242';
const DIGEST = `sha256:${'c'.repeat(64)}`;
const REPO = '127.0.0.1:5000/outerloop-k8s-task/api';

// Connection ids are GUIDs, as the agent passes them. (The harness upper-cases ids, which the
// agent does not, and task-lib's URL lookup is case-sensitive: ids without letters are the same both ways.)
const KUBE_ID = '00000000-0000-4000-8000-000000006443';
const KUBE: EndpointSpec = {
  id: KUBE_ID,
  url: 'https://127.0.0.1:6443',
  scheme: 'Token',
  parameters: {
    apiToken: Buffer.from(JWT).toString('base64'),
    serviceAccountCertificate: Buffer.from('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n').toString('base64'),
  },
  data: { authorizationType: 'ServiceAccount' },
};

const COMPOSE = `name: k8stask
services:
  api:
    build: ./api
    image: ${REPO}:\${TAG}
    ports:
      - "8080:8080"
  cache:
    image: 127.0.0.1:5000/outerloop-k8s-task/cache:1
`;

interface Setup {
  variables: Record<string, string>;
  sources: string;
  temp: string;
}

/** Every agent work folder these tests made, removed when the file's tests end. */
const workFolders: string[] = [];
after(async () => {
  await Promise.all(workFolders.map((w) => rm(w, { recursive: true, force: true })));
});

async function setUp(digests: Array<{ tag: string; digest: string }> = [{ tag: '20261122.3', digest: DIGEST }]): Promise<Setup> {
  const variables = await agentVariables();
  workFolders.push(variables['Agent.WorkFolder']);
  const sources = variables['Build.SourcesDirectory'];
  await mkdir(join(sources, 'api'), { recursive: true });
  await writeFile(join(sources, 'docker-compose.yml'), COMPOSE);
  await writeFile(join(sources, 'api', 'Dockerfile'), 'FROM scratch\n');
  const images = digests.map((d) => ({ reference: `${REPO}:${d.tag}`, repository: REPO, tag: d.tag, digest: d.digest }));
  await writeFile(
    join(sources, 'image-digests.json'),
    formatDigestFile({ version: 1, images, pipeline: { buildNumber: 'ci-20261122.3', sourceVersion: 'feedfacefeedface' } }),
  );
  return { variables, sources, temp: variables['Agent.TempDirectory'] };
}

const DEPLOY_INPUTS = {
  composeFiles: 'docker-compose.yml',
  environment: 'TAG=20261122.3',
  digestFile: 'image-digests.json',
  kubernetesServiceConnection: KUBE_ID,
  namespace: 'shop-qa',
};

async function deploy(setup: Setup, inputs: Record<string, string> = {}, endpoints: EndpointSpec[] = [KUBE]) {
  return runVsixTask('compose-to-k8s', {
    inputs: { ...DEPLOY_INPUTS, ...inputs },
    variables: setup.variables,
    endpoints,
    cwd: setup.sources,
  });
}

/** The runner echoes every command it starts: none may be kubectl. */
function assertNoKubectlCall(run: { output: string }): void {
  assert.ok(!/^##\[command\]kubectl /m.test(run.output), `kubectl was run:\n${run.output}`);
}

async function assertTempEmpty(setup: Setup): Promise<void> {
  assert.deepEqual((await readdir(setup.temp)).filter(isTaskLeftover), [], 'nothing is left in Agent.TempDirectory');
}

function assertNoSecretsLeaked(run: { output: string }): void {
  for (const secret of [JWT, PASSWORD, JOB_TOKEN]) {
    // The one line allowed to hold it is the command that tells the agent to mask it.
    const leak = run.output.split('\n').find((l) => l.includes(secret) && !l.startsWith('##vso[task.setsecret]'));
    assert.equal(leak, undefined, 'no secret in the log');
  }
}

describe('ComposeToK8s@1 task: bad input (from the .vsix)', () => {
  it('a missing digest file fails in one sentence naming it, before any kubectl call, leaving nothing behind', async () => {
    const setup = await setUp();
    const run = await deploy(setup, { digestFile: 'drop/image-digests.json' });
    assert.equal(run.result, 'Failed', describeRun(run));
    assert.equal(run.message, `${join(setup.sources, 'drop', 'image-digests.json')}: the digest file does not exist or cannot be read.`);
    assertNoKubectlCall(run);
    await assertTempEmpty(setup);
    assertNoSecretsLeaked(run);
  });

  it('deploying without a cluster names the inputs to give', async () => {
    const setup = await setUp();
    const run = await deploy(setup, { kubernetesServiceConnection: '' }, []);
    assert.equal(run.result, 'Failed', describeRun(run));
    assert.match(
      run.message ?? '',
      /^Input 'kubernetesServiceConnection' is required to deploy: name a Kubernetes service connection, or give a kubeconfig file in 'kubeconfig'/,
    );
  });

  it('a Kubernetes service connection of an unsupported form is named', async () => {
    const setup = await setUp();
    const azure: EndpointSpec = {
      id: '00000000-0000-4000-8000-000000000001',
      url: 'https://x',
      scheme: 'ServicePrincipal',
      parameters: { serviceprincipalid: 'id' },
      data: { authorizationType: 'AzureSubscription' },
    };
    const run = await deploy(setup, { kubernetesServiceConnection: azure.id }, [azure]);
    assert.equal(run.result, 'Failed', describeRun(run));
    assert.match(
      run.message ?? '',
      /^Input 'kubernetesServiceConnection' names service connection '00000000-0000-4000-8000-000000000001' \(azuresubscription\), which has neither a kubeconfig nor a service-account token/,
    );
  });

  describe('digestsFromBuild (against a fake Azure DevOps on 127.0.0.1)', () => {
    let server: FakeAzureDevOps;
    before(async () => {
      const zip = new JSZip();
      zip.file(
        'image-digests/image-digests.json',
        formatDigestFile({
          version: 1,
          images: [{ reference: `${REPO}:20261122.3`, repository: REPO, tag: '20261122.3', digest: DIGEST }],
          pipeline: {},
        }),
      );
      server = await startFakeAzureDevOps({
        collectionPath: '/contoso/',
        project: 'shop',
        token: JOB_TOKEN,
        artifacts: { 77: { 'image-digests': await zip.generateAsync({ type: 'nodebuffer' }) } },
      });
    });
    after(async () => server.close());

    function systemConnection(): EndpointSpec {
      return { id: 'SYSTEMVSSCONNECTION', url: server.collectionUri, scheme: 'OAuth', parameters: { AccessToken: JOB_TOKEN } };
    }

    it("a build without the artifact fails in one sentence, and the job's token stays out of the log", async () => {
      const setup = await setUp();
      setup.variables['System.CollectionUri'] = server.collectionUri;
      const run = await deploy(setup, { digestFile: '', digestsFromBuild: '78' }, [KUBE, systemConnection()]);
      assert.equal(run.result, 'Failed', describeRun(run));
      assert.equal(run.message, "Build 78 in project shop has no artifact named 'image-digests' (HTTP 404), or the build does not exist.");
      assert.ok(run.secrets.includes(JOB_TOKEN), 'the job token is registered as a secret');
      assertNoSecretsLeaked(run);
      assertNoKubectlCall(run);
    });

    it('the digest file is fetched with the job token, then rendered', async function () {
      const setup = await setUp();
      setup.variables['System.CollectionUri'] = server.collectionUri;
      const run = await deploy(setup, { action: 'render', kubernetesServiceConnection: '', digestFile: '', digestsFromBuild: '77' }, [
        systemConnection(),
      ]);
      assert.match(
        run.output,
        /Digest file from build 77 artifact image-digests\/image-digests\/image-digests\.json: 1 image\(s\)\./,
        describeRun(run),
      );
      assert.ok(
        server.requests.some(
          (r) =>
            r.url === '/contoso/shop/_apis/build/builds/77/artifacts?artifactName=image-digests' &&
            r.authorization === `Bearer ${JOB_TOKEN}`,
        ),
      );
      assert.equal(run.result, 'Succeeded', describeRun(run));
      assert.ok(readFileSync(run.outputs['manifestsFile'], 'utf8').includes(`${REPO}@${DIGEST}`));
    });
  });
});

describe('ComposeToK8s@1 task: render, and what fails before any cluster call', () => {
  it('render: writes and publishes the pinned manifests, touching no cluster', async () => {
    const setup = await setUp();
    const run = await deploy(setup, { action: 'render', kubernetesServiceConnection: '' }, []);
    assert.equal(run.result, 'Succeeded', describeRun(run));
    const file = run.outputs['manifestsFile'];
    assert.equal(run.outputs['namespace'], 'shop-qa');
    const docs = loadAll(readFileSync(file, 'utf8')) as Array<{
      kind: string;
      metadata: { name: string; annotations: Record<string, string> };
    }>;
    assert.ok(docs.some((d) => d.kind === 'Deployment' && d.metadata.name === 'api'));
    for (const d of docs) {
      // A Deployment carries only its own images' digests: its annotations are copied to its ReplicaSets.
      const expected = d.kind === 'Deployment' ? undefined : 'ci-20261122.3';
      assert.equal(d.metadata.annotations['outerloop.io/build-number'], expected, `${d.kind}/${d.metadata.name} is annotated`);
    }
    assert.ok(readFileSync(file, 'utf8').includes(`image: ${REPO}@${DIGEST}`));
    assert.ok(
      run.commands.some((c) => c.command === 'artifact.upload' && c.properties['artifactname'] === 'k8s-manifests'),
      describeRun(run),
    );
    assertNoKubectlCall(run);
  });

  it('an image absent from the digest file fails naming it, before any kubectl call', async () => {
    const setup = await setUp([{ tag: 'other', digest: DIGEST }]);
    const run = await deploy(setup);
    assert.equal(run.result, 'Failed', describeRun(run));
    assert.match(run.message ?? '', new RegExp(`has no digest for image '${REPO.replace(/\./g, '\\.')}:20261122\\.3' of service 'api'`));
    assertNoKubectlCall(run);
  });

  it('kubectl missing from PATH is named, and the kubeconfig is removed', async () => {
    const setup = await setUp();
    const empty = await mkdtemp(join(tmpdir(), 'outerloop-no-kubectl-'));
    try {
      const run = await runVsixTask('compose-to-k8s', {
        inputs: DEPLOY_INPUTS,
        variables: setup.variables,
        endpoints: [KUBE],
        cwd: setup.sources,
        baseEnv: { ...process.env, PATH: empty },
      });
      assert.equal(run.result, 'Failed', describeRun(run));
      assert.equal(
        run.message,
        "kubectl was not found on PATH: install the kubectl client on the agent (for example with the KubectlInstaller@0 task) or use action 'render'.",
      );
      await assertTempEmpty(setup);
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });
});

describe('ComposeToK8s@1 task: action chart (from the .vsix, rendered by real Helm 3)', () => {
  it('writes the chart pinned by digest, packages it and publishes both, touching no cluster', async () => {
    const setup = await setUp();
    setup.variables['Build.BuildNumber'] = '20261122.07';
    const run = await deploy(setup, { action: 'chart', kubernetesServiceConnection: '', namespace: '', chartPackage: 'true' }, []);
    assert.equal(run.result, 'Succeeded', describeRun(run));
    const dir = run.outputs['chartDirectory'];
    assert.ok(dir && existsSync(join(dir, 'Chart.yaml')), describeRun(run));
    const chart = loadAll(readFileSync(join(dir, 'Chart.yaml'), 'utf8'))[0] as Record<string, string>;
    assert.deepEqual([chart['name'], chart['version'], chart['appVersion']], ['k8stask', '0.0.0-20261122.7', 'ci-20261122.3']);
    assert.equal(run.outputs['chartPackageFile'], join(dirname(dir), 'k8stask-0.0.0-20261122.7.tgz'));
    assert.ok(existsSync(run.outputs['chartPackageFile']));
    assert.ok(
      run.commands.some((c) => c.command === 'artifact.upload' && c.properties['artifactname'] === 'helm-chart'),
      describeRun(run),
    );
    const home = await mkdtemp(join(tmpdir(), 'outerloop-helm-home-'));
    try {
      const rendered = await runHelm(['template', 'shop', run.outputs['chartPackageFile']], { home });
      assert.equal(rendered.code, 0, rendered.stderr);
      assert.ok(rendered.stdout.includes(`image: "${REPO}@${DIGEST}"`), rendered.stdout);
      const docs = loadAll(rendered.stdout) as Array<{
        kind: string;
        metadata: { name: string; namespace?: string; annotations?: Record<string, string> };
      }>;
      for (const d of docs.filter(Boolean)) {
        assert.equal(d.metadata.annotations?.['outerloop.io/build-number'], 'ci-20261122.3', `${d.kind}/${d.metadata.name} is annotated`);
        assert.equal(d.metadata.annotations?.['outerloop.io/image-digests'], undefined, 'digests are values, not annotations');
        assert.equal(d.metadata.namespace, undefined, 'no namespace unless asked');
      }
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });

  it('a chart version that is not SemVer fails in one sentence naming the input', async () => {
    const setup = await setUp();
    const run = await deploy(setup, { action: 'chart', kubernetesServiceConnection: '', chartVersion: 'v1' }, []);
    assert.equal(run.result, 'Failed', describeRun(run));
    assert.equal(run.message, "Input 'chartVersion' must be a SemVer 2 version such as 1.4.0 or 0.0.0-20261122.3, not 'v1'.");
  });
});
