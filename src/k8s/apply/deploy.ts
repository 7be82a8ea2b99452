import { forEachConcurrently } from '../../common/concurrency';
import { ToolError } from '../../common/errors';
import type { PipelineOutput } from '../../pipeline/interfaces';
import { neutralizeLoggingCommands } from '../../process/neutralize';
import { failureReason, lastLines, type ExecResult } from '../../process/runner';
import { formatManifests } from '../manifests';
import type { KubernetesObject } from '../objects';
import {
  applyArgs,
  deleteArgs,
  deleteJobsArgs,
  dryRunArgs,
  getAppObjectsArgs,
  getEventsArgs,
  getNamespaceArgs,
  getPodsArgs,
  logsArgs,
  readyzArgs,
  rolloutStatusArgs,
  rolloutUndoArgs,
  workloadName,
  type WorkloadRef,
} from './commands';
import { formatEvents, keyEvent, pickFailingPod, type ListedEvent, type ListedPod } from './diagnose';
import type { Kubectl } from './kubectl';
import { PRUNE_RESOURCES, checkPrune, planPrune, type ListedObject } from './prune';

/** What to do on the Kubernetes cluster: everything decided beforehand, by the planner. */
export interface ClusterDeployPlan {
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

/** How many `kubectl rollout status` watches run at once. */
const ROLLOUT_WATCH_CONCURRENCY = 8;
/** The least a watch started after the deadline gets: enough to see a workload that is already ready. */
const LATE_WATCH_SECONDS = 5;

/** What kubectl rollout undo says of a workload with a single revision (Deployment; StatefulSet, DaemonSet). */
const FIRST_REVISION = /no rollout history found|no last revision to roll back to|unable to find specified revision|no revision found/i;

/**
 * Applies the plan with kubectl: one server-side apply of every object, then each workload's
 * rollout within the timeout; on a failed rollout the failing pod's events and last log lines are
 * printed and the workload is rolled back (when asked); then the app's objects the manifests no
 * longer contain are pruned. Throws {@link ToolError} with one sentence on any failure.
 */
export async function deployToCluster(
  plan: ClusterDeployPlan,
  deps: { kubectl: Kubectl; output: PipelineOutput; now?: () => number },
): Promise<DeployReport> {
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
  const failed = new Map<WorkloadRef, RolloutFailure>();
  // Side by side, so one workload that never becomes ready cannot use up the time of the others.
  const watched = forEachConcurrently(plan.workloads, ROLLOUT_WATCH_CONCURRENCY, async (workload) => {
    // Each watch gets what is left of the deadline, and so do its requests (a server that stops
    // answering cannot hold it past the deadline); one started late still gets a short look.
    const remaining = Math.max(LATE_WATCH_SECONDS, (deadline - now()) / 1000);
    const status = await kubectl.run(rolloutStatusArgs(workload, plan.namespace, remaining), { timeoutSeconds: remaining + 1 });
    if (status.code !== 0) failed.set(workload, { workload, status: failureReason(status), rolledBack: false });
  });
  // What prune will compare with the manifests is listed meanwhile; it deletes only after every rollout succeeded.
  const selector = plan.pruneSelector;
  const listing = selector
    ? kubectl.run(getAppObjectsArgs(PRUNE_RESOURCES, selector, plan.namespace), { quiet: true, timeoutSeconds: plan.rolloutTimeoutSeconds })
    : undefined;
  const [, listed] = await Promise.all([watched, listing]);
  const failures = plan.workloads.flatMap((w) => failed.get(w) ?? []);

  if (failures.length > 0) {
    const unanswered = await probeCluster(kubectl);
    if (unanswered) throw new ToolError('kubectl', describeUnansweredCluster(failures[0].workload, unanswered, plan.server));
    for (const failure of failures) {
      await explainFailure(kubectl, output, plan.namespace, failure);
      if (plan.rollbackOnFailure) await rollBack(kubectl, output, plan.namespace, failure);
    }
    throw new ToolError('kubectl', describeRolloutFailures(failures, plan.rolloutTimeoutSeconds));
  }

  const pruned = selector && listed ? await prune(kubectl, output, plan, selector, listed) : [];
  return { pruned };
}

/** The namespace a dry run validates in when the target does not exist yet (createNamespace). */
const DRY_RUN_FALLBACK_NAMESPACE = 'default';

/**
 * Render's check against a cluster: the apply as a server-side dry run, so a manifest the API
 * server would refuse (an immutable field, a denied permission, an invalid value) fails the render,
 * while nothing is persisted. A namespace that does not exist yet cannot hold a dry run's objects:
 * they are validated in `default` instead, and the log says so. Throws {@link ToolError}.
 */
export async function dryRunOnCluster(
  plan: Pick<ClusterDeployPlan, 'namespace' | 'objects' | 'server'>,
  deps: { kubectl: Kubectl; output: PipelineOutput },
): Promise<void> {
  const { kubectl, output } = deps;
  let namespace = plan.namespace;
  let objects = plan.objects;
  const exists = await kubectl.run(getNamespaceArgs(namespace), { quiet: true });
  if (exists.code !== 0) {
    if (!/NotFound|not found/.test(exists.stderr))
      throw new ToolError('kubectl', describeApplyFailure(exists, plan.server, 'dry-run'), exists.code);
    output.info(
      `Namespace ${namespace} does not exist yet: the server-side dry run validates the objects in namespace ${DRY_RUN_FALLBACK_NAMESPACE} instead.`,
    );
    namespace = DRY_RUN_FALLBACK_NAMESPACE;
    objects = objects.map((o) => (o.metadata.namespace === undefined ? o : { ...o, metadata: { ...o.metadata, namespace } }));
  }
  output.info(
    `Validating the manifests with a server-side dry run (kubectl apply --dry-run=server) against ${plan.server ?? 'the cluster'}.`,
  );
  const result = await kubectl.run(dryRunArgs(namespace), { stdin: formatManifests(objects) });
  if (result.code !== 0) throw new ToolError('kubectl', describeApplyFailure(result, plan.server, 'dry-run'), result.code);
}

/** Where an apply failed: the deployment's own apply, or render's server-side dry run. */
export type ApplyMode = 'apply' | 'dry-run';

/**
 * One sentence for a failed apply: an unreachable cluster, refused credentials or permissions, an
 * immutable field, or other rejected objects.
 */
export function describeApplyFailure(result: ExecResult, server?: string, mode: ApplyMode = 'apply'): string {
  const text = result.stderr || result.stdout;
  const lines = lastLines(text, 50);
  const detail =
    lines.find((l) => /^Error from server|^error:|Unable to connect|was refused/i.test(l)) ??
    lines[lines.length - 1] ??
    `exit code ${result.code}`;
  const at = server ? ` at ${server}` : '';
  const stopped = mode === 'apply' ? 'so the deployment stopped' : 'so the server-side dry run could not validate the manifests';
  if (
    /Unable to connect to the server|connection to the server .* was refused|dial tcp|no such host|i\/o timeout|connection refused|x509:|tls:/i.test(
      detail,
    )
  ) {
    return mode === 'apply'
      ? `Could not reach the Kubernetes cluster${at}, so nothing was applied: ${detail}`
      : `Could not reach the Kubernetes cluster${at} for the server-side dry run of the manifests: ${detail}`;
  }
  if (/context deadline exceeded|Client\.Timeout exceeded|TLS handshake timeout|Timeout: the server/i.test(detail)) {
    return `The Kubernetes cluster${at} did not answer in time, ${stopped}: ${detail}`;
  }
  if (/Unauthorized|must be logged in|\(Forbidden\)|is forbidden:/i.test(detail)) {
    return `The Kubernetes cluster${at} refused the credentials or their permissions, ${stopped}: ${detail}`;
  }
  const missing = /namespaces "([^"]+)" not found/.exec(text)?.[1];
  if (missing) {
    return mode === 'apply'
      ? `Namespace ${missing} does not exist on the Kubernetes cluster${at}, so nothing was applied: create it, or set createNamespace to true.`
      : `Namespace ${missing} does not exist on the Kubernetes cluster${at}, so the server-side dry run could not validate the manifests.`;
  }
  const immutable = describeImmutableField(text);
  if (immutable) {
    return mode === 'apply'
      ? `${immutable}; no rollout was started.`
      : `The server-side dry run against the Kubernetes API server${at} refused the manifests: ${immutable}.`;
  }
  return mode === 'apply'
    ? `The Kubernetes API server${at} rejected the manifests, so no rollout was started: ${detail}`
    : `The server-side dry run against the Kubernetes API server${at} refused the manifests: ${detail}`;
}

const INVALID_OBJECT = /([A-Z][A-Za-z]*)(?:\.[a-z0-9.-]+)? "([^"]+)" is invalid: (.*)$/m;
const IMMUTABLE = /field is immutable|is immutable|may not change once set|may not be changed/i;

/**
 * `PersistentVolumeClaim/data cannot be changed in place: spec.storageClassName is immutable …`,
 * from the API server's "is invalid" error, or undefined when the error is about something else.
 * Where the server names only `spec`, the field is read from the diff it prints below (`- "Field": …`).
 */
function describeImmutableField(text: string): string | undefined {
  const match = INVALID_OBJECT.exec(text);
  if (!match) return undefined;
  const [, kind, name, causes] = match;
  const cause = causes.split(/, (?=[a-z][\w.[\]]*: )/).find((c) => IMMUTABLE.test(c));
  if (!cause) return undefined;
  let path = /^([\w.[\]]+):/.exec(cause)?.[1] ?? 'a field';
  const changed = /^-\s+"?([A-Z]\w*)"?:/m.exec(text.slice(match.index))?.[1];
  if (changed && !path.includes('.')) path = `${path}.${changed[0].toLowerCase()}${changed.slice(1)}`;
  const what = kind === 'PersistentVolumeClaim' ? ' (deleting a claim deletes its data)' : '';
  return `${kind}/${name} cannot be changed in place: ${path} is immutable, so change it back, or delete the object${what} and deploy again`;
}

/** How long the health probe after a failed rollout, and each diagnostic request after it, may take. */
const PROBE_TIMEOUT_SECONDS = 5;
const DIAGNOSE_TIMEOUT_SECONDS = 15;

/**
 * Asks the API server whether it is ready, within {@link PROBE_TIMEOUT_SECONDS}: after a failed
 * rollout, tells a cluster that stopped answering from a workload that did not become ready.
 * Returns why it did not answer, or undefined when it did.
 */
async function probeCluster(kubectl: Kubectl): Promise<string | undefined> {
  const result = await kubectl.run(readyzArgs(), { quiet: true, timeoutSeconds: PROBE_TIMEOUT_SECONDS });
  return result.code === 0 ? undefined : failureReason(result);
}

/** The one sentence when the cluster stopped answering while a rollout was watched. */
function describeUnansweredCluster(workload: WorkloadRef, detail: string, server?: string): string {
  const at = server ? ` at ${server}` : '';
  return `The Kubernetes cluster${at} stopped answering during the rollout of ${workloadName(workload)}, so whether it finished is unknown and nothing was rolled back: ${detail}`;
}

async function runJson<T>(kubectl: Kubectl, args: string[]): Promise<T | undefined> {
  const result = await kubectl.run(args, { quiet: true, timeoutSeconds: DIAGNOSE_TIMEOUT_SECONDS });
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
  const logs = await kubectl.run(logsArgs(pod.name, namespace, LOG_TAIL, pod.restarted), {
    quiet: true,
    timeoutSeconds: DIAGNOSE_TIMEOUT_SECONDS,
  });
  const lines = lastLines(logs.code === 0 ? logs.stdout : logs.stderr || logs.stdout, LOG_TAIL);
  if (logs.code === 0) failure.lastLogLine = lines[lines.length - 1];
  print(output, `Last log lines of pod/${pod.name}${pod.restarted ? ' (previous instance)' : ''}:`, lines);
}

async function rollBack(kubectl: Kubectl, output: PipelineOutput, namespace: string, failure: RolloutFailure): Promise<void> {
  const undo = await kubectl.run(rolloutUndoArgs(failure.workload, namespace), { timeoutSeconds: DIAGNOSE_TIMEOUT_SECONDS });
  if (undo.code === 0) {
    failure.rolledBack = true;
    return;
  }
  const reason = failureReason(undo);
  failure.undoError = FIRST_REVISION.test(reason) ? 'it was the first revision deployed, so there is no previous one to return to' : reason;
  output.warning(neutralizeLoggingCommands(`Could not roll back ${workloadName(failure.workload)}: ${failure.undoError}`));
}

/** The task's one sentence for failed rollouts: the first failure in full, the others counted. */
function describeRolloutFailures(failures: readonly RolloutFailure[], timeoutSeconds: number): string {
  const [first, ...others] = failures;
  const cause: string[] = [];
  if (first.pod) cause.push(`pod ${first.pod} is ${first.podReason}`);
  if (first.event) cause.push(first.event);
  if (first.lastLogLine) cause.push(`last log line: ${JSON.stringify(first.lastLogLine)}`);
  const why = cause.length > 0 ? cause.join('; ') : first.status;
  const undo = first.rolledBack
    ? 'rolled back to the previous revision'
    : first.undoError
      ? `not rolled back (${first.undoError})`
      : 'not rolled back (rollbackOnFailure is false)';
  const more =
    others.length > 0 ? ` ${others.length} more workload(s) failed too: ${others.map((f) => workloadName(f.workload)).join(', ')}.` : '';
  return `${workloadName(first.workload)} did not roll out within ${timeoutSeconds} s (${why}); ${undo}.${more}`;
}

async function prune(
  kubectl: Kubectl,
  output: PipelineOutput,
  plan: ClusterDeployPlan,
  selector: string,
  listed: ExecResult,
): Promise<string[]> {
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
