import type { KubernetesObject } from './objects';

/**
 * Metadata added to rendered objects after conversion: annotations on every object, annotations of
 * its own on each pod template, and a registry Secret in every pod template's imagePullSecrets. The
 * one mechanism for both the converter's `annotations` option and ComposeToK8s's traceability
 * annotations. What goes on a pod template restarts its pods when it changes, so only what is the
 * pod's own goes there (never a build number).
 */

type Json = Record<string, unknown>;

/** The value as a plain mapping, or undefined when it is not one. */
export function asRecord(value: unknown): Json | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
}

/** The pod template of a workload (`spec.template`, or a CronJob's `spec.jobTemplate.spec.template`). */
export function podTemplateOf(object: KubernetesObject): Json | undefined {
  const spec = asRecord(object['spec']);
  if (object.kind === 'CronJob') return asRecord(asRecord(asRecord(spec?.['jobTemplate'])?.['spec'])?.['template']);
  return asRecord(spec?.['template']);
}

/** What {@link decorateObjects} adds. */
export interface Decoration {
  /** Added to every object's metadata.annotations (not to pod templates: a change would restart every pod). */
  annotations: Record<string, string>;
  /** Annotations of one pod template, from the template itself (its own images, say). */
  podAnnotations?: (template: Json) => Record<string, string>;
  /**
   * Objects whose own metadata gets the pod template's annotations instead of `annotations`: a
   * Deployment copies its annotations to its ReplicaSets, so a per-release value there would bump
   * its generation on every release even when nothing in it changed.
   */
  podAnnotationsOnly?: (object: KubernetesObject) => boolean;
  /** A Secret name added to every pod template's imagePullSecrets. */
  imagePullSecret?: string;
}

/**
 * Returns copies of `objects` with the annotations on every object and each pod template's own
 * annotations on it (they win over annotations of the same key already there), and the registry
 * Secret in every pod template's imagePullSecrets. Never mutates its input.
 */
export function decorateObjects(objects: readonly KubernetesObject[], decoration: Decoration): KubernetesObject[] {
  return objects.map((original) => {
    const object = structuredClone(original) as KubernetesObject;
    const template = podTemplateOf(object);
    const own = template ? (decoration.podAnnotations?.(template) ?? {}) : {};
    const onObject = decoration.podAnnotationsOnly?.(object) ? own : decoration.annotations;
    object.metadata.annotations = { ...(object.metadata.annotations ?? {}), ...onObject };
    if (template) {
      if (Object.keys(own).length > 0) {
        const metadata = (asRecord(template['metadata']) ?? {}) as Json;
        metadata['annotations'] = { ...((asRecord(metadata['annotations']) ?? {}) as Record<string, string>), ...own };
        template['metadata'] = metadata;
      }
      if (decoration.imagePullSecret) {
        const spec = (asRecord(template['spec']) ?? {}) as Json;
        const secrets = Array.isArray(spec['imagePullSecrets']) ? (spec['imagePullSecrets'] as Array<{ name?: string }>) : [];
        if (!secrets.some((s) => s?.name === decoration.imagePullSecret))
          spec['imagePullSecrets'] = [...secrets, { name: decoration.imagePullSecret }];
        template['spec'] = spec;
      }
    }
    return object;
  });
}
