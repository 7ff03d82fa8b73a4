// The structural invariants the apiserver checks besides the OpenAPI keywords: uniqueness in
// x-kubernetes-list-type set/map lists, and apiVersion/kind in x-kubernetes-embedded-resource objects.

import { fieldErrors } from './errors.ts';
import type { FieldError } from './errors.ts';
import { formatPath, isPlainObject, propertySchema } from './schema.ts';
import type { PathSegment, Schema } from './schema.ts';

export function checkStructuralInvariants(value: unknown, schema: Schema, path: PathSegment[] = []): FieldError[] {
  const errors: FieldError[] = [];
  visit(value, schema, path, errors);
  return errors;
}

function visit(value: unknown, schema: Schema, path: PathSegment[], errors: FieldError[]): void {
  if (Array.isArray(value)) {
    errors.push(...listDuplicates(value, schema, path));
    const items = schema.items;
    if (items)
      value.forEach((item, i) => {
        visit(item, items, [...path, i], errors);
      });
    return;
  }
  if (!isPlainObject(value)) return;
  if (schema['x-kubernetes-embedded-resource'] === true) errors.push(...embeddedTypeMeta(value, path));
  for (const [key, child] of Object.entries(value)) {
    const childSchema = propertySchema(schema, key);
    if (childSchema) visit(child, childSchema, [...path, key], errors);
  }
}

function listDuplicates(list: unknown[], schema: Schema, path: PathSegment[]): FieldError[] {
  const listType = schema['x-kubernetes-list-type'];
  if (listType !== 'set' && listType !== 'map') return [];
  const keyOf =
    listType === 'set'
      ? (item: unknown): unknown => item
      : (item: unknown): unknown => mapKeyValue(item, schema['x-kubernetes-list-map-keys'] ?? []);
  const seen = new Set<string>();
  const errors: FieldError[] = [];
  list.forEach((item, i) => {
    const key = keyOf(item);
    const canonical = canonicalJson(key);
    if (seen.has(canonical)) errors.push(fieldErrors.duplicate(formatPath([...path, i]), key));
    seen.add(canonical);
  });
  return errors;
}

/** The key fields of a list-map element (absent keys count as absent, like the apiserver). */
function mapKeyValue(item: unknown, keys: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!isPlainObject(item)) return out;
  for (const k of keys) if (item[k] !== undefined) out[k] = item[k];
  return out;
}

/** JSON with sorted keys, so equal values compare equal whatever their key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isPlainObject(value)) {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`)
      .join(',')}}`;
  }
  return jsonText(value) ?? 'null';
}

/** JSON.stringify, typed as it behaves: undefined (and a function) give undefined, not a string. */
function jsonText(value: unknown): string | undefined {
  return JSON.stringify(value);
}

function embeddedTypeMeta(obj: Record<string, unknown>, path: PathSegment[]): FieldError[] {
  const errors: FieldError[] = [];
  for (const key of ['kind', 'apiVersion']) {
    if (typeof obj[key] !== 'string' || obj[key] === '') {
      errors.push(fieldErrors.required(formatPath([...path, key]), 'must not be empty'));
    }
  }
  return errors;
}
