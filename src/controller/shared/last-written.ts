// The objects as the operator's own last status writes returned them, for as long as the informer
// cache still shows an older version of ours. A reconcile that runs before the watch has delivered
// our previous write (a pod changed meanwhile) then decides from, and writes conditionally on, what
// it wrote itself, instead of meeting a 409 from its own write. Only a cache: an entry goes as soon
// as the cache shows the written version or a version someone else made; after a restart it is
// empty and the cluster decides, as everywhere else.
import { keyOf } from '../runtime/controller.ts';

interface Entry<T> {
  /** The resourceVersions this process wrote on top of (the cache may still show any of them). */
  ours: Set<string>;
  object: T;
}

/** At most this many objects are remembered; evicting one costs at worst a 409 and a retry. */
const MAX_ENTRIES = 10_000;

interface Versioned {
  metadata?: { namespace?: string; name?: string; resourceVersion?: string };
}

export class LastWritten<T extends Versioned> {
  readonly #entries = new Map<string, Entry<T>>();

  /** The freshest view of an object: our own last write while the cache lags behind it, else the cache's. */
  fresh(cached: T | undefined): T | undefined {
    if (!cached) return undefined;
    return this.#stillAhead(cached)?.object ?? cached;
  }

  /**
   * The cache changed: an entry it has caught up with goes now, not at the object's next reconcile
   * (which may be long in coming: a job waiting for a node is not reconciled again for minutes).
   */
  seen(cached: T): void {
    this.#stillAhead(cached);
  }

  /**
   * The entry of an object whose cached copy is one of the versions we wrote on top of (our write
   * is newer); any other entry is dropped: the cache caught up, or someone else wrote.
   */
  #stillAhead(cached: T): Entry<T> | undefined {
    const key = keyOf(cached.metadata?.namespace, cached.metadata?.name ?? '');
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    const rv = cached.metadata?.resourceVersion ?? '';
    if (rv !== entry.object.metadata?.resourceVersion && entry.ours.has(rv)) return entry;
    this.#entries.delete(key);
    return undefined;
  }

  get size(): number {
    return this.#entries.size;
  }

  /**
   * Remembers `written`, the reply to a write made on top of `base`, unless `cachedNow` (the cache
   * as the reply came) already shows it: the watch often delivers a write before its reply.
   */
  record(base: T, written: T, cachedNow?: T): void {
    const key = keyOf(written.metadata?.namespace, written.metadata?.name ?? '');
    const before = this.#entries.get(key);
    const ours =
      before && before.object.metadata?.resourceVersion === base.metadata?.resourceVersion
        ? before.ours
        : new Set<string>();
    if (written.metadata?.resourceVersion === base.metadata?.resourceVersion) return; // nothing was written
    ours.add(base.metadata?.resourceVersion ?? '');
    this.#entries.delete(key);
    this.#entries.set(key, { ours, object: written });
    if (cachedNow) this.seen(cachedNow);
    this.#bound();
  }

  #bound(): void {
    if (this.#entries.size <= MAX_ENTRIES) return;
    const oldest = this.#entries.keys().next();
    if (!oldest.done) this.#entries.delete(oldest.value);
  }

  forget(namespace: string | undefined, name: string): void {
    this.#entries.delete(keyOf(namespace, name));
  }
}
