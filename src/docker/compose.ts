import { neutralizeLoggingCommands } from '../process/neutralize';
import { lastLines, type ExecOptions, type ExecResult, type ProcessRunner } from '../process/runner';
import { ToolError } from '../common/errors';
import type { ComposeCommand } from './tools';

/** A program and its arguments, never a shell string. */
export interface Argv {
  file: string;
  args: string[];
}

/**
 * One Compose project as the CLI is run on it: which Compose, which project, files and profiles
 * (what every command line starts with), and where and with which environment it runs.
 */
export interface ComposeInvocation {
  command: ComposeCommand;
  projectName: string;
  files: readonly string[];
  /** Compose profiles to enable; none when absent. */
  profiles?: readonly string[];
  /** The folder Compose runs in (relative files and paths start there). */
  cwd: string;
  /** The whole environment of Compose: the interpolation values, DOCKER_HOST, DOCKER_CONFIG. */
  env: NodeJS.ProcessEnv;
}

/** What the command line of a project starts with (the rest of {@link ComposeInvocation} is not argv). */
export type ComposeProjectArgs = Pick<ComposeInvocation, 'command' | 'projectName' | 'files' | 'profiles'>;

/** Options shared by the commands that may take long. */
export interface ComposeCommandOptions {
  signal?: AbortSignal;
}

/** `compose up` options; {@link planUp} maps each to its flag. */
export interface ComposeUpOptions extends ComposeCommandOptions {
  /** `-d` (the default: the tasks never stay attached). */
  detach?: boolean;
  /** false: `--no-build`; true: `--build`; absent: Compose decides. */
  build?: boolean;
  /** `--pull always|missing|never` (Compose v2). */
  pull?: 'always' | 'missing' | 'never';
  /** `--force-recreate`. */
  forceRecreate?: boolean;
  /** `--remove-orphans`: removes containers of services no longer in the files. */
  removeOrphans?: boolean;
  /** `--wait` (Compose v2): returns once every service is running or healthy, fails otherwise. */
  wait?: boolean;
  /** `--wait-timeout N` (with `wait`). */
  waitTimeoutSeconds?: number;
}

/** `compose down` options. */
export interface ComposeDownOptions extends ComposeCommandOptions {
  /** `-v`: removes the project's volumes too. */
  volumes?: boolean;
  /** `--remove-orphans`. */
  removeOrphans?: boolean;
  /** `--timeout N`: seconds containers get to stop (short when the job is being cancelled). */
  stopTimeoutSeconds?: number;
}

/** `compose logs` options. */
export interface ComposeLogsOptions extends ComposeCommandOptions {
  /** `--tail N` lines per container. */
  tail?: number;
  /** `--timestamps`. */
  timestamps?: boolean;
}

/**
 * A command line for the project: `docker compose [--profile P …] -p NAME -f A -f B … ARGS` or the
 * same with `docker-compose` (v1 has `--profile` since 1.28).
 */
export function composeArgv(project: ComposeProjectArgs, args: readonly string[]): Argv {
  const profiles = (project.profiles ?? []).flatMap((p) => ['--profile', p]);
  const files = project.files.flatMap((f) => ['-f', f]);
  return { file: project.command.file, args: [...project.command.args, ...profiles, '-p', project.projectName, ...files, ...args] };
}

/** `config`: validates and resolves the files (read, never printed: it holds interpolated values). */
export function planConfig(project: ComposeProjectArgs): Argv {
  return composeArgv(project, ['config']);
}

/** `build` for the services (all with a build section when none are named). */
export function planBuild(project: ComposeProjectArgs, services: readonly string[]): Argv {
  return composeArgv(project, ['build', ...services]);
}

/** `pull` for the services (all when none are named). */
export function planPull(project: ComposeProjectArgs, services: readonly string[]): Argv {
  return composeArgv(project, ['pull', ...services]);
}

/** `up -d` and the flags {@link ComposeUpOptions} asks for, for the named services, or all. */
export function planUp(project: ComposeProjectArgs, services: readonly string[], options: Omit<ComposeUpOptions, 'signal'> = {}): Argv {
  const flags: string[] = [];
  if (options.detach ?? true) flags.push('-d');
  if (options.build === false) flags.push('--no-build');
  if (options.build === true) flags.push('--build');
  if (options.pull) flags.push('--pull', options.pull);
  if (options.forceRecreate) flags.push('--force-recreate');
  if (options.removeOrphans) flags.push('--remove-orphans');
  if (options.wait) flags.push('--wait');
  if (options.wait && options.waitTimeoutSeconds !== undefined) flags.push('--wait-timeout', String(options.waitTimeoutSeconds));
  return composeArgv(project, ['up', ...flags, ...services]);
}

/** `run --rm -T --no-deps SERVICE`: a one-off container of the service, its dependencies already up. */
export function planRun(project: ComposeProjectArgs, service: string): Argv {
  return composeArgv(project, ['run', '--rm', '-T', '--no-deps', service]);
}

/** `ps`, stopped containers included (v2 needs `-a`; v1 shows them always). */
export function planPs(project: ComposeProjectArgs): Argv {
  return composeArgv(project, project.command.version === 2 ? ['ps', '-a'] : ['ps']);
}

/** `logs --no-color` of the named services, or all. */
export function planLogs(project: ComposeProjectArgs, services: readonly string[], options: Omit<ComposeLogsOptions, 'signal'> = {}): Argv {
  const flags = [
    '--no-color',
    ...(options.timestamps ? ['--timestamps'] : []),
    ...(options.tail === undefined ? [] : ['--tail', String(options.tail)]),
  ];
  return composeArgv(project, ['logs', ...flags, ...services]);
}

/** `rm --stop --force` of the named services' containers (their volumes stay). */
export function planRemove(project: ComposeProjectArgs, services: readonly string[]): Argv {
  return composeArgv(project, ['rm', '-s', '-f', ...services]);
}

/** `down` with the flags {@link ComposeDownOptions} asks for. */
export function planDown(project: ComposeProjectArgs, options: Omit<ComposeDownOptions, 'signal'> = {}): Argv {
  const flags = [
    ...(options.volumes ? ['-v'] : []),
    ...(options.removeOrphans ? ['--remove-orphans'] : []),
    ...(options.stopTimeoutSeconds === undefined ? [] : ['--timeout', String(options.stopTimeoutSeconds)]),
  ];
  return composeArgv(project, ['down', ...flags]);
}

/** The compose commands the tasks run on one project. A port: unit tests fake it. */
export interface Compose {
  /** `config`, quietly: its output holds interpolated values and is parsed, never printed. */
  config(): Promise<string>;
  build(services: readonly string[], options?: ComposeCommandOptions): Promise<void>;
  pull(services: readonly string[], options?: ComposeCommandOptions): Promise<void>;
  up(services: readonly string[], options?: ComposeUpOptions): Promise<void>;
  /** `run --rm` of a service: its exit code (a test result, say), never an error for a non-zero one. */
  run(service: string, options?: ComposeCommandOptions): Promise<number>;
  /** `ps` output, quietly (for a logs folder). */
  ps(): Promise<string>;
  /** `logs` output, quietly (neutralize it before printing: it is the containers'). */
  logs(services: readonly string[], options?: ComposeLogsOptions): Promise<string>;
  /** Stops and removes the named services' containers (`rm -s -f`); never their volumes. */
  remove(services: readonly string[], options?: ComposeCommandOptions): Promise<void>;
  down(options?: ComposeDownOptions): Promise<void>;
}

/**
 * {@link Compose} over `docker compose` (v2) or `docker-compose` (v1) through the ProcessRunner: each
 * command line is printed and its output streamed (neutralized) to the log, in the invocation's
 * folder and environment. A failure is a ToolError with Compose's own reason.
 */
export class ComposeCli implements Compose {
  constructor(
    private readonly runner: ProcessRunner,
    private readonly project: ComposeInvocation,
  ) {}

  private exec(argv: Argv, extra: ExecOptions = {}): Promise<ExecResult> {
    return this.runner.exec(argv.file, argv.args, { cwd: this.project.cwd, env: this.project.env, ...extra });
  }

  /** Runs a command; a failure becomes a ToolError with Compose's reason (its last `reasonLines` lines, joined). */
  private async check(
    what: string,
    argv: Argv,
    extra: { quiet?: boolean; signal?: AbortSignal; reasonLines?: number } = {},
  ): Promise<ExecResult> {
    const { reasonLines, ...options } = extra;
    const result = await this.exec(argv, options);
    if (result.code !== 0 && !extra.signal?.aborted) {
      const lines = lastLines(result.stderr || result.stdout, reasonLines ?? 1).map((l) => l.trim().replace(/^ERROR:\s*/, ''));
      const reason = neutralizeLoggingCommands(lines.join(' ')) || `exit code ${result.code}`;
      throw new ToolError('compose', `Compose could not ${what}: ${reason}`, result.code);
    }
    return result;
  }

  async config(): Promise<string> {
    // Compose explains a bad file over a few lines (file, key, line and column): keep them all.
    return (await this.check('read the compose files', planConfig(this.project), { quiet: true, reasonLines: 6 })).stdout;
  }

  async build(services: readonly string[], options: ComposeCommandOptions = {}): Promise<void> {
    await this.check('build the images', planBuild(this.project, services), { signal: options.signal });
  }

  async pull(services: readonly string[], options: ComposeCommandOptions = {}): Promise<void> {
    await this.check('pull the images', planPull(this.project, services), { signal: options.signal });
  }

  async up(services: readonly string[], options: ComposeUpOptions = {}): Promise<void> {
    const { signal, ...flags } = options;
    await this.check('start the app', planUp(this.project, services, flags), { signal });
  }

  async run(service: string, options: ComposeCommandOptions = {}): Promise<number> {
    return (await this.exec(planRun(this.project, service), { signal: options.signal })).code;
  }

  async ps(): Promise<string> {
    const result = await this.exec(planPs(this.project), { quiet: true });
    return result.stdout + result.stderr;
  }

  async logs(services: readonly string[], options: ComposeLogsOptions = {}): Promise<string> {
    const { signal, ...flags } = options;
    return (await this.check('read the logs', planLogs(this.project, services, flags), { quiet: true, signal })).stdout;
  }

  async remove(services: readonly string[], options: ComposeCommandOptions = {}): Promise<void> {
    await this.check('remove the containers', planRemove(this.project, services), { signal: options.signal });
  }

  async down(options: ComposeDownOptions = {}): Promise<void> {
    const { signal, ...flags } = options;
    await this.check('tear the app down', planDown(this.project, flags), { signal });
  }
}
