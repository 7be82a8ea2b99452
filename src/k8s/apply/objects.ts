import { asRecord } from '../decorate';
import type { KubernetesObject } from '../objects';
import type { WorkloadRef } from './commands';

/** Pure helpers over rendered objects for the deploy: workloads, Jobs, the Namespace, names (decoration: ../decorate; YAML: ../order). */

const ROLLOUT_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet']);

/** `kind/name`, the identity of an object within a namespace. */
export function objectKey(object: { kind: string; metadata: { name: string } }): string {
  return `${object.kind}/${object.metadata.name}`;
}

/** The workloads whose rollout is watched (Deployments, StatefulSets, DaemonSets), in order. */
export function workloadsOf(objects: readonly KubernetesObject[]): WorkloadRef[] {
  return objects
    .filter((o) => ROLLOUT_KINDS.has(o.kind))
    .map((o) => {
      const selector = asRecord(asRecord(o['spec'])?.['selector']);
      const matchLabels = (asRecord(selector?.['matchLabels']) ?? {}) as Record<string, string>;
      return { kind: o.kind, name: o.metadata.name, matchLabels: { ...matchLabels } };
    });
}

/**
 * The Jobs among `objects`, as kubectl names them (`job.batch/migrate`). A Job's pod template is
 * immutable, so a changed Job cannot be applied over the old one: it is deleted and created again.
 */
export function jobsOf(objects: readonly KubernetesObject[]): string[] {
  return objects.filter((o) => o.kind === 'Job').map((o) => `job.batch/${o.metadata.name}`);
}

/** A Namespace object, for createNamespace. */
export function namespaceObject(name: string, labels: Record<string, string>): KubernetesObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { ...labels } } };
}

/** `Deployment/api, Service/api`: the log's and the output variable's list of objects. */
export function describeObjects(objects: readonly KubernetesObject[]): string[] {
  return objects.map(objectKey);
}
