import { readFile } from 'node:fs/promises';
import { FileError } from '../common/errors';
import { writeFileAtomic } from '../common/fs';
import { canonicalRepository, isSha256Digest, parseImageReference, ReferenceFormatError } from '../docker/reference';

/**
 * image-digests.json: what PushDigest@1 writes and ComposeToK8s@1 reads. Version 1:
 * `{ "version": 1, "images": [{reference, repository, tag, digest}], "pipeline": {buildNumber, sourceVersion, buildUri} }`.
 */
export interface DigestFile {
  version: 1;
  images: DigestFileImage[];
  pipeline: DigestFilePipeline;
}

/** One pushed image. */
export interface DigestFileImage {
  /** As pushed: `reg/repo:tag`. */
  reference: string;
  /** `reg/repo` */
  repository: string;
  tag: string;
  /** `sha256:…` */
  digest: string;
}

/** The run that pushed the images. */
export interface DigestFilePipeline {
  buildNumber?: string;
  sourceVersion?: string;
  buildUri?: string;
}

/** Serializes a digest file: stable key order, two-space indent, final newline. */
export function formatDigestFile(file: DigestFile): string {
  const images = file.images.map((i) => ({ reference: i.reference, repository: i.repository, tag: i.tag, digest: i.digest }));
  const pipeline: DigestFilePipeline = {};
  for (const key of ['buildNumber', 'sourceVersion', 'buildUri'] as const) if (file.pipeline[key] !== undefined) pipeline[key] = file.pipeline[key];
  return JSON.stringify({ version: 1, images, pipeline }, null, 2) + '\n';
}

/** Writes a digest file atomically (temp file + rename). */
export async function writeDigestFile(path: string, file: DigestFile): Promise<void> {
  await writeFileAtomic(path, formatDigestFile(file));
}

/** Parses and validates a digest file; errors name the file and the key path. */
export function parseDigestFile(text: string, fileName: string): DigestFile {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new FileError(fileName, `is not valid JSON (${(err as Error).message}).`);
  }
  const fail = (key: string, detail: string): never => {
    throw new FileError(fileName, `${key} ${detail}`);
  };
  if (typeof data !== 'object' || data === null || Array.isArray(data)) fail('the document', 'must be a JSON object.');
  const doc = data as Record<string, unknown>;
  if (doc['version'] !== 1) fail('version', `must be 1, not ${JSON.stringify(doc['version'])}.`);
  if (!Array.isArray(doc['images'])) fail('images', 'must be a list.');
  const images = (doc['images'] as unknown[]).map((raw, i): DigestFileImage => {
    const at = `images[${i}]`;
    if (typeof raw !== 'object' || raw === null) fail(at, 'must be an object.');
    const item = raw as Record<string, unknown>;
    for (const key of ['reference', 'repository', 'tag', 'digest']) {
      if (typeof item[key] !== 'string' || item[key] === '') fail(`${at}.${key}`, 'must be a non-empty string.');
    }
    const image = item as unknown as DigestFileImage;
    if (!isSha256Digest(image.digest)) fail(`${at}.digest`, `must be sha256: and 64 hex digits, not '${image.digest}'.`);
    try {
      parseImageReference(image.reference);
      parseImageReference(`${image.repository}:${image.tag}`);
    } catch (err) {
      if (err instanceof ReferenceFormatError) fail(`${at}`, `holds an invalid reference: ${err.reason}.`);
      throw err;
    }
    return { reference: image.reference, repository: image.repository, tag: image.tag, digest: image.digest };
  });
  const pipelineRaw = (doc['pipeline'] ?? {}) as Record<string, unknown>;
  const pipeline: DigestFilePipeline = {};
  for (const key of ['buildNumber', 'sourceVersion', 'buildUri'] as const) {
    if (typeof pipelineRaw[key] === 'string') pipeline[key] = pipelineRaw[key] as string;
  }
  return { version: 1, images, pipeline };
}

/** Reads and validates a digest file from disk. */
export async function readDigestFile(path: string): Promise<DigestFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new FileError(path, 'the digest file does not exist or cannot be read.');
  }
  return parseDigestFile(text, path);
}

/**
 * The digest recorded for an image reference (`repo:tag`), matching repositories in any of their
 * spellings (`nginx` = `docker.io/library/nginx`); undefined when the file has none.
 */
export function findDigest(file: DigestFile, reference: string): string | undefined {
  const wanted = parseImageReference(reference);
  const wantedRepo = canonicalRepository(wanted);
  const wantedTag = wanted.tag ?? 'latest';
  const match = file.images.find((i) => {
    const repo = canonicalRepository(parseImageReference(i.repository));
    return repo === wantedRepo && i.tag === wantedTag;
  });
  return match?.digest;
}
