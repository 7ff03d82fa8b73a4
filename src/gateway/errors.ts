// Refusals the gateway answers with. Every refusal is decided before anything reaches the cluster, and
// carries the HTTP status and a stable machine-readable code for the JSON error body.

export type RefusalCode =
  | 'BadRequest'
  | 'Unauthorized'
  | 'Forbidden'
  | 'NotFound'
  | 'MethodNotAllowed'
  | 'PayloadTooLarge'
  | 'UnsupportedMediaType'
  | 'Unavailable';

const STATUS_BY_CODE: Record<RefusalCode, number> = {
  BadRequest: 400,
  Unauthorized: 401,
  Forbidden: 403,
  NotFound: 404,
  MethodNotAllowed: 405,
  PayloadTooLarge: 413,
  UnsupportedMediaType: 415,
  Unavailable: 503,
};

/** A request the gateway will not turn into an Event. The message is safe to show to the caller. */
export class RefusedError extends Error {
  readonly code: RefusalCode;
  readonly status: number;
  /** Extra response headers, e.g. Allow for 405. */
  readonly headers: Record<string, string>;

  constructor(code: RefusalCode, message: string, opts: { cause?: unknown; headers?: Record<string, string> } = {}) {
    super(message, { cause: opts.cause });
    this.name = 'RefusedError';
    this.code = code;
    this.status = STATUS_BY_CODE[code];
    this.headers = opts.headers ?? {};
  }
}

export const refuse = {
  badRequest: (message: string, cause?: unknown): RefusedError => new RefusedError('BadRequest', message, { cause }),
  unauthorized: (message: string): RefusedError => new RefusedError('Unauthorized', message),
  forbidden: (message: string): RefusedError => new RefusedError('Forbidden', message),
  notFound: (message: string): RefusedError => new RefusedError('NotFound', message),
  tooLarge: (limit: number): RefusedError => new RefusedError('PayloadTooLarge', `request body exceeds ${limit} bytes`),
  unsupported: (message: string): RefusedError => new RefusedError('UnsupportedMediaType', message),
  methodNotAllowed: (allowed: string[]): RefusedError =>
    new RefusedError('MethodNotAllowed', `method not allowed; use ${allowed.join(', ')}`, {
      headers: { Allow: allowed.join(', ') },
    }),
};

/** The JSON body of every refusal: `{ "error": { "code", "message" } }`. */
export function errorBody(err: RefusedError): { error: { code: RefusalCode; message: string } } {
  return { error: { code: err.code, message: err.message } };
}
