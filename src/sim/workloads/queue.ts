// A keyed work queue in the manner of controller-runtime: the queue carries only keys, identical
// keys are de-duplicated, one key is never handled twice at once, and a failed key is retried with
// per-key exponential back-off. Watch callbacks only enqueue, so no controller ever writes to the
// store from inside another write's fan-out.

export interface QueueOptions {
  name: string;
  handle: (key: string) => Promise<void> | void;
  /** Called for errors other than optimistic-concurrency conflicts, which are retried quietly. */
  onError?: (err: unknown, key: string) => void;
  baseDelayMs?: number;
  maxDelayMs?: number;
}

export function isConflict(err: unknown): boolean {
  const e = err as { code?: unknown; status?: { code?: unknown; reason?: unknown }; reason?: unknown } | null;
  return e?.code === 409 || e?.status?.code === 409 || e?.reason === 'Conflict' || e?.status?.reason === 'Conflict';
}

/** Errors a retry cannot fix (the request itself is refused): reported once, not requeued. */
export function isPermanent(err: unknown): boolean {
  const e = err as { code?: unknown } | null;
  return e?.code === 400 || e?.code === 403 || e?.code === 405 || e?.code === 422;
}

export function isNotFound(err: unknown): boolean {
  const e = err as { code?: unknown; status?: { code?: unknown } } | null;
  return e?.code === 404 || e?.status?.code === 404;
}

export function isAlreadyExists(err: unknown): boolean {
  const e = err as { reason?: unknown; status?: { reason?: unknown } } | null;
  return e?.reason === 'AlreadyExists' || e?.status?.reason === 'AlreadyExists';
}

export class WorkQueue {
  readonly #opts: Required<Omit<QueueOptions, 'onError'>> & Pick<QueueOptions, 'onError'>;
  readonly #dirty = new Set<string>();
  readonly #running = new Set<string>();
  readonly #failures = new Map<string, number>();
  readonly #timers = new Map<string, NodeJS.Timeout>();
  readonly #idle = new Set<() => void>();
  #scheduled = false;
  #stopped = false;

  constructor(opts: QueueOptions) {
    this.#opts = { baseDelayMs: 5, maxDelayMs: 30_000, ...opts };
  }

  add(key: string): void {
    if (this.#stopped) return;
    this.#dirty.add(key);
    this.#schedule();
  }

  /** Enqueues the key after delayMs (a deadline, a TTL); a later call replaces an earlier timer. */
  addAfter(key: string, delayMs: number): void {
    if (this.#stopped) return;
    clearTimeout(this.#timers.get(key));
    const timer = setTimeout(
      () => {
        this.#timers.delete(key);
        this.add(key);
      },
      Math.max(0, delayMs),
    );
    this.#timers.set(key, timer);
  }

  cancel(key: string): void {
    clearTimeout(this.#timers.get(key));
    this.#timers.delete(key);
    this.#failures.delete(key);
  }

  /** Stops taking work and resolves when no handler is running. */
  async stop(): Promise<void> {
    this.#stopped = true;
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
    this.#dirty.clear();
    if (this.#running.size === 0) return;
    await new Promise<void>((resolve) => this.#idle.add(resolve));
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      this.#drain();
    });
  }

  #drain(): void {
    for (const key of [...this.#dirty]) {
      if (this.#running.has(key)) continue;
      this.#dirty.delete(key);
      this.#running.add(key);
      this.#run(key).then(
        () => {
          this.#finish(key);
        },
        (err: unknown) => {
          this.#finish(key, err);
        },
      );
    }
  }

  async #run(key: string): Promise<void> {
    await this.#opts.handle(key);
  }

  #finish(key: string, err?: unknown): void {
    this.#running.delete(key);
    if (err === undefined) {
      this.#failures.delete(key);
    } else if (isPermanent(err)) {
      this.#failures.delete(key);
      this.#opts.onError?.(err, key);
    } else if (!this.#stopped) {
      const failures = (this.#failures.get(key) ?? 0) + 1;
      this.#failures.set(key, failures);
      if (!isConflict(err)) this.#opts.onError?.(err, key);
      this.addAfter(key, Math.min(this.#opts.maxDelayMs, this.#opts.baseDelayMs * 2 ** (failures - 1)));
    }
    if (this.#dirty.has(key)) this.#schedule();
    if (this.#running.size === 0) for (const resolve of this.#idle) resolve();
    if (this.#running.size === 0) this.#idle.clear();
  }
}
