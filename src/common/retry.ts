import { CancelledError } from './errors';

/** Waits `ms` milliseconds; rejects when `signal` aborts. Injected so unit tests never wait. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

/** How often and how patiently a transient failure is retried. */
export interface RetryPolicy {
  /** Retries after the first attempt (0 = try once). */
  retries: number;
  /** The first delay; each later one doubles (1 s, 2 s, 4 s, …). */
  baseDelayMs: number;
  sleep: Sleep;
  signal?: AbortSignal;
}

/** The default first delay between attempts. */
export const DEFAULT_BASE_DELAY_MS = 1000;

/** A real timer, cancelled by `signal`. */
export const realSleep: Sleep = (ms, signal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason instanceof Error ? signal.reason : new CancelledError('abort'));
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason instanceof Error ? signal.reason : new CancelledError('abort'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });

/** The delay before retry number `retry` (1-based): base × 2^(retry-1). */
export function backoffDelay(policy: Pick<RetryPolicy, 'baseDelayMs'>, retry: number): number {
  return policy.baseDelayMs * 2 ** (retry - 1);
}

/** What one attempt reports when it fails: whether to try again, and why. */
export interface AttemptFailure {
  transient: boolean;
  reason: string;
}

/**
 * Runs `attempt` until it succeeds, a failure is not transient, or the retries are spent, waiting
 * with exponential backoff in between. `classify` decides for each thrown error; `onRetry` is told
 * before each wait (for a log line). The last error is rethrown as it is.
 */
export async function withRetries<T>(
  policy: RetryPolicy,
  attempt: (attemptNumber: number) => Promise<T>,
  classify: (err: unknown) => AttemptFailure,
  onRetry?: (info: { retry: number; of: number; delayMs: number; reason: string }) => void,
): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt(n);
    } catch (err) {
      const failure = classify(err);
      if (!failure.transient || n > policy.retries || policy.signal?.aborted) throw err;
      const delayMs = backoffDelay(policy, n);
      onRetry?.({ retry: n, of: policy.retries, delayMs, reason: failure.reason });
      await policy.sleep(delayMs, policy.signal);
    }
  }
}
