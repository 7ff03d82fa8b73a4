// Server-side apply, simplified: each field manager's applied configuration is recorded as a
// metadata.managedFields entry (FieldsV1 of the fields it set); a re-apply merges the new
// configuration in and removes the fields the same manager set before but no longer sets. Lists
// are owned whole (no per-item ownership) and there is no conflict detection between managers.

import type { KubeObject } from '../../types.ts';
import { sentMetadata } from '../meta.ts';
import { applyMergePatch, isPlainObject } from './merge.ts';

type FieldSet = Record<string, unknown>;

/** FieldsV1 (`{"f:spec": {"f:size": {}}}`) of the fields an applied configuration sets. */
export function fieldSetOf(value: Record<string, unknown>): FieldSet {
  const out: FieldSet = {};
  for (const [key, child] of Object.entries(value)) {
    out[`f:${key}`] = isPlainObject(child) && Object.keys(child).length > 0 ? fieldSetOf(child) : {};
  }
  return out;
}

/** Paths (key lists) in `before` that are not in `after`. */
function removedPaths(before: FieldSet, after: FieldSet, prefix: string[] = []): string[][] {
  const out: string[][] = [];
  for (const [key, child] of Object.entries(before)) {
    if (!key.startsWith('f:')) continue;
    const path = [...prefix, key.slice(2)];
    // metadata itself is never removed, only the labels/annotations... the manager stopped setting.
    const isMetadata = prefix.length === 0 && key === 'f:metadata';
    const afterChild = after[key] ?? (isMetadata ? {} : undefined);
    if (afterChild === undefined) out.push(path);
    else if (isPlainObject(child) && isPlainObject(afterChild)) out.push(...removedPaths(child, afterChild, path));
  }
  return out;
}

function deletePath(obj: Record<string, unknown>, path: string[]): void {
  let cur: unknown = obj;
  for (const seg of path.slice(0, -1)) {
    if (!isPlainObject(cur)) return;
    cur = cur[seg];
  }
  const last = path.at(-1);
  if (isPlainObject(cur) && last !== undefined) delete cur[last];
}

interface ManagedFieldsEntry {
  manager?: string;
  operation?: string;
  apiVersion?: string;
  time?: string;
  fieldsType?: string;
  fieldsV1?: FieldSet;
}

/** The fields an apply configuration claims: name and namespace identify the object and are not owned. */
function appliedFields(applied: KubeObject): FieldSet {
  const { metadata, ...rest } = applied;
  const { name, namespace, ...ownedMeta } = sentMetadata(applied) ?? {};
  return fieldSetOf({ ...rest, ...(Object.keys(ownedMeta).length ? { metadata: ownedMeta } : {}) });
}

export function managedFieldsEntry(applied: KubeObject, manager: string, now: string): ManagedFieldsEntry {
  return {
    manager,
    operation: 'Apply',
    apiVersion: applied.apiVersion,
    time: now,
    fieldsType: 'FieldsV1',
    fieldsV1: appliedFields(applied),
  };
}

/** Applies `applied` for `manager` to the live object; returns the object to store. */
export function serverSideApply(live: KubeObject, applied: KubeObject, manager: string, now: string): KubeObject {
  const entries = (live.metadata.managedFields ?? []) as ManagedFieldsEntry[];
  const previous = entries.find((e) => e.manager === manager && e.operation === 'Apply');
  const merged = applyMergePatch(live, applied) as KubeObject;
  const next = managedFieldsEntry(applied, manager, now);
  for (const path of removedPaths(previous?.fieldsV1 ?? {}, next.fieldsV1 ?? {})) deletePath(merged, path);
  merged.metadata.managedFields = [...entries.filter((e) => e !== previous), next];
  return merged;
}
