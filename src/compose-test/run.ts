import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { InputError, OuterloopError, ToolError, describeError, throwIfCancelled } from '../common/errors';
import { readTextFile } from '../common/fs';
import { parseYamlDocuments } from '../compose/yaml';
import { ComposeCli, planDown, type Compose, type ComposeInvocation } from '../docker/compose';
import type { ContainerState } from '../docker/containers';
import { DockerCli, type Docker } from '../docker/engine';
import { detectCompose, type ComposeCommand } from '../docker/tools';
import type { TaskContext } from '../pipeline/interfaces';
import { formatCommandLine } from '../process/runner';
import { bringUp } from './bring-up';
import { readEnvFile } from './env-file';
import type { ComposeTestInputs } from './inputs';
import { saveProjectLogs } from './logs';
import { enabledServices, parseComposeConfig, planBuiltImages, planScope, type ResolvedConfig, type ComposeScope } from './config-output';
import { explainNeedsComposeV2, planPortVariables, planTestCommand, planTestEnvironment } from './plan';
import { findResultFiles } from './results';
import { reportOutcome } from '../summary/publish';
import { composeTestRecord } from '../summary/records';
import type { TestTotals } from '../summary/record';
import { countTestResults } from '../summary/test-totals';

/** The tests ran and failed: their exit code is the result. */
export class TestsFailedError extends OuterloopError {}

/** Stop timeout for `down` when the job is cancelled: the agent kills the task a few seconds later. */
export const CANCEL_STOP_TIMEOUT_SECONDS = 1;

/** `down -v --remove-orphans`: nothing of the project is left, its volumes neither. */
const TEARDOWN = { volumes: true, removeOrphans: true } as const;

/** The effects ComposeTest@1 has besides its context. Unit tests fake them. */
export interface ComposeTestPorts {
  docker: Docker;
  /** Which Compose the agent has: v2 when present, else v1, else undefined. */
  detectCompose(): Promise<ComposeCommand | undefined>;
  /** The Compose port for one project. */
  openCompose(project: ComposeInvocation): Compose;
  /** The agent's environment: the base of Compose's and of the test command's. */
  baseEnv: NodeJS.ProcessEnv;
}

/** The real ports, over the agent's docker and Compose CLIs. */
export function makeComposeTestPorts(context: TaskContext): ComposeTestPorts {
  return {
    docker: new DockerCli(context.runner),
    detectCompose: () => detectCompose(context.runner),
    openCompose: (project) => new ComposeCli(context.runner, project),
    baseEnv: process.env,
  };
}

/** What the steps of one run use: the context, and the ports bound to the project. */
export type ProjectRun = TaskContext & { compose: Compose; docker: Docker; baseEnv: NodeJS.ProcessEnv };

/** Runs ComposeTest@1 with validated inputs: detects Compose, reads the env file, then {@link executeComposeTest}. */
export async function runComposeTest(inputs: ComposeTestInputs, context: TaskContext, ports: ComposeTestPorts): Promise<string> {
  if (!existsSync(inputs.workingDirectory))
    throw new InputError('workingDirectory', `names '${inputs.workingDirectory}', which does not exist.`);
  for (const file of inputs.compose.files) {
    if (!existsSync(resolve(inputs.workingDirectory, file))) {
      throw new InputError('composeFiles', `names '${file}', which does not exist in ${inputs.workingDirectory}.`);
    }
  }
  const fromFiles = await Promise.all((inputs.compose.envFiles ?? []).map((f) => readEnvFile(f)));
  const values = Object.fromEntries([...fromFiles.flat(), ...Object.entries(inputs.compose.environment)]);
  const compose = await ports.detectCompose();
  if (!compose) {
    throw new ToolError(
      'compose',
      "Neither 'docker compose' (Compose v2) nor 'docker-compose' (Compose v1) was found on this agent: install one of them.",
    );
  }
  if (compose.version === 1) await rejectComposeV2Files(inputs);
  const project: ComposeInvocation = {
    command: compose,
    projectName: inputs.projectName,
    files: inputs.compose.files,
    profiles: inputs.compose.profiles,
    cwd: inputs.workingDirectory,
    env: { ...ports.baseEnv, ...values },
  };
  context.output.info(`Using ${describeCompose(compose)} for project '${inputs.projectName}'.`);
  const run: ProjectRun = { ...context, compose: ports.openCompose(project), docker: ports.docker, baseEnv: ports.baseEnv };
  return executeComposeTest(inputs, values, project, run);
}

/** With Compose v1 only: one clear sentence for a compose file that needs v2, before v1 says it its own way. */
async function rejectComposeV2Files(inputs: ComposeTestInputs): Promise<void> {
  for (const file of inputs.compose.files) {
    const path = resolve(inputs.workingDirectory, file);
    let doc: unknown;
    try {
      doc = parseYamlDocuments(await readTextFile(path, 'compose file'), path)[0]?.value;
    } catch {
      continue; // Compose's own `config` names what is wrong with it.
    }
    const problem = explainNeedsComposeV2(file, doc);
    if (problem) throw new InputError('composeFiles', problem);
  }
}

function describeCompose(compose: ComposeCommand): string {
  return `Compose v${compose.version} (${[compose.file, ...compose.args].join(' ')})`;
}

/**
 * Brings the app up, waits until it is ready, runs the tests, then publishes the results and logs
 * and tears the app down per the inputs: whatever happened before (failure, timeout, cancellation).
 * Returns the success message; throws the first error otherwise.
 */
export async function executeComposeTest(
  inputs: ComposeTestInputs,
  values: Record<string, string>,
  project: ComposeInvocation,
  ports: ProjectRun,
): Promise<string> {
  const { compose, output, signal } = ports;
  const profiles = inputs.compose.profiles ?? [];
  const started = ports.clock();
  output.setOutput('projectName', project.projectName);
  // With every service in scope, `build` (no names: every service with a build section) need not
  // wait for `config`: the two Compose start-ups overlap.
  // Not with profiles: Compose v1's `build` would build the services of every profile.
  const buildEarly = inputs.build && inputs.services.length === 0 && profiles.length === 0 && inputs.test.kind === 'command';
  const [config, early] = await Promise.allSettled([compose.config(), buildEarly ? compose.build([], { signal }) : Promise.resolve()]);
  if (config.status === 'rejected') throw config.reason;
  const named = [...inputs.services, ...(inputs.test.kind === 'service' ? [inputs.test.service] : [])];
  const model = enabledServices(parseComposeConfig(config.value), profiles, named);
  const scope = planScope(model, inputs.services, inputs.test);
  if (early.status === 'rejected') throw early.reason;
  let failure: unknown;
  let broughtUp = false;
  let readyAfter = 0;
  let testsTook = 0;
  let containers: ContainerState[] = [];
  let exitCode: number | undefined;
  let tests: TestTotals | undefined;
  let logsArtifact: string | undefined;
  try {
    await prepareImages(inputs, scope, model, project, ports, buildEarly);
    broughtUp = true;
    const ready = await bringUp(ports, {
      project: project.projectName,
      scope,
      deadline: ports.clock() + inputs.waitTimeoutSeconds * 1000,
      timeoutSeconds: inputs.waitTimeoutSeconds,
    });
    readyAfter = ports.clock() - started;
    containers = ready;
    const testStart = ports.clock();
    const code = await runTests(inputs, values, project.projectName, ready, ports);
    testsTook = ports.clock() - testStart;
    exitCode = code;
    throwIfCancelled(signal);
    output.setOutput('testExitCode', String(code));
    if (code !== 0) {
      const what = inputs.test.kind === 'command' ? 'the test command' : `test service '${inputs.test.service}'`;
      throw new TestsFailedError(`The tests failed: ${what} exited with code ${code}.`);
    }
  } catch (err) {
    failure = err;
  }
  const passed = failure === undefined && !signal.aborted;
  const problems: unknown[] = [];
  const attempt = async (step: () => Promise<void>): Promise<void> => {
    try {
      await step();
    } catch (err) {
      problems.push(err);
    }
  };
  await attempt(async () => {
    tests = await publishResults(inputs, started, ports);
  });
  if (broughtUp && inputs.logsArtifact && (!passed || inputs.logsOnSuccess)) {
    await attempt(async () => {
      await publishLogs(inputs, inputs.logsArtifact!, project.projectName, ports);
      logsArtifact = inputs.logsArtifact;
    });
  }
  if (broughtUp) await attempt(() => tearDown(inputs, passed, project, model, scope, ports));
  const problem = failure ?? (signal.aborted ? signal.reason : problems[0]);
  reportOutcome(
    ports,
    composeTestRecord({
      project: project.projectName,
      failure: problem === undefined ? undefined : describeError(problem),
      containers,
      readyAfterMs: containers.length > 0 ? readyAfter : undefined,
      testDurationMs: exitCode === undefined ? undefined : testsTook,
      exitCode,
      tests,
      logsArtifact,
      run: { collectionUri: inputs.pipeline.collectionUri, project: inputs.pipeline.teamProject, buildId: inputs.pipeline.buildId },
    }),
  );
  if (failure !== undefined) {
    for (const p of problems) output.warning(describeError(p));
    throw failure;
  }
  throwIfCancelled(signal);
  if (problems.length > 0) {
    for (const p of problems.slice(1)) output.warning(describeError(p));
    throw problems[0];
  }
  return `The tests passed against project '${project.projectName}' (ready after ${seconds(readyAfter)}, tests took ${seconds(testsTook)}).`;
}

/**
 * Builds and pulls what the pull and build inputs ask for, before anything starts. With `build`
 * false, a service with a build section uses its `image` as any other service would: pulled per
 * `pull` (Compose's `up --no-build` never pulls it), and required on the agent.
 */
async function prepareImages(
  inputs: ComposeTestInputs,
  scope: ComposeScope,
  model: ResolvedConfig,
  project: ComposeInvocation,
  ports: ProjectRun,
  built: boolean,
): Promise<void> {
  const { compose, docker, signal } = ports;
  if (inputs.build && !built && scope.build.length > 0) await compose.build(scope.build, { signal });
  throwIfCancelled(signal);
  const prebuilt = inputs.build ? [] : scope.build;
  const builtNames = planBuiltImages(model, scope, project.projectName, project.command.version);
  const images = new Map(scope.build.map((s, i) => [s, builtNames[i]]));
  const missing = async (services: readonly string[]): Promise<string[]> => {
    const absent: string[] = [];
    for (const s of services) if (!(await docker.imageExists(images.get(s)!))) absent.push(s);
    return absent;
  };
  const named = prebuilt.filter((s) => model.get(s)?.image !== undefined);
  if (inputs.pull === 'always' && scope.pull.length + named.length > 0) await compose.pull([...scope.pull, ...named].sort(), { signal });
  if (inputs.pull === 'missing') {
    const absent = await missing(named);
    if (absent.length > 0) await compose.pull(absent, { signal });
  }
  throwIfCancelled(signal);
  for (const service of await missing(prebuilt)) {
    throw new InputError(
      'build',
      `is false, but image '${images.get(service)}' of service '${service}' is not on this agent: build it in an earlier step or set 'build' to true.`,
    );
  }
  if (inputs.pull === 'never') {
    for (const service of scope.pull) {
      const image = model.get(service)?.image;
      if (image !== undefined && !(await docker.imageExists(image))) {
        throw new InputError('pull', `is 'never', but image '${image}' of service '${service}' is not on this agent.`);
      }
    }
  }
  throwIfCancelled(signal);
}

/** Runs the test command on the agent, or the test service; returns the exit code. */
async function runTests(
  inputs: ComposeTestInputs,
  values: Record<string, string>,
  projectName: string,
  containers: ContainerState[],
  ports: ProjectRun,
): Promise<number> {
  if (inputs.test.kind === 'service') return ports.compose.run(inputs.test.service, { signal: ports.signal });
  const published = planPortVariables(containers);
  ports.output.info(
    `The test command gets COMPOSE_PROJECT_NAME=${projectName}` +
      Object.entries(published)
        .map(([k, v]) => `, ${k}=${v}`)
        .join('') +
      (Object.keys(values).length ? ` and ${Object.keys(values).length} value(s) from 'environment'/'envFile'.` : '.'),
  );
  const argv = planTestCommand(inputs.test.command);
  const result = await ports.runner.exec(argv.file, argv.args, {
    cwd: inputs.workingDirectory,
    env: planTestEnvironment(ports.baseEnv, values, projectName, containers),
    signal: ports.signal,
    processGroup: true,
  });
  return result.code;
}

/** Publishes the result files written during this run, whatever the outcome. */
async function publishResults(inputs: ComposeTestInputs, since: number, ports: ProjectRun): Promise<TestTotals | undefined> {
  if (!inputs.testResults) return undefined;
  const found = await findResultFiles(inputs.testResults.files, inputs.workingDirectory, since);
  if (found.stale.length > 0) {
    ports.output.warning(`Not publishing ${found.stale.length} result file(s) written before this run started, e.g. ${found.stale[0]}.`);
  }
  if (found.files.length === 0) {
    ports.output.warning(`No test result files match '${inputs.testResults.files}' (input 'testResultsFiles').`);
    return undefined;
  }
  ports.output.info(`Publishing ${found.files.length} ${inputs.testResults.format} result file(s).`);
  ports.output.publishTestResults(inputs.testResults.format, found.files, `ComposeTest ${inputs.projectName}`);
  // Counting is for the run summary only: a file that cannot be read leaves the totals uncounted.
  const texts = await Promise.all(found.files.map((f) => readTextFile(f, 'test result file').catch(() => undefined)));
  const readable = texts.filter((t): t is string => t !== undefined);
  return readable.length === texts.length
    ? countTestResults(inputs.testResults.format, readable)
    : { format: inputs.testResults.format, files: texts.length };
}

/** Saves every container's logs, ps and state, and publishes them as the logs artifact. */
async function publishLogs(inputs: ComposeTestInputs, artifact: string, projectName: string, ports: ProjectRun): Promise<void> {
  const dir = join(inputs.logsRoot ?? tmpdir(), `${artifact}-${projectName}`);
  const files = await saveProjectLogs(ports, projectName, dir);
  ports.output.info(`Saved ${files.length} log and state file(s) to ${dir}; publishing them as artifact '${artifact}'.`);
  ports.output.setOutput('logsDirectory', dir);
  ports.output.uploadArtifact(artifact, dir);
}

/**
 * `down -v --remove-orphans` per the teardown input, then a sweep: anything still carrying the
 * project's label (a container of a cancelled `run`, say) is removed, so nothing of it remains.
 */
async function tearDown(
  inputs: ComposeTestInputs,
  passed: boolean,
  project: ComposeInvocation,
  model: ResolvedConfig,
  scope: ComposeScope,
  ports: ProjectRun,
): Promise<void> {
  const { compose, docker, output, signal } = ports;
  if (inputs.teardown === 'never' || (inputs.teardown === 'onSuccess' && !passed)) {
    const down = planDown(project, TEARDOWN);
    output.info(
      `The app is left running (teardown: ${inputs.teardown}); to remove it, run in ${inputs.workingDirectory}: ${formatCommandLine(down.file, down.args)}`,
    );
    return;
  }
  let downError: unknown;
  try {
    await compose.down(signal.aborted ? { ...TEARDOWN, stopTimeoutSeconds: CANCEL_STOP_TIMEOUT_SECONDS } : TEARDOWN);
  } catch (err) {
    downError = err;
  }
  const left = await docker.findResources(project.projectName);
  const count = left.containers.length + left.networks.length + left.volumes.length;
  if (count > 0) {
    output.info(
      `Removing what is left of project '${project.projectName}': ${left.containers.length} container(s), ${left.networks.length} network(s), ${left.volumes.length} volume(s).`,
    );
    await docker.removeResources(left);
    const still = await docker.findResources(project.projectName);
    if (still.containers.length + still.networks.length + still.volumes.length > 0) {
      throw new ToolError(
        'docker',
        `Project '${project.projectName}' could not be removed completely: ${[...still.containers, ...still.networks, ...still.volumes].join(', ')} remain.`,
      );
    }
  }
  if (downError !== undefined) output.warning(`${describeError(downError)} (what was left has been removed).`);
  // With `build` false the run built nothing: the images are someone else's (an earlier step's).
  if (inputs.removeImages && inputs.build) {
    const images = planBuiltImages(model, scope, project.projectName, project.command.version);
    for (const p of await docker.removeImages(images)) output.warning(`Could not remove image '${p.image}': ${p.reason}`);
  }
  output.info(`Project '${project.projectName}' is torn down: no container, network or volume of it remains.`);
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
