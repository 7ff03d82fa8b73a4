// Script sessions wait for Job CRs to finish. They are told by the Job CR informer (notify), not by
// polling: a waiter resolves when the cached object reaches a terminal phase.
import type { JobCR } from '../../api/types.ts';
import { keyOf } from '../runtime/controller.ts';
import { isTerminalJob } from './state.ts';

type Waiter = (job: JobCR) => void;

export class JobAbortedError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'JobAbortedError';
  }
}

export class JobWaiters {
  readonly #waiters = new Map<string, Set<Waiter>>();
  readonly #lookup: (namespace: string, name: string) => JobCR | undefined;

  constructor(lookup: (namespace: string, name: string) => JobCR | undefined) {
    this.#lookup = lookup;
  }

  /** Resolves with the Job CR once it is terminal; rejects with JobAbortedError when signal aborts. */
  wait(namespace: string, name: string, signal: AbortSignal): Promise<JobCR> {
    const cached = this.#lookup(namespace, name);
    if (cached && isTerminalJob(cached)) return Promise.resolve(cached);
    if (signal.aborted)
      return Promise.reject(new JobAbortedError(`waiting for job ${name} was aborted`, { cause: signal.reason }));
    const key = keyOf(namespace, name);
    return new Promise<JobCR>((resolve, reject) => {
      const set = this.#waiters.get(key) ?? new Set<Waiter>();
      this.#waiters.set(key, set);
      const cleanup = (): void => {
        set.delete(waiter);
        if (set.size === 0) this.#waiters.delete(key);
        signal.removeEventListener('abort', onAbort);
      };
      const waiter: Waiter = (job) => {
        cleanup();
        resolve(job);
      };
      const onAbort = (): void => {
        cleanup();
        reject(new JobAbortedError(`waiting for job ${name} was aborted`, { cause: signal.reason }));
      };
      set.add(waiter);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Called with every Job CR change; wakes the waiters of a job that became terminal. */
  notify(job: JobCR): void {
    if (!isTerminalJob(job)) return;
    const set = this.#waiters.get(keyOf(job.metadata.namespace, job.metadata.name ?? ''));
    if (!set) return;
    for (const waiter of [...set]) waiter(job);
  }

  get size(): number {
    return this.#waiters.size;
  }
}
