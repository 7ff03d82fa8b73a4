// The gateway's HTTP server: routes a request to its intake, creates the Events the intake returned,
// and answers. Every refusal is a JSON error body; requests and refusals are logged without secrets,
// tokens or payloads.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { KubeConfig } from '@kubernetes/client-node';
import type { KubeClients } from '../kube/index.ts';
import type { Registry } from 'prom-client';
import { MAX_PAYLOAD_LENGTH } from '../api/event-schema.ts';
import {
  systemClock,
  withProjectCache,
  withSecretCache,
  type Clock,
  type IntakeCluster,
  type ProjectCache,
} from './cluster.ts';
import { registryWebhook, simpleEvents, cloudEventsV02 } from './compat-intake.ts';
import { errorBody, RefusedError } from './errors.ts';
import { eventObject, type EventDraft, type EventObject } from './event.ts';
import { kubeIntakeCluster } from './kube-cluster.ts';
import { cloudEventsV1, github, webhook, type IntakeDeps, type IntakeRequest, type IntakeResult } from './intake.ts';
import { gatewayMetrics, type GatewayMetrics, type Outcome } from './metrics.ts';
import { matchRoute, type RouteName } from './routes.ts';

export interface GatewayLimits {
  /** Largest accepted request body (default: the Event schema's payload bound, so a stored payload always fits). */
  maxBodyBytes: number;
  /** Whole-request deadline, against slow senders (default 30 s). */
  requestTimeoutMs: number;
  /** Deadline for a request's headers, against connections that never finish them (default 10 s). */
  headersTimeoutMs: number;
  /** Open connections served at once; further ones are closed at once (default 256). */
  maxConnections: number;
  /** How long a secret value is reused before it is read again (default 10 s). */
  secretCacheTtlMs: number;
  /** How long a signed GitHub body stays one delivery whatever delivery id it comes with (default 24 h). */
  replayWindowMs: number;
}

export const DEFAULT_LIMITS: GatewayLimits = {
  maxBodyBytes: MAX_PAYLOAD_LENGTH,
  requestTimeoutMs: 30_000,
  headersTimeoutMs: 10_000,
  maxConnections: 256,
  secretCacheTtlMs: 10_000,
  replayWindowMs: 24 * 60 * 60 * 1000,
};

export interface GatewayOptions {
  /** The cluster access; or pass the host's kube clients (or a kubeConfig) to use the Kubernetes API. */
  cluster?: IntakeCluster;
  clients?: KubeClients;
  kubeConfig?: KubeConfig;
  logger: Logger;
  port?: number;
  host?: string;
  /** Default namespace: of the v02 CloudEvents path, and the one searched for GitHub projects. */
  namespace?: string;
  /** Search GitHub projects in all namespaces (needs cluster-wide list permission on projects). */
  allNamespaces?: boolean;
  limits?: Partial<GatewayLimits>;
  /** Serve /metrics on the gateway's own port (off by default: the gateway port is usually public). */
  exposeMetrics?: boolean;
  /**
   * A watched cache of Projects covering `namespace` (or all namespaces with allNamespaces), e.g. the
   * operator's Project informer; without one every delivery reads its Project from the API.
   */
  projectCache?: ProjectCache;
  /** Register the counters here (e.g. the operator's registry) instead of a new one. */
  registry?: Registry;
  clock?: Clock;
}

export interface Gateway {
  url: string;
  metrics: Registry;
  stop(): Promise<void>;
}

type IntakeHandler = (deps: IntakeDeps, r: IntakeRequest) => Promise<IntakeResult>;

const INTAKES: Partial<Record<RouteName, IntakeHandler>> = {
  'cloudevents-v1': cloudEventsV1,
  'cloudevents-v02': cloudEventsV02,
  webhook,
  github,
  'registry-webhook': registryWebhook,
  simpleevents: simpleEvents,
};

interface Context {
  deps: IntakeDeps;
  metrics: GatewayMetrics;
  exposeMetrics: boolean;
  replayWindowMs: number;
  clock: Clock;
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** Maps an error to the answer: refusals as they are, cluster trouble as 503, anything else as 500. */
function failure(err: unknown): { refusal: RefusedError; outcome: Outcome } {
  if (err instanceof RefusedError) return { refusal: err, outcome: 'refused' };
  if (err instanceof Error && err.name === 'ClusterError') {
    return {
      refusal: new RefusedError('Unavailable', 'the cluster could not be reached; retry later', { cause: err }),
      outcome: 'error',
    };
  }
  return { refusal: new RefusedError('Unavailable', 'internal error; retry later', { cause: err }), outcome: 'error' };
}

/**
 * Creates the Event of one draft. A draft with a body digest is named after the digest, so a body
 * accepted once is a duplicate whatever delivery id it is re-posted with, on any replica; once that
 * Event is older than the replay window, the body is taken again under a name from digest and id.
 */
async function createEvent(
  ctx: Context,
  draft: EventDraft,
): Promise<{ event: string; namespace: string; duplicate: boolean }> {
  const { cluster } = ctx.deps;
  const answer = (event: EventObject, created: 'created' | 'exists') => ({
    event: event.metadata.name,
    namespace: event.metadata.namespace,
    duplicate: created === 'exists',
  });
  if (!draft.bodyDigest) {
    const event = eventObject(draft);
    return answer(event, await cluster.createEvent(event));
  }
  const byBody = eventObject(draft, `body ${draft.bodyDigest}`);
  const created = await cluster.createEvent(byBody);
  if (created === 'created') return answer(byBody, created);
  const since = await cluster.eventCreated(byBody.metadata.namespace, byBody.metadata.name);
  if (since === undefined || ctx.clock.now() - since.getTime() < ctx.replayWindowMs) return answer(byBody, 'exists');
  const byDelivery = eventObject(draft, `body ${draft.bodyDigest} delivery ${draft.deliveryId}`);
  return answer(byDelivery, await cluster.createEvent(byDelivery));
}

async function createEvents(
  ctx: Context,
  result: Extract<IntakeResult, { kind: 'events' }>,
): Promise<{ status: number; body: Record<string, unknown>; outcome: Outcome }> {
  const made: Array<{ event: string; namespace: string; duplicate: boolean }> = [];
  for (const draft of result.drafts) made.push(await createEvent(ctx, draft));
  const allDuplicates = made.every((m) => m.duplicate);
  const [first] = made;
  const body: Record<string, unknown> = { event: first.event, namespace: first.namespace };
  if (first.duplicate) body.duplicate = true;
  if (made.length > 1) body.events = made;
  return { status: allDuplicates ? 200 : 202, body, outcome: allDuplicates ? 'duplicate' : 'accepted' };
}

async function serveIntake(
  ctx: Context,
  handler: IntakeHandler,
  r: IntakeRequest,
  res: ServerResponse,
): Promise<{ outcome: Outcome; detail: Record<string, unknown> }> {
  const result = await handler(ctx.deps, r);
  if (result.kind === 'pong') {
    sendJson(res, 200, { message: result.message });
    return { outcome: 'pong', detail: {} };
  }
  const answer = await createEvents(ctx, result);
  sendJson(res, answer.status, answer.body);
  return {
    outcome: answer.outcome,
    detail: { event: answer.body.event, namespace: answer.body.namespace, type: result.drafts[0].type },
  };
}

async function serveProbe(ctx: Context, name: RouteName, res: ServerResponse): Promise<void> {
  if (name === 'healthz') {
    sendJson(res, 200, { status: 'ok' });
    return;
  }
  if (name === 'metrics') {
    const text = await ctx.metrics.registry.metrics();
    res.writeHead(200, { 'content-type': ctx.metrics.registry.contentType });
    res.end(text);
    return;
  }
  try {
    await ctx.deps.cluster.ping(ctx.deps.searchNamespace);
    sendJson(res, 200, { status: 'ready' });
  } catch (err) {
    ctx.deps.logger.warn({ err }, 'readiness check failed');
    sendJson(res, 503, { error: { code: 'Unavailable', message: 'the cluster could not be reached' } });
  }
}

async function handle(ctx: Context, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://gateway.invalid');
  let intake = 'none';
  try {
    const route = matchRoute({
      method: req.method ?? 'GET',
      pathname: url.pathname,
      enabled: (n) => n !== 'metrics' || ctx.exposeMetrics,
    });
    const handler = INTAKES[route.name];
    if (!handler) {
      await serveProbe(ctx, route.name, res);
      return;
    }
    intake = route.name;
    const { outcome, detail } = await serveIntake(ctx, handler, { req, url, params: route.params }, res);
    ctx.metrics.count({ intake, outcome, code: 'OK' });
    ctx.deps.logger.info({ intake, outcome, ...detail }, 'delivery accepted');
  } catch (err) {
    if (clientWentAway(req, err)) {
      // Not the gateway's failure and nothing to answer: the sender closed the connection mid-request.
      ctx.metrics.count({ intake, outcome: 'aborted', code: 'ClientClosed' });
      ctx.deps.logger.debug({ intake }, 'the client closed the connection before the request was read');
      return;
    }
    const { refusal, outcome } = failure(err);
    ctx.metrics.count({ intake, outcome, code: refusal.code });
    // The path is logged without its query (a v02 path carries a secret: log the route, not the path).
    const log = { intake, status: refusal.status, code: refusal.code, reason: refusal.message };
    if (outcome === 'error') ctx.deps.logger.error({ ...log, err }, 'delivery failed');
    else ctx.deps.logger.info(log, 'delivery refused');
    // A body left unread (refused before or while reading) is not drained: close the connection.
    const close: Record<string, string> = req.complete ? {} : { connection: 'close' };
    if (!req.complete) res.once('finish', () => req.destroy());
    if (!res.headersSent) sendJson(res, refusal.status, errorBody(refusal), { ...refusal.headers, ...close });
  }
}

const CLIENT_GONE = new Set(['ECONNRESET', 'ECONNABORTED', 'EPIPE', 'ERR_STREAM_PREMATURE_CLOSE']);

/** True when a request failed because its client closed the connection while it was being read. */
function clientWentAway(req: IncomingMessage, err: unknown): boolean {
  if (err instanceof RefusedError || req.complete) return false;
  const code = (err as { code?: unknown } | undefined)?.code;
  return req.destroyed || (typeof code === 'string' && CLIENT_GONE.has(code));
}

function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}

/** Starts the gateway; `stop()` stops accepting, waits for requests in flight and closes idle connections. */
export async function startGateway(opts: GatewayOptions): Promise<Gateway> {
  const limits = { ...DEFAULT_LIMITS, ...opts.limits };
  const kube = opts.clients ?? opts.kubeConfig;
  const direct = opts.cluster ?? (kube ? kubeIntakeCluster(kube) : undefined);
  if (!direct) throw new TypeError('startGateway needs cluster, clients or kubeConfig');
  const scope = opts.allNamespaces ? undefined : opts.namespace;
  const cached = opts.projectCache ? withProjectCache(direct, { cache: opts.projectCache, scope }) : direct;
  const cluster = withSecretCache(cached, { ttlMs: limits.secretCacheTtlMs, clock: opts.clock });
  const metrics = gatewayMetrics(opts.registry);
  const ctx: Context = {
    deps: {
      cluster,
      namespace: opts.namespace,
      searchNamespace: opts.allNamespaces ? undefined : opts.namespace,
      maxBodyBytes: limits.maxBodyBytes,
      logger: opts.logger,
    },
    metrics,
    exposeMetrics: opts.exposeMetrics ?? false,
    replayWindowMs: limits.replayWindowMs,
    clock: opts.clock ?? systemClock,
  };
  const headersTimeout = Math.min(limits.requestTimeoutMs, limits.headersTimeoutMs);
  const server = createServer(
    {
      requestTimeout: limits.requestTimeoutMs,
      headersTimeout,
      // Node checks both deadlines on this interval (30 s by default, longer than the deadlines).
      connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(headersTimeout / 2))),
    },
    (req, res) => {
      handle(ctx, req, res).catch((err: unknown) => {
        opts.logger.error({ err }, 'gateway handler crashed');
        if (!res.headersSent) sendJson(res, 500, { error: { code: 'Internal', message: 'internal error' } });
        else res.destroy();
      });
    },
  );
  // Beyond the cap, Node closes new connections at once rather than queueing them.
  server.maxConnections = limits.maxConnections;
  const host = opts.host ?? '127.0.0.1';
  const address = await listen(server, opts.port ?? 0, host);
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  opts.logger.info({ port: address.port, host }, 'gateway listening');
  return {
    url: `http://${shownHost}:${address.port}`,
    metrics: metrics.registry,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => {
          if (err) reject(err);
          else resolve();
        });
        server.closeIdleConnections();
      }),
  };
}
