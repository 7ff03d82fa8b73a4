import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { openApiV2, openApiV3ForGroupVersion, openApiV3Paths } from './index.ts';
import { widgetCrd } from './test-fixtures.ts';

type Key = string | number;

/** The member `key` of a JSON value; undefined when the value has no such member. */
function member(node: unknown, key: Key): unknown {
  if (typeof node !== 'object' || node === null || !Object.hasOwn(node, key)) return undefined;
  const value: unknown = Reflect.get(node, key);
  return value;
}

/** The value at `path` inside a JSON document; fails the test, naming the path, when a step is missing. */
function at(doc: unknown, ...path: Key[]): unknown {
  let node = doc;
  path.forEach((key, i) => {
    node = member(node, key);
    assert.notEqual(node, undefined, `no ${path.slice(0, i + 1).join('.')} in the document`);
  });
  return node;
}

/** The keys of the object at `path`; fails the test when there is none. */
function keysAt(doc: unknown, ...path: Key[]): string[] {
  const node = at(doc, ...path);
  assert.ok(typeof node === 'object' && node !== null, `${path.join('.')} is not an object`);
  return Object.keys(node);
}

const crd = widgetCrd({
  spec: {
    type: 'object',
    description: 'What the widget should be.',
    required: ['size'],
    properties: {
      size: { type: 'integer', description: 'How big.' },
      color: { type: 'string', enum: ['red', 'blue'], nullable: true },
      port: { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] },
    },
    'x-kubernetes-validations': [{ rule: 'self == oldSelf' }],
  },
  moreVersions: [{ name: 'v2', served: false, storage: false, schema: { openAPIV3Schema: { type: 'object' } } }],
});

describe('OpenAPI v3', () => {
  const doc = openApiV3ForGroupVersion([crd], 'example.com', 'v1');
  const schemas = at(doc, 'components', 'schemas');

  it('names the schemas like the apiserver, with their group-version-kind', () => {
    assert.equal(at(doc, 'openapi'), '3.0.0');
    assert.deepEqual(at(schemas, 'com.example.v1.Widget', 'x-kubernetes-group-version-kind'), [
      { group: 'example.com', kind: 'Widget', version: 'v1' },
    ]);
    assert.deepEqual(at(schemas, 'com.example.v1.WidgetList', 'x-kubernetes-group-version-kind'), [
      { group: 'example.com', kind: 'WidgetList', version: 'v1' },
    ]);
    assert.equal(
      at(schemas, 'com.example.v1.WidgetList', 'properties', 'items', 'items', '$ref'),
      '#/components/schemas/com.example.v1.Widget',
    );
  });

  it('publishes the CRD schema with descriptions, metadata as a $ref that resolves', () => {
    const widget = at(schemas, 'com.example.v1.Widget');
    assert.equal(at(widget, 'description'), 'A Widget is a test resource.');
    assert.equal(at(widget, 'properties', 'spec', 'description'), 'What the widget should be.');
    assert.equal(at(widget, 'properties', 'spec', 'properties', 'size', 'description'), 'How big.');
    const metaRef = at(widget, 'properties', 'metadata', 'allOf', 0, '$ref');
    assert.ok(typeof metaRef === 'string');
    assert.ok(at(schemas, metaRef.replace('#/components/schemas/', ''), 'properties', 'labels'));
    for (const name of ['apiVersion', 'kind']) assert.equal(at(widget, 'properties', name, 'type'), 'string');
  });

  it('has every $ref resolvable inside the document', () => {
    const refs = JSON.stringify(doc).match(/"\$ref":"[^"]+"/g) ?? [];
    assert.ok(refs.length > 5);
    for (const r of refs) {
      const name = r.slice('"$ref":"#/components/schemas/'.length, -1);
      assert.ok(member(schemas, name), `unresolved ${r}`);
    }
  });

  it('describes the routes, with fieldValidation on PATCH so kubectl leaves validation to the server', () => {
    const patch = at(doc, 'paths', '/apis/example.com/v1/namespaces/{namespace}/widgets/{name}', 'patch');
    assert.deepEqual(at(patch, 'x-kubernetes-group-version-kind'), {
      group: 'example.com',
      kind: 'Widget',
      version: 'v1',
    });
    const parameters = at(patch, 'parameters');
    assert.ok(Array.isArray(parameters));
    assert.ok(parameters.some((p) => member(p, 'name') === 'fieldValidation' && member(p, 'in') === 'query'));
    assert.deepEqual(keysAt(patch, 'requestBody', 'content'), [
      'application/json-patch+json',
      'application/merge-patch+json',
      'application/apply-patch+yaml',
    ]);
    assert.ok(at(doc, 'paths', '/apis/example.com/v1/namespaces/{namespace}/widgets/{name}/status', 'put'));
    assert.equal(
      at(doc, 'paths', '/apis/example.com/v1/widgets', 'get', 'operationId'),
      'listExampleComV1WidgetForAllNamespaces',
    );
  });

  it('uses cluster paths for cluster-scoped CRDs and leaves out unserved versions', () => {
    const cluster = widgetCrd();
    (cluster.spec as Record<string, unknown>).scope = 'Cluster';
    const cdoc = openApiV3ForGroupVersion([cluster], 'example.com', 'v1');
    assert.ok(at(cdoc, 'paths', '/apis/example.com/v1/widgets/{name}'));
    assert.equal(
      keysAt(cdoc, 'paths').some((p) => p.includes('namespaces')),
      false,
    );
    const v2 = openApiV3ForGroupVersion([crd], 'example.com', 'v2');
    assert.deepEqual(at(v2, 'paths'), {});
  });

  it('lists one group-version per served version, with a content hash', () => {
    const paths = openApiV3Paths([crd]);
    assert.deepEqual(Object.keys(paths), ['apis/example.com/v1']);
    assert.match(
      paths['apis/example.com/v1'].serverRelativeURL,
      /^\/openapi\/v3\/apis\/example\.com\/v1\?hash=[0-9A-F]{128}$/,
    );
    const changed = widgetCrd({ spec: { type: 'object', description: 'changed' } });
    assert.notEqual(
      openApiV3Paths([changed])['apis/example.com/v1'].serverRelativeURL,
      paths['apis/example.com/v1'].serverRelativeURL,
    );
  });
});

describe('OpenAPI v2 (swagger)', () => {
  const doc = openApiV2([crd]);

  it('has definitions with group-version-kind and $refs into definitions', () => {
    assert.equal(at(doc, 'swagger'), '2.0');
    const widget = at(doc, 'definitions', 'com.example.v1.Widget');
    assert.deepEqual(at(widget, 'x-kubernetes-group-version-kind'), [
      { group: 'example.com', kind: 'Widget', version: 'v1' },
    ]);
    assert.equal(
      at(widget, 'properties', 'metadata', 'allOf', 0, '$ref'),
      '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta',
    );
    const refs = JSON.stringify(doc).match(/"\$ref":"[^"]+"/g) ?? [];
    const definitions = at(doc, 'definitions');
    for (const r of refs)
      assert.ok(member(definitions, r.slice('"$ref":"#/definitions/'.length, -1)), `unresolved ${r}`);
  });

  it('drops what swagger 2.0 cannot express', () => {
    const spec = at(doc, 'definitions', 'com.example.v1.Widget', 'properties', 'spec');
    assert.equal(member(spec, 'x-kubernetes-validations'), undefined);
    assert.equal(member(at(spec, 'properties', 'color'), 'nullable'), undefined);
    assert.equal(member(at(spec, 'properties', 'port'), 'anyOf'), undefined);
    assert.equal(at(spec, 'properties', 'port', 'x-kubernetes-int-or-string'), true);
  });

  it('has body parameters and responses on operations', () => {
    const create = at(doc, 'paths', '/apis/example.com/v1/namespaces/{namespace}/widgets', 'post');
    assert.deepEqual(at(create, 'parameters', 0), {
      name: 'body',
      in: 'body',
      required: true,
      schema: { $ref: '#/definitions/com.example.v1.Widget' },
    });
    assert.equal(at(create, 'responses', 200, 'schema', '$ref'), '#/definitions/com.example.v1.Widget');
  });
});
