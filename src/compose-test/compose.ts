import { ToolError } from '../common/errors';
import { neutralizeLoggingCommands } from '../process/neutralize';
import { lastLines, type ExecResult, type ProcessRunner } from '../process/runner';
import * as plan from './plan';
import type { ComposeInvocation } from './plan';

/** The compose commands ComposeTest runs for one project. A port: tests fake it. */
export interface ProjectCompose {
  /** `config`, quietly: its output holds interpolated values and is parsed, never printed. */
  config(): Promise<string>;
  build(services: readonly string[], signal?: AbortSignal): Promise<void>;
  pull(services: readonly string[], signal?: AbortSignal): Promise<void>;
  up(services: readonly string[], signal?: AbortSignal): Promise<void>;
  /** `run --rm` of the test service: its exit code (the test result), never an error for a non-zero one. */
  run(service: string, signal?: AbortSignal): Promise<number>;
  /** `ps` output, for the logs folder. */
  ps(): Promise<string>;
  down(options?: { stopTimeoutSeconds?: number }): Promise<void>;
}

/**
 * {@link ProjectCompose} over `docker compose` (v2) or `docker-compose` (v1): each command line is
 * printed and its output streamed (neutralized) to the log, in `cwd` with the interpolation values
 * in the environment.
 */
export class ComposeCli implements ProjectCompose {
  constructor(
    private readonly runner: ProcessRunner,
    private readonly project: ComposeInvocation,
    private readonly options: { cwd: string; env: NodeJS.ProcessEnv },
  ) {}

  private exec(argv: plan.Argv, extra: { quiet?: boolean; signal?: AbortSignal } = {}): Promise<ExecResult> {
    return this.runner.exec(argv.file, argv.args, { cwd: this.options.cwd, env: this.options.env, ...extra });
  }

  /** Runs a command; a failure becomes a ToolError with Compose's reason (its last `reasonLines` lines, joined). */
  private async check(what: string, argv: plan.Argv, extra: { quiet?: boolean; signal?: AbortSignal; reasonLines?: number } = {}): Promise<ExecResult> {
    const result = await this.exec(argv, extra);
    if (result.code !== 0 && !extra.signal?.aborted) {
      const lines = lastLines(result.stderr || result.stdout, extra.reasonLines ?? 1).map((l) => l.trim().replace(/^ERROR:\s*/, ''));
      const reason = neutralizeLoggingCommands(lines.join(' ')) || `exit code ${result.code}`;
      throw new ToolError('compose', `Compose could not ${what}: ${reason}`, result.code);
    }
    return result;
  }

  async config(): Promise<string> {
    // Compose explains a bad file over a few lines (file, key, line and column): keep them all.
    return (await this.check('read the compose files', plan.planConfig(this.project), { quiet: true, reasonLines: 6 })).stdout;
  }

  async build(services: readonly string[], signal?: AbortSignal): Promise<void> {
    await this.check('build the images', plan.planBuild(this.project, services), { signal });
  }

  async pull(services: readonly string[], signal?: AbortSignal): Promise<void> {
    await this.check('pull the images', plan.planPull(this.project, services), { signal });
  }

  async up(services: readonly string[], signal?: AbortSignal): Promise<void> {
    await this.check('start the app', plan.planUp(this.project, services), { signal });
  }

  async run(service: string, signal?: AbortSignal): Promise<number> {
    return (await this.exec(plan.planRun(this.project, service), { signal })).code;
  }

  async ps(): Promise<string> {
    const result = await this.exec(plan.planPs(this.project), { quiet: true });
    return result.stdout + result.stderr;
  }

  async down(options: { stopTimeoutSeconds?: number } = {}): Promise<void> {
    await this.check('tear the app down', plan.planDown(this.project, options));
  }
}
