import type { KubernetesObject } from './objects';
import { emitYaml } from './yaml-emit';

/** Deterministic output: objects in kind order then name, keys sorted, one YAML document each. */

/** The order kinds are written (and applied) in: what others depend on comes first. */
const KIND_ORDER = [
  'Namespace',
  'ServiceAccount',
  'Role',
  'RoleBinding',
  'Secret',
  'ConfigMap',
  'PersistentVolumeClaim',
  'Service',
  'Deployment',
  'StatefulSet',
  'DaemonSet',
  'Job',
  'CronJob',
  'Ingress',
];

function rank(kind: string): number {
  const i = KIND_ORDER.indexOf(kind);
  return i < 0 ? KIND_ORDER.length : i;
}

/** Sorts objects by kind order, then name (a new array). */
export function sortObjects(objects: KubernetesObject[]): KubernetesObject[] {
  return [...objects].sort(
    (a, b) => rank(a.kind) - rank(b.kind) || (a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0),
  );
}

/**
 * Multi-document YAML of `objects` in their order, keys sorted, no line folding: byte-identical for
 * equal input. The one writer of manifests (converter, ComposeToK8s's file and apply, `convert`).
 */
export function formatManifests(objects: readonly KubernetesObject[]): string {
  return objects.map((o) => `---\n${emitYaml(o)}`).join('');
}
