import { throwIfCancelled } from '../common/errors';
import type { TaskContext } from '../pipeline/interfaces';
import { neutralizeLoggingCommands } from '../process/neutralize';
import { lastLines } from '../process/runner';
import type { Compose } from '../docker/compose';
import type { ContainerState } from '../docker/containers';
import type { Docker } from '../docker/engine';
import type { ComposeScope } from './config-output';
import { ReadinessError, describeVerdicts, judgeReadiness, label, type ContainerVerdict } from '../docker/readiness';
import { waitForReadiness, type WaitOutcome } from '../docker/wait';

/** How many log lines of a failing service are shown in the task log (all of them go to the artifact). */
export const FAILURE_LOG_LINES = 20;

/** The line logged the moment the app is ready (the benchmark reads it). */
export const READY_MESSAGE = 'All services are ready';

/** What bringing the app up needs: the project's ports and the context's output, cancellation and clock. */
export type BringUpPorts = Pick<TaskContext, 'output' | 'signal' | 'clock'> & { compose: Compose; docker: Docker };

/**
 * `up -d`, then the readiness wait, both within the deadline (Compose v1's `up` itself waits for
 * `service_healthy` dependencies, so the deadline bounds it too). Returns the ready containers;
 * throws a {@link ReadinessError} naming the failed or unready services after showing their last
 * log lines.
 */
export async function bringUp(
  ports: BringUpPorts,
  options: { project: string; scope: ComposeScope; deadline: number; timeoutSeconds: number },
): Promise<ContainerState[]> {
  const { compose, docker, signal } = ports;
  const oneShot = new Set(options.scope.oneShot);
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(), Math.max(0, options.deadline - ports.clock()));
  let upError: unknown;
  try {
    await compose.up(options.scope.up, { build: false, signal: AbortSignal.any([signal, timeout.signal]) });
  } catch (err) {
    upError = err;
  } finally {
    clearTimeout(timer);
  }
  throwIfCancelled(signal);
  let outcome: WaitOutcome;
  if (upError !== undefined || timeout.signal.aborted) {
    const { containers } = await docker.inspectProject(options.project);
    const readiness = judgeReadiness(containers, oneShot);
    // A failed `up` that no container explains (a port in use, a missing image) is compose's own error.
    if (upError !== undefined && readiness.kind !== 'failed') throw upError;
    outcome = { readiness, containers, timedOut: upError === undefined };
  } else {
    outcome = await waitForReadiness(docker, { project: options.project, oneShot, deadline: options.deadline, signal, now: ports.clock });
  }
  throwIfCancelled(signal);
  const { readiness } = outcome;
  if (readiness.kind === 'failed' && readiness.failed) {
    const v = readiness.failed;
    await showLastLogs(ports, [v]);
    throw new ReadinessError(`Service '${label(v.container)}' ${v.reason} before the app was ready; its last log lines are above.`);
  }
  if (readiness.kind === 'ready' && !outcome.timedOut) {
    ports.output.info(`${READY_MESSAGE}: ${describeVerdicts(readiness.verdicts, ['ready'])}.`);
    return outcome.containers;
  }
  const pending = readiness.verdicts.filter((v) => v.kind !== 'ready');
  await showLastLogs(ports, pending);
  const unfinished = upError === undefined && timeout.signal.aborted ? "'compose up' had not finished" : '';
  const what = [describeVerdicts(pending, ['waiting']), unfinished].filter(Boolean).join('; ');
  throw new ReadinessError(`The app was not ready within ${options.timeoutSeconds} s (input 'waitTimeout'): ${what}.`);
}

/** Prints the last log lines of each container (neutralized: container output is untrusted). */
async function showLastLogs(ports: BringUpPorts, verdicts: readonly ContainerVerdict[]): Promise<void> {
  for (const v of verdicts) {
    const text = await ports.docker.logs(v.container.id, FAILURE_LOG_LINES).catch(() => '');
    const lines = lastLines(text, FAILURE_LOG_LINES);
    ports.output.info(`--- last ${lines.length} log line(s) of ${label(v.container)} (${v.reason}) ---`);
    for (const line of lines) ports.output.info(neutralizeLoggingCommands(line));
  }
}
