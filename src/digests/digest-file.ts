import { FileError } from '../common/errors';
import { readBoundedFile, writeFileAtomic } from '../common/fs';
import { findSameRepositoryTag, isSha256Digest, parseImageReference, ReferenceFormatError } from '../docker/reference';
import type { PipelineVariables } from '../pipeline/interfaces';

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

/** The run that pushed the images: the pipeline variables a digest file records. */
export type DigestFilePipeline = Pick<PipelineVariables, 'buildNumber' | 'sourceVersion' | 'buildUri'>;

/** Serializes a digest file: stable key order, two-space indent, final newline. */
export function formatDigestFile(file: DigestFile): string {
  const images = file.images.map((i) => ({ reference: i.reference, repository: i.repository, tag: i.tag, digest: i.digest }));
  const pipeline: DigestFilePipeline = {};
  for (const key of ['buildNumber', 'sourceVersion', 'buildUri'] as const)
    if (file.pipeline[key] !== undefined) pipeline[key] = file.pipeline[key];
  return JSON.stringify({ version: 1, images, pipeline }, null, 2) + '\n';
}

/** Writes a digest file atomically (temp file + rename). */
export async function writeDigestFile(path: string, file: DigestFile): Promise<void> {
  await writeFileAtomic(path, formatDigestFile(file));
}

/**
 * The shapes of the digest file's pipeline fields. Digest files come from other builds' artifacts
 * and their fields are printed in the log, so each is held to what Azure Pipelines itself writes:
 * no line breaks, control characters, `[` or `]`, hence never a logging command.
 */
const PIPELINE_FIELDS: Record<keyof DigestFilePipeline, { pattern: RegExp; shape: string }> = {
  // Azure Pipelines forbids " / : < > \ | ? @ * in build numbers and caps them at 255 characters.
  buildNumber: {
    pattern: /^[\p{L}\p{N}._ +\-(),=~!'&$%^{}#]{1,255}$/u,
    shape: "a build number (letters, digits, spaces and . _ + - ( ) , = ~ ! ' & $ % ^ { } #, at most 255)",
  },
  sourceVersion: { pattern: /^[A-Za-z0-9._-]{1,100}$/, shape: 'a commit id or changeset number (letters, digits, . _ -)' },
  buildUri: { pattern: /^vstfs:\/\/\/Build\/Build\/[0-9]{1,12}$/, shape: 'a build URI (vstfs:///Build/Build/<id>)' },
};

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
    if (!isSha256Digest(image.digest)) fail(`${at}.digest`, 'must be sha256: and 64 hex digits.');
    try {
      parseImageReference(image.reference);
      parseImageReference(`${image.repository}:${image.tag}`);
    } catch (err) {
      // The rule it breaks, without the value: another build's artifact may hold anything.
      if (err instanceof ReferenceFormatError) fail(`${at}`, `holds an invalid reference (${err.reason.replace(/'[^]*'/, "'…'")}).`);
      throw err;
    }
    return { reference: image.reference, repository: image.repository, tag: image.tag, digest: image.digest };
  });
  const pipelineRaw = doc['pipeline'] ?? {};
  if (typeof pipelineRaw !== 'object' || pipelineRaw === null || Array.isArray(pipelineRaw)) fail('pipeline', 'must be an object.');
  const pipeline: DigestFilePipeline = {};
  for (const key of ['buildNumber', 'sourceVersion', 'buildUri'] as const) {
    const value = (pipelineRaw as Record<string, unknown>)[key];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'string' || !PIPELINE_FIELDS[key].pattern.test(value)) {
      // The value itself is not quoted: it comes from another build's artifact and may be anything.
      fail(`pipeline.${key}`, `must be ${PIPELINE_FIELDS[key].shape}.`);
    }
    pipeline[key] = value as string;
  }
  return { version: 1, images, pipeline };
}

/** Reads and validates a digest file from disk. */
export async function readDigestFile(path: string): Promise<DigestFile> {
  let text: string;
  try {
    text = (await readBoundedFile(path, 'digest file')).toString('utf8');
  } catch (err) {
    if (
      (err as NodeJS.ErrnoException).code === 'ENOENT' ||
      (err instanceof FileError && /does not exist|cannot be read/.test(err.message))
    ) {
      throw new FileError(path, 'the digest file does not exist or cannot be read.');
    }
    throw err;
  }
  return parseDigestFile(text, path);
}

/**
 * The digest recorded for an image reference (`repo:tag`), matching repositories in any of their
 * spellings (`nginx` = `docker.io/library/nginx`); undefined when the file has none.
 */
export function findDigest(file: DigestFile, reference: string): string | undefined {
  const entry = (i: DigestFile['images'][number]) => ({ ...parseImageReference(i.repository), tag: i.tag });
  return findSameRepositoryTag(file.images, entry, parseImageReference(reference))?.digest;
}
