// The Manager owns every long-running part (informers, controllers, the health server) and starts
// them with one signal. Informers run on every replica (a standby has warm caches); controllers run
// only while this replica leads, when leader election is on. Ready = caches synced (and, with
// leader election, either leading or cleanly standing by).
import type { Logger } from 'pino';
import type { LeaderElector } from './leader.ts';
import { whenAborted } from '../../util/abort.ts';

export interface Runnable {
  readonly name: string;
  start(signal: AbortSignal): Promise<void>;
}

export interface SyncedRunnable extends Runnable {
  waitForSync(): Promise<void>;
  readonly synced: boolean;
}

export interface ManagerOptions {
  logger: Logger;
  leaderElector?: LeaderElector;
}

export class Manager {
  readonly #log: Logger;
  readonly #leader: LeaderElector | undefined;
  readonly #caches: SyncedRunnable[] = [];
  readonly #controllers: Runnable[] = [];
  #cachesSynced = false;

  constructor(options: ManagerOptions) {
    this.#log = options.logger;
    this.#leader = options.leaderElector;
  }

  addCache(runnable: SyncedRunnable): void {
    this.#caches.push(runnable);
  }

  /** A runnable that acts (writes), so it runs only on the leader. */
  addController(runnable: Runnable): void {
    this.#controllers.push(runnable);
  }

  ready(): boolean {
    return this.#cachesSynced;
  }

  /**
   * Starts everything. `onStarted` is called once caches are synced and controllers run. Resolves
   * when signal aborts and every runnable has stopped; a runnable that fails stops the others.
   */
  async start(signal: AbortSignal, onStarted?: () => void): Promise<void> {
    const inner = new AbortController();
    const stop = (): void => {
      inner.abort();
    };
    signal.addEventListener('abort', stop, { once: true });
    const caches = this.#caches.map((r) => this.#guard(r, inner));
    try {
      await Promise.race([Promise.all(this.#caches.map((c) => c.waitForSync())), whenAborted(inner.signal)]);
      this.#cachesSynced = !inner.signal.aborted;
      if (this.#cachesSynced) this.#log.info({ caches: this.#caches.map((c) => c.name) }, 'caches synced');
      const runControllers = async (leading: AbortSignal): Promise<void> => {
        onStarted?.();
        await Promise.all(this.#controllers.map((r) => this.#guard(r, inner, leading)));
      };
      if (!inner.signal.aborted) {
        if (this.#leader) await this.#leader.run(inner.signal, runControllers);
        else await runControllers(inner.signal);
      }
    } finally {
      inner.abort();
      signal.removeEventListener('abort', stop);
      await Promise.all(caches);
    }
  }

  async #guard(r: Runnable, all: AbortController, own: AbortSignal = all.signal): Promise<void> {
    try {
      await r.start(own);
    } catch (err) {
      this.#log.error({ err, runnable: r.name }, 'runnable failed; stopping the manager');
      all.abort();
    }
  }
}
