// Retrying an operation (usually a few API calls) until it succeeds, for callers that must not give
// up on a transient failure: the job host, whose failure would otherwise reach the script and fail
// the build. The transport below has already retried each request a few times; this loop keeps
// going (with back-off up to maxMs) for as long as the failures are transient and the caller wants
// the result. A permanent error is thrown at once; once `signal` has aborted, its reason is.
import { isTransient } from './errors.ts';
import { sleep as defaultSleep } from './rate-limiter.ts';

export interface RetryTransientOptions {
  signal: AbortSignal;
  baseMs?: number;
  maxMs?: number;
  /** Told before each pause (logging). */
  onRetry?: (err: unknown, attempt: number, delayMs: number) => void;
  random?: () => number;
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

/** Runs `fn` until it resolves or throws a permanent error; rejects with the signal's reason when it aborts. */
export async function retryTransient<T>(fn: () => Promise<T>, options: RetryTransientOptions): Promise<T> {
  const { signal } = options;
  const baseMs = options.baseMs ?? 250;
  const maxMs = options.maxMs ?? 10_000;
  const random = options.random ?? Math.random;
  const pause = options.sleep ?? defaultSleep;
  for (let attempt = 1; ; attempt++) {
    signal.throwIfAborted();
    try {
      return await fn();
    } catch (err) {
      signal.throwIfAborted();
      if (!isTransient(err)) throw err;
      // Half fixed, half jitter: never a busy loop, and retries of many callers spread out.
      const cap = Math.min(maxMs, baseMs * 2 ** Math.min(attempt - 1, 20));
      const delayMs = Math.round(cap / 2 + (random() * cap) / 2);
      options.onRetry?.(err, attempt, delayMs);
      await pause(delayMs, signal);
    }
  }
}
