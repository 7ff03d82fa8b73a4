// A watched, cached view of one resource type, built on client-node's ListWatch (list, then watch,
// re-list after 410 Gone). What we add: client-node's informer stops for good on any error, so we
// restart it with back-off and log it; `synced` says when the first list is in the cache; lookups by
// label and by owner; change handlers that the controllers use to enqueue keys.
import { makeInformer } from '@kubernetes/client-node';
import type { KubeConfig, KubernetesListObject, KubernetesObject } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { PerKeyBackoff } from './backoff.ts';
import { systemClock } from './clock.ts';
import type { Clock, TimerHandle } from './clock.ts';

export type ChangeVerb = 'add' | 'update' | 'delete';
export type ChangeHandler<T> = (obj: T, verb: ChangeVerb) => void;

export interface InformerOptions<T extends KubernetesObject> {
  /** For logs and metrics, e.g. "pods". */
  name: string;
  kubeConfig: KubeConfig;
  /** Collection path, e.g. /api/v1/namespaces/ns/pods or /apis/brigade.sh/v1alpha1/builds. */
  path: string;
  /** Lists the collection (with the same label selector); its resourceVersion starts the watch. */
  list: () => Promise<KubernetesListObject<T>>;
  labelSelector?: string;
  logger: Logger;
  clock?: Clock;
  /** Called on every restart after an error (metrics). */
  onRestart?: (informer: string) => void;
}

const RESTART_BACKOFF = { baseMs: 500, maxMs: 30_000 };

export class Informer<T extends KubernetesObject> {
  readonly name: string;
  readonly #opts: InformerOptions<T>;
  readonly #log: Logger;
  readonly #clock: Clock;
  readonly #lw: ReturnType<typeof makeInformer<T>>;
  readonly #handlers: ChangeHandler<T>[] = [];
  readonly #indexes = new Map<string, ObjectIndex<T>>();
  readonly #backoff = new PerKeyBackoff(RESTART_BACKOFF);
  #synced = false;
  #stopped = false;
  #restartTimer: TimerHandle | undefined;
  #syncWaiters: (() => void)[] = [];

  constructor(options: InformerOptions<T>) {
    this.name = options.name;
    this.#opts = options;
    this.#log = options.logger.child({ informer: options.name });
    this.#clock = options.clock ?? systemClock;
    this.#lw = makeInformer<T>(options.kubeConfig, options.path, options.list, options.labelSelector);
    this.#lw.on('add', (o) => this.#emit(o, 'add'));
    this.#lw.on('update', (o) => this.#emit(o, 'update'));
    this.#lw.on('delete', (o) => this.#emit(o, 'delete'));
    this.#lw.on('error', (err) => this.#onError(err));
  }

  /**
   * Adds a secondary index: `values(obj)` gives the index values an object is found under (e.g. its
   * build label, its owner uids). Lookups with byIndex are then O(matches), not a scan of the cache,
   * which matters with thousands of builds and jobs. Add indexes before start().
   */
  addIndex(name: string, values: (obj: T) => readonly string[]): void {
    this.#indexes.set(name, new ObjectIndex(values));
  }

  /** Cached objects whose index `name` has `value`. */
  byIndex(name: string, value: string): T[] {
    const index = this.#indexes.get(name);
    if (!index) throw new Error(`informer ${this.name} has no index ${name}`);
    return index.keys(value).flatMap((key) => {
      const obj = this.#lw.get(key.name, key.namespace || undefined);
      return obj ? [obj] : [];
    });
  }

  /** Registers a handler for every add/update/delete (including the adds of the initial list). */
  onChange(handler: ChangeHandler<T>): void {
    this.#handlers.push(handler);
  }

  get synced(): boolean {
    return this.#synced;
  }

  /** Resolves once the first list has been loaded into the cache. */
  waitForSync(): Promise<void> {
    if (this.#synced) return Promise.resolve();
    return new Promise((resolve) => this.#syncWaiters.push(resolve));
  }

  get(namespace: string | undefined, name: string): T | undefined {
    return this.#lw.get(name, namespace);
  }

  list(namespace?: string): readonly T[] {
    return this.#lw.list(namespace);
  }

  /** Cached objects whose labels include every pair of `labels`. */
  byLabels(labels: Record<string, string>, namespace?: string): T[] {
    const wanted = Object.entries(labels);
    return this.list(namespace).filter((o) => wanted.every(([k, v]) => o.metadata?.labels?.[k] === v));
  }

  /** Cached objects that have an ownerReference to `ownerUid`. */
  byOwner(ownerUid: string, namespace?: string): T[] {
    return this.list(namespace).filter((o) => o.metadata?.ownerReferences?.some((r) => r.uid === ownerUid));
  }

  /** Runs until signal aborts. */
  async start(signal: AbortSignal): Promise<void> {
    if (signal.aborted) return;
    const stopped = new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
    this.#run();
    await stopped;
    this.#stopped = true;
    this.#restartTimer?.cancel();
    await this.#lw.stop();
  }

  #run(): void {
    this.#lw.start().then(
      () => this.#afterStart(),
      (err: unknown) => this.#onError(err),
    );
  }

  #afterStart(): void {
    // start() resolves after the list was stored and the watch connected; an error during the list
    // has already gone to #onError (then the cache is not complete yet).
    if (this.#stopped || this.#restartTimer) return;
    this.#backoff.forget(this.name);
    if (this.#synced) return;
    this.#synced = true;
    this.#log.debug('cache synced');
    for (const resolve of this.#syncWaiters.splice(0)) resolve();
  }

  #onError(err: unknown): void {
    if (this.#stopped || this.#restartTimer) return;
    const delay = this.#backoff.next(this.name);
    this.#log.warn({ err, restartInMs: delay }, 'watch failed; restarting the informer');
    this.#opts.onRestart?.(this.name);
    this.#restartTimer = this.#clock.setTimer(() => {
      this.#restartTimer = undefined;
      if (!this.#stopped) this.#run();
    }, delay);
  }

  #emit(obj: T, verb: ChangeVerb): void {
    for (const index of this.#indexes.values()) index.update(obj, verb);
    for (const handler of this.#handlers) {
      try {
        handler(obj, verb);
      } catch (err) {
        this.#log.error({ err, verb }, 'change handler threw');
      }
    }
  }
}

/** One secondary index: value -> object keys, kept current from the informer's change events. */
class ObjectIndex<T extends KubernetesObject> {
  readonly #values: (obj: T) => readonly string[];
  readonly #byValue = new Map<string, Map<string, { namespace: string; name: string }>>();
  readonly #byObject = new Map<string, readonly string[]>();

  constructor(values: (obj: T) => readonly string[]) {
    this.#values = values;
  }

  update(obj: T, verb: ChangeVerb): void {
    const namespace = obj.metadata?.namespace ?? '';
    const name = obj.metadata?.name ?? '';
    const key = `${namespace}/${name}`;
    for (const v of this.#byObject.get(key) ?? []) {
      const set = this.#byValue.get(v);
      set?.delete(key);
      if (set?.size === 0) this.#byValue.delete(v);
    }
    this.#byObject.delete(key);
    if (verb === 'delete') return;
    const values = this.#values(obj);
    this.#byObject.set(key, values);
    for (const v of values) {
      const set = this.#byValue.get(v) ?? new Map<string, { namespace: string; name: string }>();
      set.set(key, { namespace, name });
      this.#byValue.set(v, set);
    }
  }

  keys(value: string): { namespace: string; name: string }[] {
    return [...(this.#byValue.get(value)?.values() ?? [])];
  }
}
