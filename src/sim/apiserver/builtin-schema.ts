// Unknown-field detection for the built-in kinds (fieldValidation=Strict|Warn), using the field maps
// of @kubernetes/client-node's generated models: they mirror the upstream OpenAPI of every type.

import * as models from '@kubernetes/client-node';

interface Attribute {
  baseName: string;
  type: string;
}

type ModelClass = { getAttributeTypeMap(): Attribute[] };

const MODEL_PREFIX: Partial<Record<string, string>> = {
  '': 'V1',
  batch: 'V1',
  apps: 'V1',
  'rbac.authorization.k8s.io': 'V1',
  'coordination.k8s.io': 'V1',
  'apiextensions.k8s.io': 'V1',
  'authorization.k8s.io': 'V1',
};

function modelClass(name: string): ModelClass | undefined {
  const candidate = (models as unknown as Record<string, unknown>)[name];
  if (typeof candidate === 'function' && 'getAttributeTypeMap' in candidate) return candidate as unknown as ModelClass;
  return undefined;
}

/** The model for a built-in kind, e.g. V1Pod for core/v1 Pod; undefined for kinds the library lacks. */
export function modelForKind(group: string, kind: string): string | undefined {
  const prefix = MODEL_PREFIX[group];
  if (prefix === undefined) return undefined;
  const name = kind === 'Event' && group === '' ? 'CoreV1Event' : `${prefix}${kind}`;
  return modelClass(name) ? name : undefined;
}

const ARRAY_RE = /^Array<(.+)>$/;
const MAP_RE = /^\{ \[key: string\]: (.+); \}$/;

/** Paths (`spec.foo`, `spec.containers[0].bar`) of fields the model does not define. */
export function unknownFieldsOf(model: string, value: unknown, path = ''): string[] {
  const arr = ARRAY_RE.exec(model);
  if (arr) {
    if (!Array.isArray(value)) return [];
    return value.flatMap((item, i) => unknownFieldsOf(arr[1], item, `${path}[${i}]`));
  }
  const map = MAP_RE.exec(model);
  if (map) {
    if (value === null || typeof value !== 'object') return [];
    return Object.entries(value).flatMap(([k, v]) => unknownFieldsOf(map[1], v, `${path}[${k}]`));
  }
  const cls = modelClass(model);
  if (!cls || value === null || typeof value !== 'object' || Array.isArray(value)) return [];
  const attributes = cls.getAttributeTypeMap();
  const unknown: string[] = [];
  for (const [key, v] of Object.entries(value)) {
    const attr = attributes.find((a) => a.baseName === key);
    const childPath = path ? `${path}.${key}` : key;
    if (!attr) unknown.push(childPath);
    else unknown.push(...unknownFieldsOf(attr.type, v, childPath));
  }
  return unknown;
}
