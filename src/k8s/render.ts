import { NotImplementedError } from '../common/errors';
import type { DigestFile } from '../digests/digest-file';

/**
 * The contract between the compose→Kubernetes converter (this module, the converter issue) and its
 * users (ComposeToK8s@1 and `outerloop convert`): compose files in, deterministic manifests out.
 */

/** A Kubernetes object as plain data (apiVersion, kind, metadata, …). */
export interface KubernetesObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [key: string]: unknown;
}

/** What to convert and how. */
export interface RenderOptions {
  /** Compose files, merged in order (paths relative to `workingDir`). */
  composeFiles: string[];
  /** The folder relative paths are resolved from. */
  workingDir: string;
  /** Variables for `${VAR}` interpolation. Only these: the converting machine's environment is never read. */
  environment: Record<string, string>;
  /** Extra env files for interpolation (`--env-file`); the project's `.env` is read when none is given. */
  envFiles?: string[];
  profiles?: string[];
  /** Compose project name (else from the files, else the working folder's name). */
  projectName?: string;
  /** PushDigest's image-digests.json: images are pinned `repo@sha256:…` from it. */
  digests?: DigestFile;
  namespace?: string;
  /** Turns every warning into an error. */
  strict?: boolean;
  /** Default Service type for published ports. */
  serviceType?: 'ClusterIP' | 'NodePort' | 'LoadBalancer';
  /** Host for an Ingress for services that ask for one without a host of their own. */
  ingressHost?: string;
  /** Added to every object and pod template (traceability: run URL, build number, source version). */
  annotations?: Record<string, string>;
}

/** One service's image and whether it ended up pinned by digest. */
export interface RenderedImage {
  service: string;
  /** The image as written in the compose file (after interpolation). */
  image: string;
  /** The image in the manifests (`repo@sha256:…` when pinned). */
  resolved: string;
  pinned: boolean;
  /** The service has a `build` section: this project builds the image. */
  built: boolean;
}

/** The converter's answer. */
export interface RenderResult {
  /** Sorted: kind order, then name. */
  objects: KubernetesObject[];
  /** Multi-document YAML of `objects`, byte-identical for the same input. */
  yaml: string;
  /** Every compose key not converted, named (empty in strict mode, which throws instead). */
  warnings: string[];
  images: RenderedImage[];
  /** The project name used for app.kubernetes.io/part-of. */
  projectName: string;
}

/** Loads the compose files and converts them. Throws typed errors (FileError, InputError). */
export async function renderComposeProject(_options: RenderOptions): Promise<RenderResult> {
  throw new NotImplementedError('The compose to Kubernetes converter is not implemented yet.');
}
