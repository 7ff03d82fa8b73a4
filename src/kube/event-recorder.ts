// Writes core/v1 Events about our objects, so `kubectl describe` tells their story. Repeats of the
// same (object, type, reason, message) are aggregated into one Event with a growing count, like the
// kubelet's recorder does, instead of flooding the namespace.
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import type { CoreV1Api, CoreV1Event } from '@kubernetes/client-node';
import { isAlreadyExists, isNotFound } from './errors.ts';

export type EventType = 'Normal' | 'Warning';

export interface InvolvedObject {
  apiVersion: string;
  kind: string;
  metadata: { name?: string; namespace?: string; uid?: string; resourceVersion?: string };
}

export interface RecordedEvent {
  type: EventType;
  /** CamelCase, e.g. BuildStarted, JobFailed, Rejected. */
  reason: string;
  /** Human-readable; callers redact secret values before they get here. */
  message: string;
}

export interface EventRecorderOptions {
  core: CoreV1Api;
  /** Shown as the event source (`From` in kubectl describe). */
  component: string;
  /** Called when writing an Event failed; Events are best effort and never fail a reconcile. */
  onError: (err: unknown, event: RecordedEvent) => void;
  now?: () => Date;
  /** How many distinct recent events are remembered for aggregation. */
  cacheSize?: number;
}

const MAX_MESSAGE = 1024;

interface Seen {
  name: string;
  namespace: string;
  count: number;
}

export class EventRecorder {
  readonly #opts: Required<EventRecorderOptions>;
  // Insertion-ordered: the oldest entry is evicted first when the cache is full.
  readonly #seen = new Map<string, Seen>();

  constructor(options: EventRecorderOptions) {
    this.#opts = { now: () => new Date(), cacheSize: 4096, ...options };
  }

  /** Records an event; never rejects (failures go to onError). */
  async record(object: InvolvedObject, event: RecordedEvent): Promise<void> {
    try {
      await this.#write(object, { ...event, message: event.message.slice(0, MAX_MESSAGE) });
    } catch (err) {
      this.#opts.onError(err, event);
    }
  }

  normal(object: InvolvedObject, reason: string, message: string): Promise<void> {
    return this.record(object, { type: 'Normal', reason, message });
  }

  warning(object: InvolvedObject, reason: string, message: string): Promise<void> {
    return this.record(object, { type: 'Warning', reason, message });
  }

  async #write(object: InvolvedObject, event: RecordedEvent): Promise<void> {
    const key = JSON.stringify([
      object.metadata.uid,
      object.kind,
      object.metadata.namespace,
      object.metadata.name,
      event.type,
      event.reason,
      event.message,
    ]);
    const seen = this.#seen.get(key);
    const now = this.#opts.now().toISOString();
    if (seen && (await this.#bump(seen, now))) return;
    const body = this.#newEvent(object, event, now);
    try {
      await this.#opts.core.createNamespacedEvent({ namespace: namespaceOf(object), body });
    } catch (err) {
      // The name is ours alone: AlreadyExists is our own create, sent again after its reply was lost.
      if (!isAlreadyExists(err)) throw err;
    }
    this.#remember(key, { name: body.metadata.name ?? '', namespace: namespaceOf(object), count: 1 });
  }

  /** Increments the count of an Event written before; false when it was deleted meanwhile. */
  async #bump(seen: Seen, now: string): Promise<boolean> {
    seen.count++;
    try {
      await this.#opts.core.patchNamespacedEvent(
        { name: seen.name, namespace: seen.namespace, body: { count: seen.count, lastTimestamp: now } },
        mergePatchOptions(),
      );
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }

  #newEvent(object: InvolvedObject, event: RecordedEvent, now: string): CoreV1Event {
    const name = object.metadata.name ?? 'unknown';
    return {
      metadata: { name: `${name}.${Date.parse(now).toString(16)}${randomSuffix()}`, namespace: namespaceOf(object) },
      involvedObject: {
        apiVersion: object.apiVersion,
        kind: object.kind,
        name,
        namespace: object.metadata.namespace,
        uid: object.metadata.uid,
        resourceVersion: object.metadata.resourceVersion,
      },
      type: event.type,
      reason: event.reason,
      message: event.message,
      source: { component: this.#opts.component },
      reportingComponent: this.#opts.component,
      firstTimestamp: new Date(now),
      lastTimestamp: new Date(now),
      count: 1,
    };
  }

  #remember(key: string, seen: Seen): void {
    this.#seen.set(key, seen);
    if (this.#seen.size <= this.#opts.cacheSize) return;
    const oldest = this.#seen.keys().next();
    if (!oldest.done) this.#seen.delete(oldest.value);
  }
}

function namespaceOf(object: InvolvedObject): string {
  return object.metadata.namespace || 'default';
}

function randomSuffix(): string {
  return Math.floor(Math.random() * 0xffff)
    .toString(16)
    .padStart(4, '0');
}

function mergePatchOptions(): ReturnType<typeof setHeaderOptions> {
  return setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
}
