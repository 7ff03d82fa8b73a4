import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CrdCompileError, compileCrd, validateCrd } from './index.ts';
import type { KubeObject } from '../types.ts';
import { widgetCrd } from './test-fixtures.ts';

type Spec = { names: Record<string, unknown>; versions: Array<Record<string, unknown>>; [k: string]: unknown };

function mutated(change: (spec: Spec, crd: KubeObject) => void): KubeObject {
  const crd = widgetCrd();
  change(crd.spec as Spec, crd);
  return crd;
}

const messagesOf = (crd: KubeObject, old?: KubeObject): string[] => validateCrd(crd, old).map((e) => e.message);
const schemaOf = (spec: Spec): Record<string, unknown> =>
  (spec.versions[0].schema as { openAPIV3Schema: Record<string, unknown> }).openAPIV3Schema;

describe('validateCrd', () => {
  it('accepts a well-formed CRD', () => {
    assert.deepEqual(validateCrd(widgetCrd()), []);
  });

  it('requires metadata.name to be <plural>.<group>', () => {
    assert.deepEqual(
      messagesOf(
        mutated((_, crd) => {
          crd.metadata.name = 'widget.example.com';
        }),
      ),
      ['metadata.name: Invalid value: "widget.example.com": must be spec.names.plural+"."+spec.group'],
    );
  });

  it('checks the group is a domain with a dot', () => {
    assert.deepEqual(
      messagesOf(
        mutated((s, crd) => {
          s.group = 'example';
          crd.metadata.name = 'widgets.example';
        }),
      ),
      ['spec.group: Invalid value: "example": should be a domain with at least one dot'],
    );
  });

  it('checks names: plural, kind, listKind, shortNames, categories', () => {
    const crd = mutated((s, c) => {
      s.names = {
        plural: 'Widgets',
        kind: 'Widget',
        listKind: 'Widget',
        shortNames: ['ok', 'Bad'],
        categories: ['all'],
      };
      c.metadata.name = 'Widgets.example.com';
    });
    const msgs = messagesOf(crd);
    assert.ok(
      msgs.some((m) =>
        m.startsWith('spec.names.plural: Invalid value: "Widgets": a DNS-1035 label must consist of lower case'),
      ),
    );
    assert.ok(msgs.includes('spec.names.listKind: Invalid value: "Widget": kind and listKind may not be the same'));
    assert.ok(msgs.some((m) => m.startsWith('spec.names.shortNames[1]: Invalid value: "Bad"')));
    assert.deepEqual(
      messagesOf(
        mutated((s) => {
          delete s.names.kind;
        }),
      ),
      ['spec.names.kind: Required value'],
    );
  });

  it('checks scope', () => {
    assert.deepEqual(
      messagesOf(
        mutated((s) => {
          s.scope = 'Global';
        }),
      ),
      ['spec.scope: Unsupported value: "Global": supported values: "Cluster", "Namespaced"'],
    );
  });

  it('requires exactly one storage version and unique version names', () => {
    const two = mutated((s) => {
      s.versions.push({ ...s.versions[0], name: 'v1' });
    });
    assert.deepEqual(messagesOf(two), [
      'spec.versions[1].name: Duplicate value: "v1"',
      'spec.versions: Invalid value: []interface {}{"v1", "v1"}: must have exactly one version marked as storage version',
    ]);
  });

  it('requires a schema with a type at every level', () => {
    assert.deepEqual(
      messagesOf(
        mutated((s) => {
          delete s.versions[0].schema;
        }),
      ),
      ['spec.versions[0].schema.openAPIV3Schema: Required value: schemas are required'],
    );
    const untyped = mutated((s) => {
      (schemaOf(s).properties as Record<string, unknown>).spec = { properties: { a: { type: 'string' } } };
    });
    assert.deepEqual(messagesOf(untyped), [
      'spec.versions[0].schema.openAPIV3Schema.properties[spec].type: Required value: must not be empty for specified object fields',
    ]);
    const preserved = mutated((s) => {
      (schemaOf(s).properties as Record<string, unknown>).spec = { 'x-kubernetes-preserve-unknown-fields': true };
    });
    assert.deepEqual(messagesOf(preserved), []);
  });

  it('refuses metadata constraints other than name and generateName', () => {
    const crd = mutated((s) => {
      (schemaOf(s).properties as Record<string, unknown>).metadata = {
        type: 'object',
        properties: { labels: { type: 'object' } },
      };
    });
    assert.deepEqual(messagesOf(crd), [
      'spec.versions[0].schema.openAPIV3Schema.properties[metadata]: Forbidden: must not specify anything other than name and generateName, but metadata is implicitly specified',
    ]);
  });

  it('refuses a list-map without keys and keys that are not item properties', () => {
    const crd = mutated((s) => {
      (schemaOf(s).properties as Record<string, unknown>).spec = {
        type: 'object',
        properties: {
          ports: {
            type: 'array',
            'x-kubernetes-list-type': 'map',
            'x-kubernetes-list-map-keys': ['nope'],
            items: { type: 'object', properties: { name: { type: 'string' } } },
          },
        },
      };
    });
    assert.deepEqual(messagesOf(crd), [
      'spec.versions[0].schema.openAPIV3Schema.properties[spec].properties[ports].x-kubernetes-list-map-keys[0]: Invalid value: "nope": entries must all be names of item properties',
    ]);
  });

  it('refuses a default that does not match its schema', () => {
    const crd = mutated((s) => {
      (schemaOf(s).properties as Record<string, unknown>).spec = {
        type: 'object',
        properties: { n: { type: 'integer', default: 'ten' } },
      };
    });
    assert.deepEqual(messagesOf(crd), [
      'spec.versions[0].schema.openAPIV3Schema.properties[spec].properties[n].default: Invalid value: "string": spec.versions[0].schema.openAPIV3Schema.properties[spec].properties[n].default in body must be of type integer: "string"',
    ]);
  });

  it('refuses a CEL rule outside the supported subset, naming the rule', () => {
    const crd = mutated((s) => {
      (schemaOf(s).properties as Record<string, unknown>).spec = {
        type: 'object',
        'x-kubernetes-validations': [
          { rule: 'self == oldSelf' },
          { rule: 'quantity(self.cpu).isGreaterThan(quantity("1"))' },
        ],
        properties: { cpu: { type: 'string' } },
      };
    });
    assert.deepEqual(validateCrd(crd), [
      {
        reason: 'FieldValueInvalid',
        field: 'spec.versions[0].schema.openAPIV3Schema.properties[spec].x-kubernetes-validations[1].rule',
        message:
          'spec.versions[0].schema.openAPIV3Schema.properties[spec].x-kubernetes-validations[1].rule: Invalid value: "quantity(self.cpu).isGreaterThan(quantity(\\"1\\"))": compilation failed: function \'isGreaterThan\' is not supported by the simulator\'s CEL subset',
      },
    ]);
    assert.throws(
      () => compileCrd(crd),
      (err: unknown) => err instanceof CrdCompileError && err.errors.length === 1,
    );
  });

  it('checks printer columns: type and a JSONPath it can evaluate', () => {
    const crd = widgetCrd({
      printerColumns: [
        { name: 'A', type: 'color', jsonPath: '.spec.a' },
        { name: 'B', type: 'string', jsonPath: 'spec.b' },
        { name: 'C', type: 'string', jsonPath: '.spec.items[1:3]' },
      ],
    });
    assert.deepEqual(messagesOf(crd), [
      'spec.versions[0].additionalPrinterColumns[0].type: Unsupported value: "color": supported values: "integer", "number", "string", "boolean", "date"',
      'spec.versions[0].additionalPrinterColumns[1].jsonPath: Invalid value: "spec.b": must be a simple json path starting with .',
      'spec.versions[0].additionalPrinterColumns[2].jsonPath: Invalid value: ".spec.items[1:3]": must be a simple json path starting with .: unsupported JSONPath ".spec.items[1:3]" near "[1:3]"',
    ]);
  });

  it('on update, keeps group and scope immutable and stored versions present', () => {
    const old = widgetCrd();
    old.status = { storedVersions: ['v1'] };
    const changed = mutated((s) => {
      s.scope = 'Cluster';
      s.versions[0].name = 'v2';
    });
    assert.deepEqual(messagesOf(changed, old), [
      'spec.scope: Invalid value: "Cluster": field is immutable',
      'status.storedVersions[0]: Invalid value: "v1": must appear in spec.versions',
    ]);
  });

  it('reports malformed CRDs and schemas as errors instead of throwing', () => {
    assert.deepEqual(
      messagesOf({
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'CustomResourceDefinition',
        metadata: {},
        spec: { versions: 'v1', names: 5 },
      }),
      [
        'metadata.name: Invalid value: "": must be spec.names.plural+"."+spec.group',
        'spec.group: Required value',
        'spec.names: Required value',
        'spec.scope: Required value',
        'spec.versions: Required value: must have at least one version',
      ],
    );
    const withSpec = (spec: unknown): KubeObject =>
      mutated((s) => {
        (schemaOf(s).properties as Record<string, unknown>).spec = spec;
      });
    const at = 'spec.versions[0].schema.openAPIV3Schema.properties[spec]';
    assert.deepEqual(messagesOf(withSpec({ type: 'string', pattern: '([' })), [
      `${at}.pattern: Invalid value: "([": must be a valid regular expression, but isn't: Invalid regular expression: /([/u: Unterminated character class`,
    ]);
    assert.deepEqual(messagesOf(withSpec({ type: 'string', 'x-kubernetes-validations': 'self.size() > 0' })), [
      `${at}.x-kubernetes-validations: Invalid value: "self.size() > 0": must be a list of validation rules`,
    ]);
    assert.ok(
      messagesOf(withSpec({ type: 'array', items: [{ type: 'string' }] })).includes(
        `${at}.items: Forbidden: items must be a schema object and not an array`,
      ),
    );
    assert.deepEqual(messagesOf(withSpec({ type: 'string', enum: 'a' })), [
      'spec.versions[0].schema.openAPIV3Schema: Invalid value: "object": schema could not be compiled: schema is invalid: data/properties/spec/enum must be array',
    ]);
  });
});

describe('validateCrd: CEL rules against the schema', () => {
  it('lets root rules read metadata.name but not other metadata fields', () => {
    const ok = mutated((s) => {
      schemaOf(s)['x-kubernetes-validations'] = [{ rule: 'size(self.metadata.name) <= 63' }];
    });
    assert.deepEqual(messagesOf(ok), []);
    const bad = mutated((s) => {
      schemaOf(s)['x-kubernetes-validations'] = [{ rule: "self.metadata.namespace != 'x'" }];
    });
    assert.deepEqual(messagesOf(bad), [
      `spec.versions[0].schema.openAPIV3Schema.x-kubernetes-validations[0].rule: Invalid value: "self.metadata.namespace != 'x'": compilation failed: undefined field 'namespace'`,
    ]);
  });

  it('refuses a rule that names a field the schema lacks', () => {
    const crd = mutated((s) => {
      (schemaOf(s).properties as Record<string, unknown>).spec = {
        type: 'object',
        'x-kubernetes-validations': [{ rule: 'self.sise > 0' }],
        properties: { size: { type: 'integer' } },
      };
    });
    assert.deepEqual(messagesOf(crd), [
      'spec.versions[0].schema.openAPIV3Schema.properties[spec].x-kubernetes-validations[0].rule: Invalid value: "self.sise > 0": compilation failed: undefined field \'sise\'',
    ]);
  });

  it('refuses transition rules inside atomic lists, where oldSelf cannot be correlated', () => {
    const items = {
      type: 'object',
      'x-kubernetes-validations': [{ rule: 'self.image == oldSelf.image' }],
      properties: { image: { type: 'string' }, name: { type: 'string' } },
    };
    const atomic = mutated((s) => {
      (schemaOf(s).properties as Record<string, unknown>).spec = {
        type: 'object',
        properties: { jobs: { type: 'array', items } },
      };
    });
    assert.deepEqual(messagesOf(atomic), [
      'spec.versions[0].schema.openAPIV3Schema.properties[spec].properties[jobs].items.x-kubernetes-validations[0].rule: Forbidden: oldSelf cannot be used on the uncorrelatable portion of the schema within spec.versions[0].schema.openAPIV3Schema.properties[spec].properties[jobs].items',
    ]);
    const mapList = mutated((s) => {
      (schemaOf(s).properties as Record<string, unknown>).spec = {
        type: 'object',
        properties: {
          jobs: { type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'], items },
        },
      };
    });
    assert.deepEqual(messagesOf(mapList), []);
  });
});
