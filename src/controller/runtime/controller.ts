// The loop that takes keys from a WorkQueue and reconciles them, with controller-runtime's outcome
// rules: success forgets the key's back-off, `requeueAfterMs` schedules it again, an error requeues
// with back-off, a TerminalError stops retrying (it is logged and counted, and the object's status
// should say why).
import type { Logger } from 'pino';
import { apiMessage, isConflict, isTransient } from '../../kube/errors.ts';
import { systemClock } from './clock.ts';
import { WorkQueue } from './queue.ts';
import type { WorkQueueOptions } from './queue.ts';

export interface Request {
  namespace: string;
  name: string;
}

export interface Result {
  /** Reconcile again after this many milliseconds (a deadline, a wait for something not watched). */
  requeueAfterMs?: number;
}

export interface ReconcileContext {
  /** Aborted when the operator stops; long calls should pass it on. */
  signal: AbortSignal;
}

export type Reconciler = (request: Request, context: ReconcileContext) => Promise<Result | undefined>;

/** An error retrying cannot fix (bad input): the key is not requeued. */
export class TerminalError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TerminalError';
  }
}

export interface ReconcileObserver {
  /** Called after every reconcile with its outcome and duration (metrics). */
  observe(controller: string, outcome: 'success' | 'requeue' | 'error' | 'terminal', seconds: number): void;
  depth(controller: string, depth: number): void;
}

export interface ControllerOptions {
  name: string;
  reconcile: Reconciler;
  logger: Logger;
  workers?: number;
  queue?: Omit<WorkQueueOptions, 'onDepth'>;
  observer?: ReconcileObserver;
  /**
   * Periodic resync: every `everyMs` all keys from `keys()` are enqueued, so a missed watch event or
   * a bug in an owner mapping heals within one period (level-triggered safety net, not a poll for work).
   */
  resync?: { everyMs: number; keys: () => string[] };
}

export function keyOf(namespace: string | undefined, name: string): string {
  return namespace ? `${namespace}/${name}` : name;
}

export function requestOf(key: string): Request {
  const slash = key.indexOf('/');
  return slash < 0 ? { namespace: '', name: key } : { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

export class Controller {
  readonly name: string;
  readonly queue: WorkQueue;
  readonly #opts: ControllerOptions;
  readonly #log: Logger;

  constructor(options: ControllerOptions) {
    this.name = options.name;
    this.#opts = options;
    this.#log = options.logger.child({ controller: options.name });
    this.queue = new WorkQueue({ ...options.queue, onDepth: (d) => options.observer?.depth(options.name, d) });
  }

  enqueue(namespace: string | undefined, name: string): void {
    this.queue.add(keyOf(namespace, name));
  }

  /** Runs the workers until signal aborts; resolves when every in-flight reconcile has finished. */
  async start(signal: AbortSignal): Promise<void> {
    const stop = (): void => {
      this.queue.shutDown();
    };
    if (signal.aborted) stop();
    signal.addEventListener('abort', stop, { once: true });
    const resync = this.#scheduleResync(signal);
    const workers = Array.from({ length: this.#opts.workers ?? 4 }, () => this.#worker(signal));
    await Promise.all(workers);
    resync.cancel();
  }

  #scheduleResync(signal: AbortSignal): { cancel(): void } {
    const r = this.#opts.resync;
    const clock = this.#opts.queue?.clock ?? systemClock;
    let timer: { cancel(): void } | undefined;
    const tick = (): void => {
      if (!r || signal.aborted) return;
      for (const key of r.keys()) this.queue.add(key);
      timer = clock.setTimer(tick, r.everyMs);
    };
    if (r) timer = clock.setTimer(tick, r.everyMs);
    return { cancel: () => timer?.cancel() };
  }

  async #worker(signal: AbortSignal): Promise<void> {
    for (;;) {
      const key = await this.queue.get();
      if (key === undefined) return;
      try {
        await this.#process(key, signal);
      } finally {
        this.queue.done(key);
      }
    }
  }

  async #process(key: string, signal: AbortSignal): Promise<void> {
    const started = performance.now();
    const outcome = await this.#reconcileOnce(key, signal);
    this.#opts.observer?.observe(this.name, outcome, (performance.now() - started) / 1000);
  }

  async #reconcileOnce(key: string, signal: AbortSignal): Promise<'success' | 'requeue' | 'error' | 'terminal'> {
    try {
      const result = await this.#opts.reconcile(requestOf(key), { signal });
      this.queue.forget(key);
      if (result?.requeueAfterMs !== undefined && result.requeueAfterMs >= 0) {
        this.queue.addAfter(key, result.requeueAfterMs);
        return 'requeue';
      }
      return 'success';
    } catch (err) {
      if (signal.aborted) return 'error';
      if (err instanceof TerminalError) {
        this.queue.forget(key);
        this.#log.error({ key, err }, 'reconcile failed permanently; not retrying');
        return 'terminal';
      }
      const delay = this.queue.addRateLimited(key);
      const fields = { key, retryInMs: delay, attempt: this.queue.numRequeues(key) };
      // A conflict means our cache was behind a write (often our own): routine, retried shortly. A
      // transient API failure (the transport already retried it) is worth a line, not a stack.
      if (isConflict((err as { cause?: unknown }).cause ?? err))
        this.#log.debug({ ...fields, err: apiMessage(err) }, 'reconcile failed; retrying with back-off');
      else if (isTransient(err))
        this.#log.info({ ...fields, err: apiMessage(err) }, 'reconcile failed; retrying with back-off');
      else this.#log.warn({ ...fields, err }, 'reconcile failed; retrying with back-off');
      return 'error';
    }
  }
}
