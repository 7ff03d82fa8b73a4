// The seam between the API server and the CRD machinery (src/sim/crd): validating and compiling
// CRDs, the status the apiextensions controllers would write, and the CRD's defaulted names.

import { compileCrd, CrdCompileError, validateCrd } from '../crd/index.ts';
import type { CompiledCrd, CompiledVersion, FieldError, TableColumn } from '../crd/index.ts';
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

/**
 * Compiles a CRD. While the CRD machinery's compiler is not available (it throws CrdCompileError
 * without errors), a pass-through compilation keeps the server usable: no schema checks, Name/Age columns.
 */
export function compileCrdObject(crd: KubeObject): CompiledCrd {
  try {
    return compileCrd(crd);
  } catch (err) {
    if (err instanceof CrdCompileError && err.errors.length === 0) return passThroughCompile(crd);
    throw err;
  }
}

function passThroughVersion(v: Obj): CompiledVersion {
  const columns: TableColumn[] = [
    { name: 'Name', type: 'string', format: 'name', description: 'Name must be unique within a namespace.', priority: 0 },
    { name: 'Age', type: 'date', format: '', description: 'CreationTimestamp is a timestamp...', priority: 0 },
  ];
  return {
    name: String(v['name']),
    served: v['served'] !== false,
    storage: v['storage'] === true,
    hasStatusSubresource: obj(v['subresources'])['status'] !== undefined,
    schema: obj(v['schema'])['openAPIV3Schema'] as Obj | undefined,
    admit: () => ({ errors: [], unknownFields: [] }),
    tableColumns: () => columns,
    tableCells: (o) => [o.metadata.name, o.metadata.creationTimestamp ?? null],
  };
}

function passThroughCompile(crd: KubeObject): CompiledCrd {
  const spec = obj(crd['spec']);
  const names = obj(spec['names']);
  const versions = (Array.isArray(spec['versions']) ? spec['versions'] : []).map((v) => passThroughVersion(obj(v)));
  return {
    name: crd.metadata.name ?? '',
    group: String(spec['group']),
    names: {
      plural: String(names['plural']),
      singular: String(names['singular'] ?? ''),
      kind: String(names['kind']),
      listKind: String(names['listKind'] ?? `${String(names['kind'])}List`),
      shortNames: (names['shortNames'] as string[] | undefined) ?? [],
      categories: (names['categories'] as string[] | undefined) ?? [],
    },
    scope: spec['scope'] === 'Cluster' ? 'Cluster' : 'Namespaced',
    versions: new Map(versions.map((v) => [v.name, v])),
    storageVersion: versions.find((v) => v.storage)?.name ?? versions[0]?.name ?? '',
    servedVersions: versions.filter((v) => v.served).map((v) => v.name),
  };
}

function condition(type: string, reason: string, message: string, now: Date, old: Obj[]): Obj {
  const previous = old.find((c) => c['type'] === type && c['status'] === 'True');
  return { type, status: 'True', lastTransitionTime: previous?.['lastTransitionTime'] ?? timestamp(now), reason, message };
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
  conditions.push({ type: 'Terminating', status: 'True', lastTransitionTime: timestamp(now), reason: 'InstanceDeletionInProgress',
    message: 'CustomResource deletion is in progress' });
  status['conditions'] = conditions;
  return status;
}

export const CRD_CLEANUP_FINALIZER = 'customresourcecleanup.apiextensions.k8s.io';
