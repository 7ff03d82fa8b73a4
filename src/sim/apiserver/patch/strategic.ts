// Strategic merge patch for the built-in types, covering what kubectl sends: lists of containers,
// env, volumes, volumeMounts, ports, imagePullSecrets... merged by their patch merge key, the
// `$patch: delete|replace` directives, `$setElementOrder/<list>`, `$retainKeys` and
// `$deleteFromPrimitiveList/<list>`. Lists not named here are replaced, as for atomic lists.

import { isDeepStrictEqual } from 'node:util';
import { isPlainObject } from './merge.ts';

/** patchMergeKey of the lists that the Kubernetes API marks `patchStrategy: merge`. */
const MERGE_KEYS: Record<string, string> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  env: 'name',
  volumes: 'name',
  volumeMounts: 'mountPath',
  volumeDevices: 'devicePath',
  ports: 'containerPort',
  imagePullSecrets: 'name',
  ownerReferences: 'uid',
  hostAliases: 'ip',
  topologySpreadConstraints: 'topologyKey',
  resourceClaims: 'name',
  conditions: 'type',
};

/** Primitive lists with `patchStrategy: merge` (union on patch). */
const MERGED_PRIMITIVE_LISTS = new Set(['finalizers']);

const SET_ORDER = '$setElementOrder/';
const DELETE_PRIMITIVE = '$deleteFromPrimitiveList/';

export function applyStrategicMergePatch(target: unknown, patch: unknown): unknown {
  return mergeMap(isPlainObject(target) ? target : {}, isPlainObject(patch) ? patch : {});
}

function mergeMap(
  original: Record<string, unknown>,
  patch: Record<string, unknown>,
): Record<string, unknown> | undefined {
  const directive = patch['$patch'];
  if (directive === 'delete') return undefined;
  if (directive === 'replace') return stripDirectives(patch);
  const result: Record<string, unknown> = { ...original };
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith('$')) continue;
    if (value === null) {
      delete result[key];
      continue;
    }
    const merged = mergeField(key, result[key], value, patch);
    if (merged === undefined) delete result[key];
    else result[key] = merged;
  }
  applyOrderWithoutList(result, patch);
  applyPrimitiveDeletions(result, patch);
  applyRetainKeys(result, patch['$retainKeys']);
  return result;
}

/** `$setElementOrder/<list>` also reorders a list the patch does not otherwise touch. */
function applyOrderWithoutList(result: Record<string, unknown>, patch: Record<string, unknown>): void {
  for (const [key, order] of Object.entries(patch)) {
    if (!key.startsWith(SET_ORDER) || !Array.isArray(order)) continue;
    const field = key.slice(SET_ORDER.length);
    const list = result[field];
    if (field in patch || !Array.isArray(list)) continue;
    const mergeKey = MERGE_KEYS[field];
    result[field] = mergeKey ? orderByKeys(list, order, mergeKey) : orderPrimitives(list, order);
  }
}

function mergeField(key: string, original: unknown, value: unknown, patch: Record<string, unknown>): unknown {
  if (isPlainObject(value)) return mergeMap(isPlainObject(original) ? original : {}, value);
  if (!Array.isArray(value)) return structuredClone(value);
  const items: unknown[] = value;
  const order = patch[`${SET_ORDER}${key}`];
  const mergeKey = MERGE_KEYS[key];
  if (mergeKey && items.every((item) => isPlainObject(item))) {
    return mergeKeyedList(Array.isArray(original) ? original : [], items, mergeKey, order);
  }
  if (MERGED_PRIMITIVE_LISTS.has(key)) {
    const base: unknown[] = Array.isArray(original) ? [...(original as unknown[])] : [];
    for (const v of items) if (!base.some((b) => isDeepStrictEqual(b, v))) base.push(v);
    return Array.isArray(order) ? orderPrimitives(base, order) : base;
  }
  return structuredClone(value);
}

function mergeKeyedList(
  original: unknown[],
  patch: Record<string, unknown>[],
  mergeKey: string,
  order: unknown,
): unknown[] {
  if (patch.some((item) => item['$patch'] === 'replace')) {
    return patch.filter((item) => item['$patch'] !== 'replace').map(stripDirectives);
  }
  const result = original.map((item) => structuredClone(item));
  for (const item of patch) {
    const index = result.findIndex((o) => isPlainObject(o) && isDeepStrictEqual(o[mergeKey], item[mergeKey]));
    if (item['$patch'] === 'delete') {
      if (index >= 0) result.splice(index, 1);
      continue;
    }
    if (index >= 0) result[index] = mergeMap(result[index] as Record<string, unknown>, item);
    else result.push(stripDirectives(item));
  }
  return Array.isArray(order) ? orderByKeys(result, order, mergeKey) : result;
}

/** Orders items as `$setElementOrder` says; items it does not name keep their place after those it does. */
function orderByKeys(items: unknown[], order: unknown[], mergeKey: string): unknown[] {
  const rank = (item: unknown): number => {
    const key = isPlainObject(item) ? item[mergeKey] : undefined;
    const i = order.findIndex((o) => isPlainObject(o) && isDeepStrictEqual(o[mergeKey], key));
    return i < 0 ? order.length : i;
  };
  return items
    .map((item, i) => ({ item, i, r: rank(item) }))
    .sort((a, b) => a.r - b.r || a.i - b.i)
    .map((x) => x.item);
}

function orderPrimitives(items: unknown[], order: unknown[]): unknown[] {
  const rank = (v: unknown): number => {
    const i = order.findIndex((o) => isDeepStrictEqual(o, v));
    return i < 0 ? order.length : i;
  };
  return items
    .map((item, i) => ({ item, i, r: rank(item) }))
    .sort((a, b) => a.r - b.r || a.i - b.i)
    .map((x) => x.item);
}

function applyPrimitiveDeletions(result: Record<string, unknown>, patch: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(patch)) {
    if (!key.startsWith(DELETE_PRIMITIVE) || !Array.isArray(value)) continue;
    const field = key.slice(DELETE_PRIMITIVE.length);
    const list = result[field];
    if (Array.isArray(list)) result[field] = list.filter((v) => !value.some((d) => isDeepStrictEqual(d, v)));
  }
}

function applyRetainKeys(result: Record<string, unknown>, retain: unknown): void {
  if (!Array.isArray(retain)) return;
  for (const key of Object.keys(result)) if (!retain.includes(key)) delete result[key];
}

function stripDirectives(obj: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    if (k.startsWith('$')) continue;
    out[k] = isPlainObject(v) ? stripDirectives(v) : structuredClone(v);
  }
  return out;
}
