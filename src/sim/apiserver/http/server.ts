// The HTTP front of the simulator: binds 127.0.0.1 only, answers discovery, OpenAPI, health and
// version, and dispatches resource requests. There is no authentication or authorization.

import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { KubeObject, PodLogs } from '../../types.ts';
import type { ApiStore } from '../api-store.ts';
import { notAcceptable, pageNotFound } from '../errors.ts';
import { CRD_GVR, storageKey } from '../resources.ts';
import {
  aggregatedDiscovery,
  apiGroupDoc,
  apiGroupList,
  apiResourceList,
  apiVersions,
  versionInfo,
  wantsAggregated,
} from './discovery.ts';
import { handleResource } from './handlers.ts';
import type { Exchange, HandlerContext } from './handlers.ts';
import { servePodLog } from './logs.ts';
import { v2, v3GroupVersion, v3Root } from './openapi.ts';
import { sendError, sendJson } from './respond.ts';
import { parseRoute } from './route.ts';
import type { ResourceRoute } from './route.ts';
import { WatchStreams } from './watch.ts';

export interface ApiServerOptions {
  store: ApiStore;
  /** 0 or absent: any free port. */
  port?: number;
  /** Interval of BOOKMARK events on watches that allow them. */
  bookmarkIntervalMs?: number;
  /** Receives one line per request (method, path, status) for debugging clients. */
  logRequest?: (line: string) => void;
  /** Told about every request once it is answered (the simulator's own request metrics, for benchmarks). */
  onRequest?: (request: ServedRequest) => void;
}

/** One answered request, as a request counter sees it (never a body or a credential). */
export interface ServedRequest {
  method: string;
  /** The URL path without the query. */
  path: string;
  /** A watch (GET with watch=1/true), reported when the stream ends. */
  watch: boolean;
  status: number;
  userAgent: string;
}

export interface ApiServer {
  url: string;
  port: number;
  /** Pod logs are served once the workloads are running. */
  setPodLogs(logs: PodLogs): void;
  openWatches(): number;
  /** Closes every open watch stream (clients must resume); returns how many were open. */
  dropWatches(): number;
  stop(): Promise<void>;
}

class HttpApi {
  readonly ctx: HandlerContext;
  logs: PodLogs | undefined;

  constructor(store: ApiStore, bookmarkIntervalMs: number) {
    this.ctx = { store, streams: new WatchStreams(), bookmarkIntervalMs };
  }

  crds(): KubeObject[] {
    return this.ctx.store.storage.scan(storageKey(CRD_GVR)).filter((c) => !c.metadata.deletionTimestamp);
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const ex: Exchange = { req, res, query: url.searchParams };
    const path = url.pathname.replace(/\/+$/, '') || '/';
    if (this.#handleFixed(path, ex)) return;
    const route = parseRoute(path);
    const types = this.ctx.store.registry.all();
    switch (route.kind) {
      case 'root': {
        const aggregated = wantsAggregated(req.headers.accept);
        if (aggregated) sendJson(res, 200, aggregatedDiscovery(types, route.legacy, aggregated), aggregated);
        else sendJson(res, 200, route.legacy ? apiVersions() : apiGroupList(types));
        return;
      }
      case 'group': {
        const doc = apiGroupDoc(types, route.group);
        if (!doc) throw pageNotFound();
        sendJson(res, 200, doc);
        return;
      }
      case 'groupVersion': {
        const doc = apiResourceList(types, route.group, route.version);
        if (!doc) throw pageNotFound();
        sendJson(res, 200, doc);
        return;
      }
      case 'resource':
        await this.#handleResource(route.route, ex);
        return;
      case 'other':
        this.#handleOther(path, ex);
    }
  }

  async #handleResource(route: ResourceRoute, ex: Exchange): Promise<void> {
    const rt = this.ctx.store.registry.get(route);
    if (!rt || (route.namespace !== undefined && !rt.namespaced)) throw pageNotFound();
    if (route.subresource === 'log' && rt.group === '' && rt.resource === 'pods' && route.name && route.namespace) {
      await servePodLog(
        { store: this.ctx.store, logs: this.logs },
        rt,
        { namespace: route.namespace, name: route.name },
        ex,
      );
      return;
    }
    await handleResource(this.ctx, rt, route, ex);
  }

  #handleFixed(path: string, ex: Exchange): boolean {
    if (path === '/healthz' || path === '/readyz' || path === '/livez' || /^\/(healthz|readyz|livez)\//.test(path)) {
      ex.res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
      ex.res.end('ok');
      return true;
    }
    if (path === '/version') {
      sendJson(ex.res, 200, versionInfo());
      return true;
    }
    return false;
  }

  #handleOther(path: string, ex: Exchange): void {
    if (path === '/openapi/v2') {
      // Only JSON is served; client-go's protobuf-only request gets 406 and kubectl uses OpenAPI v3.
      const accept = ex.req.headers.accept ?? '';
      if (accept.includes('protobuf') && !accept.includes('json')) throw notAcceptable();
      sendJson(ex.res, 200, v2(this.crds()));
      return;
    }
    const types = this.ctx.store.registry.all();
    if (path === '/openapi/v3') {
      sendJson(ex.res, 200, v3Root(this.crds(), types));
      return;
    }
    if (path.startsWith('/openapi/v3/')) {
      const doc = v3GroupVersion(this.crds(), types, path.slice('/openapi/v3/'.length));
      if (doc) {
        sendJson(ex.res, 200, doc);
        return;
      }
    }
    throw pageNotFound();
  }
}

export async function startApiServer(opts: ApiServerOptions): Promise<ApiServer> {
  const api = new HttpApi(opts.store, opts.bookmarkIntervalMs ?? 15_000);
  const server: Server = createServer((req, res) => {
    if (opts.logRequest) {
      const log = opts.logRequest;
      res.on('finish', () => {
        log(
          `${req.method} ${req.url} ${res.statusCode} accept=${req.headers.accept ?? ''} ` +
            `content-type=${req.headers['content-type'] ?? ''}`,
        );
      });
    }
    if (opts.onRequest) {
      const notify = opts.onRequest;
      res.on('close', () => {
        const url = new URL(req.url ?? '/', 'http://sim');
        const watch = ['1', 'true'].includes(url.searchParams.get('watch') ?? '');
        notify({
          method: req.method ?? 'GET',
          path: url.pathname,
          watch,
          status: res.statusCode,
          userAgent: req.headers['user-agent'] ?? '',
        });
      });
    }
    api.handle(req, res).catch((err: unknown) => {
      sendError(res, err);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    setPodLogs: (logs) => {
      api.logs = logs;
    },
    openWatches: () => api.ctx.streams.size,
    dropWatches: () => {
      const open = api.ctx.streams.size;
      api.ctx.streams.closeAll();
      return open;
    },
    async stop() {
      api.ctx.streams.closeAll();
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) =>
        server.close((err) => {
          if (err) reject(err);
          else resolve();
        }),
      );
    },
  };
}
