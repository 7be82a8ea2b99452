import type { PipelineVariables } from '../pipeline/interfaces';
import { join } from 'node:path';
import type { RegistryCredentials } from '../docker/registry-credentials';
import type { DigestFile } from '../digests/digest-file';
import { ANNOTATIONS, runTraceability } from '../digests/traceability';
import { labelSelector, type WorkloadRef } from '../k8s/apply/commands';
import { decorateObjects } from '../k8s/decorate';
import { jobsOf, namespaceObject, workloadsOf } from '../k8s/apply/objects';
import { formatManifests } from '../k8s/manifests';
import { registrySecretObject } from '../k8s/apply/registry-secret';
import { splitSecrets } from '../k8s/secrets';
import type { RenderResult } from '../k8s/convert';
import type { KubernetesObject, RenderedImage } from '../k8s/objects';

/** ComposeToK8s@1's planners: pure, facts in, manifests and decisions out. */

const PART_OF = 'app.kubernetes.io/part-of';
const MANAGED_BY = 'app.kubernetes.io/managed-by';

/**
 * The traceability annotations: the run that deploys, the build number and commit the images come
 * from (the digest file's, else this run's), and every pinned image (`service=repo@sha256:…`).
 */
export function traceabilityAnnotations(
  v: PipelineVariables,
  digests: DigestFile | undefined,
  images: readonly RenderedImage[],
): Record<string, string> {
  const annotations = runTraceability(v, digests);
  const pinned = images
    .filter((i) => i.pinned)
    .map((i) => `${i.service}=${i.resolved}`)
    .sort();
  if (pinned.length > 0) annotations[ANNOTATIONS.images] = pinned.join(',');
  return annotations;
}

/**
 * The annotations of one pod template: `outerloop.io/image-digests` with the pinned images its own
 * containers run (`service=repo@sha256:…`), so a release changes it only when one of them changes.
 */
export function podImageAnnotations(template: Record<string, unknown>, images: readonly RenderedImage[]): Record<string, string> {
  const spec = (template['spec'] ?? {}) as { containers?: Array<{ image?: string }>; initContainers?: Array<{ image?: string }> };
  const running = new Set([...(spec.initContainers ?? []), ...(spec.containers ?? [])].map((c) => c.image));
  const own = images
    .filter((i) => i.pinned && running.has(i.resolved))
    .map((i) => `${i.service}=${i.resolved}`)
    .sort();
  return own.length > 0 ? { [ANNOTATIONS.images]: own.join(',') } : {};
}

/** The images this project builds that did not end up pinned by digest, in service order. */
export function unpinnedBuiltImages(images: readonly RenderedImage[]): RenderedImage[] {
  return images.filter((i) => i.built && !i.pinned).sort((a, b) => a.service.localeCompare(b.service));
}

/** The value of the app's part-of label: what the converter put on its objects, else the project name. */
export function appLabelValue(result: Pick<RenderResult, 'objects' | 'projectName'>): string {
  for (const o of result.objects) {
    const value = o.metadata.labels?.[PART_OF];
    if (value) return value;
  }
  return result.projectName;
}

/** The name of the registry pull Secret of an app: a valid DNS-1123 name. */
export function pullSecretName(app: string): string {
  const base =
    app
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 200) || 'app';
  return `${base}-registry`;
}

/** Where the manifests file goes: its own folder, published as the artifact. */
export function manifestsPath(stagingDir: string, artifactName: string | undefined, namespace: string): string {
  return join(stagingDir, 'outerloop-k8s', artifactName ?? namespace, 'manifests.yaml');
}

/** What the planner is given. */
export interface ManifestsFacts {
  render: Pick<RenderResult, 'objects' | 'projectName' | 'images'>;
  namespace: string;
  createNamespace: boolean;
  registry?: RegistryCredentials;
  annotations: Record<string, string>;
  prune: boolean;
}

/** What the task writes and applies. */
export interface ManifestsPlan {
  /** The compose secrets' Secrets, kept out of the file, the artifact and the log: applied only. */
  withheldSecrets: string[];
  /** The manifests file and artifact: the app's objects, decorated. Never holds a password or a compose secret. */
  fileObjects: KubernetesObject[];
  fileYaml: string;
  /** What kubectl applies: the Namespace (createNamespace), the registry Secret, then the app. */
  applyObjects: KubernetesObject[];
  applyYaml: string;
  workloads: WorkloadRef[];
  /** Jobs to delete before the apply (see {@link jobsOf}). */
  recreate: string[];
  /** The app's selector for pruning; undefined when prune is off. */
  pruneSelector?: string;
}

/**
 * Decorates the converter's objects (traceability annotations on the objects, each pod's own image
 * digests on its template; the registry Secret as imagePullSecret) and adds what only the cluster
 * gets: the Namespace, the registry Secret with its password and the compose secrets' Secrets,
 * which therefore stay out of the manifests file and the artifact.
 */
export function planManifests(facts: ManifestsFacts): ManifestsPlan {
  const app = appLabelValue(facts.render);
  const labels = { [PART_OF]: app, [MANAGED_BY]: 'outerloop' };
  const secretName = facts.registry ? pullSecretName(app) : undefined;
  const podAnnotations = (template: Record<string, unknown>): Record<string, string> => podImageAnnotations(template, facts.render.images);
  const { secrets, others } = splitSecrets(facts.render.objects);
  const fileObjects = decorateObjects(others, {
    annotations: facts.annotations,
    podAnnotations,
    podAnnotationsOnly: (o) => o.kind === 'Deployment',
    imagePullSecret: secretName,
  });
  const extra: KubernetesObject[] = [];
  if (facts.createNamespace) extra.push(namespaceObject(facts.namespace, { [MANAGED_BY]: 'outerloop' }));
  if (facts.registry && secretName) extra.push(registrySecretObject(secretName, facts.registry, labels));
  // Every object the task applies carries the traceability annotations, these included; compose
  // secrets' Secrets, like the registry Secret, go only to kubectl's stdin.
  const decoratedExtra = decorateObjects([...extra, ...secrets], { annotations: facts.annotations });
  const applyObjects = [...decoratedExtra, ...fileObjects];
  return {
    withheldSecrets: secrets.map((o) => o.metadata.name),
    fileObjects,
    fileYaml: formatManifests(fileObjects),
    applyObjects,
    applyYaml: formatManifests(applyObjects),
    workloads: workloadsOf(fileObjects),
    recreate: jobsOf(fileObjects),
    pruneSelector: facts.prune ? labelSelector({ [PART_OF]: app }) : undefined,
  };
}
