import { InputError, OuterloopError } from '../common/errors';
import { readBoundedFile } from '../common/fs';
import { loadComposeProject } from '../compose/load';
import type { ComposeProject } from '../compose/model';
import type { ComposeSource } from '../compose/source';
import type { DigestFile } from '../digests/digest-file';
import { readBindSources } from './bind-sources';
import type { ExposedPort } from '../docker/engine';
import type { ImagePortsLookup } from './image-ports';
import { decorateObjects } from './decorate';
import { parseImageReference, ReferenceFormatError } from '../docker/reference';
import { dnsLabelProblem, labelKeyProblem } from './names';
import { formatManifests, sortObjects } from './manifests';
import type { KubernetesObject, RenderedImage } from './objects';
import { servicesNeedingImagePorts } from './reachability';
import { transformProject } from './transform';
import { validateObjects } from './validate';

/**
 * The converter's entry, shared by ComposeToK8s@1 and `outerloop convert`: compose files in,
 * deterministic manifests out. It reads what the pure transformer (transform.ts) needs from disk
 * and the engine, then decorates, sorts (manifests.ts) and validates what it returns.
 */

/** What to convert and how. */
export interface RenderOptions {
  /** The compose project to convert. */
  source: ComposeSource;
  /** PushDigest's image-digests.json: images are pinned `repo@sha256:…` from it. */
  digests?: DigestFile;
  namespace?: string;
  /** Turns every warning into an error. */
  strict?: boolean;
  /** Default Service type for published ports. */
  serviceType?: 'ClusterIP' | 'NodePort' | 'LoadBalancer';
  /** Host for an Ingress for services that ask for one without a host of their own. */
  ingressHost?: string;
  /** Added to every object's metadata, never to pod templates (traceability: run URL, build number, source version). */
  annotations?: Record<string, string>;
  /** Image of the init containers that wait for a dependency's Service (sh, sleep and nc); default `busybox:1.36`. */
  waitImage?: string;
  /** Image of the init containers that wait for a dependency's Job (kubectl); default `bitnami/kubectl:1.30`. */
  kubectlImage?: string;
  /** Read-only bind mounts of project files and small folders become ConfigMaps (default true; false: they are left out with a warning). */
  bindConfigMaps?: boolean;
  /** Asked for the EXPOSEd ports of the images of services others reach but that declare no ports (e.g. `docker image inspect`). */
  imagePorts?: ImagePortsLookup;
}

/** Default image of the init containers that wait for a Service. */
export const DEFAULT_WAIT_IMAGE = 'busybox:1.36';
/** Default image of the init containers that wait for a Job. */
const DEFAULT_KUBECTL_IMAGE = 'bitnami/kubectl:1.30';

/** Strict mode met a warning. */
export class StrictModeError extends OuterloopError {}

/** The converter's answer. */
export interface RenderResult {
  /** Sorted: kind order, then name. */
  objects: KubernetesObject[];
  /** Multi-document YAML of `objects`, byte-identical for the same input (written on first read). */
  yaml: string;
  /** Every compose key not converted, named (empty in strict mode, which throws instead). */
  warnings: string[];
  images: RenderedImage[];
  /** The project name used for app.kubernetes.io/part-of. */
  projectName: string;
}

/** Reads the files of the secrets and configs that enabled services use. */
async function readProjectFiles(project: ComposeProject): Promise<Record<string, Buffer>> {
  const files: Record<string, Buffer> = {};
  const used = (section: 'secrets' | 'configs'): string[] =>
    [...new Set(project.services.flatMap((s) => s[section].map((r) => r.source)))].sort();
  for (const section of ['secrets', 'configs'] as const) {
    for (const name of used(section)) {
      const object = project[section][name];
      if (object.external || object.content !== undefined || object.file === undefined) continue;
      files[object.file] = await readBoundedFile(object.file, `file of ${section}.${name}`);
    }
  }
  return files;
}

/** The EXPOSEd ports of the services that need them, by service name (undefined when nothing was asked). */
async function findExposedPorts(
  project: ComposeProject,
  lookup: ImagePortsLookup | undefined,
): Promise<Record<string, ExposedPort[]> | undefined> {
  const wanted = servicesNeedingImagePorts(project);
  if (!lookup || wanted.size === 0) return undefined;
  const found = await lookup([...new Set(wanted.values())].sort());
  const out: Record<string, ExposedPort[]> = {};
  for (const [service, image] of wanted) if (found[image]?.length) out[service] = found[image];
  return out;
}

function checkOptions(options: RenderOptions): void {
  if (options.namespace !== undefined) {
    const problem = dnsLabelProblem(options.namespace);
    if (problem) throw new InputError('namespace', `'${options.namespace}' is not a valid namespace: ${problem}.`);
  }
  for (const key of Object.keys(options.annotations ?? {})) {
    const problem = labelKeyProblem(key);
    if (problem) throw new InputError('annotations', `'${key}' is not a valid annotation key: ${problem}.`);
  }
  for (const key of ['waitImage', 'kubectlImage'] as const) {
    const image = options[key];
    if (image === undefined) continue;
    try {
      parseImageReference(image);
    } catch (err) {
      if (err instanceof ReferenceFormatError) throw new InputError(key, `'${image}' is not a valid image reference: ${err.reason}.`);
      throw err;
    }
  }
}

/** Loads the compose files and converts them. Throws typed errors (FileError, InputError). */
export async function renderComposeProject(options: RenderOptions): Promise<RenderResult> {
  checkOptions(options);
  const loaded = loadComposeProject(options.source);
  const files = await readProjectFiles(loaded.project);
  const bindSources = options.bindConfigMaps === false ? undefined : await readBindSources(loaded.project);
  const exposedPorts = await findExposedPorts(loaded.project, options.imagePorts);
  const result = transformProject(
    loaded.project,
    {
      ...(options.namespace ? { namespace: options.namespace } : {}),
      ...(options.serviceType ? { serviceType: options.serviceType } : {}),
      ...(options.ingressHost ? { ingressHost: options.ingressHost } : {}),
      ...(options.digests ? { digests: options.digests } : {}),
      waitImage: options.waitImage ?? DEFAULT_WAIT_IMAGE,
      kubectlImage: options.kubectlImage ?? DEFAULT_KUBECTL_IMAGE,
      files,
      ...(bindSources ? { bindSources } : {}),
      ...(exposedPorts ? { exposedPorts } : {}),
    },
    loaded.locate,
  );
  const warnings = [...new Set([...loaded.warnings, ...result.warnings])];
  if (options.strict && warnings.length > 0) {
    throw new StrictModeError(
      `${warnings[0].replace(/\.$/, '')} (strict mode${warnings.length > 1 ? `; ${warnings.length} warnings in all` : ''}).`,
    );
  }
  const annotations = options.annotations ?? {};
  const objects = sortObjects(Object.keys(annotations).length > 0 ? decorateObjects(result.objects, { annotations }) : result.objects);
  for (let i = 1; i < objects.length; i++) {
    const [a, b] = [objects[i - 1], objects[i]];
    if (a.kind === b.kind && a.metadata.name === b.metadata.name) {
      throw new OuterloopError(
        `Two ${a.kind} objects would be named '${a.metadata.name}': rename one of the compose services, volumes, secrets or configs.`,
      );
    }
  }
  validateObjects(objects);
  const images = [...result.images].sort((a, b) => (a.service < b.service ? -1 : 1));
  // The YAML is written when first read: a caller that writes a chart instead never pays for it.
  let yaml: string | undefined;
  return {
    objects,
    get yaml() {
      return (yaml ??= formatManifests(objects));
    },
    warnings,
    images,
    projectName: loaded.project.name,
  };
}
