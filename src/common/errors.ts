/**
 * Typed errors. Every error a user can cause is one of these; the task boundary turns it into a
 * single `setResult(Failed, message)` line, and anything else is reported as an internal error.
 */

/** Base class: an error whose message is fit to show a user as it is, one clear sentence. */
export class OuterloopError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** A task input (or CLI option) that is missing or has the wrong shape. */
export class InputError extends OuterloopError {
  /** @param input the input's task.json name, e.g. `repository` */
  constructor(
    readonly input: string,
    detail: string,
  ) {
    super(`Input '${input}' ${detail}`);
  }
}

/** A file the user named that is missing or malformed; `location` is `file[:line[:column]]`. */
export class FileError extends OuterloopError {
  constructor(
    readonly location: string,
    detail: string,
  ) {
    super(`${location}: ${detail}`);
  }
}

/** A tool (docker, kubectl, compose) that is not installed, or that failed. */
export class ToolError extends OuterloopError {
  constructor(
    readonly tool: string,
    message: string,
    readonly exitCode?: number,
  ) {
    super(message);
  }
}

/** A feature that is declared but not built yet. */
export class NotImplementedError extends OuterloopError {}

/** The job was cancelled (SIGINT/SIGTERM) while the task ran. */
export class CancelledError extends OuterloopError {
  constructor(signal: string) {
    super(`The task was cancelled (${signal}).`);
  }
}

/** The one cancellation check: throws the job's cancellation (the signal's reason) once `signal` is aborted. */
export function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (!signal?.aborted) return;
  throw signal.reason instanceof Error ? signal.reason : new CancelledError('SIGTERM');
}

/** Returns the message of any thrown value, without a stack. */
export function describeError(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
