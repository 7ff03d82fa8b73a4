// A watched, cached view of one resource type: list once, then watch from the list's
// resourceVersion, and on every reconnect resume from the last version seen (events and bookmarks
// move it forward), so a cut connection or a server-side watch timeout costs one request, not a
// re-list. Only 410 Gone (the version is too old for the server's watch cache) lists again; objects
// that vanished meanwhile are reported deleted. Failures reconnect with back-off; transient ones are
// routine (debug), a run of them or a refusal (403, 404) is a warning, each with the message only.
// Also: `synced` says when the first list is in the cache; lookups by label, by owner and by
// secondary index; change handlers that the controllers use to enqueue keys.
import type { KubeConfig, KubernetesListObject, KubernetesObject } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { apiMessage, isGone, isTransient } from '../../kube/errors.ts';
import type { TokenBucket } from '../../kube/rate-limiter.ts';
import { watchOnce } from '../../kube/watch-stream.ts';
import type { WatchEnd, WatchEvent } from '../../kube/watch-stream.ts';
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
  /** Called on every reconnect after a failure (metrics). */
  onRestart?: (informer: string) => void;
  /** Called on every full list after the first (metrics: should stay rare). */
  onRelist?: (informer: string) => void;
  /** Rate limit for watch connects (the list goes through its client's own limit). */
  limiter?: TokenBucket;
  /** Server-side watch timeout, in seconds; each watch picks a value between this and twice it. */
  watchTimeoutSeconds?: number;
  /** What of each object the cache keeps (default: all but managedFields and kubectl's last-applied copy). */
  keep?: (obj: T) => T;
}

const RESTART_BACKOFF = { baseMs: 500, maxMs: 30_000 };
/** Consecutive transient failures before they are worth a warning. */
const WARN_AFTER_FAILURES = 5;
/** Like client-go's reflector: watches of 5-10 minutes, ended by the server, then resumed. */
const DEFAULT_WATCH_TIMEOUT_SECONDS = 300;

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/**
 * The object as the cache keeps it: without managedFields (a record of who set which field, often
 * larger than the object itself, that no controller here reads) nor kubectl's copy of the last
 * applied manifest. Thousands of pods and jobs in flight are what the operator's memory is made of.
 */
export function trimmed<T extends KubernetesObject>(obj: T): T {
  const meta = obj.metadata;
  if (!meta || (meta.managedFields === undefined && meta.annotations?.[LAST_APPLIED] === undefined)) return obj;
  const { managedFields: _dropped, ...rest } = meta;
  if (rest.annotations?.[LAST_APPLIED] !== undefined) {
    const { [LAST_APPLIED]: _applied, ...annotations } = rest.annotations;
    rest.annotations = annotations;
  }
  return { ...obj, metadata: rest };
}

export class Informer<T extends KubernetesObject> {
  readonly name: string;
  readonly #opts: InformerOptions<T>;
  readonly #log: Logger;
  readonly #clock: Clock;
  readonly #store = new Map<string, T>();
  readonly #handlers: ChangeHandler<T>[] = [];
  readonly #indexes = new Map<string, ObjectIndex<T>>();
  readonly #backoff = new PerKeyBackoff(RESTART_BACKOFF);
  #resourceVersion = '';
  #synced = false;
  #syncWaiters: (() => void)[] = [];

  constructor(options: InformerOptions<T>) {
    this.name = options.name;
    this.#opts = options;
    this.#log = options.logger.child({ informer: options.name });
    this.#clock = options.clock ?? systemClock;
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
      const obj = this.#store.get(storeKey(key.namespace, key.name));
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
    return this.#store.get(storeKey(namespace, name));
  }

  list(namespace?: string): readonly T[] {
    const all = [...this.#store.values()];
    return namespace === undefined ? all : all.filter((o) => (o.metadata?.namespace ?? '') === namespace);
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
    while (!signal.aborted) {
      const outcome = await this.#cycle(signal);
      if (outcome !== 'resume') await this.#pause(outcome.delayMs, signal);
    }
  }

  /** One list (when there is no version to resume from) and one watch. */
  async #cycle(signal: AbortSignal): Promise<'resume' | { delayMs: number }> {
    if (!this.#resourceVersion) {
      try {
        await this.#relist();
      } catch (err) {
        return { delayMs: this.#failed('list', err) };
      }
    }
    await this.#opts.limiter?.take(signal).catch(() => undefined);
    if (signal.aborted) return 'resume';
    const end = await this.#watch(signal);
    if (end.kind === 'closed') {
      this.#backoff.forget(this.name);
      return 'resume';
    }
    if (isGone(end.error)) {
      // The server no longer has our version: list again (now, without back-off).
      this.#log.debug({ resourceVersion: this.#resourceVersion }, 'watch version expired; listing again');
      this.#resourceVersion = '';
      return 'resume';
    }
    // A watch the server had accepted and that then broke is a fresh failure, not one more in a row.
    if (end.connected) this.#backoff.forget(this.name);
    return { delayMs: this.#failed('watch', end.error) };
  }

  async #relist(): Promise<void> {
    const list = await this.#opts.list();
    if (this.#synced) this.#opts.onRelist?.(this.name);
    const seen = new Set<string>();
    for (const obj of list.items) {
      const key = keyOfObject(obj);
      seen.add(key);
      this.#upsert(key, obj);
    }
    for (const [key, obj] of [...this.#store]) {
      if (seen.has(key)) continue;
      this.#store.delete(key);
      this.#emit(obj, 'delete');
    }
    this.#resourceVersion = list.metadata?.resourceVersion ?? '';
    this.#backoff.forget(this.name);
    if (this.#synced) return;
    this.#synced = true;
    this.#log.debug('cache synced');
    for (const resolve of this.#syncWaiters.splice(0)) resolve();
  }

  #watch(signal: AbortSignal): Promise<WatchEnd> {
    const base = this.#opts.watchTimeoutSeconds ?? DEFAULT_WATCH_TIMEOUT_SECONDS;
    const timeoutSeconds = Math.round(base * (1 + Math.random()));
    return watchOnce(
      this.#opts.kubeConfig,
      {
        path: this.#opts.path,
        resourceVersion: this.#resourceVersion,
        ...(this.#opts.labelSelector ? { labelSelector: this.#opts.labelSelector } : {}),
        timeoutSeconds,
        // Bookmarks arrive about once a minute on a real server; a minute past the timeout is dead.
        idleTimeoutMs: (timeoutSeconds + 60) * 1000,
        signal,
      },
      (event) => {
        this.#onEvent(event);
      },
    ).catch((err: unknown) => ({ kind: 'failed', error: err, connected: false }) as WatchEnd);
  }

  #onEvent(event: WatchEvent): void {
    const obj = event.object as unknown as T;
    const version = obj.metadata?.resourceVersion;
    switch (event.type) {
      case 'ADDED':
      case 'MODIFIED':
        this.#upsert(keyOfObject(obj), obj);
        break;
      case 'DELETED': {
        const key = keyOfObject(obj);
        this.#store.delete(key);
        this.#emit(obj, 'delete');
        break;
      }
      case 'BOOKMARK':
        break;
      case 'ERROR':
        // A Status in the stream; 410 makes the next cycle list again, anything else resumes.
        if (isGone({ body: event.object })) this.#resourceVersion = '';
        return;
    }
    if (version) this.#resourceVersion = version;
  }

  #upsert(key: string, received: T): void {
    const obj = this.#opts.keep ? this.#opts.keep(received) : trimmed(received);
    const before = this.#store.get(key);
    this.#store.set(key, obj);
    if (!before) this.#emit(obj, 'add');
    else if (before.metadata?.resourceVersion !== obj.metadata?.resourceVersion) this.#emit(obj, 'update');
  }

  /** Counts and logs a failure; returns the back-off before the next try. */
  #failed(what: 'list' | 'watch', err: unknown): number {
    const delay = this.#backoff.next(this.name);
    const failures = this.#backoff.failures(this.name);
    const fields = { err: apiMessage(err), failures, retryInMs: delay };
    const routine = isTransient(err) && failures < WARN_AFTER_FAILURES;
    if (routine) this.#log.debug(fields, `${what} failed; retrying`);
    else this.#log.warn(fields, `${what} failed; retrying with back-off`);
    this.#opts.onRestart?.(this.name);
    return delay;
  }

  #pause(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      let timer: TimerHandle | undefined = undefined;
      const done = (): void => {
        timer?.cancel();
        signal.removeEventListener('abort', done);
        resolve();
      };
      timer = this.#clock.setTimer(done, ms);
      signal.addEventListener('abort', done, { once: true });
    });
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

const storeKey = (namespace: string | undefined, name: string): string => `${namespace ?? ''}/${name}`;
const keyOfObject = (obj: KubernetesObject): string => storeKey(obj.metadata?.namespace, obj.metadata?.name ?? '');

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
