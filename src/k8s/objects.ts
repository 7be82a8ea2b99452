/**
 * The types every part of src/k8s shares: what the converter produces (objects, images) and what
 * the chart writer, the apply step and the run summary read. Types only, so any module may import
 * them without making an import cycle.
 */

/** A Kubernetes object as plain data (apiVersion, kind, metadata, …). */
export interface KubernetesObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [key: string]: unknown;
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
