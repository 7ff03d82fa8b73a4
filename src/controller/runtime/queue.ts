// A work queue of keys with controller-runtime semantics:
// - it carries only keys ("namespace/name"), never events: the reconcile reads current state;
// - a key waiting in the queue is not added twice (de-duplication);
// - a key being processed is never handed out again until done(); if it was added meanwhile, it
//   is queued again at done(), so the change is not lost;
// - addAfter() delays a key (requeueAfter, deadlines); the earliest pending delay wins;
// - addRateLimited() delays by the key's exponential back-off; forget() resets it.
import { PerKeyBackoff } from './backoff.ts';
import type { BackoffOptions } from './backoff.ts';
import { systemClock } from './clock.ts';
import type { Clock, TimerHandle } from './clock.ts';

export interface WorkQueueOptions {
  clock?: Clock;
  backoff?: BackoffOptions;
  /** Called whenever the number of queued keys changes (metrics). */
  onDepth?: (depth: number) => void;
}

export class WorkQueue {
  readonly #clock: Clock;
  readonly #backoff: PerKeyBackoff;
  readonly #onDepth: (depth: number) => void;
  readonly #queue: string[] = [];
  readonly #dirty = new Set<string>();
  readonly #processing = new Set<string>();
  readonly #delayed = new Map<string, { at: number; timer: TimerHandle }>();
  #waiters: ((key: string | undefined) => void)[] = [];
  #shuttingDown = false;

  constructor(options: WorkQueueOptions = {}) {
    this.#clock = options.clock ?? systemClock;
    this.#backoff = new PerKeyBackoff(options.backoff);
    this.#onDepth = options.onDepth ?? (() => {});
  }

  get length(): number {
    return this.#queue.length;
  }

  get shuttingDown(): boolean {
    return this.#shuttingDown;
  }

  add(key: string): void {
    if (this.#shuttingDown || this.#dirty.has(key)) return;
    this.#dirty.add(key);
    if (this.#processing.has(key)) return;
    this.#push(key);
  }

  /** Adds key after ms; when the key is already waiting for an earlier time, that time stands. */
  addAfter(key: string, ms: number): void {
    if (this.#shuttingDown) return;
    if (ms <= 0) {
      this.add(key);
      return;
    }
    const at = this.#clock.now() + ms;
    const pending = this.#delayed.get(key);
    if (pending && pending.at <= at) return;
    pending?.timer.cancel();
    const timer = this.#clock.setTimer(() => {
      this.#delayed.delete(key);
      this.add(key);
    }, ms);
    this.#delayed.set(key, { at, timer });
  }

  /** Adds key after its back-off delay (which grows with each call until forget()); returns the delay. */
  addRateLimited(key: string): number {
    const delay = this.#backoff.next(key);
    this.addAfter(key, delay);
    return delay;
  }

  forget(key: string): void {
    this.#backoff.forget(key);
  }

  numRequeues(key: string): number {
    return this.#backoff.failures(key);
  }

  /** The next key to process; undefined once the queue is shut down. Call done(key) afterwards. */
  get(): Promise<string | undefined> {
    const key = this.#shift();
    if (key !== undefined || this.#shuttingDown) return Promise.resolve(key);
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  done(key: string): void {
    this.#processing.delete(key);
    if (this.#dirty.has(key) && !this.#shuttingDown) this.#push(key);
  }

  /** Stops handing out keys: waiting get() calls resolve undefined; delayed keys are dropped. */
  shutDown(): void {
    this.#shuttingDown = true;
    for (const { timer } of this.#delayed.values()) timer.cancel();
    this.#delayed.clear();
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const resolve of waiters) resolve(undefined);
  }

  #push(key: string): void {
    const waiter = this.#waiters.shift();
    if (waiter) {
      this.#dirty.delete(key);
      this.#processing.add(key);
      waiter(key);
      return;
    }
    this.#queue.push(key);
    this.#onDepth(this.#queue.length);
  }

  #shift(): string | undefined {
    if (this.#shuttingDown) return undefined;
    const key = this.#queue.shift();
    if (key === undefined) return undefined;
    this.#onDepth(this.#queue.length);
    this.#dirty.delete(key);
    this.#processing.add(key);
    return key;
  }
}
