import type { KubernetesObject } from '../render';
import type { WorkloadRef } from './commands';

/** Pure helpers over rendered objects: pod templates, workloads and decoration (YAML: ../order's formatManifests). */

type Json = Record<string, unknown>;

const ROLLOUT_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet']);

function asRecord(value: unknown): Json | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
}

/** The pod template of a workload (`spec.template`, or a CronJob's `spec.jobTemplate.spec.template`). */
export function podTemplateOf(object: KubernetesObject): Json | undefined {
  const spec = asRecord(object['spec']);
  if (object.kind === 'CronJob') return asRecord(asRecord(asRecord(spec?.['jobTemplate'])?.['spec'])?.['template']);
  return asRecord(spec?.['template']);
}

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

/** What {@link decorateObjects} adds. */
export interface Decoration {
  /** Added to every object's and every pod template's metadata.annotations. */
  annotations: Record<string, string>;
  /** A Secret name added to every pod template's imagePullSecrets. */
  imagePullSecret?: string;
}

/**
 * Returns copies of `objects` with the traceability annotations on every object and pod template,
 * and the registry Secret in every pod template's imagePullSecrets. Never mutates its input.
 */
export function decorateObjects(objects: readonly KubernetesObject[], decoration: Decoration): KubernetesObject[] {
  return objects.map((original) => {
    const object = structuredClone(original) as KubernetesObject;
    object.metadata.annotations = { ...(object.metadata.annotations ?? {}), ...decoration.annotations };
    const template = podTemplateOf(object);
    if (template) {
      const metadata = (asRecord(template['metadata']) ?? {}) as Json;
      metadata['annotations'] = { ...((asRecord(metadata['annotations']) ?? {}) as Record<string, string>), ...decoration.annotations };
      template['metadata'] = metadata;
      if (decoration.imagePullSecret) {
        const spec = (asRecord(template['spec']) ?? {}) as Json;
        const secrets = Array.isArray(spec['imagePullSecrets']) ? (spec['imagePullSecrets'] as Array<{ name?: string }>) : [];
        if (!secrets.some((s) => s?.name === decoration.imagePullSecret)) spec['imagePullSecrets'] = [...secrets, { name: decoration.imagePullSecret }];
        template['spec'] = spec;
      }
    }
    return object;
  });
}

/** A Namespace object, for createNamespace. */
export function namespaceObject(name: string, labels: Record<string, string>): KubernetesObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { ...labels } } };
}

/** `Deployment/api, Service/api`: the log's and the output variable's list of objects. */
export function describeObjects(objects: readonly KubernetesObject[]): string[] {
  return objects.map(objectKey);
}
