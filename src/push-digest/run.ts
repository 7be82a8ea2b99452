import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { forEachConcurrently } from '../common/concurrency';
import { FileError, ToolError } from '../common/errors';
import { readTextFile, writeFileAtomic } from '../common/fs';
import { parseDigestFile, writeDigestFile } from '../digests/digest-file';
import { dockerEnv, withDockerLogin } from '../docker/docker-config';
import type { RegistryCredentials } from '../docker/registry-credentials';
import type { TaskContext } from '../pipeline/run-task';
import { reportOutcome } from '../summary/publish';
import { pushDigestRecord } from '../summary/records';
import { neutralizeLoggingCommands } from '../process/neutralize';
import { HttpRegistryClient } from '../registry/http-registry';
import type { Registry } from '../registry/registry';
import { DEFAULT_BASE_DELAY_MS, realSleep, withRetries, type RetryPolicy, type Sleep } from '../common/retry';
import type { PushDigestInputs, PushImage } from './inputs';
import type { ComposeSource } from '../compose/source';
import { lockComposeFiles } from './lock-compose';
import {
  classifyPushFailure, DigestError, groupByRepository, lastMeaningfulLine, parsePushedDigest, parseRepoDigests, planDigestFile, planInspectArgs,
  planOutputs, planPushArgs, planWarnings, selectDigest, type PushedImage,
} from './plan';


/** The first line of every locked compose file: how a later run knows the file is its own to replace. */
export const LOCKED_HEADER = '# Written by PushDigest@1: images pinned by digest. Generated; do not edit.\n';

/** What the task needs besides its context; tests replace these. */
export interface PushDigestDeps {
  /**
   * The registry HTTP port (default: {@link HttpRegistryClient} with the connection's credentials);
   * `onRetry` logs a retry, its registry-given reason neutralized.
   */
  createRegistry?: (retry: RetryPolicy, inputs: PushDigestInputs, onRetry: (message: string) => void) => Registry;
  sleep?: Sleep;
  baseDelayMs?: number;
  /** Variables for `${VAR}` in compose files' image names (default: the agent's environment). */
  environment?: Readonly<Record<string, string | undefined>>;
}

const PLACEHOLDER_DIGEST = `sha256:${'0'.repeat(64)}`;
/** Repositories pushed side by side; the engine caps concurrent layer uploads itself. */
const PUSH_CONCURRENCY = 3;

/** A `docker push` that exited non-zero, with what it printed. */
class PushFailure extends Error {
  constructor(readonly output: string, readonly code: number) {
    super(lastMeaningfulLine(output));
  }
}

/**
 * Runs PushDigest@1: pushes each image (retrying transient failures), takes the digest docker push
 * printed and has the registry confirm it (without `verify`, or when docker printed none, the
 * engine's RepoDigests decide; nothing is pulled again), then writes the digest file and the locked
 * compose file atomically and publishes them. Any failure leaves neither file behind.
 */
export async function runPushDigest(inputs: PushDigestInputs, context: TaskContext, deps: PushDigestDeps = {}): Promise<string> {
  const { runner, output, signal } = context;
  const retry: RetryPolicy = { retries: inputs.retries, baseDelayMs: deps.baseDelayMs ?? DEFAULT_BASE_DELAY_MS, sleep: deps.sleep ?? realSleep, signal };
  for (const warning of planWarnings(inputs.images, inputs.credentials)) output.warning(warning);
  // Outputs of an earlier run must never pass for this one's: they go first, so that any failure leaves none.
  await removeStale('digestFile', inputs.digestFile);
  if (inputs.lockedComposeFile) await removeStale('lockedComposeFile', inputs.lockedComposeFile);
  const source = composeSource(inputs.composeFiles, deps.environment ?? process.env);
  // Compose mistakes (bad YAML, a built image missing from images) fail before anything is pushed.
  if (source && inputs.lockedComposeFile) lockComposeFiles(source, inputs.images.map((i) => ({ ...i, digest: PLACEHOLDER_DIGEST })));

  const pushed = await withLoginRetries(context, retry, inputs.credentials, inputs.tempDir, async (dockerConfig) => {
    const env = dockerEnv(dockerConfig);
    const groups = groupByRepository(inputs.images);
    const printed = new Map<string, string | undefined>();
    await forEachConcurrently(groups, PUSH_CONCURRENCY, async (group) => {
      for (const image of group) printed.set(image.reference, await pushImage(context, retry, image, env, groups.length > 1));
    });
    const printedDigests = inputs.images.map((image) => printed.get(image.reference));
    if (inputs.verify && printedDigests.every((d): d is string => d !== undefined)) {
      // The registry confirms each digest below, so asking the engine too would only cost a docker call.
      return inputs.images.map((image, i): PushedImage => ({ ...image, digest: printedDigests[i] }));
    }
    const inspect = await runner.exec('docker', planInspectArgs(inputs.images), { env, quiet: true, noEcho: true, signal });
    if (inspect.code !== 0) throw new ToolError('docker', `docker image inspect failed after the push: ${lastMeaningfulLine(inspect.stderr || inspect.stdout)}`, inspect.code);
    const repoDigests = parseRepoDigests(inspect.stdout, inputs.images.length);
    return inputs.images.map((image, i): PushedImage => ({ ...image, digest: selectDigest(image, repoDigests[i], printed.get(image.reference)) }));
  });

  if (inputs.verify) await verifyDigests(pushed, (deps.createRegistry ?? createHttpRegistry)(retry, inputs, (m) => logRetry(context, m)));
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
  reportOutcome(context, pushDigestRecord(pushed, { verified: inputs.verify, digestFile: inputs.digestFile, lockedComposeFile: inputs.lockedComposeFile, artifact: inputs.artifactName }));
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
  retry: RetryPolicy,
  credentials: RegistryCredentials | undefined,
  tempRoot: string,
  body: (dockerConfig: string | undefined) => Promise<T>,
): Promise<T> {
  const { runner, output, signal } = context;
  let attempts = 0;
  let loggedIn = false;
  try {
    return await withRetries(
      retry,
      async (n) => {
        attempts = n;
        return await withDockerLogin({ runner, output }, credentials ? [credentials] : [], { tempRoot, signal }, async (dockerConfig) => {
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
async function pushImage(context: TaskContext, retry: RetryPolicy, image: PushImage, env: NodeJS.ProcessEnv, concurrent: boolean): Promise<string | undefined> {
  let attempts = 0;
  try {
    const stdout = await withRetries(
      retry,
      async (n) => {
        attempts = n;
        const result = await context.runner.exec('docker', planPushArgs(image), { env, signal: context.signal, quiet: concurrent });
        if (result.code !== 0) throw new PushFailure(`${result.stdout}\n${result.stderr}`, result.code);
        if (concurrent) context.output.info(neutralizeLoggingCommands(result.stdout.trimEnd()));
        return result.stdout;
      },
      (err) => (err instanceof PushFailure ? classifyPushFailure(err.output) : { transient: false, reason: String(err) }),
      ({ retry: r, of, delayMs, reason }) => logRetry(context, `docker push ${image.reference} failed (${reason}); retry ${r} of ${of} in ${delayMs / 1000} s.`),
    );
    return parsePushedDigest(stdout, image.image.tag);
  } catch (err) {
    if (!(err instanceof PushFailure)) throw err;
    const tries = attempts > 1 ? ` after ${attempts} attempts` : '';
    throw new ToolError('docker', `docker push ${image.reference} failed${tries}: ${err.message}`, err.code);
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
      throw new DigestError(`The registry serves ${answer.value} for ${p.reference}, but the engine pushed ${p.digest}; the tag moved or the registry rewrote the manifest, so no digest is recorded.`);
    }
  });
}

function createHttpRegistry(retry: RetryPolicy, inputs: PushDigestInputs, onRetry: (message: string) => void): Registry {
  return new HttpRegistryClient({ credentials: inputs.credentials ? [inputs.credentials] : [], retry, onRetry });
}

/**
 * The compose project the locked file is made from: the compose files, with the agent's environment
 * for `${VAR}` (the pipeline's variables are there), over the project's `.env`.
 */
function composeSource(files: readonly string[], environment: Readonly<Record<string, string | undefined>>): ComposeSource | undefined {
  if (files.length === 0) return undefined;
  const defined = Object.fromEntries(Object.entries(environment).filter((e): e is [string, string] => e[1] !== undefined));
  return { files, workingDir: dirname(files[0]), environment: defined };
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
    if (err instanceof FileError && /is a folder/.test(err.message)) throw new FileError(path, `this is a folder, but ${input} must name a file.`);
    throw err;
  }
  const ours = input === 'digestFile' ? isDigestFileText(text) : text.startsWith(LOCKED_HEADER);
  if (!ours) {
    throw new FileError(path, `${input} names a file that is not one this task wrote: PushDigest never deletes or overwrites a file it did not create. Choose another path, or delete the file first.`);
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
