// Turns a request body into the object to store, for create and update: server-owned metadata,
// status subresource rules, generation, defaults, schema admission (CRDs through the CRD machinery,
// built-ins through their models) and validation. Pure apart from the clock.

import { isDeepStrictEqual } from 'node:util';
import type { FieldError } from '../crd/index.ts';
import type { KubeObject } from '../types.ts';
import { applyCreateDefaults, normalizeBuiltin } from './builtin-defaults.ts';
import { modelForKind, unknownFieldsOf } from './builtin-schema.ts';
import { badRequest, internalError, invalid } from './errors.ts';
import { generateNameSuffix, newUid, sentMetadata, specChanged, timestamp } from './meta.ts';
import { apiVersionOf, hasStatus } from './resources.ts';
import type { ResourceType } from './resources.ts';
import { validateFinalizersOnUpdate, validateImmutableFields, validateMetadata } from './validation.ts';

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export interface AdmissionContext {
  rt: ResourceType;
  now: Date;
  fieldValidation: FieldValidation;
  /** Warnings for the response's Warning headers. */
  warnings: string[];
}

function invalidError(ctx: AdmissionContext, name: string, errors: FieldError[]): Error {
  return invalid({ group: ctx.rt.group, kind: ctx.rt.kind, name, errors });
}

/** Checks apiVersion/kind of a body against the endpoint; fills them when absent. */
export function checkTypeMeta(rt: ResourceType, body: KubeObject): void {
  const expected = apiVersionOf(rt);
  if (body.apiVersion && body.apiVersion !== expected && body.apiVersion.split('/')[0] !== rt.group) {
    throw badRequest(
      `the API version in the data (${body.apiVersion}) does not match the expected API version (${expected})`,
    );
  }
  if (body.kind && body.kind !== rt.kind) {
    throw badRequest(`the kind in the data (${body.kind}) does not match the expected kind (${rt.kind})`);
  }
  body.apiVersion = expected;
  body.kind = rt.kind;
  const sent: unknown = sentMetadata(body);
  if (sent === null || typeof sent !== 'object') body.metadata = {};
}

function reportUnknownFields(ctx: AdmissionContext, paths: string[]): void {
  if (paths.length === 0 || ctx.fieldValidation === 'Ignore') return;
  const messages = paths.map((p) => `unknown field "${p}"`);
  if (ctx.fieldValidation === 'Strict') {
    const { kind, version } = ctx.rt;
    throw badRequest(
      `${kind} in version "${version}" cannot be handled as a ${kind}: strict decoding error: ${messages.join(', ')}`,
    );
  }
  ctx.warnings.push(...messages);
}

/** Drops unknown fields of a built-in object, as the real decoder does. */
function pruneBuiltin(rt: ResourceType, obj: KubeObject): string[] {
  const model = modelForKind(rt.group, rt.kind);
  if (!model) return [];
  const unknown = unknownFieldsOf(model, obj);
  for (const path of unknown) deletePath(obj, path);
  return unknown;
}

function deletePath(obj: unknown, path: string): void {
  const segments = path.split(/\.|\[|\]/).filter((s) => s !== '');
  let cur = obj as Record<string, unknown> | undefined;
  for (const seg of segments.slice(0, -1)) cur = cur?.[seg] as Record<string, unknown> | undefined;
  const last = segments.at(-1);
  if (cur && last !== undefined) delete cur[last];
}

/** Schema admission: CRD pruning/defaults/validation, or built-in unknown-field pruning. */
function admitSchema(
  ctx: AdmissionContext,
  obj: KubeObject,
  old: KubeObject | undefined,
  subresource?: 'status',
): void {
  const metaUnknown = unknownFieldsOf('V1ObjectMeta', obj.metadata, 'metadata');
  for (const path of metaUnknown) deletePath(obj, path);
  if (!ctx.rt.crd) {
    reportUnknownFields(ctx, [...metaUnknown, ...pruneBuiltin(ctx.rt, obj)]);
    return;
  }
  const version = ctx.rt.crd.versions.get(ctx.rt.version);
  if (!version) return;
  const result = version.admit(obj, {
    operation: old ? 'UPDATE' : 'CREATE',
    ...(old ? { old } : {}),
    ...(subresource ? { subresource } : {}),
  });
  reportUnknownFields(ctx, [...metaUnknown, ...result.unknownFields]);
  if (result.errors.length > 0) throw invalidError(ctx, obj.metadata.name ?? '', result.errors);
}

/** Prepares a new object: name, uid, timestamps, generation, defaults, initial status, admission. */
export function admitCreate(ctx: AdmissionContext, body: KubeObject): KubeObject {
  const obj = structuredClone(body);
  checkTypeMeta(ctx.rt, obj);
  const meta = obj.metadata;
  // The real storage layer refuses this with a plain error, which the apiserver turns into a 500.
  if (meta.resourceVersion) throw internalError('resourceVersion should not be set on objects to be created');
  if (!meta.name && meta.generateName) meta.name = `${meta.generateName}${generateNameSuffix()}`;
  if (!meta.name) {
    throw invalidError(ctx, '', [
      {
        reason: 'FieldValueRequired',
        field: 'metadata.name',
        message: 'metadata.name: Required value: name or generateName is required',
      },
    ]);
  }
  meta.uid = newUid();
  meta.creationTimestamp = timestamp(ctx.now);
  delete meta.deletionTimestamp;
  delete meta.deletionGracePeriodSeconds;
  if (ctx.rt.tracksGeneration) meta.generation = 1;
  else delete meta.generation;
  if (ctx.rt.crd && hasStatus(ctx.rt)) delete obj['status'];
  admitSchema(ctx, obj, undefined);
  if (!ctx.rt.crd) applyCreateDefaults(ctx.rt.group, ctx.rt.kind, obj);
  if (!ctx.rt.crd) normalizeBuiltin(ctx.rt.group, ctx.rt.kind, obj);
  if (ctx.rt.group === '' && ctx.rt.kind === 'Namespace')
    meta.labels = { ...meta.labels, 'kubernetes.io/metadata.name': meta.name };
  const errors = validateMetadata(ctx.rt, obj);
  if (errors.length) throw invalidError(ctx, meta.name, errors);
  return obj;
}

export interface UpdateInput {
  old: KubeObject;
  body: KubeObject;
  subresource?: 'status';
}

/** Merges what an update may change into the stored object, per the status subresource rules. */
function mergeForUpdate(rt: ResourceType, input: UpdateInput): KubeObject {
  const { old, body, subresource } = input;
  if (subresource === 'status') {
    const next = structuredClone(old);
    if (body['status'] === undefined) delete next['status'];
    else next['status'] = structuredClone(body['status']);
    next.metadata.resourceVersion = body.metadata.resourceVersion ?? old.metadata.resourceVersion;
    return next;
  }
  const next = structuredClone(body);
  if (hasStatus(rt)) {
    if (old['status'] === undefined) delete next['status'];
    else next['status'] = structuredClone(old['status']);
  }
  return next;
}

const SYSTEM_METADATA = [
  'uid',
  'creationTimestamp',
  'generation',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
] as const;

export function admitUpdate(ctx: AdmissionContext, input: UpdateInput): KubeObject {
  checkTypeMeta(ctx.rt, input.body);
  const next = mergeForUpdate(ctx.rt, input);
  const { old } = input;
  const meta = next.metadata as Record<string, unknown>;
  for (const key of SYSTEM_METADATA) {
    if (old.metadata[key] === undefined) delete meta[key];
    else meta[key] = old.metadata[key];
  }
  // As on a real server, an update that does not send managedFields keeps the recorded ones.
  if (next.metadata.managedFields === undefined && old.metadata.managedFields !== undefined)
    next.metadata.managedFields = old.metadata.managedFields;
  next.metadata.name = old.metadata.name;
  if (old.metadata.namespace) next.metadata.namespace = old.metadata.namespace;
  admitSchema(ctx, next, old, input.subresource);
  if (!ctx.rt.crd) normalizeBuiltin(ctx.rt.group, ctx.rt.kind, next);
  // Without a status subresource, status is part of what the generation tracks (as for real CRDs).
  const changed = specChanged(old, next) || (!hasStatus(ctx.rt) && !isDeepStrictEqual(old['status'], next['status']));
  if (ctx.rt.tracksGeneration && changed) next.metadata.generation = (old.metadata.generation ?? 0) + 1;
  const errors = [
    ...validateMetadata(ctx.rt, next),
    ...validateFinalizersOnUpdate(old, next),
    ...validateImmutableFields(ctx.rt, old, next),
  ];
  if (errors.length) throw invalidError(ctx, old.metadata.name ?? '', errors);
  return next;
}
