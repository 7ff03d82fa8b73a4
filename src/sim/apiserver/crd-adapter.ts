// The seam between the API server and the CRD machinery (src/sim/crd): validating and compiling
// CRDs, the status the apiextensions controllers would write, and the CRD's defaulted names.

import { compileCrd, CrdCompileError, validateCrd } from '../crd/index.ts';
import type { CompiledCrd, FieldError } from '../crd/index.ts';
import { invalid } from './errors.ts';
import type { KubeObject } from '../types.ts';
import { timestamp } from './meta.ts';

type Obj = Record<string, unknown>;

function obj(v: unknown): Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {};
}

/** Fills the names the apiextensions apiserver defaults (singular, listKind) and conversion. */
export function defaultCrdSpec(crd: KubeObject): void {
  const spec = obj(crd['spec']);
  crd['spec'] = spec;
  const names = obj(spec['names']);
  spec['names'] = names;
  if (typeof names['kind'] === 'string') {
    names['singular'] ??= names['kind'].toLowerCase();
    names['listKind'] ??= `${names['kind']}List`;
  }
  spec['conversion'] ??= { strategy: 'None' };
}

export function validateCrdObject(crd: KubeObject, old?: KubeObject): FieldError[] {
  return validateCrd(crd, old);
}

/** Compiles an accepted CRD; a CrdCompileError becomes the 422 Invalid the real server would send. */
export function compileCrdObject(crd: KubeObject): CompiledCrd {
  try {
    return compileCrd(crd);
  } catch (err) {
    if (!(err instanceof CrdCompileError)) throw err;
    const errors = err.errors.length
      ? err.errors
      : [{ reason: 'FieldValueInvalid' as const, field: 'spec', message: `spec: Invalid value: ${err.message}` }];
    throw invalid({
      group: 'apiextensions.k8s.io',
      kind: 'CustomResourceDefinition',
      name: crd.metadata.name ?? '',
      errors,
    });
  }
}

function condition(type: string, reason: string, message: string, now: Date, old: Obj[]): Obj {
  const previous = old.find((c) => c['type'] === type && c['status'] === 'True');
  return {
    type,
    status: 'True',
    lastTransitionTime: previous?.['lastTransitionTime'] ?? timestamp(now),
    reason,
    message,
  };
}

/** The status the real apiextensions controllers converge to for an accepted CRD. */
export function establishedStatus(crd: KubeObject, compiled: CompiledCrd, now: Date): Obj {
  const old = obj(crd['status']);
  const oldConditions = (Array.isArray(old['conditions']) ? old['conditions'] : []) as Obj[];
  const stored = new Set((old['storedVersions'] as string[] | undefined) ?? []);
  stored.add(compiled.storageVersion);
  const names = obj(obj(crd['spec'])['names']);
  return {
    conditions: [
      condition('NamesAccepted', 'NoConflicts', 'no conflicts found', now, oldConditions),
      condition('Established', 'InitialNamesAccepted', 'the initial names have been accepted', now, oldConditions),
    ],
    acceptedNames: { ...names },
    storedVersions: [...stored],
  };
}

export function terminatingStatus(crd: KubeObject, now: Date): Obj {
  const status = structuredClone(obj(crd['status']));
  const conditions = ((status['conditions'] as Obj[] | undefined) ?? []).filter((c) => c['type'] !== 'Terminating');
  conditions.push({
    type: 'Terminating',
    status: 'True',
    lastTransitionTime: timestamp(now),
    reason: 'InstanceDeletionInProgress',
    message: 'CustomResource deletion is in progress',
  });
  status['conditions'] = conditions;
  return status;
}

export const CRD_CLEANUP_FINALIZER = 'customresourcecleanup.apiextensions.k8s.io';
