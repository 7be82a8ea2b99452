import { posix } from 'node:path';
import JSZip from 'jszip';
import { BuildApi } from 'azure-devops-node-api/BuildApi';
import { BearerCredentialHandler } from 'azure-devops-node-api/handlers/bearertoken';
import { OuterloopError } from '../common/errors';

/** Where a build's artifacts are, and how the job may read them. */
export interface AzureDevOpsConnection {
  /** System.CollectionUri, e.g. `https://dev.azure.com/contoso/`. */
  collectionUri: string;
  /** System.TeamProject (name or id). */
  project: string;
  /** System.AccessToken (a secret). */
  accessToken: string;
}

/** One file taken from a build artifact. */
export interface ArtifactFile {
  /** Its path inside the artifact, e.g. `image-digests/image-digests.json`. */
  path: string;
  text: string;
}

/** The port: reads one file of another build's artifact. Tests pass a fake. */
export interface BuildArtifacts {
  readFile(buildId: number, artifactName: string, fileName: string): Promise<ArtifactFile>;
}

/** A build artifact that cannot be had: missing, unreadable, or without the file. */
export class ArtifactError extends OuterloopError {}

/**
 * Picks `fileName` among an artifact's file paths: the file with that name (the shallowest when
 * several), else the only `.json` file. Pure.
 */
export function pickArtifactFile(paths: readonly string[], fileName: string): string | undefined {
  const named = paths
    .filter((p) => posix.basename(p) === fileName)
    .sort((a, b) => a.split('/').length - b.split('/').length || a.localeCompare(b));
  if (named.length > 0) return named[0];
  const json = paths.filter((p) => p.endsWith('.json'));
  return json.length === 1 ? json[0] : undefined;
}

async function readBody(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks);
}

/**
 * Build artifacts through the Azure DevOps REST API (azure-devops-node-api), with the job's access
 * token: the artifact is downloaded as a zip and the one file is read from it in memory.
 */
export class AzureDevOpsBuildArtifacts implements BuildArtifacts {
  constructor(private readonly connection: AzureDevOpsConnection) {}

  async readFile(buildId: number, artifactName: string, fileName: string): Promise<ArtifactFile> {
    const { collectionUri, project, accessToken } = this.connection;
    const where = `artifact '${artifactName}' of build ${buildId}`;
    let response: NodeJS.ReadableStream & { statusCode?: number };
    try {
      // BuildApi alone, not WebApi: WebApi loads every Azure DevOps client (1 MB of bundle). The
      // build area lives on the collection's own host, so no resource-area lookup is needed.
      const api = new BuildApi(collectionUri, [new BearerCredentialHandler(accessToken, false)]);
      response = await api.getArtifactContentZip(project, buildId, artifactName);
    } catch (err) {
      throw new ArtifactError(`Could not download ${where} from ${collectionUri}: ${describeHttpError(err)}`);
    }
    const status = response.statusCode ?? 0;
    const body = await readBody(response);
    if (status === 401 || status === 403) {
      throw new ArtifactError(
        `The job's access token may not read ${where} (HTTP ${status}); allow the job to use the OAuth token and the build service to read that pipeline.`,
      );
    }
    if (status === 404)
      throw new ArtifactError(
        `Build ${buildId} in project ${project} has no artifact named '${artifactName}' (HTTP 404), or the build does not exist.`,
      );
    if (status < 200 || status >= 300) throw new ArtifactError(`Could not download ${where}: HTTP ${status}.`);
    let zip: JSZip;
    try {
      zip = await JSZip.loadAsync(body);
    } catch {
      throw new ArtifactError(`The download of ${where} is not a zip archive.`);
    }
    const paths = Object.values(zip.files)
      .filter((f) => !f.dir)
      .map((f) => f.name);
    const path = pickArtifactFile(paths, fileName);
    if (!path) throw new ArtifactError(`The ${where} has no file named ${fileName} (it holds: ${paths.join(', ') || 'nothing'}).`);
    return { path, text: await zip.file(path)!.async('string') };
  }
}

function describeHttpError(err: unknown): string {
  const e = err as { statusCode?: number; message?: string };
  if (e?.statusCode === 401 || e?.statusCode === 403)
    return `HTTP ${e.statusCode}, the job's access token (System.AccessToken) was refused`;
  return (e?.message ?? String(err)).split('\n')[0];
}
