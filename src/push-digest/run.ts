import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { forEachConcurrently } from '../common/concurrency';
import { FileError, ToolError } from '../common/errors';
import { readTextFile, writeFileAtomic } from '../common/fs';
import type { ComposeSource } from '../compose/source';
import { parseDigestFile, writeDigestFile } from '../digests/digest-file';
import { withDockerLogin } from '../docker/docker-config';
import { DockerCli, DockerCommandError, type Docker } from '../docker/engine';
import type { RegistryCredentials } from '../docker/registry-credentials';
import type { TaskContext } from '../pipeline/interfaces';
import { neutralizeLoggingCommands } from '../process/neutralize';
import { failureSentence } from '../process/runner';
import { HttpRegistryClient } from '../registry/http-registry';
import type { Registry } from '../registry/registry';
import { DEFAULT_BASE_DELAY_MS, realSleep, withRetries, type RetryPolicy, type Sleep } from '../common/retry';
import { reportOutcome } from '../summary/publish';
import { pushDigestRecord } from '../summary/records';
import type { PushDigestInputs, PushImage } from './inputs';
import { lockComposeFiles } from './lock-compose';
import {
  classifyPushFailure,
  DigestError,
  groupByRepository,
  parsePushedDigest,
  planDigestFile,
  planOutputs,
  planWarnings,
  selectDigest,
  type PushedImage,
} from './plan';

/** The first line of every locked compose file: how a later run knows the file is its own to replace. */
export const LOCKED_HEADER = '# Written by PushDigest@1: images pinned by digest. Generated; do not edit.\n';

/** The effects PushDigest@1 has besides its context. Unit tests fake them. */
export interface PushDigestPorts {
  docker: Docker;
  /** The registry HTTP port for the connection's credentials; `onRetry` logs a retry, its registry-given reason neutralized. */
  registry(credentials: RegistryCredentials | undefined, retry: RetryPolicy, onRetry: (message: string) => void): Registry;
  /** Waits between retries. */
  sleep: Sleep;
  /** The agent's environment: `${VAR}`s in the compose files come from it, under the `environment` input's values. */
  baseEnv: NodeJS.ProcessEnv;
}

/** The real ports: the agent's docker CLI, the registry's HTTP API, real time. */
export function makePushDigestPorts(context: TaskContext): PushDigestPorts {
  return {
    docker: new DockerCli(context.runner),
    registry: (credentials, retry, onRetry) => new HttpRegistryClient({ credentials: credentials ? [credentials] : [], retry, onRetry }),
    sleep: realSleep,
    baseEnv: process.env,
  };
}

const PLACEHOLDER_DIGEST = `sha256:${'0'.repeat(64)}`;
/** Repositories pushed side by side; the engine caps concurrent layer uploads itself. */
const PUSH_CONCURRENCY = 3;

/**
 * Runs PushDigest@1: pushes each image (retrying transient failures), takes the digest docker push
 * printed and has the registry confirm it (without `verify`, or when docker printed none, the
 * engine's RepoDigests decide; nothing is pulled again), then writes the digest file and the locked
 * compose file atomically and publishes them. Any failure leaves neither file behind.
 */
export async function runPushDigest(inputs: PushDigestInputs, context: TaskContext, ports: PushDigestPorts): Promise<string> {
  const { output, signal } = context;
  const { docker } = ports;
  const retry: RetryPolicy = { retries: inputs.retries, baseDelayMs: DEFAULT_BASE_DELAY_MS, sleep: ports.sleep, signal };
  for (const warning of planWarnings(inputs.images, inputs.credentials)) output.warning(warning);
  // Outputs of an earlier run must never pass for this one's: they go first, so that any failure leaves none.
  await removeStale('digestFile', inputs.digestFile);
  if (inputs.lockedComposeFile) await removeStale('lockedComposeFile', inputs.lockedComposeFile);
  const source = lockSource(inputs.compose, ports.baseEnv);
  // Compose mistakes (bad YAML, a built image missing from images) fail before anything is pushed.
  if (source && inputs.lockedComposeFile)
    lockComposeFiles(
      source,
      inputs.images.map((i) => ({ ...i, digest: PLACEHOLDER_DIGEST })),
    );

  const pushed = await withLoginRetries(context, docker, retry, inputs.credentials, inputs.tempDir, async (dockerConfig) => {
    const groups = groupByRepository(inputs.images);
    const printed = new Map<string, string | undefined>();
    await forEachConcurrently(groups, PUSH_CONCURRENCY, async (group) => {
      const concurrent = groups.length > 1;
      for (const image of group) printed.set(image.reference, await pushImage(context, docker, retry, image, { dockerConfig, concurrent }));
    });
    const printedDigests = inputs.images.map((image) => printed.get(image.reference));
    if (inputs.verify && printedDigests.every((d): d is string => d !== undefined)) {
      // The registry confirms each digest below, so asking the engine too would only cost a docker call.
      return inputs.images.map((image, i): PushedImage => ({ ...image, digest: printedDigests[i] }));
    }
    const engine = await docker.inspectImages(
      inputs.images.map((i) => i.reference),
      { dockerConfig, signal },
    );
    return inputs.images.map((image, i): PushedImage => {
      return { ...image, digest: selectDigest(image, engine[i].repoDigests, printed.get(image.reference)) };
    });
  });

  if (inputs.verify)
    await verifyDigests(
      pushed,
      ports.registry(inputs.credentials, retry, (m) => logRetry(context, m)),
    );
  else output.info('Digests taken from the engine without asking the registry (verify: false).');

  const digestFile = planDigestFile(pushed, inputs.pipeline);
  const locked = source && inputs.lockedComposeFile ? lockComposeFiles(source, pushed) : undefined;
  await writeDigestFile(inputs.digestFile, digestFile);
  if (locked && inputs.lockedComposeFile) {
    try {
      await writeFileAtomic(inputs.lockedComposeFile, LOCKED_HEADER + locked.text);
    } catch (err) {
      await rm(inputs.digestFile, { force: true });
      throw new FileError(inputs.lockedComposeFile, `the locked compose file cannot be written: ${(err as Error).message}.`);
    }
    for (const w of locked.warnings) output.warning(w);
    const count = locked.services.filter((s) => s.pinned).length;
    output.info(`Locked compose file ${inputs.lockedComposeFile}: ${count} of ${locked.services.length} service images pinned by digest.`);
  }
  for (const p of pushed) output.info(`${p.reference} → ${p.digest}`);
  for (const [name, value] of Object.entries(planOutputs(pushed, inputs.digestFile))) output.setOutput(name, value);
  if (inputs.artifactName) {
    output.uploadArtifact(inputs.artifactName, inputs.digestFile);
    if (inputs.lockedComposeFile) output.uploadArtifact(inputs.artifactName, inputs.lockedComposeFile);
  }
  reportOutcome(
    context,
    pushDigestRecord(pushed, {
      verified: inputs.verify,
      digestFile: inputs.digestFile,
      lockedComposeFile: inputs.lockedComposeFile,
      artifact: inputs.artifactName,
    }),
  );
  const images = pushed.length === 1 ? '1 image' : `${pushed.length} images`;
  return `Pushed ${images}${inputs.verify ? ', verified with the registry,' : ''} and recorded the digests in ${inputs.digestFile}.`;
}

/** Logs a retry. Its reason is the registry's own text (docker's error line, an HTTP reason phrase): untrusted. */
function logRetry(context: TaskContext, message: string): void {
  context.output.info(neutralizeLoggingCommands(message));
}

/**
 * Runs `body` logged in to the service connection's registry (see withDockerLogin), retrying a
 * `docker login` that failed for a passing reason (connection refused or reset, 5xx, 429) as a push
 * would be. Nothing `body` throws is retried here.
 */
async function withLoginRetries<T>(
  context: TaskContext,
  docker: Docker,
  retry: RetryPolicy,
  credentials: RegistryCredentials | undefined,
  tempRoot: string,
  body: (dockerConfig: string | undefined) => Promise<T>,
): Promise<T> {
  const { output, signal } = context;
  let attempts = 0;
  let loggedIn = false;
  try {
    return await withRetries(
      retry,
      async (n) => {
        attempts = n;
        return await withDockerLogin({ docker, output }, credentials ? [credentials] : [], { tempRoot, signal }, async (dockerConfig) => {
          loggedIn = true;
          return await body(dockerConfig);
        });
      },
      (err) => (!loggedIn && err instanceof ToolError ? classifyPushFailure(err.message) : { transient: false, reason: String(err) }),
      ({ retry: r, of, delayMs, reason }) => logRetry(context, `${reason}; retry ${r} of ${of} in ${delayMs / 1000} s.`),
    );
  } catch (err) {
    if (!loggedIn && attempts > 1 && err instanceof ToolError) {
      throw new ToolError(err.tool, `${err.message.replace(/[.\s]+$/, '')} (gave up after ${attempts} attempts).`, err.exitCode);
    }
    throw err;
  }
}

/**
 * `docker push`, retried on transient failures; returns the digest it printed, if any. Pushes that
 * run side by side print their output as one block when done, so that their lines do not interleave.
 */
async function pushImage(
  context: TaskContext,
  docker: Docker,
  retry: RetryPolicy,
  image: PushImage,
  options: { dockerConfig: string | undefined; concurrent: boolean },
): Promise<string | undefined> {
  const { dockerConfig, concurrent } = options;
  let attempts = 0;
  try {
    const stdout = await withRetries(
      retry,
      async (n) => {
        attempts = n;
        const printed = await docker.push(image.reference, { dockerConfig, signal: context.signal, quiet: concurrent });
        if (concurrent) context.output.info(neutralizeLoggingCommands(printed.trimEnd()));
        return printed;
      },
      (err) => (err instanceof DockerCommandError ? classifyPushFailure(err.output) : { transient: false, reason: String(err) }),
      ({ retry: r, of, delayMs, reason }) =>
        logRetry(context, `docker push ${image.reference} failed (${reason}); retry ${r} of ${of} in ${delayMs / 1000} s.`),
    );
    return parsePushedDigest(stdout, image.image.tag);
  } catch (err) {
    if (!(err instanceof DockerCommandError) || attempts <= 1) throw err;
    throw new ToolError('docker', failureSentence(err.what, err.reason, ` after ${attempts} attempts`), err.exitCode);
  }
}

/**
 * Asks the registry for each digest (concurrently, waiting for every answer) and fails on the first
 * image, in the order listed, that the registry could not confirm.
 */
async function verifyDigests(pushed: readonly PushedImage[], registry: Registry): Promise<void> {
  const served = await Promise.allSettled(pushed.map((p) => registry.manifestDigest(p.image)));
  pushed.forEach((p, i) => {
    const answer = served[i];
    if (answer.status === 'rejected') throw answer.reason;
    if (answer.value !== p.digest) {
      throw new DigestError(
        `The registry serves ${answer.value} for ${p.reference}, but the engine pushed ${p.digest}; the tag moved or the registry rewrote the manifest, so no digest is recorded.`,
      );
    }
  });
}

/**
 * The compose project the locked file is made from (none without compose files): the shared compose
 * inputs, with the agent's environment (the pipeline's variables are there) under the `environment`
 * input's values for `${VAR}`, both over the env file (or the project's `.env`), as Compose does.
 */
function lockSource(compose: ComposeSource, baseEnv: NodeJS.ProcessEnv): ComposeSource | undefined {
  if (compose.files.length === 0) return undefined;
  const agent = Object.fromEntries(Object.entries(baseEnv).filter((e): e is [string, string] => e[1] !== undefined));
  return { ...compose, environment: { ...agent, ...compose.environment } };
}

/**
 * Deletes an output left by an earlier run, and only that: a file that is not what this task
 * writes (a digest file, a locked compose file) is refused, never deleted. A folder in its place is
 * the user's error too.
 */
async function removeStale(input: string, path: string): Promise<void> {
  let text: string;
  try {
    text = await readTextFile(path, input === 'digestFile' ? 'digest file' : 'locked compose file');
  } catch (err) {
    if (!existsSync(path)) return;
    if (err instanceof FileError && /is a folder/.test(err.message))
      throw new FileError(path, `this is a folder, but ${input} must name a file.`);
    throw err;
  }
  const ours = input === 'digestFile' ? isDigestFileText(text) : text.startsWith(LOCKED_HEADER);
  if (!ours) {
    throw new FileError(
      path,
      `${input} names a file that is not one this task wrote: PushDigest never deletes or overwrites a file it did not create. Choose another path, or delete the file first.`,
    );
  }
  try {
    await rm(path, { force: true });
  } catch (err) {
    throw new FileError(path, `the file left here by an earlier run cannot be deleted (${(err as NodeJS.ErrnoException).code}).`);
  }
}

function isDigestFileText(text: string): boolean {
  try {
    parseDigestFile(text, 'earlier digest file');
    return true;
  } catch {
    return false;
  }
}
