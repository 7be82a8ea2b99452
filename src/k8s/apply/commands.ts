/**
 * The kubectl command lines of a deployment, as argv arrays (pure). The kubeconfig and context
 * flags are added by the {@link Kubectl} port.
 */

/** The field manager every apply uses, so that later applies own (and can drop) the same fields. */
const FIELD_MANAGER = 'outerloop';

/** A workload whose rollout kubectl can watch and undo. */
export interface WorkloadRef {
  /** `Deployment`, `StatefulSet` or `DaemonSet`. */
  kind: string;
  name: string;
  /** `spec.selector.matchLabels`, to find its pods. */
  matchLabels: Record<string, string>;
}

/** `deployment/api`: how kubectl names a workload. */
export function workloadName(w: { kind: string; name: string }): string {
  return `${w.kind.toLowerCase()}/${w.name}`;
}

/** The API server's readiness, a read every authenticated user may make (system:public-info-viewer). */
export function readyzArgs(): string[] {
  return ['get', '--raw', '/readyz'];
}

/** Server-side apply of every object, read from stdin, in one call. */
export function applyArgs(namespace: string): string[] {
  return ['apply', '--server-side', `--field-manager=${FIELD_MANAGER}`, '--force-conflicts', '--namespace', namespace, '--filename', '-'];
}

/** The same apply as {@link applyArgs}, validated by the API server and persisted nowhere. */
export function dryRunArgs(namespace: string): string[] {
  return [...applyArgs(namespace), '--dry-run=server'];
}

/** Whether a namespace exists: prints its name, or fails with NotFound. */
export function getNamespaceArgs(namespace: string): string[] {
  return ['get', 'namespace', namespace, '--output=name'];
}

/** Waits for one workload's rollout, never longer than `timeoutSeconds`. */
export function rolloutStatusArgs(w: WorkloadRef, namespace: string, timeoutSeconds: number): string[] {
  return ['rollout', 'status', workloadName(w), '--namespace', namespace, `--timeout=${Math.max(1, Math.ceil(timeoutSeconds))}s`];
}

/** Rolls a workload back to its previous revision. */
export function rolloutUndoArgs(w: WorkloadRef, namespace: string): string[] {
  return ['rollout', 'undo', workloadName(w), '--namespace', namespace];
}

/** A label selector string: `a=1,b=2`, keys sorted. */
export function labelSelector(labels: Record<string, string>): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k]}`)
    .join(',');
}

/** The pods a workload selects, as JSON. */
export function getPodsArgs(w: WorkloadRef, namespace: string): string[] {
  return ['get', 'pods', '--namespace', namespace, '--selector', labelSelector(w.matchLabels), '--output=json'];
}

/** The events about one object (a pod, or the workload when it has no pods), as JSON. */
export function getEventsArgs(kind: string, name: string, namespace: string): string[] {
  return [
    'get',
    'events',
    '--namespace',
    namespace,
    '--field-selector',
    `involvedObject.kind=${kind},involvedObject.name=${name}`,
    '--output=json',
  ];
}

/** The last lines a pod's containers printed (the previous instance's when it restarted). */
export function logsArgs(pod: string, namespace: string, tail: number, previous: boolean): string[] {
  return [
    'logs',
    `pod/${pod}`,
    '--namespace',
    namespace,
    '--all-containers',
    '--prefix',
    `--tail=${tail}`,
    ...(previous ? ['--previous'] : []),
  ];
}

/** The app's objects of the given resource types, by their part-of label, as JSON. */
export function getAppObjectsArgs(resources: readonly string[], selector: string, namespace: string): string[] {
  return ['get', resources.join(','), '--namespace', namespace, '--selector', selector, '--output=json'];
}

/** Deletes Jobs about to be created again, waiting (never forever) until they are gone; their pods go in the background. */
export function deleteJobsArgs(refs: readonly string[], namespace: string, timeoutSeconds: number): string[] {
  return [
    'delete',
    ...refs,
    '--namespace',
    namespace,
    '--ignore-not-found',
    '--wait=true',
    `--timeout=${Math.max(1, Math.ceil(timeoutSeconds))}s`,
  ];
}

/** Deletes named objects (`deployment.apps/old`). */
export function deleteArgs(refs: readonly string[], namespace: string): string[] {
  return ['delete', ...refs, '--namespace', namespace, '--ignore-not-found', '--wait=false'];
}
