import type { PipelineVariables } from '../pipeline/interfaces';
import type { DockerBuildTagInputs } from './inputs';

/** What the labels need beyond the inputs and the pipeline's variables. */
export interface LabelContext {
  /** The image's version (the most specific tag). */
  version: string;
  /** When the build started, RFC 3339 (the caller reads the clock). */
  created: string;
}

/** The prefix of the pipeline traceability labels (the names Microsoft's Docker@2 uses). */
export const PIPELINE_LABEL_PREFIX = 'com.azure.dev.image';

/** A repository URL without credentials or user names (`https://org@dev.azure.com/…` → `https://dev.azure.com/…`). */
export function publicSourceUrl(uri: string): string {
  try {
    const url = new URL(uri);
    url.username = '';
    url.password = '';
    return url.toString();
  } catch {
    return uri.replace(/\/\/[^/@]*@/, '//');
  }
}

/**
 * Plans the image labels, sorted by name: the OCI annotations and the pipeline traceability labels
 * (when `addPipelineLabels`; a label whose variable is not set is left out), then the `labels`
 * input, which wins over a generated label of the same name.
 */
export function planLabels(
  inputs: Pick<DockerBuildTagInputs, 'labels' | 'addPipelineLabels' | 'repository'>,
  facts: PipelineVariables,
  context: LabelContext,
): Array<[string, string]> {
  const labels = new Map<string, string>();
  const put = (name: string, value: string | undefined): void => {
    if (value !== undefined && value !== '') labels.set(name, value);
  };
  if (inputs.addPipelineLabels) {
    put('org.opencontainers.image.created', context.created);
    put('org.opencontainers.image.revision', facts.sourceVersion);
    put('org.opencontainers.image.source', facts.repositoryUri && publicSourceUrl(facts.repositoryUri));
    put('org.opencontainers.image.version', context.version);
    put('org.opencontainers.image.title', facts.repositoryName ?? inputs.repository.split('/').pop());
    put(`${PIPELINE_LABEL_PREFIX}.system.teamfoundationcollectionuri`, facts.collectionUri);
    put(`${PIPELINE_LABEL_PREFIX}.system.teamproject`, facts.teamProject);
    put(`${PIPELINE_LABEL_PREFIX}.build.definitionname`, facts.definitionName);
    put(`${PIPELINE_LABEL_PREFIX}.build.buildnumber`, facts.buildNumber);
    put(`${PIPELINE_LABEL_PREFIX}.build.builduri`, facts.buildUri);
    put(`${PIPELINE_LABEL_PREFIX}.build.sourcebranch`, facts.sourceBranch);
  }
  for (const [name, value] of inputs.labels) labels.set(name, value);
  return [...labels.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
