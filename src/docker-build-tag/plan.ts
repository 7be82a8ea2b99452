import { dirname } from 'node:path';
import { InputError } from '../common/errors';
import { parseImageReference } from '../docker/reference';
import type { PipelineVariables } from '../pipeline/interfaces';
import type { DockerBuildTagInputs } from './inputs';
import { appendLabels, stdinKeepsContext } from './classic-labels';
import { planLabels } from './labels';
import { planTags } from './tags';

/** The facts the build plan depends on, found by the caller. */
export interface BuildFacts {
  /** `docker buildx` is installed. */
  buildx: boolean;
  /** Where docker writes the image id (`--iidfile`). */
  iidFile: string;
  /** When the build started, RFC 3339. */
  created: string;
  /** The Dockerfile's text, for the classic builder's labels (see classic-labels.ts). */
  dockerfileText?: string;
  /** The build context's .dockerignore, when it has one (classic builder; see stdinKeepsContext). */
  dockerignoreText?: string;
  /** Each build secret's id and the file docker reads it from (the caller writes the value ones). */
  secretSources?: Array<[string, string]>;
}

/** Everything one DockerBuildTag@1 run does, decided before anything runs. */
export interface DockerBuildTagPlan {
  /** The repository the tags go on (qualified with the service connection's registry when it had none). */
  repository: string;
  tags: string[];
  /** `repository:tag` for each tag. */
  imageReferences: string[];
  version: string;
  labels: Array<[string, string]>;
  /** Dropped tags, one sentence each. */
  warnings: string[];
  builder: 'buildx' | 'classic';
  /** The build's docker argv (without `docker`). */
  build: string[];
  /** The build's stdin: the Dockerfile with the labels appended (classic builder, `--file -`). */
  buildStdin?: string;
  /**
   * Classic builder with labels, when they cannot be appended to the Dockerfile (`target` is set,
   * it ends in a line continuation, or a Dockerfile on stdin would alter the context's .dockerignore):
   * the argv of a second, one-step build that applies the labels and the tags, reading
   * labelDockerfile(image id) on stdin.
   */
  labelBuild?: string[];
  /** Why the labels need the separate build, for the log. */
  labelBuildReason?: string;
  /** Environment entries the builds need on top of the agent's. */
  env: Record<string, string>;
}

/**
 * Qualifies a repository without a registry (`shop/api`) with the service connection's registry
 * host. Docker Hub's familiar form stays as it is, and a repository that names a registry keeps it.
 */
export function qualifyRepository(repository: string, registry: string | undefined): string {
  if (!registry || registry === 'docker.io') return repository;
  return parseImageReference(repository).registry ? repository : `${registry}/${repository}`;
}

/** Plans the whole run: tags, labels, references and the builds' argv. Pure. */
export function planDockerBuildTag(inputs: DockerBuildTagInputs, facts: PipelineVariables, build: BuildFacts): DockerBuildTagPlan {
  const repository = qualifyRepository(inputs.repository, inputs.containerRegistry?.registry);
  const { tags, version, warnings } = planTags(inputs, facts);
  const labels = planLabels({ ...inputs, repository }, facts, { version, created: build.created });
  const imageReferences = tags.map((t) => `${repository}:${t}`);
  const { buildx, iidFile } = build;
  const common = { repository, tags, imageReferences, version, labels, warnings };
  if (buildx) {
    return {
      ...common,
      builder: 'buildx',
      build: planBuildArgs(inputs, { imageReferences, labels, buildx, iidFile, secretSources: build.secretSources }),
      env: {},
    };
  }
  rejectBuildKitOnly(inputs);
  // Without buildx the classic builder is the only one; say so, or a DOCKER_BUILDKIT=1 on the agent makes docker refuse.
  const classic = { ...common, builder: 'classic' as const, env: { DOCKER_BUILDKIT: '0' } };
  if (labels.length === 0) return { ...classic, build: planBuildArgs(inputs, { imageReferences, labels, buildx, iidFile }) };
  const appended = build.dockerfileText === undefined ? undefined : appendLabels(build.dockerfileText, labels);
  const separately = whyLabelsGoSeparately(inputs, build, appended);
  if (appended !== undefined && separately === undefined) {
    return {
      ...classic,
      build: planBuildArgs(inputs, { imageReferences, labels: [], buildx, iidFile, dockerfileOnStdin: true }),
      buildStdin: appended,
    };
  }
  return {
    ...classic,
    build: planBuildArgs(inputs, { imageReferences: [], labels: [], buildx, iidFile }),
    labelBuildReason: separately,
    labelBuild: ['build', '--force-rm', '--iidfile', iidFile, ...imageReferences.flatMap((r) => ['--tag', r]), '-'],
  };
}

/** Why the classic builder cannot take the labels on a Dockerfile sent on stdin; undefined when it can. */
function whyLabelsGoSeparately(inputs: DockerBuildTagInputs, build: BuildFacts, appended: string | undefined): string | undefined {
  if (inputs.target) return `target '${inputs.target}' is set, and the labels belong on that stage, not on the Dockerfile's last`;
  if (!stdinKeepsContext(build.dockerignoreText)) {
    return "the build context's .dockerignore does not exclude itself, and a Dockerfile sent on stdin would change it and so defeat the cache of every COPY of the context";
  }
  if (appended === undefined)
    return 'the Dockerfile does not end in a complete instruction, so an appended LABEL line would not stand on its own';
  return undefined;
}

/** One sentence for an input that needs BuildKit, on the classic builder. */
function rejectBuildKitOnly(inputs: DockerBuildTagInputs): void {
  const needs = (input: string, what: string): InputError =>
    new InputError(
      input,
      `needs BuildKit (docker buildx) for ${what}, and buildx is not installed on this agent; install the buildx plugin, or clear '${input}' to build with the classic builder.`,
    );
  if (inputs.secrets.length > 0) throw needs('secrets', 'build secrets');
  if (inputs.secretFiles.length > 0) throw needs('secretFiles', 'build secrets');
  if (inputs.cacheTo.length > 0) throw needs('cacheTo', 'a cache export');
}

/** What goes into the build's argv besides the inputs. */
interface BuildTargets {
  imageReferences: string[];
  labels: Array<[string, string]>;
  buildx: boolean;
  iidFile: string;
  /** The Dockerfile comes on stdin (`--file -`); the context is still the Dockerfile's folder by default. */
  dockerfileOnStdin?: boolean;
  /** Build secrets: id and the file docker reads (BuildKit only). */
  secretSources?: Array<[string, string]>;
}

/**
 * The argv of one build that applies every tag: `buildx build --load` (BuildKit) when buildx is
 * installed, else the classic `build`. Throws {@link InputError} for what the classic builder cannot do.
 */
export function planBuildArgs(inputs: DockerBuildTagInputs, targets: BuildTargets): string[] {
  const { buildx } = targets;
  if (inputs.platform && !buildx) {
    throw new InputError(
      'platform',
      `needs docker buildx, which is not installed on this agent; install the buildx plugin or clear 'platform' to build for the agent's own platform.`,
    );
  }
  if (inputs.platform && inputs.platform.includes(',')) {
    throw new InputError(
      'platform',
      `names several platforms (${inputs.platform}), but a multi-platform image cannot be loaded into the local engine; build one platform per task.`,
    );
  }
  const cacheSource = inputs.cacheFrom.find((c) => c.includes('='));
  if (cacheSource && !buildx) {
    throw new InputError(
      'cacheFrom',
      `line '${cacheSource}' is a BuildKit cache source, which needs docker buildx; without it give image references only.`,
    );
  }
  // The classic builder leaves a failed step's container behind unless told otherwise.
  const args = buildx ? ['buildx', 'build', '--load', '--progress', 'plain'] : ['build', '--force-rm'];
  args.push('--iidfile', targets.iidFile, '--file', targets.dockerfileOnStdin ? '-' : inputs.dockerfile);
  for (const ref of targets.imageReferences) args.push('--tag', ref);
  for (const [name, value] of targets.labels) args.push('--label', `${name}=${value}`);
  for (const [name, value] of inputs.buildArgs) args.push('--build-arg', `${name}=${value}`);
  if (inputs.target) args.push('--target', inputs.target);
  if (inputs.platform) args.push('--platform', inputs.platform);
  for (const source of inputs.cacheFrom) args.push('--cache-from', source);
  for (const target of inputs.cacheTo) args.push('--cache-to', target === 'inline' ? 'type=inline' : target);
  for (const [id, file] of targets.secretSources ?? []) args.push('--secret', `id=${id},src=${file}`);
  if (inputs.noCache) args.push('--no-cache');
  if (inputs.pull) args.push('--pull');
  args.push(inputs.buildContext ?? dirname(inputs.dockerfile));
  return args;
}
