// A client-side token bucket, like client-go's default rate limiter (QPS with a burst): each API
// request takes a token; tokens refill at `qps` per second up to `burst`. Waiters are served in
// arrival order (a token is reserved when asked for), so one busy caller cannot starve another
// sharing the bucket. The operator gives each controller its own bucket, so a storm of job writes
// does not hold up the Event controller, and together they stay below what API priority and
// fairness would answer with 429s.

export interface RateLimit {
  /** Sustained requests per second; 0 or Infinity turns the limit off. */
  qps: number;
  /** Requests allowed at once after a quiet spell. */
  burst: number;
}

export interface TokenBucketOptions extends RateLimit {
  /** Milliseconds since some epoch; injectable for tests. */
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export class TokenBucket {
  readonly qps: number;
  readonly burst: number;
  readonly #now: () => number;
  readonly #sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  #tokens: number;
  #updatedAt: number;

  constructor(options: TokenBucketOptions) {
    if (!(options.qps >= 0)) throw new RangeError(`qps must be >= 0, got ${options.qps}`);
    if (!(options.burst >= 1)) throw new RangeError(`burst must be >= 1, got ${options.burst}`);
    this.qps = options.qps;
    this.burst = options.burst;
    this.#now = options.now ?? (() => performance.now());
    this.#sleep = options.sleep ?? sleep;
    this.#tokens = options.burst;
    this.#updatedAt = this.#now();
  }

  get unlimited(): boolean {
    return this.qps === 0 || this.qps === Infinity;
  }

  /**
   * Reserves one token and says how long to wait before using it (0 when one was available). The
   * balance may go negative: that is the queue of callers already waiting.
   */
  reserve(): number {
    if (this.unlimited) return 0;
    const now = this.#now();
    this.#tokens = Math.min(this.burst, this.#tokens + ((now - this.#updatedAt) / 1000) * this.qps);
    this.#updatedAt = now;
    this.#tokens -= 1;
    return this.#tokens >= 0 ? 0 : (-this.#tokens / this.qps) * 1000;
  }

  /** Waits for a token. */
  async take(signal?: AbortSignal): Promise<void> {
    const wait = this.reserve();
    if (wait > 0) await this.#sleep(wait, signal);
  }
}

/** Resolves after ms; rejects with the signal's reason when it aborts first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(abortReason(signal));
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortReason(signal));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function abortReason(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason;
  return reason instanceof Error ? reason : new DOMException('aborted', 'AbortError');
}
