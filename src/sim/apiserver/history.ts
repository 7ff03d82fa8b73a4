// Watch fan-out with a bounded history per resource: every committed change is kept in a ring so a
// watch can start from a recent resourceVersion; older versions get 410 Gone, as from etcd compaction.

import { gone } from './errors.ts';
import type { KubeObject } from '../types.ts';

export type ChangeType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface Change {
  rv: number;
  type: ChangeType;
  object: KubeObject;
  /** The object before the change (MODIFIED/DELETED), so selector watches can turn MODIFIED into ADDED/DELETED. */
  previous?: KubeObject;
}

export type ChangeListener = (change: Change) => void;

interface Ring {
  changes: Change[];
  /** The highest resourceVersion that has fallen out of the ring; watches must start at or after it. */
  compactedRv: number;
  /** Each listener with what to call when its resource disappears. */
  listeners: Map<ChangeListener, () => void>;
}

export class WatchHub {
  readonly #capacity: number;
  readonly #rings = new Map<string, Ring>();

  constructor(capacity: number) {
    this.#capacity = Math.max(1, capacity);
  }

  #ring(key: string): Ring {
    let ring = this.#rings.get(key);
    if (!ring) {
      ring = { changes: [], compactedRv: 0, listeners: new Map() };
      this.#rings.set(key, ring);
    }
    return ring;
  }

  publish(key: string, change: Change): void {
    const ring = this.#ring(key);
    ring.changes.push(change);
    const overflow = ring.changes.length - this.#capacity;
    for (const dropped of ring.changes.splice(0, Math.max(0, overflow))) ring.compactedRv = dropped.rv;
    for (const listener of [...ring.listeners.keys()]) listener(change);
  }

  /**
   * Delivers the retained changes after fromRv (synchronously), then every new one; throws 410 Gone
   * when changes after fromRv have already been dropped. Returns the unsubscribe function.
   */
  subscribe(
    key: string,
    fromRv: number | undefined,
    listener: ChangeListener,
    onDrop: () => void = () => {},
  ): () => void {
    const ring = this.#ring(key);
    if (fromRv !== undefined) {
      if (fromRv < ring.compactedRv) throw gone(`too old resource version: ${fromRv} (${ring.compactedRv + 1})`);
      for (const change of ring.changes) if (change.rv > fromRv) listener(change);
    }
    ring.listeners.set(listener, onDrop);
    return () => ring.listeners.delete(listener);
  }

  /** Forgets a resource's history (its CRD was deleted) and ends its watches through their onDrop. */
  drop(key: string): void {
    const ring = this.#rings.get(key);
    this.#rings.delete(key);
    for (const onDrop of ring?.listeners.values() ?? []) onDrop();
  }

  watcherCount(): number {
    let n = 0;
    for (const ring of this.#rings.values()) n += ring.listeners.size;
    return n;
  }
}
