// Per-key exponential back-off, as controller-runtime's default item rate limiter: 5 ms doubling
// per consecutive failure, capped at 1000 s; a success forgets the key.

export interface BackoffOptions {
  baseMs?: number;
  maxMs?: number;
}

export class PerKeyBackoff {
  readonly #baseMs: number;
  readonly #maxMs: number;
  readonly #failures = new Map<string, number>();

  constructor(options: BackoffOptions = {}) {
    this.#baseMs = options.baseMs ?? 5;
    this.#maxMs = options.maxMs ?? 1_000_000;
  }

  /** The delay before the next retry of key; each call counts one more failure. */
  next(key: string): number {
    const failures = this.#failures.get(key) ?? 0;
    this.#failures.set(key, failures + 1);
    return Math.min(this.#baseMs * 2 ** failures, this.#maxMs);
  }

  failures(key: string): number {
    return this.#failures.get(key) ?? 0;
  }

  forget(key: string): void {
    this.#failures.delete(key);
  }
}
