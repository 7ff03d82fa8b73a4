// Minimal OpenAPI v3 documents for the built-in group-versions. They carry only what kubectl reads
// to decide how to talk to the server: each kind's PATCH operation with its
// x-kubernetes-group-version-kind and the fieldValidation parameter (server-side field validation).
// Strategic merge patch is not advertised, so kubectl computes it from its compiled-in types.

import { apiVersionOf } from '../resources.ts';
import type { ResourceType } from '../resources.ts';

function itemPath(rt: ResourceType): string {
  const prefix = rt.group ? `/apis/${rt.group}/${rt.version}` : `/api/${rt.version}`;
  return rt.namespaced ? `${prefix}/namespaces/{namespace}/${rt.resource}/{name}` : `${prefix}/${rt.resource}/{name}`;
}

const PATCH_BODY_TYPES = [
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/apply-patch+yaml',
];

function patchOperation(rt: ResourceType): object {
  return {
    description: `partially update the specified ${rt.kind}`,
    operationId: `patch${rt.kind}`,
    parameters: [
      { name: 'dryRun', in: 'query', schema: { type: 'string', uniqueItems: true } },
      { name: 'fieldManager', in: 'query', schema: { type: 'string', uniqueItems: true } },
      { name: 'fieldValidation', in: 'query', schema: { type: 'string', uniqueItems: true } },
      { name: 'force', in: 'query', schema: { type: 'boolean', uniqueItems: true } },
    ],
    requestBody: {
      content: Object.fromEntries(PATCH_BODY_TYPES.map((t) => [t, { schema: { type: 'object' } }])),
      required: true,
    },
    responses: { '200': { description: 'OK', content: { 'application/json': { schema: { type: 'object' } } } } },
    'x-kubernetes-action': 'patch',
    'x-kubernetes-group-version-kind': { group: rt.group, version: rt.version, kind: rt.kind },
  };
}

export function builtinGroupVersionPath(rt: { group: string; version: string }): string {
  return rt.group ? `apis/${rt.group}/${rt.version}` : `api/${rt.version}`;
}

/** The document for one built-in group-version, or undefined when none of the types serve it. */
export function builtinOpenApiV3(types: ResourceType[], gvPath: string): object | undefined {
  const matching = types.filter((t) => !t.crd && !t.virtual && builtinGroupVersionPath(t) === gvPath);
  if (matching.length === 0) return undefined;
  const paths: Record<string, object> = {};
  for (const rt of matching) paths[itemPath(rt)] = { patch: patchOperation(rt) };
  const first = matching[0];
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: 'v1.35.0' },
    paths,
    components: { schemas: {} },
    'x-brigade-sim-group-version': apiVersionOf(first),
  };
}

export function builtinOpenApiV3Paths(types: ResourceType[]): Record<string, { serverRelativeURL: string }> {
  const out: Record<string, { serverRelativeURL: string }> = {};
  for (const rt of types) {
    if (rt.crd || rt.virtual) continue;
    const p = builtinGroupVersionPath(rt);
    out[p] = { serverRelativeURL: `/openapi/v3/${p}?hash=builtin-${rt.version}` };
  }
  return out;
}
