// Small builders on top of TypeBox for what a Kubernetes structural schema allows. TypeBox's own
// Union/Literal/Record emit anyOf/const/patternProperties, which structural schemas reject, so enums,
// string maps and open objects are declared here with Type.Unsafe: the JSON is exactly what the
// API server wants and the static type is still precise.
import { Type } from '@sinclair/typebox';
import type { TUnsafe, StringOptions, SchemaOptions } from '@sinclair/typebox';

/** DNS-1123 label: what a name must be when it also becomes a label value or a child's name. */
export const DNS1123_LABEL = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$';
/** DNS-1123 subdomain: the rule for most Kubernetes object names. */
export const DNS1123_SUBDOMAIN = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$';
/** A Kubernetes resource quantity such as 500m, 1.5, 128Mi, 1G. */
export const QUANTITY =
  '^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$';

// An image reference, as a container runtime parses it: [registry/]repository[:tag][@digest]. The
// registry is a host name with a dot or a port (or localhost); the repository path is lowercase.
// Written without backslashes so the same text works in JavaScript, in Go's RE2 and inside a CEL
// string literal.
const HOST = '[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?';
const REGISTRY = `(localhost|${HOST}([.]${HOST})+|${HOST}([.]${HOST})*:[0-9]+)`;
const PATH_COMPONENT = '[a-z0-9]+(([._]|__|[-]+)[a-z0-9]+)*';
const TAG = '[a-zA-Z0-9_][a-zA-Z0-9_.-]{0,127}';
const DIGEST = '[A-Za-z][A-Za-z0-9]*([-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}';
export const IMAGE_REFERENCE = `^(${REGISTRY}/)?${PATH_COMPONENT}(/${PATH_COMPONENT})*(:${TAG})?(@${DIGEST})?$`;
export const IMAGE_REFERENCE_HINT =
  'an image reference is [registry/]repository[:tag][@digest] with a lowercase repository and no spaces, e.g. alpine:3.20 or ghcr.io/org/tool:1.2';

/** An image reference field: refused by the API server, with a message that says what is wrong, unless it parses. */
export function ImageReference(description: string): TUnsafe<string> {
  return Type.Unsafe<string>({
    type: 'string',
    description,
    minLength: 1,
    maxLength: 1024,
    ...withRules([
      { rule: `self.matches('${IMAGE_REFERENCE}')`, message: `not a valid image: ${IMAGE_REFERENCE_HINT}` },
    ]),
  });
}

/** A string restricted to the given values (`enum`, never `anyOf` of `const`). */
export function StringEnum<const T extends readonly string[]>(
  values: T,
  options: SchemaOptions = {},
): TUnsafe<T[number]> {
  return Type.Unsafe<T[number]>({ ...options, type: 'string', enum: [...values] });
}

/** An object name other objects refer to by name (DNS-1123 subdomain, at most 253 characters). */
export function ObjectName(description: string): TUnsafe<string> {
  return Type.Unsafe<string>({ type: 'string', description, pattern: DNS1123_SUBDOMAIN, minLength: 1, maxLength: 253 });
}

/** A name that also ends up in a label value or a child object's name (DNS-1123 label, <= 63). */
export function LabelName(description: string): TUnsafe<string> {
  return Type.Unsafe<string>({ type: 'string', description, pattern: DNS1123_LABEL, minLength: 1, maxLength: 63 });
}

/**
 * A brigadier job name as the script gave it: Brigade 1's rule, lowercase letters, digits, '-' and
 * '.', starting and ending with a letter or digit (`1-build`, `build.v1`). It never becomes an object
 * name or label value by itself: names derived from it go through api/names.ts.
 */
export const BRIGADIER_JOB_NAME = '^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$';

export function JobName(description: string): TUnsafe<string> {
  return Type.Unsafe<string>({ type: 'string', description, pattern: BRIGADIER_JOB_NAME, minLength: 1, maxLength: 63 });
}

/** A map of string to string (labels, annotations, nodeSelector). */
export function StringMap(description: string, valueOptions: StringOptions = {}): TUnsafe<Record<string, string>> {
  return Type.Unsafe<Record<string, string>>({
    type: 'object',
    description,
    additionalProperties: { ...valueOptions, type: 'string' },
  });
}

/** An object whose content the API server keeps as given (a Kubernetes type we pass through). */
export function OpenObject(description: string): TUnsafe<Record<string, unknown>> {
  return Type.Unsafe<Record<string, unknown>>({
    type: 'object',
    description,
    'x-kubernetes-preserve-unknown-fields': true,
  });
}

/** A CEL rule the API server checks (x-kubernetes-validations); keep to the simulator's CEL subset. */
export interface CelRule {
  rule: string;
  message: string;
}

/** Options that attach CEL rules to a schema. */
export function withRules(rules: CelRule[]): { 'x-kubernetes-validations': CelRule[] } {
  return { 'x-kubernetes-validations': rules };
}

/** The rule that makes a field immutable once set. */
export function immutable(what: string): { 'x-kubernetes-validations': CelRule[] } {
  return withRules([{ rule: 'self == oldSelf', message: `${what} is immutable` }]);
}

/** A timestamp as Kubernetes writes it (RFC 3339). */
export function Timestamp(description: string): TUnsafe<string> {
  return Type.Unsafe<string>({ type: 'string', format: 'date-time', description });
}

/** Seconds, a non-negative int32. */
export function Seconds(description: string, options: { minimum?: number; default?: number } = {}): TUnsafe<number> {
  return Type.Unsafe<number>({
    type: 'integer',
    format: 'int32',
    minimum: options.minimum ?? 0,
    description,
    ...(options.default === undefined ? {} : { default: options.default }),
  });
}
