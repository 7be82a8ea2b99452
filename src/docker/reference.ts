import { OuterloopError } from '../common/errors';

/**
 * Docker image references, by the grammar of the distribution project's `reference` package:
 * `[registry[:port]/]path[:tag][@algorithm:hex]`.
 */
export interface ImageReference {
  /** The registry host (`contoso.azurecr.io`, `127.0.0.1:5000`), or undefined for Docker Hub's familiar form. */
  registry?: string;
  /** The repository path below the registry, e.g. `shop/api`. */
  path: string;
  tag?: string;
  /** `sha256:…` */
  digest?: string;
}

/** A string that is not a valid image reference; `reason` says which rule it breaks. */
export class ReferenceFormatError extends OuterloopError {
  constructor(
    readonly reference: string,
    readonly reason: string,
  ) {
    super(`'${reference}' is not a valid image reference: ${reason}.`);
  }
}

/** Docker's tag grammar. */
export const TAG_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
/** A content digest (`sha256:` and 64 hex digits, or another registered algorithm). */
export const DIGEST_PATTERN = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$/;
const SHA256_DIGEST = /^sha256:[a-f0-9]{64}$/;
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const DOMAIN_COMPONENT = /^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])$/;
const MAX_NAME_LENGTH = 255;

/** Docker Hub's canonical registry name. */
export const DOCKER_HUB = 'docker.io';

/** True when the first path component names a registry rather than a Docker Hub namespace. */
function looksLikeRegistry(component: string): boolean {
  return component.includes('.') || component.includes(':') || component === 'localhost' || component !== component.toLowerCase();
}

function checkRegistry(text: string, registry: string): void {
  const ipv6 = /^\[[0-9a-fA-F:.]+\](?::[0-9]+)?$/;
  if (ipv6.test(registry)) return;
  const [host, port, ...rest] = registry.split(':');
  if (rest.length > 0 || (port !== undefined && !/^[0-9]+$/.test(port))) {
    throw new ReferenceFormatError(text, `the registry '${registry}' has an invalid port`);
  }
  if (!host.split('.').every((c) => DOMAIN_COMPONENT.test(c))) {
    throw new ReferenceFormatError(text, `the registry host '${host}' is not a valid host name`);
  }
}

/** Parses and validates a reference. Throws {@link ReferenceFormatError}. */
export function parseImageReference(text: string): ImageReference {
  const input = text.trim();
  if (input === '') throw new ReferenceFormatError(text, 'it is empty');
  let rest = input;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST_PATTERN.test(digest) || (digest.startsWith('sha256:') && !SHA256_DIGEST.test(digest))) {
      throw new ReferenceFormatError(text, `'${digest}' is not a valid digest (sha256: and 64 lower-case hex digits)`);
    }
  }
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.indexOf(':', lastSlash + 1);
  if (colon >= 0) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG_PATTERN.test(tag)) {
      throw new ReferenceFormatError(text, `the tag '${tag}' must match [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`);
    }
  }
  const components = rest.split('/');
  let registry: string | undefined;
  if (components.length > 1 && looksLikeRegistry(components[0])) {
    registry = components.shift();
    checkRegistry(text, registry!);
  }
  const path = components.join('/');
  if (path === '') throw new ReferenceFormatError(text, 'the repository name is empty');
  for (const c of components) {
    if (!PATH_COMPONENT.test(c)) {
      const why = c !== c.toLowerCase() ? 'must be lower-case' : 'may hold only a-z, 0-9 and single separators (. _ __ -) between them';
      throw new ReferenceFormatError(text, `the repository part '${c}' ${why}`);
    }
  }
  const name = registry ? `${registry}/${path}` : path;
  if (name.length > MAX_NAME_LENGTH)
    throw new ReferenceFormatError(text, `the repository name is longer than ${MAX_NAME_LENGTH} characters`);
  return { registry, path, tag, digest };
}

/** `registry/path` (or just `path` in the familiar Docker Hub form). */
export function repositoryOf(ref: ImageReference): string {
  return ref.registry ? `${ref.registry}/${ref.path}` : ref.path;
}

/** Formats a reference back to text. */
export function formatImageReference(ref: ImageReference): string {
  return `${repositoryOf(ref)}${ref.tag ? `:${ref.tag}` : ''}${ref.digest ? `@${ref.digest}` : ''}`;
}

/**
 * The fully-qualified repository name, for comparing references written in different forms:
 * `nginx` → `docker.io/library/nginx`, `index.docker.io/x/y` → `docker.io/x/y`.
 */
export function canonicalRepository(ref: ImageReference): string {
  const registry =
    !ref.registry || ref.registry === 'index.docker.io' || ref.registry === 'registry-1.docker.io' ? DOCKER_HUB : ref.registry;
  const path = registry === DOCKER_HUB && !ref.path.includes('/') ? `library/${ref.path}` : ref.path;
  return `${registry}/${path}`;
}

/**
 * The first of `items` whose image is the same repository + tag as `wanted`: the repository in any of
 * its spellings (`nginx` = `docker.io/library/nginx`), no tag meaning `latest`; a digest plays no part.
 */
export function findSameRepositoryTag<T>(items: readonly T[], imageOf: (item: T) => ImageReference, wanted: ImageReference): T | undefined {
  const key = repositoryTagKey(wanted);
  return items.find((item) => repositoryTagKey(imageOf(item)) === key);
}

function repositoryTagKey(ref: ImageReference): string {
  return `${canonicalRepository(ref)}:${ref.tag ?? 'latest'}`;
}

/** True for a `sha256:` digest of the right form. */
export function isSha256Digest(value: string): boolean {
  return SHA256_DIGEST.test(value);
}
