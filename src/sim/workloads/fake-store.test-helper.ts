// A small in-memory SimStore for the workloads' own tests, so they do not depend on the API
// server: resourceVersion conflicts, the status subresource, watch fan-out, immediate deletion with
// background garbage collection of owned objects, and recorded events. Not a model of the apiserver.

import { randomUUID } from 'node:crypto';
import type {
  DeleteOptions,
  GroupVersionResource,
  KubeObject,
  ListOptions,
  ListResult,
  SimStore,
  WatchEventType,
  WatchOptions,
} from '../types.ts';

interface Watcher {
  resource: string;
  namespace?: string;
  onEvent: (type: WatchEventType, obj: KubeObject) => void;
}

export interface RecordedEvent {
  kind: string;
  name: string;
  type: string;
  reason: string;
  message: string;
}

class StoreError extends Error {
  readonly code: number;
  readonly reason: string;
  constructor(code: number, reason: string, message: string) {
    super(message);
    this.code = code;
    this.reason = reason;
  }
}

const keyOf = (gvr: GroupVersionResource): string => `${gvr.group}/${gvr.resource}`;

export class FakeStore implements SimStore {
  readonly events: RecordedEvent[] = [];
  /** Pods bound to a node are deleted gracefully (deletionTimestamp first), as the real apiserver does. */
  gracefulPodDeletion = false;
  readonly #objects = new Map<string, Map<string, KubeObject>>();
  readonly #watchers = new Set<Watcher>();
  #rv = 0;

  #bucket(gvr: GroupVersionResource): Map<string, KubeObject> {
    const key = keyOf(gvr);
    let bucket = this.#objects.get(key);
    if (!bucket) this.#objects.set(key, (bucket = new Map<string, KubeObject>()));
    return bucket;
  }

  get(gvr: GroupVersionResource, namespace: string | undefined, name: string): KubeObject | undefined {
    const obj = this.#bucket(gvr).get(`${namespace ?? ''}/${name}`);
    return obj ? structuredClone(obj) : undefined;
  }

  list(gvr: GroupVersionResource, opts: ListOptions = {}): ListResult {
    // Equality-based label selectors only (`a=b,c=d`), which is all the workloads use.
    const wanted = (opts.labelSelector ?? '')
      .split(',')
      .filter(Boolean)
      .map((term) => term.split('='));
    const items = [...this.#bucket(gvr).values()].filter(
      (o) =>
        (opts.namespace === undefined || o.metadata.namespace === opts.namespace) &&
        wanted.every(([k, v]) => o.metadata.labels?.[k] === v),
    );
    return { items: structuredClone(items), resourceVersion: String(this.#rv) };
  }

  create(gvr: GroupVersionResource, obj: KubeObject): KubeObject {
    if (gvr.resource === 'bindings') return this.#bind(obj);
    const stored = structuredClone(obj);
    const key = `${stored.metadata.namespace ?? ''}/${stored.metadata.name}`;
    if (this.#bucket(gvr).has(key)) throw new StoreError(409, 'AlreadyExists', `${key} already exists`);
    stored.metadata.uid = randomUUID();
    stored.metadata.creationTimestamp = new Date().toISOString();
    stored.metadata.resourceVersion = String(++this.#rv);
    this.#bucket(gvr).set(key, stored);
    this.#emit(gvr, 'ADDED', stored);
    return structuredClone(stored);
  }

  update(gvr: GroupVersionResource, obj: KubeObject, opts: { subresource?: 'status' } = {}): KubeObject {
    const key = `${obj.metadata.namespace ?? ''}/${obj.metadata.name}`;
    const current = this.#bucket(gvr).get(key);
    if (!current) throw new StoreError(404, 'NotFound', `${key} not found`);
    if (obj.metadata.resourceVersion && obj.metadata.resourceVersion !== current.metadata.resourceVersion) {
      throw new StoreError(
        409,
        'Conflict',
        `the object ${key} has been modified; please apply your changes to the latest version and try again`,
      );
    }
    const next =
      opts.subresource === 'status'
        ? { ...current, status: structuredClone(obj.status) }
        : { ...structuredClone(obj), status: current.status };
    next.metadata = {
      ...(opts.subresource === 'status' ? current.metadata : next.metadata),
      uid: current.metadata.uid,
      resourceVersion: String(++this.#rv),
    };
    this.#bucket(gvr).set(key, next);
    this.#emit(gvr, 'MODIFIED', next);
    return structuredClone(next);
  }

  delete(
    gvr: GroupVersionResource,
    namespace: string | undefined,
    name: string,
    opts: DeleteOptions = {},
  ): KubeObject | undefined {
    const key = `${namespace ?? ''}/${name}`;
    const current = this.#bucket(gvr).get(key);
    if (!current) throw new StoreError(404, 'NotFound', `${key} not found`);
    if (opts.preconditions?.uid && opts.preconditions.uid !== current.metadata.uid)
      throw new StoreError(409, 'Conflict', 'uid precondition failed');
    if (this.#deletesGracefully(gvr, current, opts)) {
      if (current.metadata.deletionTimestamp) return structuredClone(current);
      const spec = current.spec as { terminationGracePeriodSeconds?: number };
      const next = {
        ...current,
        metadata: {
          ...current.metadata,
          deletionTimestamp: new Date().toISOString(),
          deletionGracePeriodSeconds: opts.gracePeriodSeconds ?? spec.terminationGracePeriodSeconds ?? 30,
          resourceVersion: String(++this.#rv),
        },
      };
      this.#bucket(gvr).set(key, next);
      this.#emit(gvr, 'MODIFIED', next);
      return structuredClone(next);
    }
    this.#bucket(gvr).delete(key);
    current.metadata.resourceVersion = String(++this.#rv);
    this.#emit(gvr, 'DELETED', current);
    this.#collectChildren(current.metadata.uid ?? '');
    return structuredClone(current);
  }

  #deletesGracefully(gvr: GroupVersionResource, obj: KubeObject, opts: DeleteOptions): boolean {
    const bound = Boolean((obj.spec as { nodeName?: string } | undefined)?.nodeName);
    return this.gracefulPodDeletion && gvr.resource === 'pods' && bound && opts.gracePeriodSeconds !== 0;
  }

  watch(
    gvr: GroupVersionResource,
    opts: WatchOptions,
    onEvent: (type: WatchEventType, obj: KubeObject) => void,
  ): () => void {
    const watcher: Watcher = { resource: keyOf(gvr), namespace: opts.namespace, onEvent };
    this.#watchers.add(watcher);
    return () => this.#watchers.delete(watcher);
  }

  recordEvent(about: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string): void {
    this.events.push({ kind: about.kind, name: about.metadata.name ?? '', type, reason, message });
  }

  /** A core/v1 Binding sets spec.nodeName of a pod that has none, as the apiserver's binding storage does. */
  #bind(binding: KubeObject): KubeObject {
    const key = `${binding.metadata.namespace ?? ''}/${binding.metadata.name}`;
    const pod = this.#bucket({ group: '', version: 'v1', resource: 'pods' }).get(key);
    if (!pod) throw new StoreError(404, 'NotFound', `pods "${binding.metadata.name}" not found`);
    const spec = pod.spec as { nodeName?: string };
    if (spec.nodeName)
      throw new StoreError(409, 'Conflict', `pod ${key} is already assigned to node "${spec.nodeName}"`);
    const target = (binding.target as { name: string }).name;
    const status = (pod.status ?? {}) as { conditions?: Array<{ type: string }> };
    const conditions = [
      ...(status.conditions ?? []).filter((c) => c.type !== 'PodScheduled'),
      {
        type: 'PodScheduled',
        status: 'True',
        lastProbeTime: null,
        lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      },
    ];
    const next = {
      ...pod,
      spec: { ...spec, nodeName: target },
      status: { ...status, conditions },
      metadata: { ...pod.metadata, resourceVersion: String(++this.#rv) },
    };
    this.#bucket({ group: '', version: 'v1', resource: 'pods' }).set(key, next);
    this.#emit({ group: '', version: 'v1', resource: 'pods' }, 'MODIFIED', next);
    return structuredClone(binding);
  }

  #collectChildren(uid: string): void {
    for (const [resource, bucket] of this.#objects) {
      for (const obj of [...bucket.values()]) {
        if (!obj.metadata.ownerReferences?.some((r) => r.uid === uid)) continue;
        const [group, plural] = resource.split('/');
        this.delete({ group, version: 'v1', resource: plural }, obj.metadata.namespace, obj.metadata.name ?? '');
      }
    }
  }

  #emit(gvr: GroupVersionResource, type: WatchEventType, obj: KubeObject): void {
    for (const w of [...this.#watchers]) {
      if (w.resource !== keyOf(gvr) || (w.namespace && w.namespace !== obj.metadata.namespace)) continue;
      w.onEvent(type, structuredClone(obj));
    }
  }
}
