import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AzureDevOpsConnection, BuildArtifacts } from '../azdo/build-artifacts';
import { OuterloopError, ToolError, describeError } from '../common/errors';
import { withTempDir } from '../common/fs';
import { throwIfCancelled } from '../compose-test/bring-up';
import { DockerCli, type ProjectDocker } from '../compose-test/docker';
import type { Argv, ComposeInvocation } from '../compose-test/plan';
import { describeVerdicts, judgeReadiness, label, type ContainerState, type ContainerVerdict, type Readiness } from '../compose-test/readiness';
import { waitForReadiness } from '../compose-test/wait';
import { loadComposeProject, type LoadResult } from '../compose/load';
import type { ComposeSource } from '../compose/source';
import { loadDigests, unpinnedImageError } from '../digests/digest-source';
import { dockerEnv, withDockerLogin } from '../docker/docker-config';
import { detectCompose, type ComposeCommand } from '../docker/tools';
import type { PipelineOutput } from '../pipeline/interfaces';
import type { TaskContext } from '../pipeline/run-task';
import { neutralizeLoggingCommands } from '../process/neutralize';
import { failureReason, lastLines, type ProcessRunner } from '../process/runner';
import { reportOutcome } from '../summary/publish';
import { composeDeployRecord } from '../summary/records';
import { describeTarget, targetSecrets, withDockerHost } from './host';
import type { ComposeDeployInputs } from './inputs';
import {
  canUseUpWait, formatImageList, oneShotServices, planDeploy, planDown, planImages, planOverrideFile, planPull, planRemove, planRollback,
  planRunning, planTraceabilityLabels, planUp, unpinnedBuiltImages, type DeployImage, type OverrideEntry, type RunningService,
} from './plan';

/** How many log lines of a failing service the task log shows. */
export const FAILURE_LOG_LINES = 20;
/** How many health-check results of a failing service the task log shows. */
export const HEALTH_LOG_ENTRIES = 5;

/** The deploy failed; the message says why and whether the rollback succeeded. */
export class DeployError extends OuterloopError {}

/** Runs one compose command line, printed and streamed; a failure is a ToolError with Compose's reason. */
export interface ComposeRunner {
  run(what: string, argv: Argv, signal?: AbortSignal): Promise<void>;
}

/** The engine itself: does it answer (the connection and the certificates work)? */
export interface EngineProbe {
  /** The engine's version; throws a ToolError with docker's reason when it does not answer. */
  serverVersion(): Promise<string>;
}

/** The effects of a deploy once connected, as ports (unit tests pass sinon fakes). */
export interface DeployPorts {
  compose: ComposeRunner;
  docker: ProjectDocker;
  output: PipelineOutput;
  signal: AbortSignal;
  now: () => number;
  /** Writes the generated override file (a private temporary folder in the task; a fake in tests). */
  writeOverride: (text: string) => Promise<string>;
}

/** The factories ComposeDeploy@1 builds its ports with; tests replace any of them. */
export interface ComposeDeployPorts {
  load?: (source: ComposeSource) => LoadResult;
  artifacts?: (connection: AzureDevOpsConnection) => BuildArtifacts;
  detectCompose?: (runner: ProcessRunner, env: NodeJS.ProcessEnv) => Promise<ComposeCommand | undefined>;
  now?: () => number;
}

/** What a connected deploy is given. */
export interface DeployPlan {
  project: string;
  /** Every compose command's project, files (the user's) and profiles. */
  invocation: ComposeInvocation;
  images: DeployImage[];
  labelsFor: (image: DeployImage) => Record<string, string>;
  /** Seconds for `up --wait` on Compose v2; undefined: the project is watched (v1, one-shot services). */
  upWaitSeconds?: number;
  waitTimeoutSeconds: number;
  oneShot: string[];
  rollbackOnFailure: boolean;
}

/** How a deploy ended. */
export interface DeployOutcome {
  outcome: 'deployed' | 'rolled back' | 'failed';
  failure?: DeployError | Error;
  previous: RunningService[];
  containers: ContainerState[];
}

/** Runs ComposeDeploy@1 with validated inputs; returns the success message. */
export async function runComposeDeploy(inputs: ComposeDeployInputs, context: TaskContext, ports: ComposeDeployPorts = {}): Promise<string> {
  const { output, runner, signal } = context;
  for (const secret of [...targetSecrets(inputs.target), ...(inputs.registry ? [inputs.registry.password] : [])]) output.setSecret(secret);
  const loaded = (ports.load ?? loadComposeProject)(inputs.compose);
  for (const warning of loaded.warnings) output.warning(neutralizeLoggingCommands(warning));
  const project = loaded.project;
  output.setOutput('projectName', project.name);
  const host = describeTarget(inputs.target);
  const now = ports.now ?? Date.now;

  const digests = inputs.action === 'deploy' ? await loadDigests(inputs.digests, output, ports.artifacts) : {};
  const images = planImages(project, digests.file);
  const unpinned = unpinnedBuiltImages(images);
  if (inputs.action === 'deploy' && inputs.requirePinned && unpinned.length > 0) throw unpinnedImageError(unpinned[0], unpinned.length, digests.origin);

  const credentials = inputs.registry ? [inputs.registry] : [];
  return withDockerHost(inputs.target, { tempRoot: inputs.tempDir, baseEnv: process.env }, async (hostEnv) =>
    withDockerLogin({ runner, output }, credentials, { tempRoot: inputs.tempDir, signal, env: hostEnv }, async (dockerConfig) => {
      // Compose reads the same variables the loader used, from its environment, never from argv.
      const env = dockerEnv(dockerConfig, { ...hostEnv, ...loaded.variables });
      const [version, compose] = await Promise.all([
        new DockerEngineProbe(runner, env, host, inputs.target.kind === 'local' ? undefined : inputs.target.input).serverVersion(),
        (ports.detectCompose ?? detectCompose)(runner, env),
      ]);
      if (!compose) throw new ToolError('compose', "Neither 'docker compose' (Compose v2) nor 'docker-compose' (Compose v1) was found on this agent: install one of them.");
      output.info(`Deploying project '${project.name}' to ${host} (Docker ${version}) with Compose v${compose.version}.`);
      const invocation: ComposeInvocation = { compose, projectName: project.name, files: inputs.compose.files, profiles: inputs.compose.profiles };
      const composeRunner = new ComposeCliRunner(runner, { cwd: project.workingDir, env });
      const docker = new DockerCli(runner, env);

      if (inputs.action === 'down') {
        await composeRunner.run('take the app down', planDown(invocation), signal);
        throwIfCancelled(signal);
        reportOutcome(context, composeDeployRecord({ action: 'down', project: project.name, host, outcome: 'down', images: [], previousImages: [], containers: [] }));
        return `Project '${project.name}' is down on ${host}: its containers and networks are removed, its volumes kept.`;
      }

      return withTempDir(inputs.tempDir, 'outerloop-deploy-', async (dir) => {
        let count = 0;
        const plan: DeployPlan = {
          project: project.name,
          invocation,
          images,
          labelsFor: (image) => planTraceabilityLabels(inputs.pipeline, digests.file, image),
          upWaitSeconds: canUseUpWait(compose, project) ? inputs.waitTimeoutSeconds : undefined,
          waitTimeoutSeconds: inputs.waitTimeoutSeconds,
          oneShot: oneShotServices(project),
          rollbackOnFailure: inputs.rollbackOnFailure,
        };
        const result = await executeDeploy(plan, {
          compose: composeRunner,
          docker,
          output,
          signal,
          now,
          writeOverride: async (text) => {
            const file = join(dir, `outerloop-deploy-${++count}.yml`);
            await writeFile(file, text, { mode: 0o600 });
            return file;
          },
        });
        const failure = result.failure ? describeError(result.failure) : signal.aborted ? describeError(signal.reason) : undefined;
        reportOutcome(context, composeDeployRecord({
          action: 'deploy', project: project.name, host, outcome: result.outcome, failure, images, previousImages: result.previous, containers: result.containers,
        }));
        if (result.failure) throw result.failure;
        throwIfCancelled(signal);
        output.setOutput('deployedImages', formatImageList(images.map((i) => ({ service: i.service, image: i.deployed }))));
        const pinned = images.filter((i) => i.pinned).length;
        return `Deployed project '${project.name}' to ${host}: ${images.length} service(s), ${pinned} pinned by digest, all ready.`;
      });
    }),
  );
}

/**
 * Pull, record what runs now, `up` with the override, wait; on failure show why, roll back (when
 * asked and possible) and wait again. Never throws for a failed deploy: the outcome says how it
 * ended (the caller reports it, then throws `failure`). Cancellation is thrown as it comes.
 */
export async function executeDeploy(plan: DeployPlan, ports: DeployPorts): Promise<DeployOutcome> {
  const { compose, docker, output, signal } = ports;
  const pull = planPull(plan.invocation, plan.images);
  if (pull) await compose.run('pull the images', pull, signal);
  throwIfCancelled(signal);
  const before = await docker.inspectProject(plan.project);
  const previous = planRunning(before.containers, before.raw);
  output.setOutput('previousImages', formatImageList(previous));
  output.info(previous.length > 0 ? `Running now: ${formatImageList(previous).replace(/,/g, ', ')}.` : `Project '${plan.project}' runs nothing yet on this host: a first deploy.`);

  const entries = planDeploy(plan.images, previous, plan.labelsFor);
  const failure = await bringUp(plan, ports, entries);
  throwIfCancelled(signal);
  if (!failure) {
    const { containers } = await docker.inspectProject(plan.project);
    return { outcome: 'deployed', previous, containers };
  }
  const reason = describeError(failure);
  if (!plan.rollbackOnFailure) {
    const { containers } = await docker.inspectProject(plan.project);
    return { outcome: 'failed', previous, containers, failure: new DeployError(`${reason} No rollback (rollbackOnFailure is false): the project is left as the deploy left it.`) };
  }
  const rollback = planRollback(plan.images, previous);
  if (!rollback) {
    const { containers } = await docker.inspectProject(plan.project);
    return { outcome: 'failed', previous, containers, failure: new DeployError(`${reason} Nothing of project '${plan.project}' ran before this deploy, so there is nothing to roll back to; its containers are left for inspection.`) };
  }
  output.info(`Rolling back to the previous images: ${formatImageList(rollback.restore).replace(/,/g, ', ')}${rollback.remove.length > 0 ? `; removing the new service(s) ${rollback.remove.join(', ')}` : ''}.`);
  let rollbackFailure: unknown;
  try {
    if (rollback.remove.length > 0) await compose.run('remove the new services', planRemove(plan.invocation, rollback.remove), signal);
    rollbackFailure = await bringUp(plan, ports, rollback.restore, rollback.restore.map((r) => r.service));
  } catch (err) {
    if (signal.aborted) throw err;
    rollbackFailure = err;
  }
  throwIfCancelled(signal);
  const { containers } = await docker.inspectProject(plan.project);
  if (rollbackFailure === undefined) {
    return { outcome: 'rolled back', previous, containers, failure: new DeployError(`${reason} Rolled back to the previous images, which are ready again.`) };
  }
  return { outcome: 'failed', previous, containers, failure: new DeployError(`${reason} The rollback failed too: ${describeError(rollbackFailure)}`) };
}

/**
 * Writes the override, runs `up` and waits until every service is ready. Returns undefined when
 * it is, else the error that says which service failed or was not ready in time (after printing
 * its health checks and last log lines). Compose's own failures (an image that cannot be pulled,
 * a port in use) are returned too; cancellation is thrown.
 */
async function bringUp(plan: DeployPlan, ports: DeployPorts, entries: readonly OverrideEntry[], services?: readonly string[]): Promise<Error | undefined> {
  const { compose, docker, signal } = ports;
  const override = await ports.writeOverride(planOverrideFile(entries));
  const invocation = { ...plan.invocation, files: [...plan.invocation.files, override] };
  const deadline = ports.now() + plan.waitTimeoutSeconds * 1000;
  let upError: unknown;
  try {
    await compose.run('start the app', planUp(invocation, { waitSeconds: plan.upWaitSeconds, services }), signal);
  } catch (err) {
    upError = err;
  }
  throwIfCancelled(signal);
  let readiness: Readiness;
  if (upError !== undefined || plan.upWaitSeconds !== undefined) {
    readiness = judgeReadiness((await docker.inspectProject(plan.project)).containers, new Set(plan.oneShot));
    if (upError === undefined) return undefined; // `up --wait` said every service is ready
    if (readiness.kind === 'ready') return upError instanceof Error ? upError : new Error(String(upError));
  } else {
    const outcome = await waitForReadiness(docker, { project: plan.project, oneShot: new Set(plan.oneShot), deadline, signal, now: ports.now });
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

/** Prints each container's last health checks and log lines (neutralized: container output is untrusted). */
async function showFailure(ports: DeployPorts, project: string, verdicts: readonly ContainerVerdict[]): Promise<void> {
  const { raw } = await ports.docker.inspectProject(project).catch(() => ({ raw: [] as unknown[] }));
  for (const v of verdicts) {
    const name = label(v.container);
    const health = healthLog(raw.find((r) => (r as { Id?: string }).Id === v.container.id), HEALTH_LOG_ENTRIES);
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

/** The last `count` health-check results of a container's `docker inspect`: `<end time> exit <code>: <output>`. */
export function healthLog(raw: unknown, count: number): string[] {
  const log = (raw as { State?: { Health?: { Log?: Array<{ End?: string; ExitCode?: number; Output?: string }> | null } } } | undefined)?.State?.Health?.Log ?? [];
  return log.slice(-count).map((e) => `${e.End ?? ''} exit ${e.ExitCode ?? '?'}: ${(e.Output ?? '').trim().split('\n').filter(Boolean).join(' | ')}`.trim());
}

/** {@link ComposeRunner} over the compose CLI, in the project's folder with the engine's environment. */
export class ComposeCliRunner implements ComposeRunner {
  constructor(
    private readonly runner: ProcessRunner,
    private readonly options: { cwd: string; env: NodeJS.ProcessEnv },
  ) {}

  async run(what: string, argv: Argv, signal?: AbortSignal): Promise<void> {
    const result = await this.runner.exec(argv.file, argv.args, { cwd: this.options.cwd, env: this.options.env, signal });
    if (result.code !== 0 && !signal?.aborted) {
      const lines = lastLines(result.stderr || result.stdout, 2).map((l) => l.trim().replace(/^ERROR:\s*/, ''));
      throw new ToolError('compose', `Compose could not ${what}: ${neutralizeLoggingCommands(lines.join(' ')) || `exit code ${result.code}`}`, result.code);
    }
  }
}

/** {@link EngineProbe} over `docker version`: the first contact with the engine, so a bad certificate or an unreachable host is one sentence. */
export class DockerEngineProbe implements EngineProbe {
  constructor(
    private readonly runner: ProcessRunner,
    private readonly env: NodeJS.ProcessEnv,
    private readonly host: string,
    private readonly input: string | undefined,
  ) {}

  async serverVersion(): Promise<string> {
    const result = await this.runner.exec('docker', ['version', '--format', '{{.Server.Version}}'], { env: this.env, quiet: true, noEcho: true });
    const version = result.stdout.trim();
    if (result.code === 0 && version) return version;
    const via = this.input ? ` (input '${this.input}')` : '';
    throw new ToolError('docker', `Could not reach the Docker engine at ${this.host}${via}: ${neutralizeLoggingCommands(failureReason(result))}`, result.code);
  }
}
