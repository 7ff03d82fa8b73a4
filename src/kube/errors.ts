// Classifying API errors. client-node 2.x throws ApiException with the HTTP status in `code`; we also
// accept `statusCode` and a Status body's `code` so the helpers work on any error shape it produces.

export function apiStatusCode(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as { code?: unknown; statusCode?: unknown; body?: unknown };
  // Only HTTP statuses count: a DOMException's numeric `code` (23 for TimeoutError) is not one.
  if (isHttpStatus(e.code)) return e.code;
  if (isHttpStatus(e.statusCode)) return e.statusCode;
  const body = parseBody(e.body);
  return typeof body?.code === 'number' ? body.code : undefined;
}

const isHttpStatus = (v: unknown): v is number => typeof v === 'number' && v >= 100 && v <= 599;

export const isNotFound = (err: unknown): boolean => apiStatusCode(err) === 404;
export const isConflict = (err: unknown): boolean => apiStatusCode(err) === 409 && apiReason(err) !== 'AlreadyExists';
export const isAlreadyExists = (err: unknown): boolean => apiStatusCode(err) === 409 && apiReason(err) !== 'Conflict';
export const isInvalid = (err: unknown): boolean => apiStatusCode(err) === 422;
export const isGone = (err: unknown): boolean => apiStatusCode(err) === 410;

/** The Status `reason` of an API error (AlreadyExists, Conflict, NotFound, ...), when it has one. */
export function apiReason(err: unknown): string | undefined {
  const body = parseBody((err as { body?: unknown } | null)?.body);
  return typeof body?.reason === 'string' ? body.reason : undefined;
}

/** The Status `message` of an API error; never the raw body (it may echo request content). */
export function apiMessage(err: unknown): string {
  const body = parseBody((err as { body?: unknown } | null)?.body);
  if (typeof body?.message === 'string') return body.message;
  const code = apiStatusCode(err);
  return code === undefined ? (err instanceof Error ? err.message : String(err)) : `HTTP ${code}`;
}

function parseBody(body: unknown): Record<string, unknown> | undefined {
  if (typeof body === 'object' && body !== null) return body as Record<string, unknown>;
  if (typeof body !== 'string') return undefined;
  try {
    const parsed: unknown = JSON.parse(body);
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined; // not a JSON Status; callers fall back to the HTTP code
  }
}

/** An API call failed; `message` says which call, `cause` is the client's error. */
export class KubeApiError extends Error {
  readonly code: number | undefined;
  constructor(message: string, options: { cause: unknown }) {
    super(`${message}: ${apiMessage(options.cause)}`, options);
    this.name = 'KubeApiError';
    this.code = apiStatusCode(options.cause);
  }
}

// Transient or permanent: the one classification every retry in the operator uses. Transient means
// "the same request may well succeed later": the server was overloaded (429, API priority and
// fairness), failed internally (5xx), timed out, or the connection broke, possibly after the request
// was applied (so a retried create may meet 409 AlreadyExists: callers treat that as "it exists").
// Permanent is a 4xx that states a refusal (invalid, forbidden, not found...): retrying cannot fix it.

/** HTTP codes that say "try again": request timeout, too many requests, and server-side failures. */
const TRANSIENT_CODES = new Set([408, 429, 500, 502, 503, 504]);

/** Status reasons the API server uses for conditions that pass (sometimes with a 4xx/5xx code). */
const TRANSIENT_REASONS = new Set([
  'ServerTimeout',
  'Timeout',
  'TooManyRequests',
  'InternalError',
  'ServiceUnavailable',
]);

/** Error codes of a broken or refused connection (node:net, node:http, undici). */
const TRANSIENT_NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

/** An HTTP status whose request is worth sending again (after a pause). */
export const isTransientStatus = (code: number): boolean => TRANSIENT_CODES.has(code);

/** True when retrying the request (after a pause) may succeed; looks through `cause` chains. */
export function isTransient(err: unknown): boolean {
  for (const e of causeChain(err)) {
    const code = apiStatusCode(e);
    if (code !== undefined) return isTransientStatus(code) || TRANSIENT_REASONS.has(apiReason(e) ?? '');
    if (isNetworkFailure(e)) return true;
  }
  return false;
}

/** A connection-level failure: reset, refused, timed out (our request deadline included). */
function isNetworkFailure(e: unknown): boolean {
  if (typeof e !== 'object' || e === null) return false;
  const { code, name } = e as { code?: unknown; name?: unknown };
  if (typeof code === 'string' && TRANSIENT_NETWORK_CODES.has(code)) return true;
  return name === 'TimeoutError' || name === 'ApiRequestTimeoutError';
}

/**
 * How long the server asked us to wait (a 429's or 503's Retry-After header, or the Status
 * details.retryAfterSeconds), in milliseconds; undefined when it did not say.
 */
export function retryAfterMs(err: unknown): number | undefined {
  for (const e of causeChain(err)) {
    const headers = (e as { headers?: unknown } | null)?.headers;
    if (typeof headers === 'object' && headers !== null) {
      const value = (headers as Record<string, unknown>)['retry-after'];
      const ms = parseRetryAfter(typeof value === 'string' ? value : undefined);
      if (ms !== undefined) return ms;
    }
    const details = parseBody((e as { body?: unknown } | null)?.body)?.details as
      { retryAfterSeconds?: unknown } | undefined;
    if (typeof details?.retryAfterSeconds === 'number' && details.retryAfterSeconds >= 0)
      return details.retryAfterSeconds * 1000;
  }
  return undefined;
}

/** A Retry-After header value (delta-seconds, or an HTTP date) in milliseconds. */
export function parseRetryAfter(value: string | undefined, now: number = Date.now()): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return seconds >= 0 ? seconds * 1000 : undefined;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function* causeChain(err: unknown): Generator<unknown, void> {
  let e: unknown = err;
  for (let depth = 0; e !== undefined && e !== null && depth < 8; depth++) {
    yield e;
    e = (e as { cause?: unknown }).cause;
  }
}
