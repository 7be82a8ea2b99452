import { dirname } from 'node:path';
import type { AzureDevOpsConnection, BuildArtifacts } from '../azdo/build-artifacts';
import { FileError, InputError } from '../common/errors';
import { readBoundedFile, writeFileAtomic } from '../common/fs';
import { DockerCli, type Docker } from '../docker/engine';
import { workloadName } from '../k8s/apply/commands';
import { deployToCluster, dryRunOnCluster } from '../k8s/apply/deploy';
import { clusterSecrets, describeClusterAccess, withKubeconfig, type KubeconfigHandle } from '../k8s/apply/kubeconfig';
import { KubectlCli, kubectlGlobalArgs, type Kubectl } from '../k8s/apply/kubectl';
import { describeObjects } from '../k8s/apply/objects';
import { registrySecretValues } from '../k8s/apply/registry-secret';
import { engineImagePorts } from '../k8s/image-ports';
import { secretValues, splitSecrets } from '../k8s/secrets';
import { renderComposeProject, type RenderOptions, type RenderResult } from '../k8s/convert';
import type { PipelineOutput } from '../pipeline/interfaces';
import type { TaskContext } from '../pipeline/interfaces';
import { reportOutcome } from '../summary/publish';
import { composeToK8sRecord } from '../summary/records';
import { neutralizeLoggingCommands } from '../process/neutralize';
import { writeChartArtifact } from './chart';
import type { ComposeToK8sInputs } from './inputs';
import { loadDigests, restArtifacts, unpinnedImageError } from '../digests/digest-source';
import { manifestsPath, planManifests, traceabilityAnnotations, unpinnedBuiltImages } from './plan';

/** The effects ComposeToK8s@1 has besides its context. Unit tests fake them. */
export interface ComposeToK8sPorts {
  /** The compose→Kubernetes converter. */
  render: (options: RenderOptions) => Promise<RenderResult>;
  /** Another build's artifacts (digestsFromBuild). */
  artifacts: (connection: AzureDevOpsConnection) => BuildArtifacts | Promise<BuildArtifacts>;
  /** kubectl for one kubeconfig, bounded by the rollout timeout. */
  kubectl: (kubeconfig: KubeconfigHandle, timeoutSeconds: number) => Kubectl;
  /** The agent's engine, asked for the EXPOSEd ports of images the converter needs them of. */
  docker: Pick<Docker, 'inspectImages'>;
}

/** The real ports: the converter, the Azure DevOps REST API, and kubectl and docker from PATH through the context's runner. */
export function makeComposeToK8sPorts(context: TaskContext): ComposeToK8sPorts {
  return {
    render: renderComposeProject,
    artifacts: restArtifacts,
    kubectl: (k, timeoutSeconds) => new KubectlCli(context.runner, kubectlGlobalArgs(k.path, k.context, timeoutSeconds), context.signal),
    docker: new DockerCli(context.runner),
  };
}

function printManifests(output: PipelineOutput, title: string, yaml: string): void {
  output.info(`##[group]${neutralizeLoggingCommands(title)}`);
  for (const line of yaml.trimEnd().split('\n')) output.info(neutralizeLoggingCommands(line));
  output.info('##[endgroup]');
}

/** Runs ComposeToK8s@1 with validated inputs; returns the success message. */
export async function runComposeToK8s(inputs: ComposeToK8sInputs, context: TaskContext, ports: ComposeToK8sPorts): Promise<string> {
  const { output } = context;
  for (const secret of [
    ...(inputs.cluster ? clusterSecrets(inputs.cluster) : []),
    ...(inputs.registry ? registrySecretValues(inputs.registry) : []),
  ]) {
    output.setSecret(secret);
  }
  const digests = await loadDigests(inputs.digests, output, ports.artifacts);
  const cluster = inputs.cluster ? await describeClusterAccess(inputs.cluster, readKubeconfigFile) : {};
  const namespace = inputs.namespace ?? cluster.namespace ?? 'default';
  const { strict, serviceType, ingressHost, bindConfigMaps, waitImage, kubectlImage, ...source } = inputs.compose;

  const rendered = await ports.render({
    source,
    digests: digests.file,
    // A chart names a namespace only when asked to: else it goes where the release goes.
    namespace: inputs.action === 'chart' ? inputs.namespace : namespace,
    strict,
    serviceType,
    ingressHost,
    bindConfigMaps,
    waitImage,
    kubectlImage,
    imagePorts: engineImagePorts(ports.docker),
  });
  // Compose secrets' contents are masked before anything of the rendering reaches the log.
  for (const value of secretValues(splitSecrets(rendered.objects).secrets)) output.setSecret(value);
  for (const warning of rendered.warnings) output.warning(neutralizeLoggingCommands(warning));
  const unpinned = unpinnedBuiltImages(rendered.images);
  if (inputs.requirePinned && unpinned.length > 0) throw unpinnedImageError(unpinned[0], unpinned.length, digests.origin);
  if (inputs.action === 'chart') return writeChartArtifact(inputs, rendered, digests.file, output);

  const plan = planManifests({
    render: rendered,
    namespace,
    createNamespace: inputs.createNamespace,
    registry: inputs.registry,
    annotations: traceabilityAnnotations(inputs.pipeline, digests.file, rendered.images),
    prune: inputs.prune,
  });
  const file = manifestsPath(inputs.stagingDir, inputs.manifestsArtifact, namespace);
  await writeFileAtomic(file, plan.fileYaml);
  output.setOutput('manifestsFile', file);
  output.setOutput('namespace', namespace);
  printManifests(
    output,
    `Manifests (${plan.fileObjects.length} objects, project ${rendered.projectName}, namespace ${namespace}): ${file}`,
    plan.fileYaml,
  );
  if (plan.withheldSecrets.length > 0) {
    const where =
      inputs.action === 'render'
        ? 'they are not applied by a render: create them in the cluster yourself'
        : "they are applied from kubectl's stdin only";
    output.info(
      `Kept out of the manifests file, the artifact and the log, since they hold compose secrets' contents: Secret ${plan.withheldSecrets.join(', ')} (${where}).`,
    );
  }
  if (inputs.manifestsArtifact) output.uploadArtifact(inputs.manifestsArtifact, dirname(file));

  const facts = { project: rendered.projectName, namespace, images: rendered.images, manifestsFile: file };
  const renderedSentence = `Rendered ${plan.fileObjects.length} objects for namespace ${namespace} into ${file}`;
  if (inputs.action === 'render' && !inputs.cluster) {
    reportOutcome(context, composeToK8sRecord({ ...facts, action: 'render', objects: describeObjects(plan.fileObjects) }));
    return `${renderedSentence}.`;
  }

  const applied = describeObjects(plan.applyObjects);
  return withKubeconfig(inputs.cluster!, inputs.tempDir, async (kubeconfig) => {
    const kubectl = ports.kubectl(kubeconfig, inputs.rolloutTimeoutSeconds);
    if (inputs.action === 'render') {
      await dryRunOnCluster({ namespace, objects: plan.applyObjects, server: cluster.server }, { kubectl, output });
      reportOutcome(
        context,
        composeToK8sRecord({ ...facts, action: 'render', cluster: cluster.server, objects: describeObjects(plan.fileObjects) }),
      );
      return `${renderedSentence}; the API server${cluster.server ? ` at ${cluster.server}` : ''} accepted them in a server-side dry run.`;
    }
    output.info(
      `Applying ${applied.length} objects to namespace ${namespace}${cluster.server ? ` on ${cluster.server}` : ''}: ${applied.join(', ')}`,
    );
    const report = await deployToCluster(
      {
        namespace,
        manifests: plan.applyYaml,
        objects: plan.applyObjects,
        workloads: plan.workloads,
        recreate: plan.recreate,
        rolloutTimeoutSeconds: inputs.rolloutTimeoutSeconds,
        rollbackOnFailure: inputs.rollbackOnFailure,
        pruneSelector: plan.pruneSelector,
        allowLargePrune: inputs.allowLargePrune,
        server: cluster.server,
      },
      { kubectl, output, now: context.clock },
    );
    output.setOutput('appliedObjects', applied.join(','));
    reportOutcome(
      context,
      composeToK8sRecord({
        ...facts,
        action: 'deploy',
        cluster: cluster.server,
        objects: applied,
        pruned: report.pruned,
        workloads: plan.workloads.map(workloadName),
      }),
    );
    const pruned = report.pruned.length > 0 ? `, pruned ${report.pruned.length}` : '';
    return `Deployed ${applied.length} objects to namespace ${namespace} (${plan.workloads.length} workloads rolled out${pruned}).`;
  });
}

/** The file the `kubeconfig` input names (the only kubeconfig read from disk). */
async function readKubeconfigFile(path: string): Promise<string> {
  try {
    return (await readBoundedFile(path, 'kubeconfig')).toString('utf8');
  } catch (err) {
    if (err instanceof FileError && !/does not exist|cannot be read/.test(err.message))
      throw new InputError('kubeconfig', `names ${err.message}`);
    throw new InputError('kubeconfig', `names ${path}, which does not exist or cannot be read.`);
  }
}
