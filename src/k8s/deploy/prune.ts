import type { KubernetesObject } from '../render';
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
