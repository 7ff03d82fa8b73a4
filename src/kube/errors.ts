// Classifying API errors. client-node 2.x throws ApiException with the HTTP status in `code`; we also
// accept `statusCode` and a Status body's `code` so the helpers work on any error shape it produces.

export function apiStatusCode(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as { code?: unknown; statusCode?: unknown; body?: unknown };
  if (typeof e.code === 'number') return e.code;
  if (typeof e.statusCode === 'number') return e.statusCode;
  const body = parseBody(e.body);
  return typeof body?.code === 'number' ? body.code : undefined;
}

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
