// OpenAPI documents for the served versions of CRDs, as kubectl reads them: /openapi/v3 (an index of
// group-versions) and /openapi/v3/apis/<group>/<version> (explain, the fieldValidation support
// check), and /openapi/v2 (swagger 2.0; explain --output=plaintext-openapiv2, client-side validation
// of older clients). Schemas are named like the real apiserver's: `<reversed group>.<version>.<Kind>`,
// e.g. `sh.brigade.v1alpha1.Project`, with x-kubernetes-group-version-kind.

import { createHash } from 'node:crypto';
import type { KubeObject } from '../types.ts';
import { META, metaSchemas, ref } from './openapi-meta.ts';
import { routesFor } from './openapi-routes.ts';
import type { Gvk, Operation, Param, Route, RouteTarget } from './openapi-routes.ts';
import { isPlainObject, stringField } from './schema.ts';
import type { Schema } from './schema.ts';

interface ServedVersion {
  target: RouteTarget;
  schema: Schema;
  description: string;
}

/** The served versions of the given CRDs in one group-version (or in all, without a filter). */
function servedVersions(crds: KubeObject[], filter?: { group: string; version: string }): ServedVersion[] {
  const out: ServedVersion[] = [];
  for (const crd of crds) {
    const spec = isPlainObject(crd.spec) ? crd.spec : {};
    const group = stringField(spec.group);
    if (filter && group !== filter.group) continue;
    for (const v of Array.isArray(spec.versions) ? spec.versions : []) {
      if (!isPlainObject(v) || v.served !== true || (filter && v.name !== filter.version)) continue;
      out.push(servedVersion(spec, group, v));
    }
  }
  return out;
}

function servedVersion(spec: Record<string, unknown>, group: string, v: Record<string, unknown>): ServedVersion {
  const names = isPlainObject(spec.names) ? spec.names : {};
  const gvk: Gvk = { group, version: String(v.name), kind: stringField(names.kind) };
  const schema = (
    isPlainObject(v.schema) && isPlainObject(v.schema.openAPIV3Schema)
      ? v.schema.openAPIV3Schema
      : { type: 'object', 'x-kubernetes-preserve-unknown-fields': true }
  ) as Schema;
  const objectSchema = definitionName(gvk);
  return {
    target: {
      gvk,
      plural: stringField(names.plural),
      namespaced: spec.scope !== 'Cluster',
      hasStatus: isPlainObject(v.subresources) && isPlainObject(v.subresources.status),
      objectSchema,
      listSchema: `${objectSchema}List`,
    },
    schema,
    description: typeof schema.description === 'string' ? schema.description : '',
  };
}

/** `brigade.sh`/`v1alpha1`/`Project` -> `sh.brigade.v1alpha1.Project`. */
export function definitionName(gvk: Gvk): string {
  return `${gvk.group.split('.').reverse().join('.')}.${gvk.version}.${gvk.kind}`;
}

function gvkList(gvk: Gvk, kind = gvk.kind): Array<Record<string, string>> {
  return [{ group: gvk.group, kind, version: gvk.version }];
}

const TYPE_META: Record<string, Schema> = {
  apiVersion: {
    type: 'string',
    description: 'The versioned schema of this representation of an object: <group>/<version>.',
  },
  kind: { type: 'string', description: 'The REST resource this object represents, in CamelCase.' },
};

/** The CR schema as published: apiVersion/kind described, metadata a $ref to ObjectMeta. */
function objectDefinition(s: ServedVersion, v2: boolean): Schema {
  const body = v2 ? toSwaggerSchema(s.schema) : structuredClone(s.schema);
  // The CRD may constrain metadata.name; the published schema refers to ObjectMeta instead, as the apiserver's does.
  const ownProperties = Object.fromEntries(Object.entries(body.properties ?? {}).filter(([k]) => k !== 'metadata'));
  return {
    ...body,
    type: 'object',
    properties: {
      ...TYPE_META,
      metadata: { description: 'Standard object metadata.', allOf: [{ $ref: ref(`${META}.ObjectMeta`, v2) }] },
      ...ownProperties,
    },
    'x-kubernetes-group-version-kind': gvkList(s.target.gvk),
  };
}

function listDefinition(s: ServedVersion, v2: boolean): Schema {
  const kind = s.target.gvk.kind;
  return {
    type: 'object',
    description: `${kind}List is a list of ${kind}`,
    required: ['items'],
    properties: {
      ...TYPE_META,
      items: {
        type: 'array',
        description: `List of ${s.target.plural}.`,
        items: { $ref: ref(s.target.objectSchema, v2) },
      },
      metadata: { description: 'Standard list metadata.', allOf: [{ $ref: ref(`${META}.ListMeta`, v2) }] },
    },
    'x-kubernetes-group-version-kind': gvkList(s.target.gvk, `${kind}List`),
  };
}

function schemaNameOf(name: string): string {
  if (name === 'Status' || name === 'Patch') return `${META}.${name}`;
  return name;
}

// ---- OpenAPI 3 ----

/** The document served at /openapi/v3/apis/<group>/<version> for the CRDs of that group-version. */
export function openApiV3ForGroupVersion(crds: KubeObject[], group: string, version: string): object {
  const served = servedVersions(crds, { group, version });
  const schemas: Record<string, Schema> = { ...metaSchemas() };
  const paths: Record<string, object> = {};
  for (const s of served) {
    schemas[s.target.objectSchema] = objectDefinition(s, false);
    schemas[s.target.listSchema] = listDefinition(s, false);
    for (const route of routesFor(s.target)) paths[route.path] = v3PathItem(route, s.target.gvk);
  }
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes CRD Swagger', version: 'v0.1.0' },
    paths,
    components: { schemas },
  };
}

/**
 * The `paths` of /openapi/v3 for the CRDs' group-versions: `apis/<group>/<version>` ->
 * serverRelativeURL with a content hash, as kubectl caches by it. The server merges in its built-ins.
 */
export function openApiV3Paths(crds: KubeObject[]): Record<string, { serverRelativeURL: string }> {
  const out: Record<string, { serverRelativeURL: string }> = {};
  for (const {
    target: { gvk },
  } of servedVersions(crds)) {
    const key = `apis/${gvk.group}/${gvk.version}`;
    if (key in out) continue;
    const doc = JSON.stringify(openApiV3ForGroupVersion(crds, gvk.group, gvk.version));
    const hash = createHash('sha512').update(doc).digest('hex').toUpperCase();
    out[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=${hash}` };
  }
  return out;
}

const JSON_CONTENT = ['application/json', 'application/yaml'];
const PATCH_CONTENT = ['application/json-patch+json', 'application/merge-patch+json', 'application/apply-patch+yaml'];

function v3Param(p: Param): object {
  return {
    name: p.name,
    in: p.in,
    description: p.description,
    ...(p.required ? { required: true } : {}),
    schema: { type: p.type, uniqueItems: true },
  };
}

function v3Content(types: string[], schemaName: string): object {
  return Object.fromEntries(types.map((t) => [t, { schema: { $ref: ref(schemaNameOf(schemaName)) } }]));
}

function v3PathItem(route: Route, gvk: Gvk): object {
  const item: Record<string, unknown> = { parameters: route.pathParams.map(v3Param) };
  for (const op of route.operations) item[op.verb] = v3Operation(op, gvk);
  return item;
}

function v3Operation(op: Operation, gvk: Gvk): object {
  const out: Record<string, unknown> = {
    tags: [`${gvk.group.split('.')[0]}_${gvk.version}`],
    description: op.description,
    operationId: op.operationId,
    parameters: op.params.map(v3Param),
    responses: {
      200: { description: 'OK', content: v3Content(JSON_CONTENT, op.response) },
      401: { description: 'Unauthorized' },
    },
    'x-kubernetes-action': op.action,
    'x-kubernetes-group-version-kind': { group: gvk.group, kind: gvk.kind, version: gvk.version },
  };
  if (op.body) {
    out.requestBody = {
      required: true,
      content: v3Content(op.body === 'Patch' ? PATCH_CONTENT : JSON_CONTENT, op.body),
    };
  }
  return out;
}

// ---- swagger 2.0 ----

/** The swagger 2.0 document served at /openapi/v2 with definitions for all served CRD versions. */
export function openApiV2(crds: KubeObject[]): object {
  const definitions: Record<string, Schema> = {};
  for (const [name, schema] of Object.entries(metaSchemas())) definitions[name] = toSwaggerSchema(schema);
  const paths: Record<string, object> = {};
  for (const s of servedVersions(crds)) {
    definitions[s.target.objectSchema] = objectDefinition(s, true);
    definitions[s.target.listSchema] = listDefinition(s, true);
    for (const route of routesFor(s.target)) paths[route.path] = v2PathItem(route, s.target.gvk);
  }
  return { swagger: '2.0', info: { title: 'Kubernetes', version: 'v0.1.0' }, paths, definitions };
}

function v2Param(p: Param): object {
  return {
    name: p.name,
    in: p.in,
    description: p.description,
    type: p.type,
    uniqueItems: true,
    ...(p.required ? { required: true } : {}),
  };
}

function v2PathItem(route: Route, gvk: Gvk): object {
  const item: Record<string, unknown> = { parameters: route.pathParams.map(v2Param) };
  for (const op of route.operations) {
    const body = op.body
      ? [{ name: 'body', in: 'body', required: true, schema: { $ref: ref(schemaNameOf(op.body), true) } }]
      : [];
    item[op.verb] = {
      description: op.description,
      consumes: op.body === 'Patch' ? PATCH_CONTENT : ['*/*'],
      produces: JSON_CONTENT,
      schemes: ['https'],
      tags: [`${gvk.group.split('.')[0]}_${gvk.version}`],
      operationId: op.operationId,
      parameters: [...body, ...op.params.map(v2Param)],
      responses: {
        200: { description: 'OK', schema: { $ref: ref(schemaNameOf(op.response), true) } },
        401: { description: 'Unauthorized' },
      },
      'x-kubernetes-action': op.action,
      'x-kubernetes-group-version-kind': { group: gvk.group, kind: gvk.kind, version: gvk.version },
    };
  }
  return item;
}

/**
 * Swagger 2.0 has no nullable, anyOf/oneOf/not or untyped int-or-string, and old clients validate
 * strictly against what is published; like the apiserver, publish a simplified schema: those
 * keywords dropped, x-kubernetes-validations dropped, `$ref`s pointing into definitions.
 */
export function toSwaggerSchema(schema: Schema): Schema {
  const out: Schema = {};
  for (const [key, value] of Object.entries(schema)) {
    if (['nullable', 'anyOf', 'oneOf', 'not', 'x-kubernetes-validations'].includes(key)) continue;
    if (key === '$ref' && typeof value === 'string')
      out.$ref = value.replace('#/components/schemas/', '#/definitions/');
    else if (key === 'properties' && isPlainObject(value)) {
      out.properties = Object.fromEntries(Object.entries(value).map(([k, s]) => [k, toSwaggerSchema(s as Schema)]));
    } else if ((key === 'items' || key === 'additionalProperties') && isPlainObject(value))
      out[key] = toSwaggerSchema(value);
    else if (key === 'allOf' && Array.isArray(value)) out.allOf = value.map((s) => toSwaggerSchema(s as Schema));
    else out[key] = value;
  }
  return out;
}
