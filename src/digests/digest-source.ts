import type { AzureDevOpsConnection, BuildArtifacts } from '../azdo/build-artifacts';
import { FileError, InputError } from '../common/errors';
import type { InputReader } from '../pipeline/inputs';
import type { PipelineOutput } from '../pipeline/interfaces';
import { parseDigestFile, readDigestFile, type DigestFile } from './digest-file';

/**
 * Where a deploying task's digests come from (`digestFile` or `digestsFromBuild`), read the same way
 * by ComposeToK8s@1 and ComposeDeploy@1.
 */

/** Where the digests come from: a file on the agent, or an artifact of another build. */
export type DigestSource =
  { kind: 'file'; path: string } | { kind: 'build'; buildId: number; artifactName: string; connection: AzureDevOpsConnection };

/** The file name PushDigest@1 writes and the deploying tasks look for in an artifact. */
export const DIGEST_FILE_NAME = 'image-digests.json';

/** The job's access token: the agent gives every task the SYSTEMVSSCONNECTION endpoint (its own upper-case id). */
function accessToken(inputs: InputReader): string | undefined {
  return inputs.env.endpoint('SYSTEMVSSCONNECTION')?.auth['accesstoken'] || inputs.variable('System.AccessToken');
}

/** Reads `digestFile` / `digestsFromBuild` / `digestArtifact`; undefined when neither is given. */
export function readDigestSource(inputs: InputReader, base: string): DigestSource | undefined {
  const file = inputs.optionalPath('digestFile', base);
  const fromBuild = inputs.string('digestsFromBuild');
  if (file && fromBuild) throw new InputError('digestsFromBuild', `cannot be used together with 'digestFile'; give one of them.`);
  if (file) return { kind: 'file', path: file };
  if (!fromBuild) return undefined;
  const buildId = inputs.integer('digestsFromBuild', 0, { min: 1 });
  const artifactName = inputs.string('digestArtifact', { default: 'image-digests' })!;
  const collectionUri = inputs.variable('System.CollectionUri') ?? inputs.variable('System.TeamFoundationCollectionUri');
  const project = inputs.variable('System.TeamProject') ?? inputs.variable('System.TeamProjectId');
  const token = accessToken(inputs);
  if (!collectionUri || !project) {
    throw new InputError(
      'digestsFromBuild',
      'needs the System.CollectionUri and System.TeamProject variables, which this job does not have.',
    );
  }
  if (!token) throw new InputError('digestsFromBuild', `needs the job's access token (System.AccessToken), which this job does not have.`);
  return { kind: 'build', buildId, artifactName, connection: { collectionUri, project, accessToken: token } };
}

/** The digest file and where it came from (for messages); both undefined without a source. */
export interface LoadedDigests {
  file?: DigestFile;
  origin?: string;
}

/**
 * The Azure DevOps REST client, loaded only when another build's artifact is read: it is most of
 * a deploying task's bundle, and a task that reads a digest file need not pay for starting it.
 */
export async function restArtifacts(connection: AzureDevOpsConnection): Promise<BuildArtifacts> {
  const { AzureDevOpsBuildArtifacts } = await import('../azdo/build-artifacts');
  return new AzureDevOpsBuildArtifacts(connection);
}

/** Loads the digest file from the agent or from another build's artifact (`artifacts` defaults to the REST client). */
export async function loadDigests(
  source: DigestSource | undefined,
  output: PipelineOutput,
  artifacts: (connection: AzureDevOpsConnection) => BuildArtifacts | Promise<BuildArtifacts> = restArtifacts,
): Promise<LoadedDigests> {
  if (!source) return {};
  if (source.kind === 'file') {
    const file = await readDigestFile(source.path);
    output.info(
      `Digest file ${source.path}: ${file.images.length} image(s)${file.pipeline.buildNumber ? ` from build ${file.pipeline.buildNumber}` : ''}.`,
    );
    return { file, origin: source.path };
  }
  output.setSecret(source.connection.accessToken);
  const fetched = await (await artifacts(source.connection)).readFile(source.buildId, source.artifactName, DIGEST_FILE_NAME);
  const origin = `build ${source.buildId} artifact ${source.artifactName}/${fetched.path}`;
  const file = parseDigestFile(fetched.text, origin);
  output.info(`Digest file from ${origin}: ${file.images.length} image(s).`);
  return { file, origin };
}

/** requirePinned's one sentence: an image the project builds has no digest (no digest source at all, or none in it). */
export function unpinnedImageError(image: { service: string; image: string }, count: number, origin: string | undefined): Error {
  const others = count > 1 ? ` (and ${count - 1} more)` : '';
  if (!origin) {
    return new InputError(
      'digestFile',
      `is required: service '${image.service}' builds image '${image.image}'${others}, which must be pinned by digest (requirePinned); give PushDigest@1's ${DIGEST_FILE_NAME} in 'digestFile' or 'digestsFromBuild', or set requirePinned to false.`,
    );
  }
  return new FileError(
    origin,
    `has no digest for image '${image.image}' of service '${image.service}'${others}, which this project builds and requirePinned demands be pinned; push it with PushDigest@1 first, or set requirePinned to false.`,
  );
}
