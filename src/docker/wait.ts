import type { ContainerState } from './containers';
import type { Docker } from './engine';
import { judgeReadiness, type Readiness } from './readiness';

/** How often the state is re-read while `docker events` runs (a safety net: events wake the wait at once). */
export const POLL_WITH_EVENTS_MS = 1000;
/** How often the state is re-read when the event stream is not available. */
export const POLL_WITHOUT_EVENTS_MS = 200;

/** What the wait needs besides docker: the clock and sleeping are injectable for tests. */
export interface WaitOptions {
  project: string;
  oneShot: ReadonlySet<string>;
  /** Absolute deadline, in the clock's milliseconds. */
  deadline: number;
  /** Aborts the wait (the job is cancelled). */
  signal: AbortSignal;
  now?: () => number;
}

/** How the wait ended: the last readiness judged, and the containers it was judged on. */
export interface WaitOutcome {
  readiness: Readiness;
  containers: ContainerState[];
  /** True when the deadline passed before the app was ready or failed. */
  timedOut: boolean;
}

/**
 * Waits until every container of the project is ready, one fails, the deadline passes or the
 * signal aborts. It re-reads the state whenever `docker events` reports a change to one of the
 * project's containers, and polls as a fallback, so readiness is noticed within milliseconds.
 */
export async function waitForReadiness(docker: Docker, options: WaitOptions): Promise<WaitOutcome> {
  const now = options.now ?? Date.now;
  const stopEvents = new AbortController();
  let wake: (() => void) | undefined;
  let eventsAlive = true;
  let changed: boolean;
  const onEvent = (): void => {
    changed = true;
    wake?.();
  };
  // Should the event stream end early, polling takes over at its quicker pace at once.
  const events = docker
    .watchEvents(options.project, onEvent, stopEvents.signal)
    .catch(() => undefined)
    .finally(() => {
      eventsAlive = false;
      wake?.();
    });
  const onAbort = (): void => wake?.();
  options.signal.addEventListener('abort', onAbort);
  try {
    for (;;) {
      changed = false;
      const { containers } = await docker.inspectProject(options.project);
      const readiness = judgeReadiness(containers, options.oneShot);
      if (readiness.kind !== 'waiting' || options.signal.aborted) return { readiness, containers, timedOut: false };
      const remaining = options.deadline - now();
      if (remaining <= 0) return { readiness, containers, timedOut: true };
      if (changed) continue; // an event came in while we were reading: read again at once
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, Math.min(remaining, eventsAlive ? POLL_WITH_EVENTS_MS : POLL_WITHOUT_EVENTS_MS));
        function done(): void {
          clearTimeout(timer);
          wake = undefined;
          resolve();
        }
        wake = done;
      });
    }
  } finally {
    options.signal.removeEventListener('abort', onAbort);
    stopEvents.abort();
    await events;
  }
}
