// Turns one CustomResourceDefinition into the per-version machinery the API server needs:
// admission (defaults, pruning, schema + CEL validation) and Table output. Compile once per CRD
// (or per CRD update) and keep the result: the ajv validators and CEL programs are built here.

import type { KubeObject } from '../types.ts';
import type { FieldError } from './errors.ts';

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

/** A meta.k8s.io/v1 TableColumnDefinition. */
export interface TableColumn {
  name: string;
  type: string;
  format: string;
  description: string;
  priority: number;
}

export interface CompiledVersion {
  name: string;
  served: boolean;
  storage: boolean;
  hasStatusSubresource: boolean;
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
  /** Names of served versions, in CRD order (discovery lists them in this order). */
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
 * Compiles a CRD that validateCrd accepted. Throws CrdCompileError when it is invalid (the server
 * should call validateCrd first and answer 422 with its errors).
 */
export function compileCrd(crd: KubeObject): CompiledCrd {
  throw new CrdCompileError(`compileCrd not implemented yet for ${crd.metadata.name ?? ''}`, []);
}
