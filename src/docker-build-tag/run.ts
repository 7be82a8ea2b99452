import { stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { InputError } from '../common/errors';
import { readBoundedFile, readTextFile, withTempDir } from '../common/fs';
import { withDockerLogin } from '../docker/docker-config';
import { DockerCli, type Docker } from '../docker/engine';
import type { TaskContext } from '../pipeline/interfaces';
import { reportOutcome } from '../summary/publish';
import { dockerBuildTagRecord } from '../summary/records';
import type { DockerBuildTagSettings } from './inputs';
import { labelDockerfile } from './classic-labels';
import { planDockerBuildTag, type DockerBuildTagPlan } from './plan';

/** What a finished build produced; also set as output variables. */
interface DockerBuildTagResult {
  imageId: string;
  plan: DockerBuildTagPlan;
}

/** The effects DockerBuildTag@1 has besides its context: the docker engine. Unit tests fake it. */
export interface DockerBuildTagPorts {
  docker: Docker;
}

/** The real ports, over the agent's docker CLI. */
export function makeDockerBuildTagPorts(context: TaskContext): DockerBuildTagPorts {
  return { docker: new DockerCli(context.runner) };
}

/** Runs DockerBuildTag@1: checks the files, builds and tags the image, and sets the output variables. */
export async function runDockerBuildTag(
  settings: DockerBuildTagSettings,
  context: TaskContext,
  ports: DockerBuildTagPorts,
): Promise<string> {
  const { imageId, plan } = await buildImage(settings, context, ports.docker);
  const { output } = context;
  output.setOutput('imageId', imageId);
  output.setOutput('repository', plan.repository);
  output.setOutput('tags', plan.tags.join(','));
  output.setOutput('imageReferences', plan.imageReferences.join('\n'));
  output.setOutput('version', plan.version);
  output.info(`Image ${imageId} (version ${plan.version}):`);
  for (const ref of plan.imageReferences) output.info(`  ${ref}`);
  reportOutcome(context, dockerBuildTagRecord(plan, imageId));
  return `Built ${plan.repository} ${imageId} with ${plan.tags.length} tag${plan.tags.length === 1 ? '' : 's'}: ${plan.tags.join(', ')}.`;
}

/**
 * Plans and runs the build (then, when the plan has one, the one-step label build); returns the
 * image id docker wrote to the iidfile, and the plan.
 */
async function buildImage(settings: DockerBuildTagSettings, context: TaskContext, docker: Docker): Promise<DockerBuildTagResult> {
  const { inputs, facts, folders } = settings;
  const { output, signal } = context;
  await checkFiles(settings);
  const buildx = await docker.hasBuildx();
  return withTempDir(folders.tempDirectory ?? tmpdir(), 'outerloop-build-', async (workDir) => {
    const iidFile = join(workDir, 'iid');
    // The classic builder gets the labels appended to the Dockerfile, so it needs the text, and the
    // context's .dockerignore, which decides whether a Dockerfile on stdin is safe.
    const dockerfileText = buildx ? undefined : await readTextFile(inputs.dockerfile, 'Dockerfile');
    const dockerignoreText = buildx ? undefined : await readDockerignore(inputs.buildContext ?? dirname(inputs.dockerfile));
    const secretSources = buildx ? await writeSecrets(settings, workDir, output) : [];
    const created = new Date(context.clock()).toISOString();
    const plan = planDockerBuildTag(inputs, facts, { buildx, iidFile, created, dockerfileText, dockerignoreText, secretSources });
    for (const warning of plan.warnings) output.warning(warning);
    output.info(
      `Building ${plan.repository} with ${plan.builder === 'buildx' ? 'BuildKit (docker buildx)' : 'the classic builder (docker build; buildx is not installed)'}.`,
    );
    if (plan.buildStdin)
      output.info(`The ${plan.labels.length} labels go into one LABEL line appended to ${inputs.dockerfile}, which docker reads on stdin.`);
    const credentials = inputs.containerRegistry ? [inputs.containerRegistry] : [];
    const imageId = await withDockerLogin({ docker, output }, credentials, { tempRoot: workDir, signal }, async (dockerConfig) => {
      const built = await docker.build(plan.build, { iidFile, env: plan.env, stdin: plan.buildStdin, dockerConfig, signal });
      if (!plan.labelBuild) return built;
      output.info(
        `Applying ${plan.labels.length} labels and ${plan.tags.length} tags to ${built} in a second, one-step build: ${plan.labelBuildReason ?? 'the labels cannot be appended to the Dockerfile'}.`,
      );
      return docker.build(plan.labelBuild, { iidFile, env: plan.env, stdin: labelDockerfile(built, plan.labels), dockerConfig, signal });
    });
    return { imageId, plan };
  });
}

/**
 * Each build secret's id and file: the `secretFiles` as given, the `secrets` values in 0600 files in
 * `workDir` (deleted with it), each value registered as a secret first.
 */
async function writeSecrets(
  { inputs }: DockerBuildTagSettings,
  workDir: string,
  output: TaskContext['output'],
): Promise<Array<[string, string]>> {
  const sources: Array<[string, string]> = [];
  for (const [index, [id, value]] of inputs.secrets.entries()) {
    output.setSecret(value);
    const file = join(workDir, `secret-${index}`);
    await writeFile(file, value, { mode: 0o600 });
    sources.push([id, file]);
  }
  for (const [id, path] of inputs.secretFiles) {
    if (
      !(await stat(path).then(
        (s) => s.isFile(),
        () => false,
      ))
    )
      throw new InputError('secretFiles', `secret '${id}' names ${path}, which is not a file.`);
    sources.push([id, path]);
  }
  return sources;
}

/** The context's .dockerignore, undefined when it has none; one that cannot be read counts as unknown (''). */
async function readDockerignore(contextDir: string): Promise<string | undefined> {
  const path = join(contextDir, '.dockerignore');
  if (!(await stat(path).catch(() => undefined))) return undefined;
  try {
    return (await readBoundedFile(path, '.dockerignore')).toString('utf8');
  } catch {
    return '';
  }
}

/** Fails with the path tried when the Dockerfile or the build context is missing. */
async function checkFiles({ inputs }: DockerBuildTagSettings): Promise<void> {
  const dockerfile = await stat(inputs.dockerfile).catch(() => undefined);
  if (!dockerfile) throw new InputError('dockerfile', `names ${inputs.dockerfile}, which does not exist.`);
  if (!dockerfile.isFile()) throw new InputError('dockerfile', `names ${inputs.dockerfile}, which is a folder, not a Dockerfile.`);
  const contextDir = inputs.buildContext ?? dirname(inputs.dockerfile);
  const context = await stat(contextDir).catch(() => undefined);
  if (!context?.isDirectory()) throw new InputError('buildContext', `names ${contextDir}, which is not a folder.`);
}
