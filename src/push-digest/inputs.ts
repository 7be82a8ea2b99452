import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { InputError } from '../common/errors';
import type { ComposeSource } from '../compose/source';
import { formatImageReference, parseImageReference, ReferenceFormatError, type ImageReference } from '../docker/reference';
import { readRegistryCredentials, type RegistryCredentials } from '../docker/registry-credentials';
import { readComposeSource } from '../pipeline/compose-inputs';
import type { InputReader } from '../pipeline/inputs';
import type { PipelineVariables } from '../pipeline/interfaces';

/** One image to push: `repo:tag` as the user wrote it, normalized (`:latest` made explicit). */
export interface PushImage {
  /** `registry/path:tag`, e.g. `127.0.0.1:5000/shop/api:1.4.2`. */
  reference: string;
  image: ImageReference & { tag: string };
}

/** PushDigest@1's inputs, validated. */
export interface PushDigestInputs {
  images: PushImage[];
  /** From `containerRegistry`; without it, pushes go anonymously (or with the agent's own docker login). */
  credentials?: RegistryCredentials;
  /** Absolute path of image-digests.json. */
  digestFile: string;
  /** The artifact to publish the digest file (and locked compose file) as; undefined = not published. */
  artifactName?: string;
  /** The shared compose inputs; no files: no locked compose file. */
  compose: ComposeSource;
  /** Absolute path; set exactly when there are compose files. */
  lockedComposeFile?: string;
  verify: boolean;
  retries: number;
  /** What the digest file records of the run. */
  pipeline: PipelineVariables;
  /** Agent.TempDirectory: the temporary DOCKER_CONFIG goes here, a folder the agent cleans. */
  tempDir: string;
}

/** Reads and validates PushDigest@1's inputs: the only place this task reads inputs. */
export function readPushDigestInputs(inputs: InputReader): PushDigestInputs {
  const images = readImages(inputs.list('images'));
  const endpoint = inputs.endpoint('containerRegistry');
  const credentials = endpoint ? readRegistryCredentials('containerRegistry', endpoint) : undefined;
  const workDir = inputs.workingDirectory();
  const staging = inputs.variable('Build.ArtifactStagingDirectory');
  const path = (name: string, fallbackFile: string): string => {
    const value = inputs.optionalPath(name, workDir);
    if (value !== undefined) return value;
    if (!staging) throw new InputError(name, `is required here: this job has no Build.ArtifactStagingDirectory to put ${fallbackFile} in.`);
    return join(staging, fallbackFile);
  };
  const digestFile = path('digestFile', 'image-digests.json');
  const artifactName = inputs.artifactName('artifactName');
  const compose = readComposeSource(inputs, { workingDir: workDir });
  const composeFiles = compose.files.map((f) => resolve(workDir, f));
  let lockedComposeFile: string | undefined;
  if (composeFiles.length > 0) {
    lockedComposeFile = path('lockedComposeFile', 'docker-compose.locked.yml');
    if (composeFiles.includes(lockedComposeFile)) {
      throw new InputError(
        'lockedComposeFile',
        `names '${lockedComposeFile}', which is also listed in composeFiles: the locked file is written beside the compose files, never over one of them.`,
      );
    }
  }
  if (lockedComposeFile === digestFile) throw new InputError('lockedComposeFile', `must not be the digest file '${digestFile}'.`);
  if (composeFiles.includes(digestFile)) {
    throw new InputError(
      'digestFile',
      `names '${digestFile}', which is also listed in composeFiles: the digest file is an output, and the task never writes over or deletes one of its inputs.`,
    );
  }
  return {
    images,
    credentials,
    digestFile,
    artifactName,
    compose,
    lockedComposeFile,
    verify: inputs.boolean('verify', true),
    retries: inputs.integer('retries', 3, { min: 0, max: 10 }),
    pipeline: inputs.pipelineVariables(),
    tempDir: inputs.variable('Agent.TempDirectory') ?? tmpdir(),
  };
}

/** Parses the `images` lines: tags only (a digest cannot be pushed), `:latest` made explicit, duplicates dropped. */
export function readImages(lines: readonly string[]): PushImage[] {
  if (lines.length === 0) throw new InputError('images', 'is required: the image references (repo:tag) to push, one per line.');
  const seen = new Map<string, PushImage>();
  lines.forEach((line, index) => {
    let image: ImageReference;
    try {
      image = parseImageReference(line);
    } catch (err) {
      if (err instanceof ReferenceFormatError) throw new InputError('images', `entry ${index + 1}: ${err.message}`);
      throw err;
    }
    if (image.digest) {
      throw new InputError(
        'images',
        `entry ${index + 1}: '${line}' holds a digest; list the repo:tag references to push, and this task records their digests.`,
      );
    }
    const tagged = { ...image, tag: image.tag ?? 'latest' };
    const reference = formatImageReference(tagged);
    if (!seen.has(reference)) seen.set(reference, { reference, image: tagged });
  });
  return [...seen.values()];
}
