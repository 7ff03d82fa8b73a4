// Applies a PATCH body of one of the supported media types to the current object.

import { load } from 'js-yaml';
import type { KubeObject } from '../types.ts';
import { badRequest, unsupportedMediaType } from './errors.ts';
import { applyJsonPatch } from './patch/json-patch.ts';
import { applyMergePatch } from './patch/merge.ts';
import { applyStrategicMergePatch } from './patch/strategic.ts';
import type { ResourceType } from './resources.ts';

export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

const CONTENT_TYPES: Partial<Record<string, PatchType>> = {
  'application/json-patch+json': 'json',
  'application/merge-patch+json': 'merge',
  'application/strategic-merge-patch+json': 'strategic',
  'application/apply-patch+yaml': 'apply',
  'application/apply-patch+cbor': 'apply',
};

export function patchTypeOf(rt: ResourceType, contentType: string | undefined): PatchType {
  const mediaType = (contentType ?? '').split(';')[0].trim().toLowerCase();
  const type = CONTENT_TYPES[mediaType];
  const accepted = ['application/json-patch+json', 'application/merge-patch+json', 'application/apply-patch+yaml'];
  if (!rt.crd) accepted.push('application/strategic-merge-patch+json');
  if (!type || (type === 'strategic' && rt.crd)) throw unsupportedMediaType(accepted);
  return type;
}

/** Parses a patch body: JSON for all types; YAML (a JSON superset) for server-side apply. */
export function parsePatchBody(type: PatchType, raw: string): unknown {
  try {
    return type === 'apply' ? load(raw) : JSON.parse(raw);
  } catch (err) {
    throw badRequest(`error decoding patch: ${(err as Error).message}`);
  }
}

/** Applies a json, merge or strategic patch (server-side apply is patch/apply.ts, called by the store). */
export function applyPatch(current: KubeObject, patch: { type: PatchType; body: unknown }): unknown {
  switch (patch.type) {
    case 'json':
      return applyJsonPatch(current, patch.body);
    case 'merge':
      return applyMergePatch(current, patch.body);
    case 'strategic':
      return applyStrategicMergePatch(current, patch.body);
    case 'apply':
      throw new Error('server-side apply is handled by the store, not applyPatch');
  }
}
