// SimStore, the in-process face of the API server for the workloads and tests: the same semantics
// as HTTP clients get, addressed by group/version/resource. Also runs the garbage collector.

import { randomBytes } from 'node:crypto';
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
import { ApiStore } from './api-store.ts';
import { pageNotFound } from './errors.ts';
import { collectUid, deleteObject } from './lifecycle.ts';
import { timestamp } from './meta.ts';
import { list, watch } from './reads.ts';
import { EVENT_GVR, storageKey } from './resources.ts';
import type { ResourceType } from './resources.ts';

export interface StoreOptions {
  /** Changes kept per resource for watches that resume from a resourceVersion (older ones get 410). */
  watchHistory?: number;
  clock?: () => Date;
  /** Told about failures of background work (garbage collection) that no request can report. */
  onBackgroundError?: (err: Error) => void;
  /** Events older than this are deleted, like the real apiserver's event TTL (default 1 h). */
  eventTtlMs?: number;
}

/** Bound on uids handled in one collection run, so a cycle of owners cannot spin forever. */
const MAX_GC_STEPS = 1_000_000;

export class SimulatorStore implements SimStore {
  readonly api: ApiStore;
  readonly #onBackgroundError: (err: Error) => void;
  #gcScheduled: NodeJS.Immediate | undefined;
  readonly #eventSweep: NodeJS.Timeout;
  readonly #eventTtlMs: number;
  /** Uids waiting for the garbage collector (see lifecycle.ts collectUid). */
  readonly #gcQueue = new Set<string>();
  #stopped = false;

  constructor(opts: StoreOptions = {}) {
    this.api = new ApiStore({
      ...(opts.watchHistory ? { watchHistory: opts.watchHistory } : {}),
      ...(opts.clock ? { clock: opts.clock } : {}),
    });
    this.api.onGarbage = (uids) => {
      for (const uid of uids) this.#gcQueue.add(uid);
      this.#scheduleGc();
    };
    this.#onBackgroundError =
      opts.onBackgroundError ??
      ((err) => {
        process.emitWarning(err);
      });
    this.#eventTtlMs = opts.eventTtlMs ?? 60 * 60 * 1000;
    this.#eventSweep = setInterval(
      () => {
        this.expireEvents();
      },
      Math.min(this.#eventTtlMs, 60_000),
    ).unref();
  }

  /** Deletes events past their TTL (normally run every minute). */
  expireEvents(): void {
    const cutoff = this.api.clock().getTime() - this.#eventTtlMs;
    const rt = this.type(EVENT_GVR);
    for (const event of this.api.storage.scan(storageKey(rt))) {
      const lastTimestamp = typeof event['lastTimestamp'] === 'string' ? event['lastTimestamp'] : undefined;
      const last = Date.parse(lastTimestamp ?? event.metadata.creationTimestamp ?? '');
      if (!(last < cutoff)) continue;
      const gone = this.api.storage.commit(storageKey(rt), 'DELETED', event, event);
      this.api.afterRemoval(rt, gone);
    }
  }

  type(gvr: GroupVersionResource): ResourceType {
    const rt = this.api.registry.get(gvr);
    if (!rt) throw pageNotFound();
    return rt;
  }

  get(gvr: GroupVersionResource, namespace: string | undefined, name: string): KubeObject | undefined {
    const rt = this.type(gvr);
    const found = this.api.storage.peek(storageKey(rt), rt.namespaced ? namespace : undefined, name);
    return found ? this.api.present(rt, found) : undefined;
  }

  list(gvr: GroupVersionResource, opts: ListOptions = {}): ListResult {
    const page = list(this.api, this.type(gvr), opts);
    return { items: page.items, resourceVersion: page.resourceVersion };
  }

  create(gvr: GroupVersionResource, obj: KubeObject): KubeObject {
    const rt = this.type(gvr);
    if (rt.kind === 'Binding' && rt.group === '') return this.api.bind(obj.metadata.namespace ?? '', obj);
    return this.api.create(rt, obj).object;
  }

  update(gvr: GroupVersionResource, obj: KubeObject, opts: { subresource?: 'status' } = {}): KubeObject {
    const rt = this.type(gvr);
    return this.api.update(rt, obj, {
      ...(obj.metadata.namespace ? { namespace: obj.metadata.namespace } : {}),
      ...(opts.subresource ? { subresource: opts.subresource } : {}),
    }).object;
  }

  delete(
    gvr: GroupVersionResource,
    namespace: string | undefined,
    name: string,
    opts: DeleteOptions = {},
  ): KubeObject | undefined {
    const rt = this.type(gvr);
    if (!this.get(gvr, namespace, name)) return undefined;
    return deleteObject(this.api, rt, { ...(namespace ? { namespace } : {}), name }, opts);
  }

  watch(
    gvr: GroupVersionResource,
    opts: WatchOptions,
    onEvent: (type: WatchEventType, obj: KubeObject) => void,
  ): () => void {
    const { resourceVersion, ...query } = opts;
    return watch(
      this.api,
      this.type(gvr),
      { ...query, ...(resourceVersion ? { resourceVersion: Number(resourceVersion) } : {}) },
      onEvent,
    );
  }

  recordEvent(about: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string, component: string): void {
    const now = timestamp(this.api.clock());
    const namespace = about.metadata.namespace ?? 'default';
    const event: KubeObject = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: `${about.metadata.name}.${randomBytes(8).toString('hex')}`, namespace },
      involvedObject: {
        apiVersion: about.apiVersion,
        kind: about.kind,
        name: about.metadata.name,
        namespace: about.metadata.namespace,
        uid: about.metadata.uid,
        resourceVersion: about.metadata.resourceVersion,
      },
      reason,
      message,
      type,
      source: { component },
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
      reportingComponent: component,
      reportingInstance: '',
    };
    this.api.create(this.type(EVENT_GVR), event);
  }

  /** Runs garbage collection now (normally it runs on the next turn of the event loop). */
  collectGarbageNow(): void {
    for (let step = 0; step < MAX_GC_STEPS && this.#gcQueue.size > 0; step++) {
      const queued = this.#gcQueue.values().next();
      if (queued.done) break;
      const uid = queued.value;
      this.#gcQueue.delete(uid);
      collectUid(this.api, uid);
    }
  }

  #scheduleGc(): void {
    if (this.#gcScheduled || this.#stopped) return;
    this.#gcScheduled = setImmediate(() => {
      this.#gcScheduled = undefined;
      try {
        this.collectGarbageNow();
      } catch (err) {
        this.#onBackgroundError(new Error('garbage collection failed', { cause: err }));
      }
    });
  }

  stop(): void {
    this.#stopped = true;
    clearInterval(this.#eventSweep);
    if (this.#gcScheduled) clearImmediate(this.#gcScheduled);
    this.#gcScheduled = undefined;
  }
}
