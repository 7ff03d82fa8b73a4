// A fault-injecting HTTP proxy between a Kubernetes client and an API server (the simulator or a real
// control plane), for tests and benchmarks of how the operator copes with a flaky API server. It
// answers some requests itself and breaks others on purpose:
//   error-before  500 InternalError, the request never reaches the server;
//   error-after   the request is applied by the server, its reply replaced by a 500 (a lost reply);
//   reset-before  the connection is cut before the request is forwarded;
//   reset-after   the request is applied, then the connection is cut instead of the reply;
//   too-many      429 TooManyRequests with Retry-After (API priority and fairness under load);
//   slow          forwarded after a delay;
// and watches are cut after a random time. Which request gets which fault is decided by a hash of the
// seed, the request's method and path and how many times that method and path were seen before, so a
// seed gives the same faults to the same sequence of requests whatever the interleaving of others.
// The proxy listens on plain HTTP on loopback and talks to the server with the credentials of the
// KubeConfig it was given; the client's own Authorization header, when it sends one, is passed on.
import { createHash } from 'node:crypto';
import { createServer, request as httpRequest } from 'node:http';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';

export type Fault = 'error-before' | 'error-after' | 'reset-before' | 'reset-after' | 'too-many' | 'slow';

export interface FaultPlan {
  seed: number;
  /** Probability, per request that is not a watch, of each fault (they are exclusive; the sum must be <= 1). */
  rates: Partial<Record<Fault, number>>;
  /** Retry-After of a too-many answer, in seconds. */
  retryAfterSeconds?: number;
  /** Delay of a slow request. */
  slowMs?: number;
  /** Watches are cut after a time between these bounds (ms); never when unset. */
  cutWatchesAfterMs?: [min: number, max: number];
  /** Only requests this accepts get faults (all requests when unset). */
  only?: (method: string, path: string) => boolean;
}

export interface FaultStats {
  requests: number;
  watches: number;
  watchesCut: number;
  injected: Record<Fault, number>;
  /** Writes (POST, PUT, PATCH, DELETE) that reached the server but whose reply was lost. */
  lostWriteReplies: number;
}

export interface FaultProxy {
  url: string;
  stats: FaultStats;
  /** `kubeConfig` with its server replaced by the proxy (same user, same namespace). */
  kubeConfigThrough(kubeConfig: KubeConfig): KubeConfig;
  /** Stop (or resume) injecting faults; requests are still forwarded. */
  setEnabled(enabled: boolean): void;
  stop(): Promise<void>;
}

const FAULTS: readonly Fault[] = ['error-before', 'error-after', 'reset-before', 'reset-after', 'too-many', 'slow'];
const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The fault for the n-th request with this method and path (n counts from 0), or undefined. */
export function decideFault(plan: FaultPlan, method: string, path: string, n: number): Fault | undefined {
  const digest = createHash('sha256').update(`${plan.seed}|${method}|${path}|${n}`).digest();
  const roll = digest.readUInt32BE(0) / 0x1_0000_0000;
  let edge = 0;
  for (const fault of FAULTS) {
    edge += plan.rates[fault] ?? 0;
    if (roll < edge) return fault;
  }
  return undefined;
}

/** A uniform number in [0, 1) from the seed and a label, for the watch cut times. */
function seeded(plan: FaultPlan, label: string): number {
  return createHash('sha256').update(`${plan.seed}|${label}`).digest().readUInt32BE(0) / 0x1_0000_0000;
}

export async function startFaultProxy(upstream: KubeConfig, plan: FaultPlan): Promise<FaultProxy> {
  const cluster = upstream.getCurrentCluster();
  if (!cluster) throw new Error('the upstream kubeconfig names no current cluster');
  const target = new URL(cluster.server);
  const tls: Record<string, unknown> & { headers: Record<string, string> } = { headers: {} };
  await upstream.applyToHTTPSOptions(tls);
  const stats: FaultStats = {
    requests: 0,
    watches: 0,
    watchesCut: 0,
    injected: Object.fromEntries(FAULTS.map((f) => [f, 0])) as Record<Fault, number>,
    lostWriteReplies: 0,
  };
  const seen = new Map<string, number>();
  const sockets = new Set<Socket>();
  let enabled = true;

  const forward = (
    req: IncomingMessage,
    body: Buffer,
    onResponse: (upstreamRes: IncomingMessage) => void,
    onError: (err: Error) => void,
  ): ReturnType<typeof httpRequest> => {
    const headers: OutgoingHttpHeaders = { ...req.headers, ...tls.headers, host: target.host };
    if (req.headers.authorization) headers['authorization'] = req.headers.authorization;
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    const transport = { ...tls, headers: undefined };
    const out = send(
      new URL(req.url ?? '/', target),
      { ...transport, method: req.method, headers, agent: false },
      onResponse,
    );
    out.on('error', onError);
    out.end(body);
    return out;
  };

  /** Answers a request with its fault without forwarding it; false for the faults that forward. */
  const answerInstead = (fault: Fault, req: IncomingMessage, res: ServerResponse): boolean => {
    if (fault === 'error-before')
      status(res, 500, 'InternalError', 'fault injected: internal error before the request was handled');
    else if (fault === 'too-many') {
      res.setHeader('Retry-After', String(plan.retryAfterSeconds ?? 1));
      status(res, 429, 'TooManyRequests', 'fault injected: too many requests, please try again later');
    } else if (fault === 'reset-before') req.socket.destroy();
    else return false;
    return true;
  };

  /** The request reaches the server; its reply is replaced by a 500 or a cut connection. */
  const forwardThenBreak = (fault: Fault, req: IncomingMessage, res: ServerResponse, body: Buffer): void => {
    const method = req.method ?? 'GET';
    forward(
      req,
      body,
      (upstreamRes) => {
        upstreamRes.resume();
        upstreamRes.on('end', () => {
          if (WRITES.has(method) && (upstreamRes.statusCode ?? 0) < 300) stats.lostWriteReplies++;
          if (fault === 'reset-after') req.socket.destroy();
          else status(res, 500, 'InternalError', 'fault injected: internal error after the request was handled');
        });
      },
      (err) => {
        badGateway(res, err);
      },
    );
  };

  /** The request and its reply pass through; a watch is cut after a while when the plan says so. */
  const passThrough = (req: IncomingMessage, res: ServerResponse, body: Buffer, watchKey: string | undefined): void => {
    const out = forward(
      req,
      body,
      (upstreamRes) => {
        res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
        // A watch may stay quiet for a while: the client must see that it was accepted, as from the server.
        res.flushHeaders();
        upstreamRes.pipe(res);
        if (watchKey !== undefined && enabled && plan.cutWatchesAfterMs) {
          const [min, max] = plan.cutWatchesAfterMs;
          const timer = setTimeout(
            () => {
              if (res.writableEnded) return;
              stats.watchesCut++;
              upstreamRes.destroy();
              req.socket.destroy();
            },
            min + seeded(plan, watchKey) * (max - min),
          );
          timer.unref();
          res.on('close', () => {
            clearTimeout(timer);
          });
        }
      },
      (err) => {
        badGateway(res, err);
      },
    );
    // The client went away (or was cut): stop the upstream request too.
    res.on('close', () => {
      out.destroy();
    });
  };

  const faultFor = (method: string, path: string, watch: boolean, n: number): Fault | undefined =>
    enabled && !watch && (plan.only?.(method, path) ?? true) ? decideFault(plan, method, path, n) : undefined;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://proxy');
    const method = req.method ?? 'GET';
    const watch = url.searchParams.get('watch') === 'true' || url.searchParams.get('watch') === '1';
    const body = await readBody(req);
    stats.requests++;
    const key = `${method} ${url.pathname}${watch ? ' watch' : ''}`;
    const n = seen.get(key) ?? 0;
    seen.set(key, n + 1);
    const fault = faultFor(method, url.pathname, watch, n);
    if (!fault) {
      if (watch) stats.watches++;
      passThrough(req, res, body, watch ? `${key}|${n}` : undefined);
      return;
    }
    stats.injected[fault]++;
    if (answerInstead(fault, req, res)) return;
    if (fault === 'slow') {
      await new Promise((r) => setTimeout(r, plan.slowMs ?? 200));
      passThrough(req, res, body, undefined);
    } else forwardThenBreak(fault, req, res, body);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) status(res, 502, 'InternalError', `proxy: ${String(err)}`);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => {
      sockets.delete(socket);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    stats,
    kubeConfigThrough: (kc) => throughProxy(kc, url),
    setEnabled: (on) => {
      enabled = on;
    },
    stop: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      });
    },
  };
}

function throughProxy(kc: KubeConfig, url: string): KubeConfig {
  const context = kc.getContextObject(kc.getCurrentContext());
  const user = kc.getCurrentUser();
  if (!context || !user) throw new Error('the kubeconfig has no current context or user');
  const proxied = new KubeConfig();
  // client-node refuses a plain http:// server unless TLS verification is off; there is no TLS here.
  proxied.loadFromOptions({
    clusters: [{ name: 'fault-proxy', server: url, skipTLSVerify: true }],
    users: [user],
    contexts: [{ ...context, name: 'fault-proxy', cluster: 'fault-proxy' }],
    currentContext: 'fault-proxy',
  });
  return proxied;
}

function badGateway(res: ServerResponse, err: Error): void {
  if (!res.headersSent) status(res, 502, 'InternalError', `proxy: upstream failed: ${err.message}`);
  else res.destroy();
}

function status(res: ServerResponse, code: number, reason: string, message: string): void {
  res.writeHead(code, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code, reason, message }));
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      resolve(Buffer.concat(chunks));
    });
    req.on('error', reject);
  });
}
