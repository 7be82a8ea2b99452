import { OuterloopError } from '../common/errors';
import { canonicalRepository, DOCKER_HUB, type ImageReference } from '../docker/reference';

/** The registry HTTP port: what PushDigest asks a registry, so that tests can pass a fake. */
export interface Registry {
  /**
   * The digest the registry serves for `image` (registry, path and tag): the Docker-Content-Digest
   * of a HEAD on its manifest, asked for in the Docker v2 / OCI forms the engine pushed.
   */
  manifestDigest(image: ImageReference): Promise<string>;
}

/**
 * The manifest media types a client that pushes with Docker 20.10+ must ask for. Without the
 * Docker v2 type, registry 2.8 converts the manifest to schema 1 and answers with another digest.
 */
export const MANIFEST_MEDIA_TYPES = [
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
] as const;

/** A registry that refused or failed a request; `transient` failures are worth retrying. */
export class RegistryError extends OuterloopError {
  constructor(
    readonly registry: string,
    message: string,
    readonly transient: boolean,
    readonly status?: number,
  ) {
    super(message);
  }
}

/** Where a registry's API lives and the repository's name there. */
export interface RegistryLocation {
  /** The registry as users write it: `127.0.0.1:5000`, `docker.io`. */
  registry: string;
  /** `http://127.0.0.1:5000` or `https://contoso.azurecr.io`. */
  baseUrl: string;
  /** The repository below the registry, e.g. `library/nginx`. */
  repository: string;
}

/** True for a loopback host (127.0.0.0/8, localhost, ::1): those registries speak plain HTTP, as Docker allows by default. */
export function isLoopbackRegistry(registry: string): boolean {
  const host = registry.startsWith('[') ? registry.slice(1, registry.indexOf(']')) : registry.split(':')[0];
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** Where to send API requests for an image's repository. Docker Hub's API host is registry-1.docker.io. */
export function locateRepository(image: ImageReference): RegistryLocation {
  const canonical = canonicalRepository(image);
  const slash = canonical.indexOf('/');
  const registry = canonical.slice(0, slash);
  const repository = canonical.slice(slash + 1);
  const host = registry === DOCKER_HUB ? 'registry-1.docker.io' : registry;
  return { registry, repository, baseUrl: `${isLoopbackRegistry(registry) ? 'http' : 'https'}://${host}` };
}
