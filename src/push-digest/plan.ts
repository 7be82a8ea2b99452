import { OuterloopError } from '../common/errors';
import type { DigestFile, DigestFilePipeline } from '../digests/digest-file';
import type { PipelineVariables } from '../pipeline/interfaces';
import { canonicalRepository, isSha256Digest, parseImageReference, repositoryOf } from '../docker/reference';
import type { RegistryCredentials } from '../docker/registry-credentials';
import { lastLines } from '../process/runner';
import { locateRepository } from '../registry/registry';
import type { AttemptFailure } from '../common/retry';
import type { PushImage } from './inputs';

/** A digest that cannot be captured or does not match the registry. */
export class DigestError extends OuterloopError {}

/** An image and the digest this push recorded for it. */
export interface PushedImage extends PushImage {
  digest: string;
}

/**
 * The images grouped by repository, in the order listed. Groups are pushed concurrently (the engine
 * uploads their layers side by side); tags of one repository go one after another, so that a layer
 * they share is uploaded once and mounted, not raced.
 */
export function groupByRepository(images: readonly PushImage[]): PushImage[][] {
  const groups = new Map<string, PushImage[]>();
  for (const image of images) {
    const key = canonicalRepository(image.image);
    groups.set(key, [...(groups.get(key) ?? []), image]);
  }
  return [...groups.values()];
}

/** Warnings about the images and the service connection, decided before anything runs. */
export function planWarnings(images: readonly PushImage[], credentials: RegistryCredentials | undefined): string[] {
  if (!credentials) return [];
  return images
    .filter((i) => locateRepository(i.image).registry !== credentials.registry)
    .map(
      (i) =>
        `${i.reference} is on registry ${locateRepository(i.image).registry}, but containerRegistry logs in to ${credentials.registry}; it is pushed without credentials.`,
    );
}

/** The digest `docker push` printed for `tag` (`TAG: digest: sha256:… size: N`), if any. */
export function parsePushedDigest(output: string, tag: string): string | undefined {
  for (const line of output.split('\n')) {
    const m = /^(\S+): digest: (sha256:[a-f0-9]{64}) size: \d+\s*$/.exec(line.trim());
    if (m && m[1] === tag) return m[2];
  }
  return undefined;
}

/**
 * The digest of a pushed image: the engine's RepoDigests entry for the pushed repository. When the
 * image has several for that repository (pushed before with other content), the one `docker push`
 * printed for this tag decides.
 */
export function selectDigest(image: PushImage, repoDigests: readonly string[], pushedDigest: string | undefined): string {
  const repository = canonicalRepository(image.image);
  const candidates = [
    ...new Set(
      repoDigests
        .map((d) => parseRepoDigest(d))
        .filter((d) => d !== undefined && d.repository === repository)
        .map((d) => d!.digest),
    ),
  ];
  if (pushedDigest !== undefined) {
    if (candidates.includes(pushedDigest)) return pushedDigest;
    throw new DigestError(
      `docker push printed digest ${pushedDigest} for ${image.reference}, but the engine's RepoDigests for ${repositoryOf(image.image)} are ${candidates.join(', ') || 'empty'}.`,
    );
  }
  if (candidates.length === 1) return candidates[0];
  if (candidates.length === 0)
    throw new DigestError(`The engine recorded no digest for ${repositoryOf(image.image)} after pushing ${image.reference}.`);
  throw new DigestError(
    `The engine holds ${candidates.length} digests for ${repositoryOf(image.image)} (${candidates.join(', ')}) and docker push printed none for ${image.reference}; cannot tell which one was pushed.`,
  );
}

function parseRepoDigest(text: string): { repository: string; digest: string } | undefined {
  try {
    const ref = parseImageReference(text);
    return ref.digest && isSha256Digest(ref.digest) ? { repository: canonicalRepository(ref), digest: ref.digest } : undefined;
  } catch {
    return undefined; // the engine's own output; an entry we cannot read is not ours
  }
}

/** Decides whether a failed `docker push` is worth retrying, from what docker printed. */
export function classifyPushFailure(output: string): AttemptFailure {
  const reason = lastMeaningfulLine(output);
  const permanent =
    /\b(401|403|404)\b|unauthorized|authentication required|denied|no basic auth credentials|not found|does not exist locally|invalid reference/i;
  const transient =
    /connection refused|connection reset|broken pipe|i\/o timeout|timeout|TLS handshake timeout|unexpected EOF|\bEOF\b|too many requests|\b429\b|\b50[0234]\b|internal server error|bad gateway|service unavailable|gateway time-?out/i;
  return { transient: !permanent.test(output) && transient.test(output), reason };
}

/** The last non-empty line of a tool's output, for a one-line reason. */
export function lastMeaningfulLine(output: string): string {
  return lastLines(output, 1)[0]?.trim() ?? 'no output';
}

/** The digest file for the pushed images, in the order they were listed. */
export function planDigestFile(images: readonly PushedImage[], pipeline: PipelineVariables): DigestFile {
  const recorded: DigestFilePipeline = {};
  for (const key of ['buildNumber', 'sourceVersion', 'buildUri'] as const) if (pipeline[key] !== undefined) recorded[key] = pipeline[key];
  return {
    version: 1,
    images: images.map((i) => ({ reference: i.reference, repository: repositoryOf(i.image), tag: i.image.tag, digest: i.digest })),
    pipeline: recorded,
  };
}

/** `repo@sha256:…`: the immutable reference of a pushed image. */
export function pinnedReference(image: PushedImage): string {
  return `${repositoryOf(image.image)}@${image.digest}`;
}

/** The task's output variables. */
export function planOutputs(images: readonly PushedImage[], digestFile: string): Record<string, string> {
  const digests: Record<string, string> = {};
  for (const i of images) digests[i.reference] = i.digest;
  return {
    digest: images[0].digest,
    imageRef: pinnedReference(images[0]),
    digests: JSON.stringify(digests),
    digestFile,
  };
}
