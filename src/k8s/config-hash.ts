import { createHash } from 'node:crypto';
import { asRecord, podTemplateOf } from './decorate';
import type { KubernetesObject } from './objects';

/**
 * The pod template's `outerloop.io/config-hash`: a hash of the data of the ConfigMaps and Secrets
 * among the rendered objects that the pod uses (volumes, envFrom, env valueFrom). A change in one
 * of them changes only the templates of the pods that use it, so only those pods restart (a
 * Deployment does not notice a changed ConfigMap by itself).
 */

/** The annotation key. */
const CONFIG_HASH_ANNOTATION = 'outerloop.io/config-hash';

type Json = Record<string, unknown>;

/** `ConfigMap/name` and `Secret/name` of every object a pod spec refers to, sorted. */
export function podConfigReferences(podSpec: Json): string[] {
  const refs = new Set<string>();
  for (const volume of (podSpec['volumes'] as Json[] | undefined) ?? []) {
    const configMap = asRecord(volume['configMap']);
    const secret = asRecord(volume['secret']);
    if (typeof configMap?.['name'] === 'string') refs.add(`ConfigMap/${configMap['name']}`);
    if (typeof secret?.['secretName'] === 'string') refs.add(`Secret/${secret['secretName']}`);
    for (const source of (asRecord(volume['projected'])?.['sources'] as Json[] | undefined) ?? []) {
      const c = asRecord(source['configMap']);
      const s = asRecord(source['secret']);
      if (typeof c?.['name'] === 'string') refs.add(`ConfigMap/${c['name']}`);
      if (typeof s?.['name'] === 'string') refs.add(`Secret/${s['name']}`);
    }
  }
  const containers = [
    ...((podSpec['initContainers'] as Json[] | undefined) ?? []),
    ...((podSpec['containers'] as Json[] | undefined) ?? []),
  ];
  for (const container of containers) {
    for (const from of (container['envFrom'] as Json[] | undefined) ?? []) {
      const c = asRecord(from['configMapRef']);
      const s = asRecord(from['secretRef']);
      if (typeof c?.['name'] === 'string') refs.add(`ConfigMap/${c['name']}`);
      if (typeof s?.['name'] === 'string') refs.add(`Secret/${s['name']}`);
    }
    for (const env of (container['env'] as Json[] | undefined) ?? []) {
      const from = asRecord(env['valueFrom']);
      const c = asRecord(from?.['configMapKeyRef']);
      const s = asRecord(from?.['secretKeyRef']);
      if (typeof c?.['name'] === 'string') refs.add(`ConfigMap/${c['name']}`);
      if (typeof s?.['name'] === 'string') refs.add(`Secret/${s['name']}`);
    }
  }
  return [...refs].sort();
}

/**
 * Adds `outerloop.io/config-hash` to the template of every workload that uses a ConfigMap or Secret
 * among `objects` (external ones are not known here and do not count). Mutates the objects given.
 */
export function addConfigHashes(objects: KubernetesObject[]): void {
  const data = new Map<string, unknown>();
  for (const o of objects) {
    if (o.kind === 'ConfigMap' || o.kind === 'Secret')
      data.set(`${o.kind}/${o.metadata.name}`, [o['data'] ?? {}, o['binaryData'] ?? {}, o['stringData'] ?? {}]);
  }
  for (const object of objects) {
    const template = podTemplateOf(object);
    const spec = asRecord(template?.['spec']);
    if (!template || !spec) continue;
    const used = podConfigReferences(spec).filter((ref) => data.has(ref));
    if (used.length === 0) continue;
    const hash = createHash('sha256');
    for (const ref of used) hash.update(JSON.stringify([ref, data.get(ref)])).update('\n');
    const metadata = (asRecord(template['metadata']) ?? {}) as Json;
    metadata['annotations'] = {
      ...((asRecord(metadata['annotations']) ?? {}) as Record<string, string>),
      [CONFIG_HASH_ANNOTATION]: hash.digest('hex'),
    };
    template['metadata'] = metadata;
  }
}
