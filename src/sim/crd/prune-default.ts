// Structural pruning and defaulting, in place, as the apiextensions-apiserver does on decode:
// unknown fields are dropped (unless x-kubernetes-preserve-unknown-fields), nulls in non-nullable
// fields are dropped, then `default`s fill absent properties, parents before children, so defaults
// nested inside a defaulted parent apply too.

import { OBJECT_META_FIELDS, TYPE_META_FIELDS, formatPath, isPlainObject, propertySchema } from './schema.ts';
import type { PathSegment, Schema } from './schema.ts';

/** Prunes and defaults obj (a whole custom resource) in place; returns the paths of pruned fields. */
export function pruneAndDefault(obj: Record<string, unknown>, schema: Schema): string[] {
  const pruned: string[] = [];
  walkObject(obj, schema, [], { pruned, isResource: true });
  return pruned;
}

interface WalkState {
  pruned: string[];
  /** True for the root and for x-kubernetes-embedded-resource objects: apiVersion/kind/metadata kept. */
  isResource: boolean;
}

function walk(value: unknown, schema: Schema, path: PathSegment[], pruned: string[]): void {
  if (Array.isArray(value)) {
    const items = schema.items;
    if (items)
      value.forEach((item, i) => {
        walk(item, items, [...path, i], pruned);
      });
    return;
  }
  if (isPlainObject(value)) {
    walkObject(value, schema, path, { pruned, isResource: schema['x-kubernetes-embedded-resource'] === true });
  }
}

function walkObject(obj: Record<string, unknown>, schema: Schema, path: PathSegment[], state: WalkState): void {
  const preserve = schema['x-kubernetes-preserve-unknown-fields'] === true;
  for (const key of Object.keys(obj)) {
    if (state.isResource && TYPE_META_FIELDS.includes(key)) {
      if (key === 'metadata' && isPlainObject(obj.metadata)) pruneMetadata(obj.metadata, [...path, key], state.pruned);
      continue;
    }
    const child = propertySchema(schema, key);
    if (!child) {
      if (!preserve) {
        delete obj[key];
        state.pruned.push(formatPath([...path, key]));
      }
      continue;
    }
    if (obj[key] === null && child.nullable !== true) delete obj[key];
  }
  applyDefaults(obj, schema);
  for (const [key, value] of Object.entries(obj)) {
    if (state.isResource && TYPE_META_FIELDS.includes(key)) continue;
    const child = propertySchema(schema, key);
    if (child) walk(value, child, [...path, key], state.pruned);
  }
}

function applyDefaults(obj: Record<string, unknown>, schema: Schema): void {
  for (const [key, child] of Object.entries(schema.properties ?? {})) {
    if (obj[key] === undefined && child.default !== undefined) obj[key] = structuredClone(child.default);
  }
}

/** metadata keeps only ObjectMeta fields, whatever the schema says about it. */
function pruneMetadata(meta: Record<string, unknown>, path: PathSegment[], pruned: string[]): void {
  for (const key of Object.keys(meta)) {
    if (!OBJECT_META_FIELDS.has(key)) {
      delete meta[key];
      pruned.push(formatPath([...path, key]));
    }
  }
}
