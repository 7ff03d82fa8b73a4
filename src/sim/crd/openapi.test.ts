import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { openApiV2, openApiV3ForGroupVersion, openApiV3Paths } from './index.ts';
import { widgetCrd } from './test-fixtures.ts';

type Doc = Record<string, any>;

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
  const doc = openApiV3ForGroupVersion([crd], 'example.com', 'v1') as Doc;
  const schemas = doc.components.schemas as Doc;

  it('names the schemas like the apiserver, with their group-version-kind', () => {
    assert.equal(doc.openapi, '3.0.0');
    const widget = schemas['com.example.v1.Widget'];
    assert.deepEqual(widget['x-kubernetes-group-version-kind'], [
      { group: 'example.com', kind: 'Widget', version: 'v1' },
    ]);
    assert.deepEqual(schemas['com.example.v1.WidgetList']['x-kubernetes-group-version-kind'], [
      { group: 'example.com', kind: 'WidgetList', version: 'v1' },
    ]);
    assert.equal(
      schemas['com.example.v1.WidgetList'].properties.items.items.$ref,
      '#/components/schemas/com.example.v1.Widget',
    );
  });

  it('publishes the CRD schema with descriptions, metadata as a $ref that resolves', () => {
    const widget = schemas['com.example.v1.Widget'];
    assert.equal(widget.description, 'A Widget is a test resource.');
    assert.equal(widget.properties.spec.description, 'What the widget should be.');
    assert.equal(widget.properties.spec.properties.size.description, 'How big.');
    const metaRef = widget.properties.metadata.allOf[0].$ref as string;
    assert.ok(schemas[metaRef.replace('#/components/schemas/', '')].properties.labels);
    for (const name of ['apiVersion', 'kind']) assert.equal(widget.properties[name].type, 'string');
  });

  it('has every $ref resolvable inside the document', () => {
    const refs = JSON.stringify(doc).match(/"\$ref":"[^"]+"/g) ?? [];
    assert.ok(refs.length > 5);
    for (const r of refs) {
      const name = r.slice('"$ref":"#/components/schemas/'.length, -1);
      assert.ok(schemas[name], `unresolved ${r}`);
    }
  });

  it('describes the routes, with fieldValidation on PATCH so kubectl leaves validation to the server', () => {
    const item = doc.paths['/apis/example.com/v1/namespaces/{namespace}/widgets/{name}'];
    assert.deepEqual(item.patch['x-kubernetes-group-version-kind'], {
      group: 'example.com',
      kind: 'Widget',
      version: 'v1',
    });
    assert.ok(item.patch.parameters.some((p: Doc) => p.name === 'fieldValidation' && p.in === 'query'));
    assert.deepEqual(Object.keys(item.patch.requestBody.content), [
      'application/json-patch+json',
      'application/merge-patch+json',
      'application/apply-patch+yaml',
    ]);
    assert.ok(doc.paths['/apis/example.com/v1/namespaces/{namespace}/widgets/{name}/status'].put);
    assert.equal(doc.paths['/apis/example.com/v1/widgets'].get.operationId, 'listExampleComV1WidgetForAllNamespaces');
  });

  it('uses cluster paths for cluster-scoped CRDs and leaves out unserved versions', () => {
    const cluster = widgetCrd();
    (cluster.spec as Doc).scope = 'Cluster';
    const cdoc = openApiV3ForGroupVersion([cluster], 'example.com', 'v1') as Doc;
    assert.ok(cdoc.paths['/apis/example.com/v1/widgets/{name}']);
    assert.equal(
      Object.keys(cdoc.paths).some((p) => p.includes('namespaces')),
      false,
    );
    const v2 = openApiV3ForGroupVersion([crd], 'example.com', 'v2') as Doc;
    assert.deepEqual(v2.paths, {});
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
  const doc = openApiV2([crd]) as Doc;

  it('has definitions with group-version-kind and $refs into definitions', () => {
    assert.equal(doc.swagger, '2.0');
    const widget = doc.definitions['com.example.v1.Widget'];
    assert.deepEqual(widget['x-kubernetes-group-version-kind'], [
      { group: 'example.com', kind: 'Widget', version: 'v1' },
    ]);
    assert.equal(
      widget.properties.metadata.allOf[0].$ref,
      '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta',
    );
    const refs = JSON.stringify(doc).match(/"\$ref":"[^"]+"/g) ?? [];
    for (const r of refs) assert.ok(doc.definitions[r.slice('"$ref":"#/definitions/'.length, -1)], `unresolved ${r}`);
  });

  it('drops what swagger 2.0 cannot express', () => {
    const spec = doc.definitions['com.example.v1.Widget'].properties.spec;
    assert.equal(spec['x-kubernetes-validations'], undefined);
    assert.equal(spec.properties.color.nullable, undefined);
    assert.equal(spec.properties.port.anyOf, undefined);
    assert.equal(spec.properties.port['x-kubernetes-int-or-string'], true);
  });

  it('has body parameters and responses on operations', () => {
    const create = doc.paths['/apis/example.com/v1/namespaces/{namespace}/widgets'].post;
    assert.deepEqual(create.parameters[0], {
      name: 'body',
      in: 'body',
      required: true,
      schema: { $ref: '#/definitions/com.example.v1.Widget' },
    });
    assert.equal(create.responses[200].schema.$ref, '#/definitions/com.example.v1.Widget');
  });
});
