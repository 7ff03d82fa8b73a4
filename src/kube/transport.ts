// The HTTP layer under every typed API client the operator makes: a client-side rate limit, a
// deadline per request, and retries of transient failures (errors.ts says which) with capped,
// jittered exponential back-off, honouring Retry-After. It sits where client-node sends requests
// (its HttpLibrary), so every call of every API gets the same treatment without wrapping each one.
//
// Every method is retried, writes included. That is safe because of how the operator writes: creates
// use deterministic names (a create whose reply was lost and that is sent again meets 409
// AlreadyExists, which callers read as "it exists"), status writes carry a resourceVersion (a lost
// reply turns into a 409 Conflict and the reconcile starts over from a fresh read), and deletes
// treat 404 as done. When the retries here are used up, the error goes to the caller, whose own
// back-off (the work queue, the job host) takes over.
import {
  ServerConfiguration,
  createConfiguration,
  setHeaderMiddleware,
  wrapHttpLibrary,
} from '@kubernetes/client-node';
import type { KubeConfig, RequestContext, ResponseContext, SecurityAuthentication } from '@kubernetes/client-node';
import { isTransient, isTransientStatus, parseRetryAfter } from './errors.ts';
import { sleep, type TokenBucket } from './rate-limiter.ts';
import { sendWithUndici } from './undici-http.ts';

export interface RetryPolicy {
  /** Attempts in all (1 = no retry). */
  attempts: number;
  /** First back-off; it doubles per attempt, with full jitter. */
  baseMs: number;
  maxMs: number;
  /** The longest Retry-After we honour for one wait (a server asking for more gets this). */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseMs: 100, maxMs: 4_000, maxRetryAfterMs: 30_000 };

/** Deadline of one request; a pod log of a few MB or a large list comes back well within it. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 60_000;

export interface RetryEvent {
  method: string;
  /** URL path without the query (never a body, never a header: they may carry secrets). */
  path: string;
  attempt: number;
  delayMs: number;
  /** e.g. "HTTP 429", "HTTP 503", "ECONNRESET", "TimeoutError". */
  reason: string;
}

export interface ApiTransportOptions {
  limiter?: TokenBucket;
  retry?: Partial<RetryPolicy>;
  requestTimeoutMs?: number;
  /** Told about every retry (the operator counts them in a metric and logs them at debug). */
  onRetry?: (event: RetryEvent) => void;
  /** The User-Agent of the requests (default brigade-operator), e.g. to tell a benchmark's own requests apart. */
  userAgent?: string;
  /** [0, 1); injectable so tests get the same delays every run. */
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

interface Sender {
  send(request: RequestContext): Promise<ResponseContext>;
}

/** The back-off before attempt `attempt + 1`: full jitter over base * 2^attempt, capped. */
export function backoffDelay(policy: RetryPolicy, attempt: number, random: () => number): number {
  return Math.round(random() * Math.min(policy.maxMs, policy.baseMs * 2 ** attempt));
}

/** Sends requests through `inner` with the rate limit, deadline and retries of `options`. */
export class RetryingSender implements Sender {
  readonly #inner: Sender;
  readonly #policy: RetryPolicy;
  readonly #opts: ApiTransportOptions;
  readonly #random: () => number;
  readonly #sleep: (ms: number) => Promise<void>;

  constructor(inner: Sender, options: ApiTransportOptions = {}) {
    this.#inner = inner;
    this.#opts = options;
    this.#policy = { ...DEFAULT_RETRY, ...options.retry };
    this.#random = options.random ?? Math.random;
    this.#sleep = options.sleep ?? ((ms) => sleep(ms));
  }

  async send(request: RequestContext): Promise<ResponseContext> {
    const callerSignal = request.getSignal();
    for (let attempt = 0; ; attempt++) {
      await this.#opts.limiter?.take(callerSignal);
      const timeout = AbortSignal.timeout(this.#opts.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS);
      request.setSignal(callerSignal ? AbortSignal.any([callerSignal, timeout]) : timeout);
      const last = attempt + 1 >= this.#policy.attempts;
      let response: ResponseContext;
      try {
        response = await this.#inner.send(request);
      } catch (err) {
        if (last || callerSignal?.aborted || !isTransient(err)) throw err;
        await this.#pause(request, attempt, reasonOf(err), undefined);
        continue;
      } finally {
        // The caller's own signal stays on the request for the next attempt.
        if (callerSignal) request.setSignal(callerSignal);
      }
      if (last || !isTransientStatus(response.httpStatusCode)) return response;
      // Read the body so the connection can be reused; its text is not needed.
      await response.body.text().catch(() => undefined);
      const retryAfter = parseRetryAfter(response.headers['retry-after']);
      await this.#pause(request, attempt, `HTTP ${response.httpStatusCode}`, retryAfter);
    }
  }

  async #pause(
    request: RequestContext,
    attempt: number,
    reason: string,
    retryAfterMs: number | undefined,
  ): Promise<void> {
    const delayMs =
      retryAfterMs !== undefined
        ? Math.min(retryAfterMs, this.#policy.maxRetryAfterMs)
        : backoffDelay(this.#policy, attempt, this.#random);
    this.#opts.onRetry?.({
      method: request.getHttpMethod(),
      path: pathOf(request.getUrl()),
      attempt: attempt + 1,
      delayMs,
      reason,
    });
    await this.#sleep(delayMs);
  }
}

function reasonOf(err: unknown): string {
  for (let e: unknown = err, i = 0; e && i < 5; e = (e as { cause?: unknown }).cause, i++) {
    const { code, name } = e as { code?: unknown; name?: unknown };
    if (typeof code === 'string') return code;
    if (name === 'TimeoutError') return 'TimeoutError';
  }
  return err instanceof Error ? err.name : 'error';
}

function pathOf(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return url;
  }
}

type ApiConstructor<T> = new (config: ReturnType<typeof createConfiguration>) => T;
type Dispatcher = NonNullable<ReturnType<RequestContext['getDispatcher']>>;

/**
 * client-node's own authentication makes a new connection pool (an undici Agent) for every request
 * to a cluster that needs TLS options (a CA, a client certificate, or skip-verify, as the simulator's
 * kubeconfig has): each request then opens a TCP (and TLS) connection of its own, and the pool is
 * torn down after it. This authentication applies the same credentials (headers are applied per
 * request, so refreshed tokens are used) with one pool per kubeconfig, shared by every client made
 * from it, so connections are kept alive and reused. A changed certificate or CA gets a new pool.
 */
const sharedPools = new WeakMap<KubeConfig, { identity: string; pool: Dispatcher | undefined }>();

function tlsIdentity(kubeConfig: KubeConfig): string {
  const cluster = kubeConfig.getCurrentCluster();
  const user = kubeConfig.getCurrentUser();
  return JSON.stringify([
    cluster?.server,
    cluster?.caData,
    cluster?.caFile,
    cluster?.skipTLSVerify,
    cluster?.proxyUrl,
    user?.certData,
    user?.certFile,
    user?.keyData,
    user?.keyFile,
  ]);
}

export function sharedPoolAuthentication(kubeConfig: KubeConfig): SecurityAuthentication {
  return {
    getName: () => 'kubeconfig (shared connection pool)',
    applySecurityAuthentication: async (context) => {
      const identity = tlsIdentity(kubeConfig);
      const shared = sharedPools.get(kubeConfig);
      if (shared?.identity !== identity) {
        // The first request (or the first after a TLS change): client-node makes the pool.
        await kubeConfig.applySecurityAuthentication(context);
        sharedPools.set(kubeConfig, { identity, pool: context.getDispatcher() });
        if (shared?.pool) void shared.pool.close().catch(() => undefined);
        return;
      }
      const opts: { headers?: Record<string, unknown>; auth?: string } = {};
      await kubeConfig.applyToHTTPSOptions(opts);
      if (opts.auth) context.setHeaderParam('Authorization', `Basic ${Buffer.from(opts.auth).toString('base64')}`);
      for (const [key, value] of Object.entries(opts.headers ?? {})) context.setHeaderParam(key, String(value));
      if (shared.pool) context.setDispatcher(shared.pool);
    },
  };
}

/**
 * Like KubeConfig.makeApiClient (same server, same authentication, same User-Agent), with its
 * requests sent through a RetryingSender.
 */
export function makeResilientApiClient<T>(
  kubeConfig: KubeConfig,
  api: ApiConstructor<T>,
  options: ApiTransportOptions = {},
): T {
  const cluster = kubeConfig.getCurrentCluster();
  if (!cluster) throw new Error('the kubeconfig names no current cluster');
  const sender = new RetryingSender({ send: sendWithUndici }, options);
  const config = createConfiguration({
    baseServer: new ServerConfiguration(cluster.server, {}),
    authMethods: { default: sharedPoolAuthentication(kubeConfig) },
    httpApi: wrapHttpLibrary({ send: (request) => sender.send(request) }),
    middleware: [setHeaderMiddleware('User-Agent', options.userAgent ?? USER_AGENT)],
  });
  return new api(config);
}

const USER_AGENT = 'brigade-operator';
