import { ToolError, throwIfCancelled } from '../../common/errors';
import type { ExecResult, ProcessRunner } from '../../process/runner';

/** How kubectl is run for one cluster: every call gets the same kubeconfig and context. */
export interface Kubectl {
  /**
   * Runs `kubectl <global flags> <args>`. `stdin` carries manifests (and the registry password they
   * hold: never argv). `quiet` keeps the output out of the log (it is still returned).
   */
  run(args: readonly string[], options?: KubectlRunOptions): Promise<ExecResult>;
}

/** Options of one kubectl call. */
export interface KubectlRunOptions {
  stdin?: string;
  quiet?: boolean;
  /**
   * Bounds this call's requests (`--request-timeout`), instead of the rollout timeout every call
   * gets: what is left of a deadline, or a short probe.
   */
  timeoutSeconds?: number;
}

/** How much longer than the rollout timeout one kubectl request may take: a rollout's own `--timeout` fires first. */
const REQUEST_TIMEOUT_MARGIN_SECONDS = 5;

/**
 * The flags that point kubectl at one cluster. `rolloutTimeoutSeconds` bounds every request too
 * (kubectl's own `--request-timeout` is 0: an API server that accepts the connection and never
 * answers would hold an apply, a `get` or an undo forever). Pure.
 */
export function kubectlGlobalArgs(kubeconfig: string, context: string | undefined, rolloutTimeoutSeconds: number): string[] {
  return [
    '--kubeconfig',
    kubeconfig,
    ...(context ? ['--context', context] : []),
    requestTimeoutArg(Math.max(1, Math.ceil(rolloutTimeoutSeconds)) + REQUEST_TIMEOUT_MARGIN_SECONDS),
  ];
}

/** `--request-timeout=Ns`, at least one second. */
function requestTimeoutArg(seconds: number): string {
  return `--request-timeout=${Math.max(1, Math.ceil(seconds))}s`;
}

/**
 * The real kubectl, from PATH, through the ProcessRunner port. A missing kubectl is one clear
 * error; a cancelled job stops here with a CancelledError.
 */
export class KubectlCli implements Kubectl {
  constructor(
    private readonly runner: ProcessRunner,
    private readonly globalArgs: readonly string[],
    private readonly signal?: AbortSignal,
    private readonly file = 'kubectl',
  ) {}

  async run(args: readonly string[], options: KubectlRunOptions = {}): Promise<ExecResult> {
    throwIfCancelled(this.signal);
    // A later --request-timeout wins over the global one.
    const timeout = options.timeoutSeconds === undefined ? [] : [requestTimeoutArg(options.timeoutSeconds)];
    let result: ExecResult;
    try {
      result = await this.runner.exec(this.file, [...this.globalArgs, ...timeout, ...args], {
        stdin: options.stdin,
        quiet: options.quiet,
        signal: this.signal,
      });
    } catch (err) {
      if (err instanceof ToolError && /was not found on PATH/.test(err.message)) {
        throw new ToolError(
          'kubectl',
          `kubectl was not found on PATH: install the kubectl client on the agent (for example with the KubectlInstaller@0 task) or use action 'render'.`,
        );
      }
      throw err;
    }
    throwIfCancelled(this.signal);
    return result;
  }
}
