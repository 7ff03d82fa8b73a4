// OpenAPI schema validation of custom resources with ajv, with errors translated to the messages and
// field paths of the real apiserver (kube-openapi's validator): `spec.image: Required value`,
// `spec.replicas: Invalid value: 0: spec.replicas in body should be greater than or equal to 1`.
//
// ajv runs in strict mode. The Kubernetes extension keywords are registered: int-or-string is
// validated here; the others (preserve-unknown-fields, embedded-resource, list-type, validations...)
// are implemented by the structural walkers (prune-default.ts, structural-checks.ts, cel-rules.ts)
// and are declared to ajv as keywords so strict mode knows them.

import { Ajv } from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';
import formatsModule from 'ajv-formats';
import { fieldErrors } from './errors.ts';
import type { FieldError } from './errors.ts';
import { KUBERNETES_FORMATS } from './formats.ts';
import { formatPath, isPlainObject } from './schema.ts';
import type { PathSegment, Schema } from './schema.ts';

const addFormats = formatsModule.default;

const WALKER_KEYWORDS = [
  'x-kubernetes-preserve-unknown-fields',
  'x-kubernetes-embedded-resource',
  'x-kubernetes-list-type',
  'x-kubernetes-list-map-keys',
  'x-kubernetes-map-type',
  'x-kubernetes-validations',
];
const ANNOTATION_KEYWORDS = ['example', 'externalDocs'];

export interface ValidateOptions {
  /** Prefix of the reported paths, for values that are not a whole object (a default, say). */
  basePath?: PathSegment[];
  /** Errors at paths where this answers true are dropped (validation ratcheting on update). */
  isUnchanged?: (path: PathSegment[]) => boolean;
}

export type SchemaValidator = (obj: unknown, opts?: ValidateOptions) => FieldError[];

/**
 * Compiled validators by schema text. validateCrd and compileCrd see the same schemas again (on every
 * CRD update, for each default), and ajv compilation dominates their cost. Bounded: oldest dropped.
 */
const compiledBySchema = new Map<string, ValidateFunction>();
const MAX_CACHED_VALIDATORS = 512;

/** Compiles one version's openAPIV3Schema (cached); throws the ajv error if ajv refuses it. */
export function compileSchemaValidator(schema: Schema): SchemaValidator {
  const ajvSchema = toAjvSchema(schema);
  const key = JSON.stringify(ajvSchema);
  let validate = compiledBySchema.get(key);
  if (!validate) {
    validate = newAjv(collectFormats(schema)).compile(ajvSchema);
    const oldest = compiledBySchema.keys().next();
    if (compiledBySchema.size >= MAX_CACHED_VALIDATORS && !oldest.done) compiledBySchema.delete(oldest.value);
    compiledBySchema.set(key, validate);
  }
  const compiled = validate;
  return (obj, opts = {}) => (compiled(obj) ? [] : translateErrors(compiled, obj, opts));
}

function newAjv(usedFormats: Set<string>): Ajv {
  const ajv = new Ajv({ allErrors: true, strict: true, verbose: true });
  addFormats(ajv);
  for (const [name, format] of Object.entries(KUBERNETES_FORMATS)) ajv.addFormat(name, format);
  // The apiserver ignores formats it does not know; say so to ajv instead of failing the CRD.
  for (const name of usedFormats) if (!ajv.formats[name]) ajv.addFormat(name, true);
  ajv.addKeyword({ keyword: WALKER_KEYWORDS });
  ajv.addKeyword({ keyword: ANNOTATION_KEYWORDS, annotation: true } as never);
  ajv.addKeyword({
    keyword: 'x-kubernetes-int-or-string',
    schemaType: 'boolean',
    errors: true,
    validate: (enabled: boolean, data: unknown) =>
      !enabled || data === null || typeof data === 'string' || Number.isInteger(data),
  });
  return ajv;
}

function collectFormats(schema: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(schema)) schema.forEach((s) => collectFormats(s, into));
  else if (isPlainObject(schema)) {
    for (const [key, value] of Object.entries(schema)) {
      if (key === 'format' && typeof value === 'string') into.add(value);
      else if (key !== 'default' && key !== 'enum' && key !== 'example') collectFormats(value, into);
    }
  }
  return into;
}

/**
 * Adapts OpenAPI 3.0 to ajv's draft-07: boolean exclusiveMinimum/Maximum become numbers; `nullable`
 * without a `type` (allowed with preserve-unknown-fields/int-or-string) is dropped since the node
 * accepts null anyway; `default`, `example` values are left out of the subschema walk.
 */
function toAjvSchema(schema: Schema): Schema {
  const out: Schema = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'nullable' && schema.type === undefined) continue;
    if (key === 'exclusiveMinimum' || key === 'exclusiveMaximum') continue;
    out[key] = SUBSCHEMA_KEYS.has(key) ? mapSubschemas(key, value) : value;
  }
  if (schema.exclusiveMinimum === true) {
    delete out.minimum;
    out.exclusiveMinimum = schema.minimum;
  }
  if (schema.exclusiveMaximum === true) {
    delete out.maximum;
    out.exclusiveMaximum = schema.maximum;
  }
  return out;
}

const SUBSCHEMA_KEYS = new Set(['properties', 'additionalProperties', 'items', 'allOf', 'anyOf', 'oneOf', 'not']);

function mapSubschemas(key: string, value: unknown): unknown {
  if (key === 'properties' && isPlainObject(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, s]) => [k, toAjvSchema(s as Schema)]));
  }
  if (Array.isArray(value)) return value.map((s) => toAjvSchema(s as Schema));
  return isPlainObject(value) ? toAjvSchema(value) : value;
}

function translateErrors(validate: ValidateFunction, root: unknown, opts: ValidateOptions): FieldError[] {
  const errors = validate.errors ?? [];
  // A failed anyOf/oneOf/not is reported once, not with every branch's complaint.
  const combinators = errors.filter((e) => ['anyOf', 'oneOf', 'not'].includes(e.keyword)).map((e) => e.schemaPath);
  const out: FieldError[] = [];
  for (const err of errors) {
    if (combinators.some((p) => err.schemaPath.startsWith(`${p}/`))) continue;
    // int-or-string is usually spelled with an anyOf too; its own message is the clearer one.
    if (err.keyword === 'anyOf' && err.parentSchema?.['x-kubernetes-int-or-string']) continue;
    const segments = pointerToSegments(err.instancePath, root);
    if (opts.isUnchanged?.(err.keyword === 'required' ? [...segments, String(err.params.missingProperty)] : segments))
      continue;
    const field = translateOne(err, [...(opts.basePath ?? []), ...segments]);
    if (!out.some((e) => e.message === field.message)) out.push(field);
  }
  return out;
}

function translateOne(err: ErrorObject, segments: PathSegment[]): FieldError {
  const path = formatPath(segments);
  const inBody = `${path} in body`;
  const params = err.params as Record<string, unknown>;
  const data: unknown = err.data;
  switch (err.keyword) {
    case 'required':
      return fieldErrors.required(formatPath([...segments, String(params.missingProperty)]));
    case 'type':
    case 'x-kubernetes-int-or-string': {
      const want = err.keyword === 'type' ? String(params.type) : 'integer,string';
      return fieldErrors.typeInvalid(
        path,
        jsonType(data),
        `${inBody} must be of type ${want}: ${JSON.stringify(jsonType(data))}`,
      );
    }
    case 'enum':
      return fieldErrors.notSupported(path, data, Array.isArray(params.allowedValues) ? params.allowedValues : []);
    case 'pattern':
      return fieldErrors.invalid(path, data, `${inBody} should match '${String(params.pattern)}'`);
    case 'format':
      return fieldErrors.invalid(
        path,
        data,
        `${inBody} must be of type ${String(params.format)}: ${JSON.stringify(data)}`,
      );
    case 'anyOf':
      return fieldErrors.invalid(path, data, `${inBody} must validate at least one schema (anyOf)`);
    case 'oneOf':
      return fieldErrors.invalid(path, data, `${inBody} must validate one and only one schema (oneOf)`);
    case 'not':
      return fieldErrors.invalid(path, data, `${inBody} must not validate the schema (not)`);
    case 'additionalProperties':
      return fieldErrors.forbidden(
        formatPath([...segments, String(params.additionalProperty)]),
        'additional property is not allowed',
      );
    default:
      return (
        limitError(err.keyword, path, inBody, params, data) ??
        fieldErrors.invalid(path, data, `${inBody} ${err.message ?? 'is invalid'}`)
      );
  }
}

/** The error for a numeric bound or a length, item or property count keyword; undefined for any other. */
function limitError(
  keyword: string,
  path: string,
  inBody: string,
  params: Record<string, unknown>,
  data: unknown,
): FieldError | undefined {
  switch (keyword) {
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return fieldErrors.invalid(path, data, `${inBody} should be ${BOUND_WORDS[keyword]} ${String(params.limit)}`);
    case 'multipleOf':
      return fieldErrors.invalid(path, data, `${inBody} should be a multiple of ${String(params.multipleOf)}`);
    case 'minLength':
      return fieldErrors.invalid(path, data, `${inBody} should be at least ${String(params.limit)} chars long`);
    case 'maxLength':
      return fieldErrors.tooLong(path, Number(params.limit));
    case 'minItems':
      return fieldErrors.invalid(
        path,
        (data as unknown[]).length,
        `${inBody} should have at least ${String(params.limit)} items`,
      );
    case 'maxItems':
      return fieldErrors.tooMany(path, (data as unknown[]).length, Number(params.limit));
    case 'minProperties':
      return fieldErrors.invalid(path, data, `${inBody} should have at least ${String(params.limit)} properties`);
    case 'maxProperties':
      return fieldErrors.tooMany(path, Object.keys(data as object).length, Number(params.limit));
    default:
      return undefined;
  }
}

const BOUND_WORDS: Record<string, string> = {
  minimum: 'greater than or equal to',
  maximum: 'less than or equal to',
  exclusiveMinimum: 'greater than',
  exclusiveMaximum: 'less than',
};

/** The JSON type name kube-openapi reports for a value. */
export function jsonType(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

/** `/spec/jobs/0/image` -> ['spec', 'jobs', 0, 'image'], indices only where the data is an array. */
function pointerToSegments(pointer: string, root: unknown): PathSegment[] {
  if (!pointer) return [];
  const segments: PathSegment[] = [];
  let node = root;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    const seg: PathSegment = Array.isArray(node) ? Number(key) : key;
    segments.push(seg);
    node = (node as Record<string | number, unknown> | undefined)?.[seg];
  }
  return segments;
}
