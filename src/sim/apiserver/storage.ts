// The object maps behind the store: one map per group/resource, a uid index for garbage collection,
// the single global resourceVersion counter and the watch history every commit feeds.

import { WatchHub } from './history.ts';
import type { ChangeType } from './history.ts';
import { nameOf, objectKey } from './meta.ts';
import type { KubeObject } from '../types.ts';

export interface ObjectRef {
  storage: string;
  key: string;
}

export class ObjectStorage {
  readonly hub: WatchHub;
  readonly #maps = new Map<string, Map<string, KubeObject>>();
  readonly #uids = new Map<string, ObjectRef>();
  /** owner uid -> uids of the objects whose ownerReferences name it (kept after the owner is gone). */
  readonly #dependents = new Map<string, Set<string>>();
  #rv = 0;

  constructor(opts: { watchHistory: number }) {
    this.hub = new WatchHub(opts.watchHistory);
  }

  get resourceVersion(): number {
    return this.#rv;
  }

  #map(storage: string): Map<string, KubeObject> {
    let map = this.#maps.get(storage);
    if (!map) {
      map = new Map();
      this.#maps.set(storage, map);
    }
    return map;
  }

  /** The stored object itself: callers must not mutate it. */
  peek(storage: string, namespace: string | undefined, name: string): KubeObject | undefined {
    return this.#maps.get(storage)?.get(objectKey(namespace, name));
  }

  byUid(uid: string): { storage: string; object: KubeObject } | undefined {
    const ref = this.#uids.get(uid);
    if (!ref) return undefined;
    const object = this.#maps.get(ref.storage)?.get(ref.key);
    return object ? { storage: ref.storage, object } : undefined;
  }

  /** Stored objects of a resource in namespace/name order (optionally one namespace). */
  scan(storage: string, namespace?: string): KubeObject[] {
    const map = this.#maps.get(storage);
    if (!map) return [];
    const prefix = namespace === undefined ? undefined : `${namespace}/`;
    const entries = [...map.entries()].filter(([k]) => prefix === undefined || k.startsWith(prefix));
    return entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, obj]) => obj);
  }

  storages(): string[] {
    return [...this.#maps.keys()];
  }

  /** Uids of the stored objects that name ownerUid in their ownerReferences. */
  dependentUids(ownerUid: string): string[] {
    return [...(this.#dependents.get(ownerUid) ?? [])];
  }

  #indexOwners(obj: KubeObject | undefined, add: boolean): void {
    const uid = obj?.metadata.uid;
    if (!uid) return;
    for (const ref of obj.metadata.ownerReferences ?? []) {
      const set = this.#dependents.get(ref.uid);
      if (add) {
        if (set) set.add(uid);
        else this.#dependents.set(ref.uid, new Set([uid]));
      } else if (set) {
        set.delete(uid);
        if (set.size === 0) this.#dependents.delete(ref.uid);
      }
    }
  }

  /**
   * Writes a change under the next resourceVersion and publishes it to watchers. The object is
   * copied; the returned copy is the stored state.
   */
  commit(storage: string, type: ChangeType, object: KubeObject, previous?: KubeObject): KubeObject {
    this.#rv += 1;
    const stored = structuredClone(object);
    stored.metadata.resourceVersion = String(this.#rv);
    const key = objectKey(stored.metadata.namespace, nameOf(stored));
    const map = this.#map(storage);
    this.#indexOwners(map.get(key), false);
    if (type !== 'DELETED') this.#indexOwners(stored, true);
    if (type === 'DELETED') {
      map.delete(key);
      if (stored.metadata.uid) this.#uids.delete(stored.metadata.uid);
    } else {
      map.set(key, stored);
      if (stored.metadata.uid) this.#uids.set(stored.metadata.uid, { storage, key });
    }
    this.hub.publish(storage, { rv: this.#rv, type, object: stored, ...(previous ? { previous } : {}) });
    return stored;
  }

  /** Removes a whole resource's objects and history (its CRD is gone). */
  dropStorage(storage: string): void {
    for (const obj of this.#maps.get(storage)?.values() ?? []) {
      if (obj.metadata.uid) this.#uids.delete(obj.metadata.uid);
      this.#indexOwners(obj, false);
    }
    this.#maps.delete(storage);
    this.hub.drop(storage);
  }
}
