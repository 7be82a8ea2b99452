import { readFile, rm } from 'node:fs/promises';
import { ToolError } from '../common/errors';
import {
  commandFailed,
  failureReason,
  failureSentence,
  lastLines,
  type ExecOptions,
  type ExecResult,
  type ProcessRunner,
} from '../process/runner';
import { describeBuildFailure } from './build-failure';
import { parseInspect, type ContainerState } from './containers';
import { findCliPlugin } from './plugins';
import { isSha256Digest } from './reference';
import type { RegistryCredentials } from './registry-credentials';
import { detectBuildx } from './tools';

/** The label Compose puts on everything of a project. */
export const PROJECT_LABEL = 'com.docker.compose.project';

/** What is left of a project: ids (containers) or names (networks, volumes). */
export interface ProjectResources {
  containers: string[];
  networks: string[];
  volumes: string[];
}

/** What one command may be given besides its arguments. */
export interface DockerCommandOptions {
  /** A DOCKER_CONFIG to use for this command (see withDockerLogin); the engine's own otherwise. */
  dockerConfig?: string;
  signal?: AbortSignal;
}

/** What a build needs besides its argv. */
export interface DockerBuildOptions extends DockerCommandOptions {
  /** Where the argv tells docker to write the image id (`--iidfile`): read back, the build's result. */
  iidFile: string;
  /** The build's stdin (a Dockerfile given as `--file -`). */
  stdin?: string;
  /** Variables the build needs on top of the engine's environment (`DOCKER_BUILDKIT=0`). */
  env?: Readonly<Record<string, string>>;
}

/** One port an image EXPOSEs. */
export interface ExposedPort {
  port: number;
  protocol: 'tcp' | 'udp' | 'sctp';
}

/** An image as the engine holds it. */
export interface ImageDetails {
  /** The image id, `sha256:…`. */
  id: string;
  /** `repository@sha256:…` for each repository the image was pushed to or pulled from. */
  repoDigests: string[];
  /** The ports of its `EXPOSE` (`.Config.ExposedPorts`), sorted. */
  exposedPorts: ExposedPort[];
}

/** The environment for docker commands that should use `dockerConfig` (see withDockerLogin), when set. */
export function dockerEnv(dockerConfig: string | undefined, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return dockerConfig ? { ...base, DOCKER_CONFIG: dockerConfig } : base;
}

/** A docker command that exited non-zero, with everything it printed (e.g. to decide on a retry). */
export class DockerCommandError extends ToolError {
  constructor(
    /** What failed: `docker push r/a:1`. */
    readonly what: string,
    /** Why, in one line (its last line of error output). */
    readonly reason: string,
    /** stdout and stderr, joined. */
    readonly output: string,
    exitCode: number,
  ) {
    super('docker', failureSentence(what, reason), exitCode);
  }
}

/**
 * The docker engine, as the tasks use it: build, log in, push, pull, inspect images and containers,
 * follow a Compose project's containers and remove what is left of it. A port: unit tests fake it.
 */
export interface Docker {
  /** True when `docker buildx` is installed (BuildKit builds with `--load`). */
  hasBuildx(): Promise<boolean>;
  /**
   * Runs one build (`args` from a planner, without `docker`) and returns the image id it wrote to
   * `iidFile`. A failed build is a {@link ToolError} naming the failing step.
   */
  build(args: readonly string[], options: DockerBuildOptions): Promise<string>;
  /** `docker --config DIR login`: the password goes on stdin only, never into argv. */
  login(credentials: RegistryCredentials, options: { dockerConfig: string; signal?: AbortSignal }): Promise<void>;
  /**
   * `docker push REF`; returns what it printed (the pushed digest is in it). Output is shown live,
   * or, when `quiet`, only captured. A failure is a {@link DockerCommandError}.
   */
  push(reference: string, options?: DockerCommandOptions & { quiet?: boolean }): Promise<string>;
  /** `docker pull REF`. A failure is a {@link DockerCommandError}. */
  pull(reference: string, options?: DockerCommandOptions): Promise<void>;
  /** The engine's details of each image, in order; one that is missing fails the call. */
  inspectImages(references: readonly string[], options?: DockerCommandOptions): Promise<ImageDetails[]>;
  /** Whether an image is on the engine. */
  imageExists(image: string): Promise<boolean>;
  /** The state of each container (ids or names); one removed meanwhile is left out. */
  inspectContainers(ids: readonly string[]): Promise<{ containers: ContainerState[]; raw: unknown[] }>;
  /** The project's containers (one-off ones too), with their raw `docker inspect` JSON. */
  inspectProject(project: string): Promise<{ containers: ContainerState[]; raw: unknown[] }>;
  /** A container's logs, stdout and stderr merged in time order, each line time-stamped. */
  logs(containerId: string, tail?: number): Promise<string>;
  /**
   * Calls `onEvent` for every container event of the project (start, die, health_status, …) until
   * `signal` aborts; resolves when the event stream ends.
   */
  watchEvents(project: string, onEvent: () => void, signal: AbortSignal): Promise<void>;
  /** Containers, networks and volumes still carrying the project's label. */
  findResources(project: string): Promise<ProjectResources>;
  /** Force-removes what `findResources` found. */
  removeResources(resources: ProjectResources): Promise<void>;
  /** Removes images, ignoring ones already gone; returns those that could not be removed, with why. */
  removeImages(images: readonly string[]): Promise<Array<{ image: string; reason: string }>>;
}

/**
 * {@link Docker} over the docker CLI, every command through the ProcessRunner (whose streamed output
 * is neutralized). Queries run quietly; builds, pushes, pulls and removals are printed. `env` is the
 * whole environment of every command (DOCKER_HOST for a remote engine, say).
 */
export class DockerCli implements Docker {
  constructor(
    private readonly runner: ProcessRunner,
    private readonly env: NodeJS.ProcessEnv = process.env,
    private readonly findPlugin: typeof findCliPlugin = findCliPlugin,
  ) {}

  private exec(args: readonly string[], options: ExecOptions & { dockerConfig?: string } = {}): Promise<ExecResult> {
    const { dockerConfig, ...rest } = options;
    return this.runner.exec('docker', args, { ...rest, env: { ...dockerEnv(dockerConfig, this.env), ...rest.env } });
  }

  /** A quiet query; a failure is the one tool-failure sentence. */
  private async query(args: string[], options: DockerCommandOptions = {}): Promise<ExecResult> {
    const result = await this.exec(args, { ...options, quiet: true, noEcho: true });
    if (result.code !== 0) throw commandFailed('docker', `docker ${args[0]}`, result);
    return result;
  }

  private async list(args: string[]): Promise<string[]> {
    return (await this.query(args)).stdout
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean);
  }

  hasBuildx(): Promise<boolean> {
    return detectBuildx(this.runner, this.env, this.findPlugin);
  }

  async build(args: readonly string[], options: DockerBuildOptions): Promise<string> {
    const { iidFile, stdin, env, dockerConfig, signal } = options;
    await rm(iidFile, { force: true });
    const result = await this.exec(args, { stdin, env: { ...env }, dockerConfig, signal });
    if (result.code !== 0) throw new ToolError('docker', describeBuildFailure(result), result.code);
    const imageId = (await readFile(iidFile, 'utf8').catch(() => '')).trim();
    if (!isSha256Digest(imageId)) {
      throw new ToolError(
        'docker',
        `docker build succeeded but wrote no image id to its --iidfile (found '${imageId}'); the docker CLI may be too old.`,
      );
    }
    return imageId;
  }

  async login(c: RegistryCredentials, options: { dockerConfig: string; signal?: AbortSignal }): Promise<void> {
    const result = await this.exec(['--config', options.dockerConfig, 'login', c.registry, '--username', c.username, '--password-stdin'], {
      stdin: c.password,
      quiet: true,
      signal: options.signal,
    });
    if (result.code !== 0) throw commandFailed('docker', `docker login to ${c.registry} as ${c.username}`, result);
  }

  async push(reference: string, options: DockerCommandOptions & { quiet?: boolean } = {}): Promise<string> {
    const result = await this.exec(['push', reference], options);
    if (result.code !== 0) throw commandError(`docker push ${reference}`, result);
    return result.stdout;
  }

  async pull(reference: string, options: DockerCommandOptions = {}): Promise<void> {
    const result = await this.exec(['pull', reference], options);
    if (result.code !== 0) throw commandError(`docker pull ${reference}`, result);
  }

  async inspectImages(references: readonly string[], options: DockerCommandOptions = {}): Promise<ImageDetails[]> {
    if (references.length === 0) return [];
    const result = await this.exec(['image', 'inspect', ...references], { ...options, quiet: true, noEcho: true });
    if (result.code !== 0) throw commandFailed('docker', 'docker image inspect', result);
    return parseImageInspect(result.stdout, references.length);
  }

  async imageExists(image: string): Promise<boolean> {
    const result = await this.exec(['image', 'inspect', '--format', '{{.Id}}', image], { quiet: true, noEcho: true });
    return result.code === 0;
  }

  async inspectContainers(ids: readonly string[]): Promise<{ containers: ContainerState[]; raw: unknown[] }> {
    if (ids.length === 0) return { containers: [], raw: [] };
    // A container removed meanwhile makes inspect fail for it alone: keep the others.
    const result = await this.exec(['inspect', ...ids], { quiet: true, noEcho: true });
    const json = result.stdout.trim();
    if (!json) throw commandFailed('docker', 'docker inspect', result);
    return { containers: parseInspect(json), raw: JSON.parse(json) as unknown[] };
  }

  async inspectProject(project: string): Promise<{ containers: ContainerState[]; raw: unknown[] }> {
    return this.inspectContainers(await this.list(['ps', '-a', '-q', '--no-trunc', '--filter', `label=${PROJECT_LABEL}=${project}`]));
  }

  async logs(containerId: string, tail?: number): Promise<string> {
    const args = ['logs', '--timestamps', ...(tail === undefined ? [] : ['--tail', String(tail)]), containerId];
    const result = await this.exec(args, { quiet: true, noEcho: true });
    return mergeTimestamped(result.stdout, result.stderr);
  }

  async watchEvents(project: string, onEvent: () => void, signal: AbortSignal): Promise<void> {
    await this.exec(['events', '--filter', 'type=container', '--filter', `label=${PROJECT_LABEL}=${project}`, '--format', '{{.Action}}'], {
      quiet: true,
      noEcho: true,
      signal,
      // Health checks are execs: every probe would wake the wait for nothing.
      onStdoutLine: (action) => {
        if (!action.startsWith('exec_')) onEvent();
      },
    });
  }

  async findResources(project: string): Promise<ProjectResources> {
    const filter = ['--filter', `label=${PROJECT_LABEL}=${project}`];
    const [containers, networks, volumes] = await Promise.all([
      this.list(['ps', '-a', '-q', ...filter]),
      this.list(['network', 'ls', '-q', ...filter]),
      this.list(['volume', 'ls', '-q', ...filter]),
    ]);
    return { containers, networks, volumes };
  }

  async removeResources(r: ProjectResources): Promise<void> {
    const steps: Array<[string[], string[]]> = [
      [['rm', '--force', '--volumes'], r.containers],
      [['network', 'rm'], r.networks],
      [['volume', 'rm', '--force'], r.volumes],
    ];
    for (const [command, names] of steps) {
      if (names.length === 0) continue;
      const result = await this.exec([...command, ...names]);
      if (result.code !== 0) throw commandFailed('docker', `docker ${command.join(' ')}`, result);
    }
  }

  async removeImages(images: readonly string[]): Promise<Array<{ image: string; reason: string }>> {
    const problems: Array<{ image: string; reason: string }> = [];
    for (const image of images) {
      const result = await this.exec(['image', 'rm', image]);
      const reason = lastLines(result.stderr, 1)[0] ?? '';
      if (result.code !== 0 && !/No such image/i.test(reason)) problems.push({ image, reason: reason || `exit code ${result.code}` });
    }
    return problems;
  }
}

/** A failed command that the caller may want to look into (a push to retry, say). */
function commandError(what: string, result: ExecResult): DockerCommandError {
  return new DockerCommandError(what, failureReason(result), `${result.stdout}\n${result.stderr}`, result.code);
}

interface ImageInspectJson {
  Id?: unknown;
  RepoDigests?: unknown;
  Config?: { ExposedPorts?: unknown } | null;
}

/** Parses `docker image inspect` output (a JSON array, one entry per image asked for, in order). */
export function parseImageInspect(stdout: string, count: number): ImageDetails[] {
  let items: unknown;
  try {
    items = JSON.parse(stdout);
  } catch {
    throw new ToolError('docker', `docker image inspect printed something other than JSON: '${lastLines(stdout, 1)[0] ?? ''}'.`);
  }
  if (!Array.isArray(items) || items.length !== count) {
    throw new ToolError(
      'docker',
      `docker image inspect described ${Array.isArray(items) ? items.length : 0} images for ${count}; cannot read their RepoDigests.`,
    );
  }
  return (items as ImageInspectJson[]).map((item) => {
    const digests = item.RepoDigests ?? [];
    if (!Array.isArray(digests) || !digests.every((d) => typeof d === 'string')) {
      throw new ToolError('docker', `docker image inspect printed RepoDigests '${JSON.stringify(digests)}', not a list of references.`);
    }
    return {
      id: typeof item.Id === 'string' ? item.Id : '',
      repoDigests: digests as string[],
      exposedPorts: parseExposedPorts(item.Config?.ExposedPorts),
    };
  });
}

/** `{"5432/tcp":{}}` (docker's `.Config.ExposedPorts`) → ports, sorted; anything else gives none. */
export function parseExposedPorts(value: unknown): ExposedPort[] {
  if (!value || typeof value !== 'object') return [];
  const out: ExposedPort[] = [];
  for (const key of Object.keys(value)) {
    const m = /^(\d+)(?:\/(tcp|udp|sctp))?$/.exec(key);
    if (m && Number(m[1]) > 0 && Number(m[1]) < 65536)
      out.push({ port: Number(m[1]), protocol: (m[2] ?? 'tcp') as ExposedPort['protocol'] });
  }
  return out.sort((a, b) => a.port - b.port || a.protocol.localeCompare(b.protocol));
}

/** Merges `docker logs --timestamps` stdout and stderr into one stream, in time order. */
export function mergeTimestamped(stdout: string, stderr: string): string {
  const lines = [...stdout.split('\n'), ...stderr.split('\n')].filter((l) => l.length > 0);
  const keyed = lines.map((line) => ({ line, key: timestampKey(line) }));
  keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)); // stable: equal times keep their order
  return keyed.map((k) => k.line + '\n').join('');
}

/** `2026-11-22T02:24:34.3195Z …` → a key that sorts in time order (nanoseconds padded to 9 digits). */
function timestampKey(line: string): string {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?Z/.exec(line);
  return m ? `${m[1]}.${(m[2] ?? '').padEnd(9, '0')}` : '';
}
