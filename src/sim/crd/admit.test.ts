import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compileCrd } from './index.ts';
import type { CompiledVersion } from './index.ts';
import type { Schema } from './schema.ts';
import { versionOf, widget, widgetCrd } from './test-fixtures.ts';

function versionFor(spec: Schema, status?: Schema): CompiledVersion {
  return versionOf(compileCrd(widgetCrd({ spec, status })), 'v1');
}

function messages(v: CompiledVersion, specValue: unknown): string[] {
  return v.admit(widget(specValue), { operation: 'CREATE' }).errors.map((e) => e.message);
}

describe('admission: schema validation messages', () => {
  const v = versionFor({
    type: 'object',
    required: ['image'],
    properties: {
      image: { type: 'string', minLength: 1, maxLength: 10 },
      type: { type: 'string', enum: ['a', 'b'] },
      replicas: { type: 'integer', minimum: 1, maximum: 5 },
      ratio: { type: 'number', minimum: 0, exclusiveMinimum: true },
      name: { type: 'string', pattern: '^[a-z]+$' },
      when: { type: 'string', format: 'date-time' },
      timeout: { type: 'string', format: 'duration' },
      tags: { type: 'array', maxItems: 2, minItems: 1, items: { type: 'string' } },
      port: { 'x-kubernetes-int-or-string': true },
      note: { type: 'string', nullable: true },
      labels: { type: 'object', additionalProperties: { type: 'string' } },
    },
  });

  it('reports a missing required field as Required value', () => {
    assert.deepEqual(v.admit(widget({}), { operation: 'CREATE' }).errors, [
      { reason: 'FieldValueRequired', field: 'spec.image', message: 'spec.image: Required value' },
    ]);
  });

  it('reports an enum mismatch as Unsupported value listing the allowed values', () => {
    assert.deepEqual(messages(v, { image: 'x', type: 'x' }), [
      'spec.type: Unsupported value: "x": supported values: "a", "b"',
    ]);
  });

  it('reports bounds, lengths, patterns and formats like kube-openapi', () => {
    assert.deepEqual(
      messages(v, { image: '', replicas: 0, ratio: 0, name: 'A', when: 'yesterday', timeout: '5 minutes' }),
      [
        'spec.image: Invalid value: "": spec.image in body should be at least 1 chars long',
        'spec.replicas: Invalid value: 0: spec.replicas in body should be greater than or equal to 1',
        'spec.ratio: Invalid value: 0: spec.ratio in body should be greater than 0',
        'spec.name: Invalid value: "A": spec.name in body should match \'^[a-z]+$\'',
        'spec.when: Invalid value: "yesterday": spec.when in body must be of type date-time: "yesterday"',
        'spec.timeout: Invalid value: "5 minutes": spec.timeout in body must be of type duration: "5 minutes"',
      ],
    );
    assert.deepEqual(messages(v, { image: 'x'.repeat(11), replicas: 6, tags: ['a', 'b', 'c'] }), [
      'spec.image: Too long: may not be more than 10 bytes',
      'spec.replicas: Invalid value: 6: spec.replicas in body should be less than or equal to 5',
      'spec.tags: Too many: 3: must have at most 2 items',
    ]);
    assert.deepEqual(messages(v, { image: 'x', tags: [] }), [
      'spec.tags: Invalid value: 0: spec.tags in body should have at least 1 items',
    ]);
  });

  it('accepts valid Kubernetes formats', () => {
    assert.deepEqual(messages(v, { image: 'x', when: '2024-01-02T03:04:05Z', timeout: '1h30m' }), []);
  });

  it('reports a wrong type as TypeInvalid and skips CEL rules, saying so', () => {
    const errors = v.admit(widget({ image: 'x', replicas: '3' }), { operation: 'CREATE' }).errors;
    assert.equal(errors[0].reason, 'FieldValueTypeInvalid');
    assert.equal(
      errors[0].message,
      'spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"',
    );
    assert.match(errors[1].message, /^<nil>: Invalid value: "null": some validation rules were not checked/);
  });

  it('accepts ints and strings for x-kubernetes-int-or-string, and nothing else', () => {
    assert.deepEqual(messages(v, { image: 'x', port: 80 }), []);
    assert.deepEqual(messages(v, { image: 'x', port: 'http' }), []);
    assert.equal(
      messages(v, { image: 'x', port: 1.5 })[0],
      'spec.port: Invalid value: "number": spec.port in body must be of type integer,string: "number"',
    );
  });

  it('keeps null in nullable fields and drops it elsewhere', () => {
    const obj = widget({ image: 'x', note: null, type: null });
    assert.deepEqual(v.admit(obj, { operation: 'CREATE' }).errors, []);
    assert.deepEqual(obj.spec, { image: 'x', note: null });
  });

  it('validates map values given by additionalProperties, with the key in the path', () => {
    assert.deepEqual(messages(v, { image: 'x', labels: { a: 'b', c: 1 } }), [
      'spec.labels.c: Invalid value: "integer": spec.labels.c in body must be of type string: "integer"',
      '<nil>: Invalid value: "null": some validation rules were not checked because the object was invalid; correct the existing errors to complete validation',
    ]);
  });

  it('reports errors inside lists with the index in the path', () => {
    const lv = versionFor({
      type: 'object',
      properties: {
        jobs: {
          type: 'array',
          items: { type: 'object', required: ['image'], properties: { image: { type: 'string' } } },
        },
      },
    });
    assert.deepEqual(messages(lv, { jobs: [{ image: 'a' }, {}] }), ['spec.jobs[1].image: Required value']);
  });
});

describe('admission: defaults', () => {
  const v = versionFor({
    type: 'object',
    properties: {
      type: { type: 'string', default: 'exec' },
      retries: { type: 'integer', default: 3 },
      resources: { type: 'object', default: {}, properties: { cpu: { type: 'string', default: '100m' } } },
      limits: { type: 'object', properties: { memory: { type: 'string', default: '64Mi' } } },
      jobs: {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            name: { type: 'string' },
            pull: { type: 'string', default: 'IfNotPresent' },
            opts: { type: 'object', default: {}, properties: { privileged: { type: 'boolean', default: false } } },
          },
        },
      },
    },
  });

  it('fills absent fields, nested defaults inside a defaulted parent, but creates no parent without a default', () => {
    const obj = widget({});
    v.admit(obj, { operation: 'CREATE' });
    assert.deepEqual(obj.spec, { type: 'exec', retries: 3, resources: { cpu: '100m' } });
  });

  it('does not overwrite given values, including falsy ones', () => {
    const obj = widget({ type: '', retries: 0, limits: {} });
    v.admit(obj, { operation: 'CREATE' });
    assert.deepEqual(obj.spec, { type: '', retries: 0, resources: { cpu: '100m' }, limits: { memory: '64Mi' } });
  });

  it('defaults every item of a list, including objects created by defaulting', () => {
    const obj = widget({ jobs: [{ name: 'a' }, { name: 'b', pull: 'Always', opts: { privileged: true } }] });
    v.admit(obj, { operation: 'CREATE' });
    assert.deepEqual((obj.spec as { jobs: unknown }).jobs, [
      { name: 'a', pull: 'IfNotPresent', opts: { privileged: false } },
      { name: 'b', pull: 'Always', opts: { privileged: true } },
    ]);
  });

  it('defaults a null non-nullable field', () => {
    const obj = widget({ type: null });
    v.admit(obj, { operation: 'CREATE' });
    assert.equal((obj.spec as { type: unknown }).type, 'exec');
  });

  it('gives each object its own copy of a default', () => {
    const a = widget({});
    const b = widget({});
    v.admit(a, { operation: 'CREATE' });
    v.admit(b, { operation: 'CREATE' });
    (a.spec as { resources: { cpu: string } }).resources.cpu = '1';
    assert.equal((b.spec as { resources: { cpu: string } }).resources.cpu, '100m');
  });
});

describe('admission: pruning', () => {
  const v = versionFor({
    type: 'object',
    properties: {
      image: { type: 'string' },
      jobs: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' } } } },
      payload: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
      partial: {
        type: 'object',
        'x-kubernetes-preserve-unknown-fields': true,
        properties: { known: { type: 'object', properties: { a: { type: 'string' } } } },
      },
      template: {
        type: 'object',
        'x-kubernetes-embedded-resource': true,
        properties: { spec: { type: 'object', properties: { x: { type: 'string' } } } },
      },
    },
  });

  it('drops unknown fields at every level and reports their paths', () => {
    const obj = widget({ image: 'x', foo: 1, jobs: [{ name: 'a', bar: 2 }] }, { extra: true });
    obj.metadata.bogus = 'y';
    const result = v.admit(obj, { operation: 'CREATE' });
    assert.deepEqual(result.unknownFields.sort(), ['extra', 'metadata.bogus', 'spec.foo', 'spec.jobs[0].bar']);
    assert.deepEqual(obj, {
      apiVersion: 'example.com/v1',
      kind: 'Widget',
      metadata: { name: 'w1', namespace: 'default' },
      spec: { image: 'x', jobs: [{ name: 'a' }] },
    });
  });

  it('keeps everything under x-kubernetes-preserve-unknown-fields but still prunes known subtrees', () => {
    const obj = widget({
      payload: { any: { deep: [1, { x: 1 }] } },
      partial: { other: 1, known: { a: 'x', b: 'pruned' } },
    });
    const result = v.admit(obj, { operation: 'CREATE' });
    assert.deepEqual(result.unknownFields, ['spec.partial.known.b']);
    assert.deepEqual(obj.spec, { payload: { any: { deep: [1, { x: 1 }] } }, partial: { other: 1, known: { a: 'x' } } });
  });

  it('keeps apiVersion, kind and ObjectMeta fields of embedded resources and requires apiVersion and kind', () => {
    const obj = widget({
      template: {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'p', labels: { a: 'b' }, junk: 1 },
        spec: { x: 'y', z: 1 },
      },
    });
    const result = v.admit(obj, { operation: 'CREATE' });
    assert.deepEqual(result.unknownFields.sort(), ['spec.template.metadata.junk', 'spec.template.spec.z']);
    assert.deepEqual((obj.spec as { template: unknown }).template, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p', labels: { a: 'b' } },
      spec: { x: 'y' },
    });
    assert.deepEqual(messages(v, { template: { spec: {} } }), [
      'spec.template.kind: Required value: must not be empty',
      'spec.template.apiVersion: Required value: must not be empty',
    ]);
  });
});

describe('admission: x-kubernetes-list-type', () => {
  const v = versionFor({
    type: 'object',
    properties: {
      tags: { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'string' } },
      ports: {
        type: 'array',
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-list-map-keys': ['name', 'protocol'],
        items: {
          type: 'object',
          properties: {
            name: { type: 'string' },
            protocol: { type: 'string', default: 'TCP' },
            port: { type: 'integer' },
          },
        },
      },
    },
  });

  it('refuses duplicate values in a set list', () => {
    assert.deepEqual(v.admit(widget({ tags: ['a', 'b', 'a'] }), { operation: 'CREATE' }).errors, [
      { reason: 'FieldValueDuplicate', field: 'spec.tags[2]', message: 'spec.tags[2]: Duplicate value: "a"' },
    ]);
  });

  it('refuses duplicate keys in a map list, counting defaulted keys', () => {
    assert.deepEqual(
      messages(v, {
        ports: [
          { name: 'http', port: 80 },
          { name: 'http', protocol: 'UDP', port: 80 },
          { name: 'http', protocol: 'TCP', port: 81 },
        ],
      }),
      ['spec.ports[2]: Duplicate value: map[string]interface {}{"name":"http", "protocol":"TCP"}'],
    );
  });
});

describe('admission: x-kubernetes-validations (CEL)', () => {
  const specRules = [{ rule: 'self == oldSelf', message: 'spec is immutable' }];
  const spec: Schema = {
    type: 'object',
    'x-kubernetes-validations': specRules,
    properties: {
      project: { type: 'string' },
      min: { type: 'integer' },
      max: { type: 'integer', 'x-kubernetes-validations': [{ rule: 'self <= 100', message: 'must be at most 100' }] },
    },
  };
  const status: Schema = {
    type: 'object',
    'x-kubernetes-validations': [
      {
        rule: "!has(oldSelf.phase) || oldSelf.phase != 'Succeeded' || self.phase == 'Succeeded'",
        message: 'a finished build cannot change phase',
        fieldPath: '.phase',
      },
    ],
    properties: { phase: { type: 'string' }, count: { type: 'integer' } },
  };
  const v = versionOf(
    compileCrd(
      widgetCrd({
        spec: {
          ...spec,
          'x-kubernetes-validations': [
            ...specRules,
            {
              rule: 'self.min <= self.max',
              messageExpression: "'min ' + string(self.min) + ' exceeds max'",
              reason: 'FieldValueForbidden',
            },
          ],
        },
        status,
      }),
    ),
    'v1',
  );

  it('allows any spec on CREATE: transition rules need an old object', () => {
    assert.deepEqual(v.admit(widget({ project: 'p', min: 1, max: 2 }), { operation: 'CREATE' }).errors, []);
  });

  it('refuses a changed spec on UPDATE with "spec is immutable"', () => {
    const old = widget({ project: 'p', min: 1, max: 2 });
    const changed = widget({ project: 'q', min: 1, max: 2 });
    assert.deepEqual(v.admit(changed, { operation: 'UPDATE', old }).errors, [
      { reason: 'FieldValueInvalid', field: 'spec', message: 'spec: Invalid value: "object": spec is immutable' },
    ]);
    assert.deepEqual(v.admit(widget({ project: 'p', min: 1, max: 2 }), { operation: 'UPDATE', old }).errors, []);
  });

  it('compares the spec after defaulting, so re-sending a defaulted object is not a change', () => {
    const dv = versionFor({
      type: 'object',
      'x-kubernetes-validations': [{ rule: 'self == oldSelf', message: 'spec is immutable' }],
      properties: { t: { type: 'string', default: 'x' } },
    });
    const old = widget({});
    dv.admit(old, { operation: 'CREATE' });
    assert.deepEqual(dv.admit(widget({}), { operation: 'UPDATE', old }).errors, []);
  });

  it('evaluates rules on nested fields with their own message', () => {
    assert.deepEqual(messages(v, { min: 1, max: 101 }), ['spec.max: Invalid value: "integer": must be at most 100']);
  });

  it('uses messageExpression and reason', () => {
    assert.deepEqual(v.admit(widget({ min: 5, max: 2 }), { operation: 'CREATE' }).errors, [
      { reason: 'FieldValueForbidden', field: 'spec', message: 'spec: Forbidden: min 5 exceeds max' },
    ]);
  });

  it('reports an evaluation error against the rule', () => {
    assert.deepEqual(messages(v, { max: 3 }), [
      'spec: Invalid value: "object": no such key: min evaluating rule: self.min <= self.max',
    ]);
  });

  it('puts the error at fieldPath and correlates oldSelf on status updates', () => {
    const old = widget({ project: 'p', min: 1, max: 2 }, { status: { phase: 'Succeeded' } });
    const update = widget({ project: 'p', min: 1, max: 2 }, { status: { phase: 'Running' } });
    assert.deepEqual(
      v.admit(update, { operation: 'UPDATE', old, subresource: 'status' }).errors.map((e) => e.message),
      ['status.phase: Invalid value: "object": a finished build cannot change phase'],
    );
  });

  it('defaults the message to the failed rule', () => {
    const dv = versionFor({
      type: 'object',
      'x-kubernetes-validations': [{ rule: "self.name.startsWith('w-')" }],
      properties: { name: { type: 'string' } },
    });
    assert.deepEqual(messages(dv, { name: 'x' }), [
      'spec: Invalid value: "object": failed rule: self.name.startsWith(\'w-\')',
    ]);
  });

  it('correlates list-map items by key for transition rules on items', () => {
    const lv = versionFor({
      type: 'object',
      properties: {
        jobs: {
          type: 'array',
          'x-kubernetes-list-type': 'map',
          'x-kubernetes-list-map-keys': ['name'],
          items: {
            type: 'object',
            'x-kubernetes-validations': [{ rule: 'self.image == oldSelf.image', message: 'image is immutable' }],
            properties: { name: { type: 'string' }, image: { type: 'string' } },
          },
        },
      },
    });
    const old = widget({
      jobs: [
        { name: 'a', image: 'x' },
        { name: 'b', image: 'y' },
      ],
    });
    const reordered = widget({
      jobs: [
        { name: 'b', image: 'y' },
        { name: 'a', image: 'z' },
        { name: 'c', image: 'new' },
      ],
    });
    assert.deepEqual(
      lv.admit(reordered, { operation: 'UPDATE', old }).errors.map((e) => e.message),
      ['spec.jobs[1]: Invalid value: "object": image is immutable'],
    );
  });
});

describe('admission: validation ratcheting on update', () => {
  const v = versionFor({
    type: 'object',
    required: ['image'],
    properties: {
      image: { type: 'string' },
      name: { type: 'string', maxLength: 3 },
      level: { type: 'integer', enum: [1, 2] },
      note: { type: 'string', 'x-kubernetes-validations': [{ rule: "self != 'bad'", message: 'note is bad' }] },
    },
  });

  it('lets an update keep values that no longer validate, but not introduce new ones', () => {
    const old = widget({ name: 'too-long', note: 'bad' });
    assert.deepEqual(
      v.admit(widget({ name: 'too-long', note: 'bad', level: 2 }), { operation: 'UPDATE', old }).errors,
      [],
    );
    assert.deepEqual(messages(v, { image: 'x', name: 'too-long', note: 'bad' }), [
      'spec.name: Too long: may not be more than 3 bytes',
      'spec.note: Invalid value: "string": note is bad',
    ]);
    const changed = v
      .admit(widget({ image: 'x', name: 'other-long', note: 'bad' }), { operation: 'UPDATE', old })
      .errors.map((e) => e.message);
    assert.deepEqual(changed, ['spec.name: Too long: may not be more than 3 bytes']);
  });

  it('quotes non-string enum values in the supported list', () => {
    assert.deepEqual(messages(v, { image: 'x', level: 3 }), [
      'spec.level: Unsupported value: 3: supported values: "1", "2"',
    ]);
  });
});

describe('admission: CEL equality of set and map lists', () => {
  const v = versionFor({
    type: 'object',
    'x-kubernetes-validations': [{ rule: 'self == oldSelf', message: 'spec is immutable' }],
    properties: {
      tags: { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'string' } },
      ordered: { type: 'array', items: { type: 'string' } },
      env: {
        type: 'array',
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-list-map-keys': ['name'],
        items: { type: 'object', properties: { name: { type: 'string' }, value: { type: 'string' } } },
      },
    },
  });

  it('ignores the order of set and map lists, not of atomic lists', () => {
    const old = widget({
      tags: ['a', 'b'],
      ordered: ['x', 'y'],
      env: [
        { name: 'A', value: '1' },
        { name: 'B', value: '2' },
      ],
    });
    const reordered = widget({
      tags: ['b', 'a'],
      ordered: ['x', 'y'],
      env: [
        { name: 'B', value: '2' },
        { name: 'A', value: '1' },
      ],
    });
    assert.deepEqual(v.admit(reordered, { operation: 'UPDATE', old }).errors, []);
    const atomicReordered = widget({
      tags: ['a', 'b'],
      ordered: ['y', 'x'],
      env: [
        { name: 'A', value: '1' },
        { name: 'B', value: '2' },
      ],
    });
    assert.deepEqual(
      v.admit(atomicReordered, { operation: 'UPDATE', old }).errors.map((e) => e.message),
      ['spec: Invalid value: "object": spec is immutable'],
    );
  });
});

describe('admission: maps and metadata', () => {
  it('prunes and defaults inside additionalProperties values', () => {
    const v = versionFor({
      type: 'object',
      properties: {
        gateways: {
          type: 'object',
          additionalProperties: { type: 'object', properties: { enabled: { type: 'boolean', default: true } } },
        },
      },
    });
    const obj = widget({ gateways: { github: { junk: 1 }, cloudevents: { enabled: false } } });
    const result = v.admit(obj, { operation: 'CREATE' });
    assert.deepEqual(result.unknownFields, ['spec.gateways.github.junk']);
    assert.deepEqual(obj.spec, { gateways: { github: { enabled: true }, cloudevents: { enabled: false } } });
  });

  it('applies a schema constraint on metadata.name', () => {
    const crd = widgetCrd();
    const schema = (
      crd.spec as { versions: Array<{ schema: { openAPIV3Schema: { properties: Record<string, unknown> } } }> }
    ).versions[0].schema.openAPIV3Schema;
    schema.properties.metadata = { type: 'object', properties: { name: { type: 'string', maxLength: 5 } } };
    const v = versionOf(compileCrd(crd), 'v1');
    const obj = widget({});
    obj.metadata.name = 'much-too-long';
    assert.deepEqual(
      v.admit(obj, { operation: 'CREATE' }).errors.map((e) => e.message),
      ['metadata.name: Too long: may not be more than 5 bytes'],
    );
  });
});
