import type { ChildProcess } from 'node:child_process';

/** How long a step has to clean up after SIGINT before it is killed (the agent gives a grace period too). */
export const CANCEL_GRACE_MS = 15_000;

/** What ended a step early, if anything. */
export interface ChildWatch {
  readonly cancelled: boolean;
  readonly timedOut: boolean;
  dispose(): void;
}

/**
 * Stops a step's process as the agent does: SIGINT when the run is cancelled or the step's
 * timeout passes (the tasks clean up on it: compose teardown, temporary kubeconfigs), then SIGKILL
 * if it is still there after the grace period. A script runs in its own process group
 * (`processGroup`), which gets the signals as a terminal's Ctrl-C would.
 */
export function watchChild(
  child: ChildProcess,
  options: { signal: AbortSignal; timeoutMs?: number; graceMs?: number; processGroup?: boolean },
): ChildWatch {
  const state = { cancelled: false, timedOut: false };
  let killTimer: NodeJS.Timeout | undefined;
  const send = (signal: NodeJS.Signals): void => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    try {
      // A script's whole process group, so that the command it waits for stops too.
      if (options.processGroup && child.pid) process.kill(-child.pid, signal);
      else child.kill(signal);
    } catch {
      // Already gone.
    }
  };
  const stop = (): void => {
    send('SIGINT');
    killTimer = setTimeout(() => send('SIGKILL'), options.graceMs ?? CANCEL_GRACE_MS);
    killTimer.unref();
  };
  const onAbort = (): void => {
    state.cancelled = true;
    stop();
  };
  if (options.signal.aborted) onAbort();
  else options.signal.addEventListener('abort', onAbort, { once: true });
  const timeout = options.timeoutMs
    ? setTimeout(() => {
        state.timedOut = true;
        stop();
      }, options.timeoutMs)
    : undefined;
  timeout?.unref();
  return {
    get cancelled() {
      return state.cancelled;
    },
    get timedOut() {
      return state.timedOut;
    },
    dispose() {
      options.signal.removeEventListener('abort', onAbort);
      if (timeout) clearTimeout(timeout);
      if (killTimer) clearTimeout(killTimer);
    },
  };
}
