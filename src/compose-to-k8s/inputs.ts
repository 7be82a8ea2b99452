import { tmpdir } from 'node:os';
import { InputError } from '../common/errors';
import { readDigestSource, type DigestSource } from '../digests/digest-source';
import { readRegistryCredentials, type RegistryCredentials } from '../docker/registry-credentials';
import { readKubernetesConnection, type ClusterAccess } from '../k8s/apply/kubeconfig';
import type { InputReader } from '../pipeline/inputs';
import type { ComposeSource } from '../compose/source';
import { readComposeSource } from '../pipeline/compose-inputs';
import type { PipelineVariables } from '../pipeline/interfaces';

/** The converter's options besides the compose project it reads. */
export interface ConversionInputs {
  strict: boolean;
  serviceType: 'ClusterIP' | 'NodePort' | 'LoadBalancer';
  ingressHost?: string;
  /** Read-only bind mounts of project files become ConfigMaps. */
  bindConfigMaps: boolean;
  /** Images of the init containers that wait for a Service and for a Job (else the converter's defaults). */
  waitImage?: string;
  kubectlImage?: string;
}

/** The shared compose inputs (relative paths start at System.DefaultWorkingDirectory) and the converter's options. */
export type ComposeInputs = ComposeSource & ConversionInputs;

/** What `action: chart` writes. */
export interface ChartInputs {
  /** Default: the project name. */
  name?: string;
  /** Default: a SemVer of the build number. */
  version?: string;
  /** Also write the deterministic `.tgz`. */
  package: boolean;
  /** Undefined: the chart is not published. */
  artifact?: string;
}

/** ComposeToK8s@1's inputs, validated. */
export interface ComposeToK8sInputs {
  action: 'deploy' | 'render' | 'chart';
  /** For action chart only. */
  chart?: ChartInputs;
  compose: ComposeInputs;
  digests?: DigestSource;
  requirePinned: boolean;
  /** Required for deploy; used in render only for its default namespace. */
  cluster?: ClusterAccess;
  namespace?: string;
  createNamespace: boolean;
  registry?: RegistryCredentials;
  prune: boolean;
  /** Prune may delete more than half of the app's workloads. */
  allowLargePrune: boolean;
  rolloutTimeoutSeconds: number;
  rollbackOnFailure: boolean;
  /** Undefined: the manifests are not published. */
  manifestsArtifact?: string;
  /** Agent.TempDirectory: where the temporary kubeconfig goes. */
  tempDir: string;
  /** Where the manifests file is written (Build.ArtifactStagingDirectory, else the temp folder). */
  stagingDir: string;
  pipeline: PipelineVariables;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

function readChart(inputs: InputReader): ChartInputs {
  return {
    name: inputs.string('chartName'),
    version: inputs.string('chartVersion'),
    package: inputs.boolean('chartPackage', false),
    artifact: inputs.artifactName('chartArtifact'),
  };
}

function readCluster(inputs: InputReader, action: ComposeToK8sInputs['action'], base: string): ClusterAccess | undefined {
  const endpoint = inputs.endpoint('kubernetesServiceConnection');
  const file = inputs.optionalPath('kubeconfig', base);
  if (endpoint && file) throw new InputError('kubeconfig', `cannot be used together with 'kubernetesServiceConnection'; give one of them.`);
  if (endpoint) return readKubernetesConnection('kubernetesServiceConnection', endpoint);
  if (file) return { kind: 'file', path: file, source: file };
  if (action === 'deploy') {
    throw new InputError(
      'kubernetesServiceConnection',
      `is required to deploy: name a Kubernetes service connection, or give a kubeconfig file in 'kubeconfig' (or use action 'render').`,
    );
  }
  return undefined;
}

/** Reads and validates ComposeToK8s@1's inputs: the only place this task reads inputs. */
export function readComposeToK8sInputs(inputs: InputReader): ComposeToK8sInputs {
  const base = inputs.workingDirectory();
  const source = readComposeSource(inputs, { workingDir: base, required: 'the compose files to convert, one per line.' });
  const action = inputs.pick('action', ['deploy', 'render', 'chart'] as const, 'deploy');

  const namespace = inputs.string('namespace');
  if (namespace !== undefined && (namespace.length > 63 || !DNS_LABEL.test(namespace))) {
    throw new InputError(
      'namespace',
      `must be a valid Kubernetes namespace name (lower-case letters, digits and '-', at most 63 characters), not '${namespace}'.`,
    );
  }
  const manifestsArtifact = inputs.artifactName('manifestsArtifact');
  const registryEndpoint = inputs.endpoint('containerRegistry');
  const tempDir = inputs.variable('Agent.TempDirectory') ?? tmpdir();

  return {
    action,
    ...(action === 'chart' ? { chart: readChart(inputs) } : {}),
    compose: {
      ...source,
      strict: inputs.boolean('strict', false),
      serviceType: inputs.pick('serviceType', ['ClusterIP', 'NodePort', 'LoadBalancer'] as const, 'ClusterIP'),
      ingressHost: inputs.string('ingressHost'),
      bindConfigMaps: inputs.boolean('bindConfigMaps', true),
      waitImage: inputs.string('waitImage'),
      kubectlImage: inputs.string('kubectlImage'),
    },
    digests: readDigestSource(inputs, base),
    requirePinned: inputs.boolean('requirePinned', true),
    cluster: readCluster(inputs, action, base),
    namespace,
    createNamespace: inputs.boolean('createNamespace', false),
    registry: registryEndpoint ? readRegistryCredentials('containerRegistry', registryEndpoint) : undefined,
    prune: inputs.boolean('prune', true),
    allowLargePrune: inputs.boolean('allowLargePrune', false),
    rolloutTimeoutSeconds: inputs.integer('rolloutTimeout', 600, { min: 1, max: 86400 }),
    rollbackOnFailure: inputs.boolean('rollbackOnFailure', true),
    manifestsArtifact,
    tempDir,
    stagingDir: inputs.variable('Build.ArtifactStagingDirectory') ?? tempDir,
    pipeline: inputs.pipelineVariables(),
  };
}
