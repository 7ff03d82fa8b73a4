// Streaming watches over HTTP: newline-delimited JSON {type, object}, BOOKMARK events, timeouts,
// 410 Gone as an ERROR event, and cleanup when the client goes away or the server stops.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { KubeObject } from '../../types.ts';
import { SimApiError } from '../errors.ts';
import { apiVersionOf } from '../resources.ts';
import type { ResourceType } from '../resources.ts';
import { watch } from '../reads.ts';
import type { WatchRequest } from '../reads.ts';
import type { ApiStore } from '../api-store.ts';
import { partialMetadata, toTable } from './table.ts';
import type { Representation } from './respond.ts';

export interface HttpWatchOptions {
  request: WatchRequest;
  bookmarks: boolean;
  /** Watch with sendInitialEvents: a bookmark marks the end of the initial events. */
  initialEventsEndBookmark: boolean;
  timeoutSeconds?: number;
  bookmarkIntervalMs: number;
  representation: Representation;
}

/** Every open watch stream, so stop() can end them. */
export class WatchStreams {
  readonly #open = new Set<() => void>();

  add(close: () => void): () => void {
    this.#open.add(close);
    return () => this.#open.delete(close);
  }

  get size(): number {
    return this.#open.size;
  }

  closeAll(): void {
    for (const close of [...this.#open]) close();
  }
}

function render(rt: ResourceType, obj: KubeObject, rep: Representation): unknown {
  if (rep.as === 'Table') return toTable(rt, [obj], { includeObject: 'Metadata', now: new Date() });
  if (rep.as === 'PartialObjectMetadata' || rep.as === 'PartialObjectMetadataList') return partialMetadata(obj);
  return obj;
}

function bookmark(rt: ResourceType, rv: string, initialEventsEnd: boolean): KubeObject {
  return {
    kind: rt.kind,
    apiVersion: apiVersionOf(rt),
    metadata: {
      resourceVersion: rv,
      ...(initialEventsEnd ? { annotations: { 'k8s.io/initial-events-end': 'true' } } : {}),
    },
  };
}

export function serveWatch(
  ctx: { store: ApiStore; streams: WatchStreams },
  rt: ResourceType,
  http: { req: IncomingMessage; res: ServerResponse },
  opts: HttpWatchOptions,
): void {
  const { req, res } = http;
  res.writeHead(200, {
    'Content-Type': 'application/json',
    'Transfer-Encoding': 'chunked',
    'Cache-Control': 'no-cache, private',
  });
  res.flushHeaders();
  let lastRv = String(ctx.store.storage.resourceVersion);
  const write = (type: string, object: unknown): void => {
    if (!res.writableEnded) res.write(`${JSON.stringify({ type, object })}\n`);
  };
  let unsubscribe: () => void = () => {};
  let bookmarkTimer: NodeJS.Timeout | undefined;
  let timeoutTimer: NodeJS.Timeout | undefined;
  let closed = false;
  const close = (): void => {
    if (closed) return;
    closed = true;
    unsubscribe();
    clearTimeout(bookmarkTimer);
    clearTimeout(timeoutTimer);
    forget();
    if (!res.writableEnded) res.end();
  };
  const forget = ctx.streams.add(close);
  req.on('close', close);
  res.on('close', close);
  try {
    unsubscribe = watch(
      ctx.store,
      rt,
      opts.request,
      (type, obj) => {
        lastRv = obj.metadata.resourceVersion ?? lastRv;
        write(type, render(rt, obj, opts.representation));
      },
      () => setImmediate(close),
    );
  } catch (err) {
    if (err instanceof SimApiError) {
      write('ERROR', err.status);
      close();
      return;
    }
    throw err;
  }
  if (opts.bookmarks) {
    lastRv = String(Math.max(Number(lastRv), ctx.store.storage.resourceVersion));
    if (opts.initialEventsEndBookmark) write('BOOKMARK', bookmark(rt, lastRv, true));
    const tick = (): void => {
      write('BOOKMARK', bookmark(rt, String(ctx.store.storage.resourceVersion), false));
      bookmarkTimer = setTimeout(tick, opts.bookmarkIntervalMs).unref();
    };
    // The first bookmark comes early so that clients learn a resumable version soon.
    bookmarkTimer = setTimeout(tick, Math.min(opts.bookmarkIntervalMs, 1000)).unref();
  }
  if (opts.timeoutSeconds !== undefined && opts.timeoutSeconds > 0)
    timeoutTimer = setTimeout(close, opts.timeoutSeconds * 1000).unref();
}
