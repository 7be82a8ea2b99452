import { OuterloopError } from '../../common/errors';
import type { KubernetesObject } from '../objects';
import { objectKey } from './objects';

/** The namespaced resource types an app's objects can be, looked at when pruning. */
export const PRUNE_RESOURCES = [
  'configmaps',
  'cronjobs.batch',
  'daemonsets.apps',
  'deployments.apps',
  'horizontalpodautoscalers.autoscaling',
  'ingresses.networking.k8s.io',
  'jobs.batch',
  'networkpolicies.networking.k8s.io',
  'persistentvolumeclaims',
  'poddisruptionbudgets.policy',
  'secrets',
  'serviceaccounts',
  'services',
  'statefulsets.apps',
] as const;

/** Kinds never deleted by prune: a claim holds data, which a compose edit must not destroy. */
const KEPT_KINDS = new Set(['PersistentVolumeClaim']);

/** An object as `kubectl get -o json` lists it. */
export interface ListedObject {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; ownerReferences?: unknown[] };
}

/** What pruning will do. */
export interface PrunePlan {
  /** `deployment.apps/old`: what kubectl delete is given. */
  delete: string[];
  /** `PersistentVolumeClaim/data`: left in place on purpose, named in a warning. */
  kept: string[];
}

/** `deployment.apps/name` for a listed object: the kind with its API group, as kubectl names it. */
export function deleteRef(object: { apiVersion?: string; kind?: string; metadata?: { name?: string } }): string {
  const version = object.apiVersion ?? 'v1';
  const group = version.includes('/') ? version.split('/')[0] : '';
  return `${(object.kind ?? '').toLowerCase()}${group ? `.${group}` : ''}/${object.metadata?.name ?? ''}`;
}

/**
 * Which of the app's objects in the cluster (`existing`, already selected by its part-of label)
 * the new manifests no longer contain. Objects owned by another (a CronJob's Jobs) are left to
 * their owner. Pure.
 */
export function planPrune(existing: readonly ListedObject[], applied: readonly KubernetesObject[]): PrunePlan {
  const keep = new Set(applied.map(objectKey));
  const plan: PrunePlan = { delete: [], kept: [] };
  for (const item of existing) {
    const name = item.metadata?.name;
    if (!item.kind || !name) continue;
    if ((item.metadata?.ownerReferences ?? []).length > 0) continue;
    if (keep.has(`${item.kind}/${name}`)) continue;
    if (KEPT_KINDS.has(item.kind)) plan.kept.push(`${item.kind}/${name}`);
    else plan.delete.push(deleteRef(item));
  }
  plan.delete.sort();
  plan.kept.sort();
  return plan;
}

/** Kinds that run the app: a prune that leaves none of them would stop it. */
const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob']);

/** A prune that would empty or gut the running app; nothing was deleted. */
export class PruneRefusedError extends OuterloopError {}

/**
 * Refuses a prune that would delete the app rather than tidy it: when the new manifests hold no
 * workload at all (an empty project must never delete what runs), or when it would delete more
 * than half of the app's workloads in the cluster and `allowLargePrune` is off. Pure.
 */
export function checkPrune(
  existing: readonly ListedObject[],
  applied: readonly KubernetesObject[],
  plan: PrunePlan,
  allowLargePrune: boolean,
): void {
  if (plan.delete.length === 0) return;
  const sample = (refs: string[]): string => `${refs.slice(0, 5).join(', ')}${refs.length > 5 ? ', …' : ''}`;
  if (!applied.some((o) => WORKLOAD_KINDS.has(o.kind))) {
    throw new PruneRefusedError(
      `Prune refused: the new manifests hold no workload, and pruning would delete ${plan.delete.length} object(s) of the running app (${sample(plan.delete)}); check the compose files and profiles.`,
    );
  }
  const deleting = new Set(plan.delete);
  const workloads = existing.filter(
    (o) => o.kind && WORKLOAD_KINDS.has(o.kind) && o.metadata?.name && (o.metadata.ownerReferences ?? []).length === 0,
  );
  const doomed = workloads.map(deleteRef).filter((ref) => deleting.has(ref));
  if (!allowLargePrune && doomed.length * 2 > workloads.length) {
    throw new PruneRefusedError(
      `Prune refused: it would delete ${doomed.length} of the app's ${workloads.length} workloads (${sample(doomed)}); set the input allowLargePrune to true if that is intended.`,
    );
  }
}
