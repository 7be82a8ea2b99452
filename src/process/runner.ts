import { spawn } from 'node:child_process';
import { ToolError } from '../common/errors';
import { LineNeutralizer, neutralizeLoggingCommands } from './neutralize';

/** Options for one child process. */
export interface ExecOptions {
  cwd?: string;
  /** The whole environment of the child (defaults to this process's). */
  env?: NodeJS.ProcessEnv;
  /** Written to the child's stdin, which is then closed (how passwords reach `docker login`). */
  stdin?: string;
  /** Do not stream the child's output to the log (it is still captured). */
  quiet?: boolean;
  /** Do not print the command line before running it. */
  noEcho?: boolean;
  /** Kills the child (SIGTERM) when aborted. */
  signal?: AbortSignal;
  /**
   * Runs the child in a process group of its own and, when `signal` aborts, sends SIGTERM to the
   * whole group (SIGKILL {@link GROUP_KILL_GRACE_MS} later if it is still there): for user commands
   * (`sh -c …`) whose own children must not outlive a cancellation.
   */
  processGroup?: boolean;
  /** Called with each whole line of stdout (raw, without its newline) as it arrives. */
  onStdoutLine?: (line: string) => void;
}

/** What a finished child process left behind. Output is the tail, at most {@link CAPTURE_LIMIT} chars. */
export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The port every tool invocation goes through: argv arrays only, never a shell string. */
export interface ProcessRunner {
  exec(file: string, args: readonly string[], options?: ExecOptions): Promise<ExecResult>;
}

/** Where streamed, neutralized output lines go. */
export interface LogSink {
  write(text: string): void;
}

/** How long a process group has between SIGTERM and SIGKILL when its command is cancelled. */
export const GROUP_KILL_GRACE_MS = 3000;

/** How much of each stream is kept in memory for error messages and parsing. */
export const CAPTURE_LIMIT = 4 * 1024 * 1024;

/** Quotes one argument for display, the way a POSIX shell would need it. Display only. */
export function quoteArg(arg: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** Formats a command line for the log. */
export function formatCommandLine(file: string, args: readonly string[]): string {
  return [file, ...args].map(quoteArg).join(' ');
}

function appendCapped(buffer: string, chunk: string): string {
  const joined = buffer + chunk;
  return joined.length > CAPTURE_LIMIT ? joined.slice(joined.length - CAPTURE_LIMIT) : joined;
}

/**
 * Runs processes with node's spawn (no shell), streaming their output live through a
 * `##vso[` neutralizer into the log sink and capturing it for the caller.
 */
export class NodeProcessRunner implements ProcessRunner {
  constructor(private readonly sink: LogSink = process.stdout) {}

  exec(file: string, args: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
    // Arguments can carry user input too, so the echoed command line is neutralized like the output.
    if (!options.noEcho) this.sink.write(`##[command]${neutralizeLoggingCommands(formatCommandLine(file, args))}\n`);
    return new Promise<ExecResult>((resolve, reject) => {
      const group = options.processGroup === true;
      const child = spawn(file, [...args], {
        cwd: options.cwd,
        env: options.env ?? process.env,
        stdio: ['pipe', 'pipe', 'pipe'],
        signal: group ? undefined : options.signal,
        killSignal: 'SIGTERM',
        detached: group,
      });
      const stopGroup = group ? killGroupOnAbort(child.pid, options.signal) : undefined;
      let stdout = '';
      let stderr = '';
      const show = options.quiet ? undefined : new LineNeutralizer((line) => this.sink.write(line));
      const lines = options.onStdoutLine ? new LineSplitter(options.onStdoutLine) : undefined;
      child.stdout.setEncoding('utf8');
      child.stderr.setEncoding('utf8');
      child.stdout.on('data', (chunk: string) => {
        stdout = appendCapped(stdout, chunk);
        show?.write(chunk);
        lines?.write(chunk);
      });
      child.stderr.on('data', (chunk: string) => {
        stderr = appendCapped(stderr, chunk);
        show?.write(chunk);
      });
      child.stdin.on('error', () => undefined); // a child that exits without reading stdin is not our error
      child.stdin.end(options.stdin ?? '');
      child.on('error', (err: NodeJS.ErrnoException) => {
        stopGroup?.();
        if (err.code === 'ENOENT') {
          reject(new ToolError(file, `'${file}' was not found on PATH; install it on the agent or add it to PATH.`));
        } else if (err.name === 'AbortError') {
          // 'close' follows with the signal; let it settle the promise.
        } else {
          reject(new ToolError(file, `Could not run '${file}': ${err.message}`));
        }
      });
      child.on('close', (code, signal) => {
        stopGroup?.();
        show?.end();
        lines?.end();
        resolve({ code: code ?? (signal ? 128 + signalNumber(signal) : 1), stdout, stderr });
      });
    });
  }
}

/** Splits a stream into lines for a callback (no neutralizing: the caller parses, it does not log). */
class LineSplitter {
  private pending = '';
  constructor(private readonly emit: (line: string) => void) {}
  write(chunk: string): void {
    const parts = (this.pending + chunk).split('\n');
    this.pending = parts.pop() ?? '';
    for (const line of parts) this.emit(line.replace(/\r$/, ''));
  }
  end(): void {
    if (this.pending) this.emit(this.pending);
    this.pending = '';
  }
}

/**
 * Sends SIGTERM to the process group `pid` leads when `signal` aborts, then SIGKILL after a grace
 * period. Returns the function that stops watching (call it once the child has exited).
 */
function killGroupOnAbort(pid: number | undefined, signal: AbortSignal | undefined): () => void {
  if (pid === undefined || !signal) return () => undefined;
  let timer: NodeJS.Timeout | undefined;
  const send = (sig: NodeJS.Signals): void => {
    try {
      process.kill(-pid, sig);
    } catch {
      // the group is already gone
    }
  };
  const onAbort = (): void => {
    send('SIGTERM');
    timer = setTimeout(() => send('SIGKILL'), GROUP_KILL_GRACE_MS);
    timer.unref();
  };
  if (signal.aborted) onAbort();
  else signal.addEventListener('abort', onAbort, { once: true });
  return () => {
    signal.removeEventListener('abort', onAbort);
    if (timer) clearTimeout(timer);
  };
}

function signalNumber(signal: NodeJS.Signals): number {
  return signal === 'SIGKILL' ? 9 : signal === 'SIGINT' ? 2 : 15;
}

/** The last `count` non-empty lines of `text`, for error messages. */
export function lastLines(text: string, count: number): string[] {
  return text
    .split('\n')
    .map((l) => l.trimEnd())
    .filter((l) => l.length > 0)
    .slice(-count);
}

/** Why a finished process failed, in one line: its last line of error output (else of output), else its exit code. */
export function failureReason(result: ExecResult): string {
  return lastLines(result.stderr || result.stdout, 1)[0] ?? `exit code ${result.code}`;
}

/**
 * The one tool-failure sentence: `docker push r/a:1 failed[ after 3 attempts]: <why>`, the reason
 * neutralized (it is the tool's own output).
 */
export function failureSentence(what: string, reason: string, note = ''): string {
  return `${what} failed${note}: ${neutralizeLoggingCommands(reason)}`;
}

/** {@link failureSentence} for a finished command, as a ToolError; the reason is {@link failureReason}'s. */
export function commandFailed(tool: string, what: string, result: ExecResult): ToolError {
  return new ToolError(tool, failureSentence(what, failureReason(result)), result.code);
}
