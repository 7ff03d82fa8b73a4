// Errors of the simulated API server. Each carries the metav1.Status body the real apiserver would
// answer with, worded like k8s.io/apimachinery/pkg/api/errors so clients that match on messages or
// reasons behave as against a real cluster.

import type { FieldError } from '../crd/index.ts';

export interface StatusCause {
  reason: string;
  message: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export interface KubeStatus {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, unknown>;
  status: 'Failure' | 'Success';
  message: string;
  reason: string;
  details?: StatusDetails;
  code: number;
}

/** A Kubernetes API error; `status` is the body the HTTP layer sends. */
export class SimApiError extends Error {
  override readonly name = 'SimApiError';
  readonly status: KubeStatus;

  constructor(status: Omit<KubeStatus, 'kind' | 'apiVersion' | 'metadata' | 'status'>, options?: ErrorOptions) {
    super(status.message, options);
    this.status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', ...status };
  }

  get code(): number {
    return this.status.code;
  }

  get reason(): string {
    return this.status.reason;
  }
}

/** Names a resource the way error messages do: `pods`, `jobs.batch`, `jobs.brigade.sh`. */
export interface QualifiedResource {
  group: string;
  resource: string;
}

export function qualifiedName(qr: QualifiedResource): string {
  return qr.group ? `${qr.resource}.${qr.group}` : qr.resource;
}

function details(qr: QualifiedResource, name: string, kind = qr.resource): StatusDetails {
  const d: StatusDetails = { name, kind };
  if (qr.group) d.group = qr.group;
  return d;
}

export function notFound(qr: QualifiedResource, name: string): SimApiError {
  return new SimApiError({
    message: `${qualifiedName(qr)} "${name}" not found`,
    reason: 'NotFound',
    details: details(qr, name),
    code: 404,
  });
}

export function alreadyExists(qr: QualifiedResource, name: string): SimApiError {
  return new SimApiError({
    message: `${qualifiedName(qr)} "${name}" already exists`,
    reason: 'AlreadyExists',
    details: details(qr, name),
    code: 409,
  });
}

export function conflict(qr: QualifiedResource, name: string, why: string): SimApiError {
  return new SimApiError({
    message: `Operation cannot be fulfilled on ${qualifiedName(qr)} "${name}": ${why}`,
    reason: 'Conflict',
    details: details(qr, name),
    code: 409,
  });
}

export const STALE_OBJECT =
  'the object has been modified; please apply your changes to the latest version and try again';

/** 422 Invalid: `<Kind>.<group> "<name>" is invalid: <errors>`. */
export function invalid(opts: { group: string; kind: string; name: string; errors: FieldError[] }): SimApiError {
  const { group, kind, name, errors } = opts;
  const qualifiedKind = group ? `${kind}.${group}` : kind;
  const message = errors.length === 1 ? errors[0].message : `[${errors.map((e) => e.message).join(', ')}]`;
  const causes = errors.map((e) => ({
    reason: e.reason,
    message: e.field && e.message.startsWith(`${e.field}: `) ? e.message.slice(e.field.length + 2) : e.message,
    field: e.field,
  }));
  const d: StatusDetails = { name, kind, causes };
  if (group) d.group = group;
  return new SimApiError({
    message: `${qualifiedKind} "${name}" is invalid: ${message}`,
    reason: 'Invalid',
    details: d,
    code: 422,
  });
}

export function badRequest(message: string, causes?: StatusCause[], options?: ErrorOptions): SimApiError {
  return new SimApiError(
    { message, reason: 'BadRequest', code: 400, ...(causes ? { details: { causes } } : {}) },
    options,
  );
}

export function forbidden(qr: QualifiedResource, name: string, why: string): SimApiError {
  return new SimApiError({
    message: `${qualifiedName(qr)} "${name}" is forbidden: ${why}`,
    reason: 'Forbidden',
    details: details(qr, name),
    code: 403,
  });
}

export function gone(message: string): SimApiError {
  return new SimApiError({ message, reason: 'Expired', code: 410 });
}

export function methodNotAllowed(message: string): SimApiError {
  return new SimApiError({ message, reason: 'MethodNotAllowed', code: 405 });
}

export function unsupportedMediaType(accepted: string[]): SimApiError {
  return new SimApiError({
    message: `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`,
    reason: 'UnsupportedMediaType',
    code: 415,
  });
}

/** The answer for a path that names no resource (the real server's generic 404). */
export function pageNotFound(): SimApiError {
  return new SimApiError({
    message: 'the server could not find the requested resource',
    reason: 'NotFound',
    details: {},
    code: 404,
  });
}

export function internalError(message: string, cause?: unknown): SimApiError {
  return new SimApiError(
    { message: `Internal error occurred: ${message}`, reason: 'InternalError', code: 500 },
    { cause },
  );
}

export function notAcceptable(): SimApiError {
  return new SimApiError({
    message: 'only the following media types are accepted: application/json',
    reason: 'NotAcceptable',
    code: 406,
  });
}
