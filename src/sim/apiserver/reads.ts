// Lists (with label/field selectors and limit/continue pagination) and watches (from a
// resourceVersion, filtered, with objects that stop matching a selector reported as DELETED).

import type { KubeObject, WatchEventType } from '../types.ts';
import type { ApiStore } from './api-store.ts';
import { badRequest } from './errors.ts';
import type { Change } from './history.ts';
import { nameOf, objectKey } from './meta.ts';
import { storageKey } from './resources.ts';
import type { ResourceType } from './resources.ts';
import { matchesFilter, parseFieldSelector, parseLabelSelector } from './selectors.ts';
import type { ObjectFilter } from './selectors.ts';

export interface Query {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
}

export interface ListRequest extends Query {
  limit?: number;
  continue?: string;
}

export interface ListPage {
  items: KubeObject[];
  resourceVersion: string;
  continue?: string;
  remainingItemCount?: number;
}

export function parseFilter(rt: ResourceType, q: Query): ObjectFilter {
  return {
    labels: parseLabelSelector(q.labelSelector),
    fields: parseFieldSelector(q.fieldSelector, { group: rt.group, resource: rt.resource, isCustom: Boolean(rt.crd) }),
  };
}

interface ContinueToken {
  rv: number;
  start: string;
}

function encodeContinue(token: ContinueToken): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', ...token })).toString('base64url');
}

function decodeContinue(text: string): ContinueToken {
  try {
    const parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as Partial<ContinueToken>;
    if (typeof parsed.rv === 'number' && typeof parsed.start === 'string')
      return { rv: parsed.rv, start: parsed.start };
  } catch (err) {
    throw badRequest(`continue key is not valid: ${(err as Error).message}`);
  }
  throw badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
}

function inScope(rt: ResourceType, namespace: string | undefined, obj: KubeObject): boolean {
  return !rt.namespaced || namespace === undefined || obj.metadata.namespace === namespace;
}

export function list(store: ApiStore, rt: ResourceType, req: ListRequest): ListPage {
  const filter = parseFilter(rt, req);
  const token = req.continue ? decodeContinue(req.continue) : undefined;
  const ns = rt.namespaced ? req.namespace : undefined;
  let matching = store.storage.scan(storageKey(rt), ns).filter((o) => inScope(rt, ns, o) && matchesFilter(filter, o));
  if (token) matching = matching.filter((o) => objectKey(o.metadata.namespace, nameOf(o)) > token.start);
  const rv = token ? token.rv : store.storage.resourceVersion;
  const limit = req.limit && req.limit > 0 ? req.limit : undefined;
  const page = limit ? matching.slice(0, limit) : matching;
  const result: ListPage = { items: page.map((o) => store.present(rt, o)), resourceVersion: String(rv) };
  const last = page.at(-1);
  if (limit && matching.length > limit && last) {
    result.continue = encodeContinue({ rv, start: objectKey(last.metadata.namespace, nameOf(last)) });
    result.remainingItemCount = matching.length - limit;
  }
  return result;
}

export interface WatchRequest extends Query {
  /** Start after this version; undefined = from now. */
  resourceVersion?: number;
  /** Send the current objects as ADDED first (watch with resourceVersion unset or 0, or sendInitialEvents). */
  sendInitialEvents?: boolean;
}

export type WatchListener = (type: Exclude<WatchEventType, 'BOOKMARK' | 'ERROR'>, obj: KubeObject) => void;

/** Translates a change for a filtered watcher; undefined when the watcher should not see it. */
function translate(
  rt: ResourceType,
  namespace: string | undefined,
  filter: ObjectFilter,
  change: Change,
): { type: 'ADDED' | 'MODIFIED' | 'DELETED'; object: KubeObject } | undefined {
  const matches = (o: KubeObject | undefined): boolean =>
    o !== undefined && inScope(rt, namespace, o) && matchesFilter(filter, o);
  const now = matches(change.object);
  if (change.type === 'ADDED') return now ? { type: 'ADDED', object: change.object } : undefined;
  if (change.type === 'DELETED') return now ? { type: 'DELETED', object: change.object } : undefined;
  const before = matches(change.previous);
  if (now) return { type: before ? 'MODIFIED' : 'ADDED', object: change.object };
  if (!before || !change.previous) return undefined;
  const gone = structuredClone(change.previous);
  gone.metadata.resourceVersion = change.object.metadata.resourceVersion;
  return { type: 'DELETED', object: gone };
}

/** Subscribes to changes; throws 410 Gone for a resourceVersion older than the retained history. */
export function watch(
  store: ApiStore,
  rt: ResourceType,
  req: WatchRequest,
  listener: WatchListener,
  onGone: () => void = () => {},
): () => void {
  const filter = parseFilter(rt, req);
  const ns = rt.namespaced ? req.namespace : undefined;
  const current = store.storage.resourceVersion;
  let from = req.resourceVersion;
  if (req.sendInitialEvents) {
    for (const obj of store.storage.scan(storageKey(rt), ns)) {
      if (inScope(rt, ns, obj) && matchesFilter(filter, obj)) listener('ADDED', store.present(rt, obj));
    }
    from = current;
  }
  if (from !== undefined && from > current) from = current;
  return store.storage.hub.subscribe(
    storageKey(rt),
    from ?? current,
    (change) => {
      const event = translate(rt, ns, filter, change);
      if (event) listener(event.type, store.present(rt, event.object));
    },
    onGone,
  );
}
