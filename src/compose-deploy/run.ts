import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { AzureDevOpsConnection, BuildArtifacts } from '../azdo/build-artifacts';
import { OuterloopError, ToolError, describeError, throwIfCancelled } from '../common/errors';
import { withTempDir } from '../common/fs';
import { describeVerdicts, judgeReadiness, label, type ContainerVerdict, type Readiness } from '../docker/readiness';
import { waitForReadiness } from '../docker/wait';
import { loadComposeProject, type LoadResult } from '../compose/load';
import type { ComposeSource } from '../compose/source';
import { loadDigests, unpinnedImageError } from '../digests/digest-source';
import { ComposeCli, type Compose, type ComposeInvocation } from '../docker/compose';
import type { ContainerState } from '../docker/containers';
import { withDockerLogin } from '../docker/docker-config';
import { DockerCli, dockerEnv, type Docker } from '../docker/engine';
import { findCliPlugin } from '../docker/plugins';
import { detectCompose, type ComposeCommand } from '../docker/tools';
import type { PipelineOutput, TaskContext } from '../pipeline/interfaces';
import { neutralizeLoggingCommands } from '../process/neutralize';
import { lastLines } from '../process/runner';
import { reportOutcome } from '../summary/publish';
import { composeDeployRecord } from '../summary/records';
import { describeTarget, targetSecrets, withDockerHost } from './host';
import type { ComposeDeployInputs } from './inputs';
import {
  canUseUpWait,
  formatImageList,
  oneShotServices,
  planDeploy,
  planImages,
  planOverrideFile,
  planPullServices,
  planRollback,
  planRunning,
  planStaleServices,
  planTraceabilityLabels,
  unpinnedBuiltImages,
  type DeployImage,
  type OverrideEntry,
  type RunningService,
} from './plan';

/** How many log lines of a failing service the task log shows. */
export const FAILURE_LOG_LINES = 20;
/** How many health-check results of a failing service the task log shows. */
export const HEALTH_LOG_ENTRIES = 5;
/** The generated override file's name, in a private temporary folder. */
export const OVERRIDE_FILE = 'outerloop-deploy.override.yml';

/** The deploy failed; the message says why and whether the rollback succeeded. */
export class DeployError extends OuterloopError {}

/** The factories ComposeDeploy@1 builds its ports with, once it knows the engine's environment; tests replace them. */
export interface ComposeDeployPorts {
  /** Docker for the target engine. */
  docker: (env: NodeJS.ProcessEnv) => Docker;
  /** Compose for the project on the target engine. */
  compose: (invocation: ComposeInvocation) => Compose;
  detectCompose: (env: NodeJS.ProcessEnv) => Promise<ComposeCommand | undefined>;
  load: (source: ComposeSource) => LoadResult;
  artifacts?: (connection: AzureDevOpsConnection) => BuildArtifacts;
}

/** The real ports, over the context's runner. */
export function makeComposeDeployPorts(context: Pick<TaskContext, 'runner'>): ComposeDeployPorts {
  const { runner } = context;
  return {
    docker: (env) => new DockerCli(runner, env),
    compose: (invocation) => new ComposeCli(runner, invocation),
    // The Compose v2 plugin's file is enough (no process to start); else ask (v1, or a plugin elsewhere).
    detectCompose: async (env) =>
      (await findCliPlugin('compose', env)) ? { version: 2, file: 'docker', args: ['compose'] } : detectCompose(runner, env),
    load: loadComposeProject,
  };
}

/** What a connected deploy works with. */
export interface DeployPorts {
  compose: Compose;
  docker: Docker;
  output: PipelineOutput;
  signal: AbortSignal;
  now: () => number;
  /** Writes the override file the compose port reads (last of its files). */
  writeOverride: (text: string) => Promise<void>;
}

/** What a Compose deploy to a Docker host is given, once connected to its engine. */
export interface ComposeDeployPlan {
  project: string;
  images: DeployImage[];
  labelsFor: (image: DeployImage) => Record<string, string>;
  /**
   * The error for an engine that does not answer the first query (a wrong certificate, an
   * unreachable host): one sentence naming the host and the input.
   */
  unreachable: (err: unknown) => Error;
  /** Compose v2 waits itself (`up --wait`); otherwise the project's containers are watched. */
  upWait: boolean;
  /** Compose v1: containers whose image or labels change are removed before `up` (see planStaleServices). */
  removeStale: boolean;
  waitTimeoutSeconds: number;
  oneShot: string[];
  rollbackOnFailure: boolean;
}

/** How a deploy ended. */
export interface DeployOutcome {
  outcome: 'deployed' | 'rolled back' | 'failed';
  /** Why it failed (and what the rollback did), one sentence. */
  failure?: Error;
  previous: RunningService[];
  containers: ContainerState[];
}

/** Runs ComposeDeploy@1 with validated inputs; returns the success message. */
export async function runComposeDeploy(inputs: ComposeDeployInputs, context: TaskContext, ports: ComposeDeployPorts): Promise<string> {
  const { output, signal } = context;
  for (const secret of [...targetSecrets(inputs.target), ...(inputs.registry ? [inputs.registry.password] : [])]) output.setSecret(secret);
  const loaded = ports.load(inputs.compose);
  for (const warning of loaded.warnings) output.warning(neutralizeLoggingCommands(warning));
  const project = loaded.project;
  output.setOutput('projectName', project.name);
  const host = describeTarget(inputs.target);

  const digests = inputs.action === 'deploy' ? await loadDigests(inputs.digests, output, ports.artifacts) : {};
  const images = planImages(project, digests.file);
  const unpinned = unpinnedBuiltImages(images);
  if (inputs.action === 'deploy' && inputs.requirePinned && unpinned.length > 0)
    throw unpinnedImageError(unpinned[0], unpinned.length, digests.origin);

  return withDockerHost(inputs.target, { tempRoot: inputs.tempDir, baseEnv: process.env }, async (hostEnv) => {
    const docker = ports.docker(hostEnv);
    const command = await ports.detectCompose(hostEnv);
    if (!command)
      throw new ToolError(
        'compose',
        "Neither 'docker compose' (Compose v2) nor 'docker-compose' (Compose v1) was found on this agent: install one of them.",
      );
    output.info(`Project '${project.name}' on ${host}, with Compose v${command.version}.`);
    const via = inputs.target.kind === 'local' ? '' : ` (input '${inputs.target.input}')`;
    const unreachable = (err: unknown): Error =>
      new ToolError('docker', `Could not reach the Docker engine at ${host}${via}: ${describeError(err)}`);
    const credentials = inputs.registry ? [inputs.registry] : [];
    return withDockerLogin({ docker, output }, credentials, { tempRoot: inputs.tempDir, signal, env: hostEnv }, async (dockerConfig) => {
      // Compose reads the variables the loader used from its environment, never from argv.
      const env = dockerEnv(dockerConfig, { ...hostEnv, ...loaded.variables });
      // Compose runs in the project folder: the files are given to it absolute (the inputs' are relative to the job's folder).
      const files = inputs.compose.files.map((f) => resolve(inputs.compose.workingDir, f));
      const base = { command, projectName: project.name, files, profiles: inputs.compose.profiles, cwd: project.workingDir, env };
      if (inputs.action === 'down') {
        await ports.compose(base).down({ removeOrphans: true, signal });
        throwIfCancelled(signal);
        reportOutcome(
          context,
          composeDeployRecord({
            action: 'down',
            project: project.name,
            host,
            outcome: 'down',
            images: [],
            previousImages: [],
            containers: [],
          }),
        );
        return `Project '${project.name}' is down on ${host}: its containers and networks are removed, its volumes kept.`;
      }
      return withTempDir(inputs.tempDir, 'outerloop-deploy-', async (dir) => {
        const override = join(dir, OVERRIDE_FILE);
        const plan: ComposeDeployPlan = {
          project: project.name,
          images,
          labelsFor: (image) => planTraceabilityLabels(inputs.pipeline, digests.file, image),
          unreachable,
          upWait: canUseUpWait(command, project),
          removeStale: command.version === 1,
          waitTimeoutSeconds: inputs.waitTimeoutSeconds,
          oneShot: oneShotServices(project),
          rollbackOnFailure: inputs.rollbackOnFailure,
        };
        const result = await executeDeploy(plan, {
          compose: ports.compose({ ...base, files: [...base.files, override] }),
          docker: ports.docker(env),
          output,
          signal,
          now: context.clock,
          writeOverride: (text) => writeFile(override, text, { mode: 0o600 }),
        }).catch((err: unknown): DeployOutcome => {
          // Failed before `up` (an unreachable engine, a pull refused): nothing changed, but the run records it.
          if (signal.aborted) throw err;
          return { outcome: 'failed', failure: err instanceof Error ? err : new Error(String(err)), previous: [], containers: [] };
        });
        reportOutcome(
          context,
          composeDeployRecord({
            action: 'deploy',
            project: project.name,
            host,
            outcome: result.outcome,
            failure: result.failure ? describeError(result.failure) : undefined,
            images,
            previousImages: result.previous,
            containers: result.containers,
          }),
        );
        if (result.failure) throw result.failure;
        output.setOutput('deployedImages', formatImageList(images.map((i) => ({ service: i.service, image: i.deployed }))));
        const pinned = images.filter((i) => i.pinned).length;
        return `Deployed project '${project.name}' to ${host}: ${images.length} service(s), ${pinned} pinned by digest, all ready.`;
      });
    });
  });
}

/**
 * Records what runs now, pulls, `up` with the override, waits; on failure shows why, rolls back
 * (when asked and possible) and waits again. A failed deploy is not thrown: the outcome says how it
 * ended (the caller reports it, then throws `failure`). Cancellation is thrown as it comes.
 */
export async function executeDeploy(plan: ComposeDeployPlan, ports: DeployPorts): Promise<DeployOutcome> {
  const { compose, docker, output, signal } = ports;
  // The pull needs only the images: it runs while what runs now is recorded (the labels need that).
  const pull = planPullServices(plan.images);
  await ports.writeOverride(planOverrideFile(plan.images.map((i) => ({ service: i.service, image: i.deployed, labels: {} }))));
  const [inspected, pulled] = await Promise.allSettled([
    docker.inspectProject(plan.project),
    pull.length > 0 ? compose.pull(pull, { signal }) : undefined,
  ]);
  throwIfCancelled(signal);
  // The first query is the first contact with the engine: its failure is the connection's.
  if (inspected.status === 'rejected') throw plan.unreachable(inspected.reason);
  if (pulled.status === 'rejected') throw pulled.reason;
  const previous = planRunning(inspected.value.containers);
  output.setOutput('previousImages', formatImageList(previous));
  output.info(
    previous.length > 0
      ? `Running now: ${formatImageList(previous).replace(/,/g, ', ')}.`
      : `Project '${plan.project}' runs nothing on this host yet: a first deploy.`,
  );
  const entries = planDeploy(plan.images, previous, plan.labelsFor);
  await ports.writeOverride(planOverrideFile(entries));

  const failure = await bringUp(plan, ports, entries, false);
  const settled = async (outcome: DeployOutcome['outcome'], error?: Error): Promise<DeployOutcome> => ({
    outcome,
    previous,
    containers: (await docker.inspectProject(plan.project)).containers,
    failure: error,
  });
  // `up --wait` succeeded: every service is ready by Compose's own word, no need to ask again.
  if (!failure && plan.upWait) return { outcome: 'deployed', previous, containers: readyContainers(plan.images) };
  if (!failure) return settled('deployed');
  const reason = describeError(failure);
  if (!plan.rollbackOnFailure)
    return settled(
      'failed',
      new DeployError(`${reason} Not rolled back (rollbackOnFailure is false): the project is left as the deploy left it.`),
    );
  const rollback = planRollback(plan.images, previous);
  if (!rollback) {
    return settled(
      'failed',
      new DeployError(
        `${reason} Nothing of project '${plan.project}' ran before this deploy, so there is nothing to roll back to; its containers are left for inspection.`,
      ),
    );
  }
  output.info(
    `Rolling back to the previous images: ${formatImageList(rollback.restore).replace(/,/g, ', ')}${rollback.remove.length > 0 ? `; removing the new service(s) ${rollback.remove.join(', ')}` : ''}.`,
  );
  let rollbackFailure: unknown;
  try {
    await ports.writeOverride(planOverrideFile(rollback.restore));
    if (rollback.remove.length > 0) await compose.remove(rollback.remove, { signal });
    rollbackFailure = await bringUp(plan, ports, rollback.restore, true);
  } catch (err) {
    throwIfCancelled(signal);
    rollbackFailure = err;
  }
  if (rollbackFailure === undefined)
    return settled('rolled back', new DeployError(`${reason} Rolled back to the previous images, which are ready again.`));
  return settled('failed', new DeployError(`${reason} The rollback failed too: ${describeError(rollbackFailure)}`));
}

/**
 * `up` (of every service, or of the entries' services for a rollback) and the wait until every service is
 * ready. Returns undefined when it is, else the error that names the service that failed or was not
 * ready in time (after printing its health checks and last log lines); Compose's own failures (an
 * image that cannot be pulled, a port in use) are returned too. Cancellation is thrown.
 */
async function bringUp(
  plan: ComposeDeployPlan,
  ports: DeployPorts,
  entries: readonly OverrideEntry[],
  rollback: boolean,
): Promise<Error | undefined> {
  const { compose, docker, signal } = ports;
  const deadline = ports.now() + plan.waitTimeoutSeconds * 1000;
  const services = rollback ? entries.map((r) => r.service) : [];
  if (plan.removeStale) {
    const stale = planStaleServices(entries, planRunning((await docker.inspectProject(plan.project)).containers));
    if (stale.length > 0) await compose.remove(stale, { signal });
  }
  // Compose v1's `up` waits for `service_healthy` dependencies itself, with no end: the deadline bounds it.
  const bounded = plan.upWait ? signal : AbortSignal.any([signal, AbortSignal.timeout(Math.max(0, deadline - ports.now()))]);
  let upError: unknown;
  try {
    await compose.up(services, {
      build: false,
      removeOrphans: !rollback,
      ...(plan.upWait ? { wait: true, waitTimeoutSeconds: plan.waitTimeoutSeconds } : {}),
      signal: bounded,
    });
  } catch (err) {
    upError = err;
  }
  throwIfCancelled(signal);
  const oneShot = new Set(plan.oneShot);
  let readiness: Readiness;
  if (upError !== undefined || plan.upWait) {
    if (upError === undefined) return undefined; // `up --wait` saw every service ready
    readiness = judgeReadiness((await docker.inspectProject(plan.project)).containers, oneShot);
    if (readiness.kind === 'ready') return upError instanceof Error ? upError : new Error(String(upError));
  } else {
    const outcome = await waitForReadiness(docker, { project: plan.project, oneShot, deadline, signal, now: ports.now });
    throwIfCancelled(signal);
    readiness = outcome.readiness;
    if (readiness.kind === 'ready' && !outcome.timedOut) return undefined;
  }
  if (readiness.kind === 'failed' && readiness.failed) {
    await showFailure(ports, plan.project, [readiness.failed]);
    return new DeployError(`Service '${label(readiness.failed.container)}' ${readiness.failed.reason}.`);
  }
  const pending = readiness.verdicts.filter((v) => v.kind !== 'ready');
  await showFailure(ports, plan.project, pending);
  const what = pending.length > 0 ? describeVerdicts(pending, ['waiting', 'failed']) : 'no container of the project is running';
  return new DeployError(`The app was not ready within ${plan.waitTimeoutSeconds} s (input 'waitTimeout'): ${what}.`);
}

/** What the record says of the services once `up --wait` has returned: one running container each. */
function readyContainers(images: readonly DeployImage[]): ContainerState[] {
  return images.map((i) => ({
    id: '',
    name: '',
    service: i.service,
    number: 1,
    oneOff: false,
    image: i.deployed,
    status: 'running',
    exitCode: 0,
    restartCount: 0,
    ports: [],
    labels: {},
  }));
}

/** Prints each container's last health checks and log lines (neutralized: container output is untrusted). */
async function showFailure(ports: DeployPorts, project: string, verdicts: readonly ContainerVerdict[]): Promise<void> {
  const { raw } = await ports.docker.inspectProject(project).catch(() => ({ raw: [] as unknown[] }));
  for (const v of verdicts) {
    const name = label(v.container);
    const health = healthLog(
      raw.find((r) => (r as { Id?: string }).Id === v.container.id),
      HEALTH_LOG_ENTRIES,
    );
    if (health.length > 0) {
      ports.output.info(`--- last ${health.length} health check(s) of ${name} ---`);
      for (const line of health) ports.output.info(neutralizeLoggingCommands(line));
    }
    const text = await ports.docker.logs(v.container.id, FAILURE_LOG_LINES).catch(() => '');
    const lines = lastLines(text, FAILURE_LOG_LINES);
    ports.output.info(`--- last ${lines.length} log line(s) of ${name} (${v.reason}) ---`);
    for (const line of lines) ports.output.info(neutralizeLoggingCommands(line));
  }
}

/** The last `count` health-check results in a container's `docker inspect`: `<end> exit <code>: <output>`. */
export function healthLog(raw: unknown, count: number): string[] {
  const log =
    (raw as { State?: { Health?: { Log?: Array<{ End?: string; ExitCode?: number; Output?: string }> | null } } } | undefined)?.State
      ?.Health?.Log ?? [];
  return log
    .slice(-count)
    .map((e) => `${e.End ?? ''} exit ${e.ExitCode ?? '?'}: ${(e.Output ?? '').trim().split('\n').filter(Boolean).join(' | ')}`.trim());
}
