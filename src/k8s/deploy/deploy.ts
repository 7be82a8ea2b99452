import { ToolError } from '../../common/errors';
import type { PipelineOutput } from '../../pipeline/interfaces';
import { neutralizeLoggingCommands } from '../../process/neutralize';
import { failureReason, lastLines, type ExecResult } from '../../process/runner';
import type { KubernetesObject } from '../render';
import {
  applyArgs,
  deleteArgs,
  deleteJobsArgs,
  getAppObjectsArgs,
  getEventsArgs,
  getPodsArgs,
  logsArgs,
  rolloutStatusArgs,
  rolloutUndoArgs,
  workloadName,
  type WorkloadRef,
} from './commands';
import { formatEvents, keyEvent, pickFailingPod, type ListedEvent, type ListedPod } from './diagnose';
import type { Kubectl } from './kubectl';
import { PRUNE_RESOURCES, checkPrune, planPrune, type ListedObject } from './prune';

/** What to do on the cluster: everything decided beforehand, by the planner. */
export interface DeployPlan {
  namespace: string;
  /** Multi-document YAML of `objects`, given to kubectl on stdin. */
  manifests: string;
  /** Every object applied (the pruning keeps these). */
  objects: readonly KubernetesObject[];
  workloads: readonly WorkloadRef[];
  /** Jobs (`job.batch/name`) deleted before the apply: their pod template cannot change in place. */
  recreate: readonly string[];
  /** For all rollouts together: the last one waits only for what is left. */
  rolloutTimeoutSeconds: number;
  rollbackOnFailure: boolean;
  /** The app's label selector (`app.kubernetes.io/part-of=shop`); prune is off when undefined. */
  pruneSelector?: string;
  /** Let prune delete more than half of the app's workloads (it never runs when the manifests hold none). */
  allowLargePrune?: boolean;
  /** Where the cluster is, for error messages. */
  server?: string;
}

/** What a deployment did. */
export interface DeployReport {
  pruned: string[];
}

/** One workload that did not become ready, and what was found out about it. */
export interface RolloutFailure {
  workload: WorkloadRef;
  /** What kubectl rollout status said. */
  status: string;
  pod?: string;
  podReason?: string;
  event?: string;
  lastLogLine?: string;
  rolledBack: boolean;
  /** Why the undo failed (e.g. a first deployment has no previous revision). */
  undoError?: string;
}

const LOG_TAIL = 20;

/**
 * Applies the plan with kubectl: one server-side apply of every object, then each workload's
 * rollout within the timeout; on a failed rollout the failing pod's events and last log lines are
 * printed and the workload is rolled back (when asked); then the app's objects the manifests no
 * longer contain are pruned. Throws {@link ToolError} with one sentence on any failure.
 */
export async function deployToCluster(plan: DeployPlan, deps: { kubectl: Kubectl; output: PipelineOutput; now?: () => number }): Promise<DeployReport> {
  const { kubectl, output } = deps;
  const now = deps.now ?? Date.now;

  if (plan.recreate.length > 0) {
    output.info(`Re-creating ${plan.recreate.length} Job(s), whose pod template cannot change in place: ${plan.recreate.join(', ')}`);
    const deleted = await kubectl.run(deleteJobsArgs(plan.recreate, plan.namespace, plan.rolloutTimeoutSeconds));
    if (deleted.code !== 0) throw new ToolError('kubectl', describeApplyFailure(deleted, plan.server), deleted.code);
  }
  const applied = await kubectl.run(applyArgs(plan.namespace), { stdin: plan.manifests });
  if (applied.code !== 0) throw new ToolError('kubectl', describeApplyFailure(applied, plan.server), applied.code);

  const deadline = now() + plan.rolloutTimeoutSeconds * 1000;
  const failures: RolloutFailure[] = [];
  for (const workload of plan.workloads) {
    const remaining = (deadline - now()) / 1000;
    const status = await kubectl.run(rolloutStatusArgs(workload, plan.namespace, remaining));
    if (status.code === 0) continue;
    const reason = failureReason(status);
    failures.push({ workload, status: reason, rolledBack: false });
  }

  if (failures.length > 0) {
    for (const failure of failures) {
      await explainFailure(kubectl, output, plan.namespace, failure);
      if (plan.rollbackOnFailure) await rollBack(kubectl, output, plan.namespace, failure);
    }
    throw new ToolError('kubectl', describeRolloutFailures(failures, plan.rolloutTimeoutSeconds));
  }

  const pruned = plan.pruneSelector ? await prune(kubectl, output, plan, plan.pruneSelector) : [];
  return { pruned };
}

/** One sentence for a failed apply: an unreachable cluster, refused credentials, or rejected objects. */
export function describeApplyFailure(result: ExecResult, server?: string): string {
  const lines = lastLines(result.stderr || result.stdout, 50);
  const detail = lines.find((l) => /^Error from server|^error:|Unable to connect|was refused/i.test(l)) ?? lines[lines.length - 1] ?? `exit code ${result.code}`;
  const at = server ? ` at ${server}` : '';
  if (/Unable to connect to the server|connection to the server .* was refused|dial tcp|no such host|i\/o timeout|connection refused|x509:|tls:/i.test(detail)) {
    return `Could not reach the Kubernetes cluster${at}, so nothing was applied: ${detail}`;
  }
  if (/context deadline exceeded|Client\.Timeout exceeded|TLS handshake timeout|Timeout: the server/i.test(detail)) {
    return `The Kubernetes cluster${at} did not answer in time, so the deployment stopped: ${detail}`;
  }
  if (/Unauthorized|must be logged in|Forbidden/i.test(detail)) {
    return `The Kubernetes cluster${at} refused the credentials or their permissions, so the deployment stopped: ${detail}`;
  }
  return `The Kubernetes API server${at} rejected the manifests, so no rollout was started: ${detail}`;
}

async function runJson<T>(kubectl: Kubectl, args: string[]): Promise<T | undefined> {
  const result = await kubectl.run(args, { quiet: true });
  if (result.code !== 0) return undefined;
  try {
    return JSON.parse(result.stdout) as T;
  } catch {
    return undefined;
  }
}

function print(output: PipelineOutput, heading: string, lines: readonly string[]): void {
  output.info(neutralizeLoggingCommands(heading));
  for (const line of lines) output.info(neutralizeLoggingCommands(`  ${line}`));
}

/** Finds the failing pod and prints its events and last log lines (before a rollback removes it). */
async function explainFailure(kubectl: Kubectl, output: PipelineOutput, namespace: string, failure: RolloutFailure): Promise<void> {
  const name = workloadName(failure.workload);
  const pods = await runJson<{ items?: ListedPod[] }>(kubectl, getPodsArgs(failure.workload, namespace));
  const pod = pickFailingPod(pods?.items ?? []);
  const target = pod ? { kind: 'Pod', name: pod.name } : { kind: failure.workload.kind, name: failure.workload.name };
  const events = (await runJson<{ items?: ListedEvent[] }>(kubectl, getEventsArgs(target.kind, target.name, namespace)))?.items ?? [];
  failure.event = keyEvent(events);
  print(output, `Events of ${target.kind.toLowerCase()}/${target.name} (${name} did not roll out):`, formatEvents(events));
  if (!pod) return;
  failure.pod = pod.name;
  failure.podReason = pod.reason;
  const logs = await kubectl.run(logsArgs(pod.name, namespace, LOG_TAIL, pod.restarted), { quiet: true });
  const lines = lastLines(logs.code === 0 ? logs.stdout : logs.stderr || logs.stdout, LOG_TAIL);
  if (logs.code === 0) failure.lastLogLine = lines[lines.length - 1];
  print(output, `Last log lines of pod/${pod.name}${pod.restarted ? ' (previous instance)' : ''}:`, lines);
}

async function rollBack(kubectl: Kubectl, output: PipelineOutput, namespace: string, failure: RolloutFailure): Promise<void> {
  const undo = await kubectl.run(rolloutUndoArgs(failure.workload, namespace));
  if (undo.code === 0) {
    failure.rolledBack = true;
    return;
  }
  failure.undoError = failureReason(undo);
  output.warning(neutralizeLoggingCommands(`Could not roll back ${workloadName(failure.workload)}: ${failure.undoError}`));
}

/** The task's one sentence for failed rollouts: the first failure in full, the others counted. */
export function describeRolloutFailures(failures: readonly RolloutFailure[], timeoutSeconds: number): string {
  const [first, ...others] = failures;
  const cause: string[] = [];
  if (first.pod) cause.push(`pod ${first.pod} is ${first.podReason}`);
  if (first.event) cause.push(first.event);
  if (first.lastLogLine) cause.push(`last log line: ${JSON.stringify(first.lastLogLine)}`);
  const why = cause.length > 0 ? cause.join('; ') : first.status;
  const undo = first.rolledBack ? 'rolled back to the previous revision' : first.undoError ? `not rolled back (${first.undoError})` : 'not rolled back (rollbackOnFailure is false)';
  const more = others.length > 0 ? ` ${others.length} more workload(s) failed too: ${others.map((f) => workloadName(f.workload)).join(', ')}.` : '';
  return `${workloadName(first.workload)} did not roll out within ${timeoutSeconds} s (${why}); ${undo}.${more}`;
}

async function prune(kubectl: Kubectl, output: PipelineOutput, plan: DeployPlan, selector: string): Promise<string[]> {
  const listed = await kubectl.run(getAppObjectsArgs(PRUNE_RESOURCES, selector, plan.namespace), { quiet: true });
  if (listed.code !== 0) {
    throw new ToolError('kubectl', `Could not list the app's objects to prune (${selector}): ${failureReason(listed)}`, listed.code);
  }
  let items: ListedObject[];
  try {
    items = (JSON.parse(listed.stdout) as { items?: ListedObject[] }).items ?? [];
  } catch {
    throw new ToolError('kubectl', `kubectl get printed something other than JSON when listing the app's objects to prune (${selector}).`);
  }
  const planned = planPrune(items, plan.objects);
  checkPrune(items, plan.objects, planned, plan.allowLargePrune ?? false);
  for (const kept of planned.kept) {
    output.warning(`${kept} is no longer in the manifests but was kept: it holds data; delete it with kubectl once you are sure.`);
  }
  if (planned.delete.length === 0) {
    output.info(`Prune: no objects of ${selector} to delete.`);
    return [];
  }
  output.info(`Prune: deleting ${planned.delete.length} object(s) of ${selector} that the manifests no longer contain.`);
  const deleted = await kubectl.run(deleteArgs(planned.delete, plan.namespace));
  if (deleted.code !== 0) {
    throw new ToolError('kubectl', `The deployment succeeded but pruning failed: ${failureReason(deleted)}`, deleted.code);
  }
  return planned.delete;
}
