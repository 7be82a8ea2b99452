import { strict as assert } from 'node:assert';
import { InputError } from '../../../src/common/errors';
import { readComposeToK8sInputs } from '../../../src/compose-to-k8s/inputs';
import { InputReader } from '../../../src/pipeline/inputs';
import type { ServiceEndpoint, TaskEnvironment } from '../../../src/pipeline/interfaces';

const SOURCES = '/agent/_work/1/s';
const VARIABLES: Record<string, string> = {
  'System.DefaultWorkingDirectory': SOURCES,
  'Build.SourcesDirectory': SOURCES,
  'Agent.TempDirectory': '/agent/_work/_temp',
  'Build.ArtifactStagingDirectory': '/agent/_work/1/a',
  'System.CollectionUri': 'https://dev.azure.com/contoso/',
  'System.TeamProject': 'shop',
  'Build.BuildId': '4242',
};
const KUBE: ServiceEndpoint = {
  id: 'aks-qa',
  url: 'https://k:6443',
  scheme: 'Token',
  auth: { apitoken: 'eyJa.eyJb.c2ln' },
  data: { authorizationtype: 'ServiceAccount' },
};
const REGISTRY: ServiceEndpoint = {
  id: 'acr',
  url: 'https://contoso.azurecr.io',
  scheme: 'UsernamePassword',
  auth: { username: 'ci', password: 'pw' },
  data: {},
};
const SYSTEM: ServiceEndpoint = {
  id: 'SYSTEMVSSCONNECTION',
  url: 'https://dev.azure.com/contoso/',
  scheme: 'OAuth',
  auth: { accesstoken: 'job-token' },
  data: {},
};

function read(inputs: Record<string, string>, variables: Record<string, string> = VARIABLES) {
  const endpoints = new Map([KUBE, REGISTRY, SYSTEM].map((e) => [e.id, e]));
  const env: TaskEnvironment = {
    input: (name) => (inputs[name]?.trim() ? inputs[name] : undefined),
    variable: (name) => variables[name],
    endpoint: (id) => endpoints.get(id),
  };
  return readComposeToK8sInputs(new InputReader(env));
}

const DEPLOY = { composeFiles: 'docker-compose.yml\nstack/docker-compose.prod.yml', kubernetesServiceConnection: 'aks-qa' };

describe('readComposeToK8sInputs', () => {
  it('reads a deploy with its defaults', () => {
    const inputs = read(DEPLOY);
    assert.equal(inputs.action, 'deploy');
    assert.deepEqual(inputs.compose, {
      files: ['docker-compose.yml', 'stack/docker-compose.prod.yml'],
      workingDir: SOURCES,
      environment: {},
      profiles: [],
      strict: false,
      serviceType: 'ClusterIP',
      ingressHost: undefined,
      bindConfigMaps: true,
      waitImage: undefined,
      kubectlImage: undefined,
    });
    assert.equal(inputs.cluster?.kind, 'token');
    assert.deepEqual(
      [
        inputs.requirePinned,
        inputs.prune,
        inputs.rollbackOnFailure,
        inputs.rolloutTimeoutSeconds,
        inputs.createNamespace,
        inputs.namespace,
        inputs.digests,
        inputs.registry,
      ],
      [true, true, true, 600, false, undefined, undefined, undefined],
    );
    assert.equal(inputs.tempDir, '/agent/_work/_temp');
    assert.equal(inputs.stagingDir, '/agent/_work/1/a');
    assert.equal(inputs.pipeline.buildId, '4242');
  });

  it('reads every option', () => {
    const inputs = read({
      ...DEPLOY,
      environment: 'TAG=20261122.3\n# comment\nREGISTRY=127.0.0.1:5000',
      envFile: 'prod.env',
      profiles: 'web, jobs',
      projectName: 'shop',
      strict: 'true',
      serviceType: 'loadbalancer',
      ingressHost: 'shop.example.com',
      bindConfigMaps: 'false',
      waitImage: 'registry.local/busybox@sha256:' + 'b'.repeat(64),
      kubectlImage: 'registry.local/kubectl:1.30',
      digestFile: '/drop/image-digests/image-digests.json',
      requirePinned: 'false',
      containerRegistry: 'acr',
      namespace: 'shop-qa',
      createNamespace: 'true',
      prune: 'false',
      rolloutTimeout: '120',
      rollbackOnFailure: 'false',
      manifestsArtifact: 'manifests-qa',
    });
    assert.deepEqual(inputs.compose.environment, { TAG: '20261122.3', REGISTRY: '127.0.0.1:5000' });
    assert.deepEqual(inputs.compose.envFiles, [`${SOURCES}/prod.env`]);
    assert.deepEqual(inputs.compose.profiles, ['web', 'jobs']);
    assert.equal(inputs.compose.serviceType, 'LoadBalancer');
    assert.equal(inputs.compose.bindConfigMaps, false);
    assert.deepEqual(
      [inputs.compose.waitImage, inputs.compose.kubectlImage],
      ['registry.local/busybox@sha256:' + 'b'.repeat(64), 'registry.local/kubectl:1.30'],
    );
    assert.deepEqual(inputs.digests, { kind: 'file', path: '/drop/image-digests/image-digests.json' });
    assert.deepEqual(inputs.registry, { registry: 'contoso.azurecr.io', username: 'ci', password: 'pw' });
    assert.deepEqual(
      [
        inputs.requirePinned,
        inputs.prune,
        inputs.rollbackOnFailure,
        inputs.rolloutTimeoutSeconds,
        inputs.createNamespace,
        inputs.namespace,
        inputs.manifestsArtifact,
        inputs.compose.strict,
      ],
      [false, false, false, 120, true, 'shop-qa', 'manifests-qa', true],
    );
  });

  it("treats a filePath input holding the sources folder as empty (the agent's way of passing an empty one)", () => {
    const inputs = read({ ...DEPLOY, digestFile: SOURCES, envFile: `${SOURCES}/` });
    assert.equal(inputs.digests, undefined);
    assert.equal(inputs.compose.envFiles, undefined);
  });

  it("fetches digests from another build with the job's token", () => {
    const inputs = read({ ...DEPLOY, digestsFromBuild: '1234' });
    assert.deepEqual(inputs.digests, {
      kind: 'build',
      buildId: 1234,
      artifactName: 'image-digests',
      connection: { collectionUri: 'https://dev.azure.com/contoso/', project: 'shop', accessToken: 'job-token' },
    });
  });

  it('renders without a cluster', () => {
    const inputs = read({ composeFiles: 'docker-compose.yml', action: 'render' });
    assert.equal(inputs.cluster, undefined);
    const file = read({ composeFiles: 'c.yml', action: 'render', kubeconfig: 'kube/config' });
    assert.deepEqual(file.cluster, { kind: 'file', path: `${SOURCES}/kube/config`, source: `${SOURCES}/kube/config` });
  });

  const bad: Array<[string, Record<string, string>, string, boolean?]> = [
    ['no compose files', { composeFiles: ' ' }, "Input 'composeFiles' is required: the compose files to convert, one per line."],
    [
      'no cluster to deploy to',
      { composeFiles: 'c.yml' },
      "Input 'kubernetesServiceConnection' is required to deploy: name a Kubernetes service connection, or give a kubeconfig file in 'kubeconfig' (or use action 'render').",
    ],
    [
      'two clusters',
      { ...DEPLOY, kubeconfig: '/k' },
      "Input 'kubeconfig' cannot be used together with 'kubernetesServiceConnection'; give one of them.",
    ],
    [
      'two digest sources',
      { ...DEPLOY, digestFile: 'd.json', digestsFromBuild: '12' },
      "Input 'digestsFromBuild' cannot be used together with 'digestFile'; give one of them.",
    ],
    [
      'a build id that is not a number',
      { ...DEPLOY, digestsFromBuild: 'latest' },
      "Input 'digestsFromBuild' must be a whole number, not 'latest'.",
    ],
    [
      'no access token',
      { ...DEPLOY, digestsFromBuild: '12' },
      "Input 'digestsFromBuild' needs the job's access token (System.AccessToken), which this job does not have.",
      true,
    ],
    [
      'a bad namespace',
      { ...DEPLOY, namespace: 'Shop_QA' },
      "Input 'namespace' must be a valid Kubernetes namespace name (lower-case letters, digits and '-', at most 63 characters), not 'Shop_QA'.",
    ],
    ['an infinite timeout', { ...DEPLOY, rolloutTimeout: '0' }, "Input 'rolloutTimeout' must be at least 1, not 0."],
    [
      'a bad artifact name',
      { ...DEPLOY, manifestsArtifact: '../x' },
      `Input 'manifestsArtifact' must be an artifact name, without any of " / \\ : < > | * ?, not '../x'.`,
    ],
    [
      'an unknown connection',
      { ...DEPLOY, containerRegistry: 'nope' },
      "Input 'containerRegistry' names service connection 'nope', which this job cannot see; check the connection's name and that the pipeline is authorized to use it.",
    ],
    [
      'an unknown service type',
      { ...DEPLOY, serviceType: 'ExternalName' },
      "Input 'serviceType' must be one of ClusterIP, NodePort, LoadBalancer, not 'ExternalName'.",
    ],
  ];
  for (const [what, inputs, message, withoutSystemConnection] of bad) {
    it(`fails on ${what}, naming the input`, () => {
      const run = withoutSystemConnection ? () => readNoSystem(inputs) : () => read(inputs);
      assert.throws(run, (err: unknown) => err instanceof InputError && err.message === message);
    });
  }

  it('reads action chart with its chart inputs, needing no cluster', () => {
    const inputs = read({
      composeFiles: 'docker-compose.yml',
      action: 'chart',
      chartName: 'shop',
      chartVersion: '1.4.0',
      chartPackage: 'true',
      chartArtifact: 'helm-chart',
    });
    assert.equal(inputs.action, 'chart');
    assert.deepEqual(inputs.chart, { name: 'shop', version: '1.4.0', package: true, artifact: 'helm-chart' });
    assert.equal(inputs.cluster, undefined);
    assert.deepEqual(read({ composeFiles: 'docker-compose.yml', action: 'chart' }).chart, {
      name: undefined,
      version: undefined,
      package: false,
      artifact: undefined,
    });
    assert.equal(read(DEPLOY).chart, undefined, 'only action chart reads them');
  });

  it('names a chart artifact that cannot be an artifact name', () => {
    assert.throws(
      () => read({ composeFiles: 'docker-compose.yml', action: 'chart', chartArtifact: 'a/b' }),
      (err: unknown) => err instanceof InputError && /^Input 'chartArtifact' must be an artifact name/.test(err.message),
    );
  });
});

function readNoSystem(inputs: Record<string, string>) {
  const env: TaskEnvironment = {
    input: (name) => (inputs[name]?.trim() ? inputs[name] : undefined),
    variable: (name) => VARIABLES[name],
    endpoint: (id) => (id === 'aks-qa' ? KUBE : undefined),
  };
  return readComposeToK8sInputs(new InputReader(env));
}
