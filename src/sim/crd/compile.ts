// Turns one CustomResourceDefinition into the per-version machinery the API server needs:
// admission (defaults, pruning, schema + CEL validation) and Table output. Compile once per CRD
// (or per CRD update) and keep the result: the ajv validators and CEL programs are built here.

import type { KubeObject } from '../types.ts';
import { compileRules, evaluateRules } from './cel-rules.ts';
import type { CompiledRules } from './cel-rules.ts';
import { fieldErrors, formatFieldErrors } from './errors.ts';
import type { FieldError } from './errors.ts';
import { pruneAndDefault } from './prune-default.ts';
import { isPlainObject } from './schema.ts';
import type { PathSegment, Schema } from './schema.ts';
import { compileSchemaValidator } from './schema-validator.ts';
import type { SchemaValidator } from './schema-validator.ts';
import { canonicalJson, checkStructuralInvariants } from './structural-checks.ts';
import { newTableConvertor } from './table.ts';
import { sortByPriority } from './versions.ts';
import type { PrinterColumn, TableColumn } from './table.ts';
import { validateCrd } from './validate-crd.ts';

export interface AdmitOptions {
  operation: 'CREATE' | 'UPDATE';
  /** The stored object, on UPDATE: transition rules (those using oldSelf) compare against it. */
  old?: KubeObject;
  /** 'status' when writing the status subresource (the server decides what it keeps from the body). */
  subresource?: 'status';
}

export interface AdmitResult {
  /** Schema, list-type, embedded-resource and CEL errors; empty means admitted. */
  errors: FieldError[];
  /**
   * Paths of the unknown fields that were pruned, e.g. `spec.foo`, `spec.jobs[0].bar`. With
   * fieldValidation=Strict the server refuses with `unknown field "spec.foo"`; with Warn it warns.
   */
  unknownFields: string[];
}

export interface CompiledVersion {
  name: string;
  served: boolean;
  storage: boolean;
  hasStatusSubresource: boolean;
  /** For a version marked deprecated: the Warning header text for requests to it. */
  deprecationWarning?: string;
  /** The openAPIV3Schema as given in the CRD (undefined only for a CRD that failed validateCrd). */
  schema: Record<string, unknown> | undefined;
  /**
   * Prunes unknown fields and applies defaults IN PLACE on obj, then validates it: schema (types,
   * required, enum, formats, bounds...), x-kubernetes-list-type, embedded resources, and the
   * x-kubernetes-validations CEL rules (transition rules only on UPDATE with an old value). CEL rules
   * are skipped, with one error saying so, when the object has type errors, as the real apiserver does.
   * metadata is not validated here (name rules, labels...): that is the server's job.
   */
  admit(obj: KubeObject, opts: AdmitOptions): AdmitResult;
  /** Name first, then additionalPrinterColumns (or the default Age column). */
  tableColumns(): TableColumn[];
  /**
   * The cells of one Table row, in tableColumns() order. `date` columns are rendered as a
   * human age (`5m`, `3h2m`, `2d`) relative to now, as the real apiserver does; missing values are null.
   */
  tableCells(obj: KubeObject, now?: Date): unknown[];
}

export interface CompiledCrd {
  /** metadata.name of the CRD: `<plural>.<group>`. */
  name: string;
  group: string;
  names: {
    plural: string;
    singular: string;
    kind: string;
    listKind: string;
    shortNames: string[];
    categories: string[];
  };
  scope: 'Namespaced' | 'Cluster';
  /** All versions, in CRD order. */
  versions: Map<string, CompiledVersion>;
  storageVersion: string;
  /**
   * Names of served versions by Kubernetes version priority (v1 before v1beta1 before v1alpha1), the
   * order discovery lists them in; the first is the preferred version.
   */
  servedVersions: string[];
}

/** Thrown by compileCrd when the CRD does not pass validateCrd; `errors` says why. */
export class CrdCompileError extends Error {
  readonly errors: FieldError[];
  constructor(message: string, errors: FieldError[], options?: ErrorOptions) {
    super(message, options);
    this.name = 'CrdCompileError';
    this.errors = errors;
  }
}

/**
 * Compiles a CRD that validateCrd accepts; throws CrdCompileError (with validateCrd's errors) when it
 * does not. Compile once per CRD generation and keep the result: ajv and CEL programs are built here,
 * ajv lazily on a version's first admission.
 */
export function compileCrd(crd: KubeObject): CompiledCrd {
  const errors = validateCrd(crd);
  if (errors.length > 0) {
    throw new CrdCompileError(
      `CustomResourceDefinition "${crd.metadata.name ?? ''}" is invalid: ${formatFieldErrors(errors)}`,
      errors,
    );
  }
  const spec = crd.spec as CrdSpec;
  const versions = new Map(spec.versions.map((v) => [v.name, compileVersion(v, deprecationWarning(spec, v))] as const));
  const names = spec.names;
  return {
    name: crd.metadata.name ?? '',
    group: spec.group,
    names: {
      plural: names.plural,
      singular: names.singular || names.kind.toLowerCase(),
      kind: names.kind,
      listKind: names.listKind || `${names.kind}List`,
      shortNames: names.shortNames ?? [],
      categories: names.categories ?? [],
    },
    scope: spec.scope,
    versions,
    storageVersion: storageVersionOf(spec),
    servedVersions: sortByPriority(spec.versions.filter((v) => v.served).map((v) => v.name)),
  };
}

/** The parts of a (validated) apiextensions.k8s.io/v1 CRD spec read here. */
export interface CrdSpec {
  group: string;
  names: {
    plural: string;
    singular?: string;
    kind: string;
    listKind?: string;
    shortNames?: string[];
    categories?: string[];
  };
  scope: 'Namespaced' | 'Cluster';
  versions: CrdVersionSpec[];
}

export interface CrdVersionSpec {
  name: string;
  served: boolean;
  storage: boolean;
  deprecated?: boolean;
  deprecationWarning?: string;
  schema?: { openAPIV3Schema?: Schema };
  subresources?: { status?: object; scale?: object };
  additionalPrinterColumns?: PrinterColumn[];
}

/** A version without a schema (only possible for CRDs converted from v1beta1) keeps every field. */
const PRESERVE_ALL: Schema = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };

/** validateCrd has required exactly one storage version; this says so if that ever stops holding. */
function storageVersionOf(spec: CrdSpec): string {
  const storage = spec.versions.find((v) => v.storage);
  if (!storage) throw new Error('a validated CRD has no storage version');
  return storage.name;
}

/**
 * The apiserver's warning for a deprecated version: the CRD's own text, or
 * `<group>/<version> <Kind> is deprecated; use <group>/<best version> <Kind>`.
 */
function deprecationWarning(spec: CrdSpec, v: CrdVersionSpec): string | undefined {
  if (v.deprecated !== true) return undefined;
  if (v.deprecationWarning) return v.deprecationWarning;
  const message = `${spec.group}/${v.name} ${spec.names.kind} is deprecated`;
  const candidates = spec.versions.filter((o) => o.served && o.deprecated !== true).map((o) => o.name);
  const better = sortByPriority(candidates)[0];
  return better ? `${message}; use ${spec.group}/${better} ${spec.names.kind}` : message;
}

function compileVersion(v: CrdVersionSpec, warning: string | undefined): CompiledVersion {
  const schema = v.schema?.openAPIV3Schema ?? PRESERVE_ALL;
  const rules = compileRules(schema);
  const table = newTableConvertor(v.additionalPrinterColumns);
  let validator: SchemaValidator | undefined;
  return {
    name: v.name,
    served: v.served,
    storage: v.storage,
    hasStatusSubresource: isPlainObject(v.subresources?.status),
    ...(warning ? { deprecationWarning: warning } : {}),
    schema: v.schema?.openAPIV3Schema,
    admit: (obj, opts) => {
      validator ??= compileSchemaValidator(schema);
      return admit(obj, opts, { schema, rules, validator });
    },
    tableColumns: () => table.columns(),
    tableCells: (obj, now = new Date()) => table.cells(obj, now),
  };
}

interface VersionMachinery {
  schema: Schema;
  rules: CompiledRules;
  validator: SchemaValidator;
}

const BLOCKED_RULES_MESSAGE =
  'some validation rules were not checked because the object was invalid; correct the existing errors to complete validation';

function admit(obj: KubeObject, opts: AdmitOptions, m: VersionMachinery): AdmitResult {
  const unknownFields = pruneAndDefault(obj, m.schema);
  const old = opts.operation === 'UPDATE' ? opts.old : undefined;
  // Validation ratcheting (on by default since Kubernetes 1.30): an update is not refused for
  // invalid values it leaves as they were, so a stricter schema does not lock old objects.
  const isUnchanged = old ? (path: PathSegment[]): boolean => sameAt(obj, old, path) : undefined;
  const errors = [...m.validator(obj, { isUnchanged }), ...checkStructuralInvariants(obj, m.schema)];
  // CEL expects values of the declared types; like the apiserver, do not run it on a mistyped object.
  if (errors.some((e) => e.reason === 'FieldValueTypeInvalid')) {
    errors.push(fieldErrors.invalid('<nil>', null, BLOCKED_RULES_MESSAGE));
  } else {
    errors.push(...evaluateRules(obj, old, m.schema, m.rules));
  }
  return { errors, unknownFields };
}

function valueAt(root: unknown, path: PathSegment[]): unknown {
  let node = root;
  for (const seg of path) {
    if (typeof seg === 'number') node = Array.isArray(node) ? node[seg] : undefined;
    else node = isPlainObject(node) ? node[seg] : undefined;
  }
  return node;
}

/** True when both objects hold the same value (or both lack one) at path. */
function sameAt(a: unknown, b: unknown, path: PathSegment[]): boolean {
  return canonicalJson(valueAt(a, path)) === canonicalJson(valueAt(b, path));
}
