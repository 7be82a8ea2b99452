import { ToolError } from '../common/errors';
import { failureReason, lastLines, type ExecResult, type ProcessRunner } from '../process/runner';
import { parseInspect, type ContainerState } from './readiness';

/** The label Compose puts on everything of a project. */
export const PROJECT_LABEL = 'com.docker.compose.project';

/** What is left of a project: ids (containers) or names (networks, volumes). */
export interface ProjectResources {
  containers: string[];
  networks: string[];
  volumes: string[];
}

/** The docker commands ComposeTest needs, found by the project's label. A port: tests fake it. */
export interface ProjectDocker {
  /** The project's containers (one-off ones too), with their raw `docker inspect` JSON. */
  inspectProject(project: string): Promise<{ containers: ContainerState[]; raw: unknown[] }>;
  /** A container's logs, stdout and stderr merged in time order, each line time-stamped. */
  logs(containerId: string, tail?: number): Promise<string>;
  /**
   * Calls `onEvent` for every container event of the project (start, die, health_status, …) until
   * `signal` aborts; resolves when the event stream ends.
   */
  watchEvents(project: string, onEvent: () => void, signal: AbortSignal): Promise<void>;
  /** Whether an image is on the engine. */
  imageExists(image: string): Promise<boolean>;
  /** Containers, networks and volumes still carrying the project's label. */
  findResources(project: string): Promise<ProjectResources>;
  /** Force-removes what `findResources` found. */
  removeResources(resources: ProjectResources): Promise<void>;
  /** Removes images, ignoring ones already gone; returns those that could not be removed, with why. */
  removeImages(images: readonly string[]): Promise<Array<{ image: string; reason: string }>>;
}

/** {@link ProjectDocker} over the docker CLI. Queries run quietly; removals are printed. */
export class DockerCli implements ProjectDocker {
  constructor(
    private readonly runner: ProcessRunner,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  private async query(args: string[]): Promise<ExecResult> {
    const result = await this.runner.exec('docker', args, { env: this.env, quiet: true, noEcho: true });
    if (result.code !== 0) {
      const reason = failureReason(result);
      throw new ToolError('docker', `'docker ${args[0]}' failed: ${reason}`, result.code);
    }
    return result;
  }

  private async list(args: string[]): Promise<string[]> {
    return (await this.query(args)).stdout.split('\n').map((l) => l.trim()).filter(Boolean);
  }

  async inspectProject(project: string): Promise<{ containers: ContainerState[]; raw: unknown[] }> {
    const ids = await this.list(['ps', '-a', '-q', '--no-trunc', '--filter', `label=${PROJECT_LABEL}=${project}`]);
    if (ids.length === 0) return { containers: [], raw: [] };
    // A container removed between the two calls makes inspect fail for it alone: keep the others.
    const result = await this.runner.exec('docker', ['inspect', ...ids], { env: this.env, quiet: true, noEcho: true });
    const json = result.stdout.trim();
    if (!json) throw new ToolError('docker', `'docker inspect' failed: ${lastLines(result.stderr, 1)[0] ?? `exit code ${result.code}`}`, result.code);
    return { containers: parseInspect(json), raw: JSON.parse(json) as unknown[] };
  }

  async logs(containerId: string, tail?: number): Promise<string> {
    const args = ['logs', '--timestamps', ...(tail === undefined ? [] : ['--tail', String(tail)]), containerId];
    const result = await this.runner.exec('docker', args, { env: this.env, quiet: true, noEcho: true });
    return mergeTimestamped(result.stdout, result.stderr);
  }

  async watchEvents(project: string, onEvent: () => void, signal: AbortSignal): Promise<void> {
    await this.runner.exec(
      'docker',
      ['events', '--filter', 'type=container', '--filter', `label=${PROJECT_LABEL}=${project}`, '--format', '{{.Action}}'],
      {
        env: this.env,
        quiet: true,
        noEcho: true,
        signal,
        // Health checks are execs: every probe would wake the wait for nothing.
        onStdoutLine: (action) => {
          if (!action.startsWith('exec_')) onEvent();
        },
      },
    );
  }

  async imageExists(image: string): Promise<boolean> {
    const result = await this.runner.exec('docker', ['image', 'inspect', '--format', '{{.Id}}', image], {
      env: this.env,
      quiet: true,
      noEcho: true,
    });
    return result.code === 0;
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
      const result = await this.runner.exec('docker', [...command, ...names], { env: this.env });
      if (result.code !== 0) {
        throw new ToolError('docker', `'docker ${command.join(' ')}' failed: ${lastLines(result.stderr, 1)[0] ?? `exit code ${result.code}`}`, result.code);
      }
    }
  }

  async removeImages(images: readonly string[]): Promise<Array<{ image: string; reason: string }>> {
    const problems: Array<{ image: string; reason: string }> = [];
    for (const image of images) {
      const result = await this.runner.exec('docker', ['image', 'rm', image], { env: this.env });
      const reason = lastLines(result.stderr, 1)[0] ?? '';
      if (result.code !== 0 && !/No such image/i.test(reason)) problems.push({ image, reason: reason || `exit code ${result.code}` });
    }
    return problems;
  }
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
