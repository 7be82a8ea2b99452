import { resolve } from 'node:path';
import { InputError } from '../common/errors';
import { ReferenceFormatError, parseImageReference, repositoryOf } from '../docker/reference';
import { readRegistryCredentials, type RegistryCredentials } from '../docker/registry-credentials';
import type { InputReader } from '../pipeline/inputs';
import type { PipelineVariables } from '../pipeline/interfaces';

/** DockerBuildTag@1's inputs, validated. Paths are absolute. */
export interface DockerBuildTagInputs {
  /** The Dockerfile's absolute path. */
  dockerfile: string;
  /** The build context's absolute path; undefined means the Dockerfile's folder. */
  buildContext?: string;
  /** Lower-cased, valid, without tag or digest; may still lack a registry (see `containerRegistry`). */
  repository: string;
  /** Credentials of the `containerRegistry` service connection, when one is named. */
  containerRegistry?: RegistryCredentials;
  /** The `tags` entries as written (after macro expansion), not yet sanitized. */
  tags: string[];
  autoTags: boolean;
  latestBranch: string;
  buildArgs: Array<[string, string]>;
  target?: string;
  platform?: string;
  cacheFrom: string[];
  /** `--cache-to` exports (BuildKit only); `inline` stands for `type=inline`. */
  cacheTo: string[];
  /**
   * Build secrets (BuildKit only), `[id, value]`: values from pipeline (secret) variables. They reach
   * docker in 0600 files that are deleted after the build, never in argv or a log line.
   */
  secrets: Array<[string, string]>;
  /** Build secrets from files, `[id, absolute path]`. */
  secretFiles: Array<[string, string]>;
  labels: Array<[string, string]>;
  noCache: boolean;
  pull: boolean;
  addPipelineLabels: boolean;
}

/** Where the task may put its temporary files and how it resolves relative paths. */
export interface AgentFolders {
  /** Agent.TempDirectory, when the agent set it. */
  tempDirectory?: string;
  /** System.DefaultWorkingDirectory (the repository root), else Build.SourcesDirectory; relative paths start here. */
  workingDirectory: string;
}

/** Everything DockerBuildTag@1 reads from the agent. */
export interface DockerBuildTagSettings {
  inputs: DockerBuildTagInputs;
  /** The pipeline variables the tag and label rules read. */
  facts: PipelineVariables;
  folders: AgentFolders;
}

/** Reads and validates DockerBuildTag@1's inputs and pipeline variables: the only place this task reads them. */
export function readDockerBuildTagInputs(reader: InputReader): DockerBuildTagSettings {
  const folders: AgentFolders = {
    tempDirectory: reader.variable('Agent.TempDirectory'),
    workingDirectory: reader.workingDirectory(),
  };
  const repository = readRepository(
    reader.string('repository', { required: true, hint: 'the image repository to build, e.g. contoso.azurecr.io/shop/api' }),
  );
  const endpoint = reader.endpoint('containerRegistry');
  const inputs: DockerBuildTagInputs = {
    dockerfile: reader.path('dockerfile', folders.workingDirectory, 'Dockerfile'),
    buildContext: reader.optionalPath('buildContext', folders.workingDirectory),
    repository,
    containerRegistry: endpoint ? readRegistryCredentials('containerRegistry', endpoint) : undefined,
    tags: reader.list('tags'),
    autoTags: reader.boolean('autoTags', true),
    latestBranch: (reader.string('latestBranch') ?? 'main').replace(/^refs\/heads\//, ''),
    buildArgs: reader.keyValues('buildArgs'),
    target: reader.string('target'),
    platform: reader.string('platform'),
    cacheFrom: reader.list('cacheFrom', { commas: false }),
    cacheTo: reader.list('cacheTo', { commas: false }),
    secrets: readSecretIds('secrets', reader.keyValues('secrets')),
    secretFiles: readSecretIds('secretFiles', reader.keyValues('secretFiles')).map(([id, path]) => [
      id,
      resolve(folders.workingDirectory, path),
    ]),
    labels: reader.keyValues('labels'),
    noCache: reader.boolean('noCache', false),
    pull: reader.boolean('pull', false),
    addPipelineLabels: reader.boolean('addPipelineLabels', true),
  };
  const facts = reader.pipelineVariables();
  return { inputs, facts, folders };
}

/** Lower-cases the repository and checks it against the reference grammar: no tag, no digest. */
export function readRepository(raw: string): string {
  const text = raw.toLowerCase();
  let ref;
  try {
    ref = parseImageReference(text);
  } catch (err) {
    if (err instanceof ReferenceFormatError) throw new InputError('repository', `'${raw}' is not a valid image repository: ${err.reason}.`);
    throw err;
  }
  if (ref.tag !== undefined || ref.digest !== undefined) {
    throw new InputError('repository', `'${raw}' must name a repository without a tag or digest; put tags in the 'tags' input.`);
  }
  return repositoryOf(ref);
}

/** Checks that the ids of `id=value` secret lines (names already checked) are unique. Never names a value. */
function readSecretIds(input: string, lines: Array<[string, string]>): Array<[string, string]> {
  const seen = new Set<string>();
  lines.forEach(([id]) => {
    if (seen.has(id)) throw new InputError(input, `gives secret id '${id}' more than once.`);
    seen.add(id);
  });
  return lines;
}
