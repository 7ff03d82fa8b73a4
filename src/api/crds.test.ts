import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { crdManifests, crdManifest, openApiSchema } from './crds.ts';
import { renderCrdFiles, staleCrdFiles, writeCrdFiles } from './gen-crds.ts';
import { structuralProblems } from './structural.ts';
import { CATEGORY, GROUP, KINDS, VERSION } from './constants.ts';

type Node = Record<string, unknown>;

function walk(node: Node, path: string, visit: (node: Node, path: string) => void): void {
  visit(node, path);
  for (const [name, child] of Object.entries((node.properties ?? {}) as Record<string, Node>))
    walk(child, `${path}.${name}`, visit);
  if (node.items && typeof node.items === 'object') walk(node.items as Node, `${path}[]`, visit);
  if (node.additionalProperties && typeof node.additionalProperties === 'object')
    walk(node.additionalProperties as Node, `${path}{}`, visit);
}

test('crds/ in the repository is what gen-crds generates (run npm run gen:crds when this fails)', async () => {
  assert.deepEqual(await staleCrdFiles(), []);
});

test('staleCrdFiles reports a hand-edited or missing file', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'crds-'));
  try {
    await writeCrdFiles(dir);
    assert.deepEqual(await staleCrdFiles(dir), []);
    await writeFile(join(dir, 'jobs.brigade.sh.yaml'), 'edited: true\n');
    await rm(join(dir, 'kustomization.yaml'));
    assert.deepEqual((await staleCrdFiles(dir)).sort(), ['jobs.brigade.sh.yaml', 'kustomization.yaml']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('generation is deterministic and writes one file per kind plus a kustomization listing them', () => {
  const first = renderCrdFiles();
  assert.deepEqual(renderCrdFiles(), first);
  assert.deepEqual(
    [...first.keys()],
    [
      'projects.brigade.sh.yaml',
      'events.brigade.sh.yaml',
      'builds.brigade.sh.yaml',
      'jobs.brigade.sh.yaml',
      'kustomization.yaml',
    ],
  );
  const kustomization = first.get('kustomization.yaml') ?? '';
  for (const file of [...first.keys()].filter((f) => f !== 'kustomization.yaml'))
    assert.match(kustomization, new RegExp(`- ${file}`));
});

test('generated YAML carries no TypeBox artifacts or JSON-schema references', () => {
  for (const [file, content] of renderCrdFiles()) {
    assert.doesNotMatch(content, /\$ref|\$id|\[Kind\]|Symbol\(|TypeBox|anyOf|const:|patternProperties/, file);
  }
});

test('every kind is a namespaced brigade.sh/v1alpha1 CRD in category brigade with its short names and a status subresource', () => {
  for (const crd of crdManifests()) {
    const names = Object.values(KINDS).find((k) => k.kind === crd.spec.names.kind);
    assert.ok(names);
    assert.equal(crd.metadata.name, `${names.plural}.${GROUP}`);
    assert.equal(crd.spec.scope, 'Namespaced');
    assert.deepEqual(crd.spec.names.categories, [CATEGORY]);
    assert.deepEqual(crd.spec.names.shortNames, names.shortNames);
    assert.equal(crd.spec.versions.length, 1);
    const [version] = crd.spec.versions;
    assert.equal(version.name, VERSION);
    assert.ok(version.served && version.storage);
    assert.deepEqual(version.subresources, { status: {} });
  }
});

test('every schema is structural: type at every level, no forbidden keywords, list-map keys required', () => {
  for (const crd of crdManifests()) {
    assert.deepEqual(structuralProblems(crd.spec.versions[0].schema.openAPIV3Schema), [], crd.metadata.name);
  }
});

test('structuralProblems catches a missing type, a forbidden keyword and an empty object', () => {
  const bad = {
    type: 'object',
    properties: { a: { description: 'x' }, b: { type: 'string', const: 'x' }, c: { type: 'object' } },
  };
  assert.deepEqual(structuralProblems(bad), [
    '.a: type is missing',
    '.b: keyword const is not allowed',
    '.c: object without properties would be pruned empty (mark it x-kubernetes-preserve-unknown-fields)',
  ]);
});

test('every field below spec and status has a description (kubectl explain)', () => {
  for (const crd of crdManifests()) {
    walk(crd.spec.versions[0].schema.openAPIV3Schema, '', (node, path) => {
      const isMapValueOrListItem = path.endsWith('{}') || path.endsWith('[]');
      if (path === '' || path === '.metadata' || isMapValueOrListItem) return;
      assert.equal(typeof node.description, 'string', `${crd.metadata.name}${path} has no description`);
    });
  }
});

test('every default is valid against its own schema', () => {
  const ajv = new Ajv({ strict: false, validateFormats: false });
  for (const crd of crdManifests()) {
    walk(crd.spec.versions[0].schema.openAPIV3Schema, '', (node, path) => {
      if (!('default' in node)) return;
      const { default: value, ...schema } = node;
      assert.ok(
        ajv.validate(schema, value),
        `${crd.metadata.name}${path}: default ${JSON.stringify(value)} is invalid`,
      );
    });
  }
});

test('Event spec is immutable with the exact message, and Build spec fields are immutable except cancel', () => {
  const eventSpec = (openApiSchema('Event').properties as Record<string, Node>).spec;
  assert.deepEqual(eventSpec['x-kubernetes-validations'], [{ rule: 'self == oldSelf', message: 'spec is immutable' }]);
  const buildProps = ((openApiSchema('Build').properties as Record<string, Node>).spec.properties ?? {}) as Record<
    string,
    Node
  >;
  for (const [name, prop] of Object.entries(buildProps)) {
    const rules = prop['x-kubernetes-validations'] as Array<{ rule: string }>;
    assert.equal(rules[0].rule, name === 'cancel' ? 'self || !oldSelf' : 'self == oldSelf', name);
  }
});

test('CEL rules stay inside the subset the simulator implements', () => {
  const allowed = /^[\s\w.!=<>&|()'"?:,[\]-]*$/;
  for (const crd of crdManifests()) {
    walk(crd.spec.versions[0].schema.openAPIV3Schema, '', (node, path) => {
      for (const { rule } of (node['x-kubernetes-validations'] ?? []) as Array<{ rule: string }>) {
        // String literals (a matches() pattern) may hold any character but a quote or a backslash.
        const code = rule.replace(/'[^'\\]*'/g, "''");
        assert.match(code, allowed, `${crd.metadata.name}${path}`);
        const calls = [...code.matchAll(/(\w+)\(/g)].map((m) => m[1]);
        for (const fn of calls)
          assert.ok(['has', 'size', 'matches'].includes(fn), `${path}: ${fn}() is outside the subset`);
      }
    });
  }
});

test('printer columns match the documented tables', () => {
  const columns = (kind: keyof typeof KINDS) =>
    crdManifest(kind).spec.versions[0].additionalPrinterColumns.map((c) => c.name);
  assert.deepEqual(columns('Project'), ['Ready', 'Handlers', 'Last Build', 'Age']);
  assert.deepEqual(columns('Event'), ['Project', 'Type', 'Provider', 'Phase', 'Build', 'Age']);
  assert.deepEqual(columns('Build'), ['Project', 'Type', 'Phase', 'Jobs', 'Duration', 'Age']);
  assert.deepEqual(columns('Job'), ['Build', 'Image', 'Phase', 'Node', 'Duration', 'Age']);
});

test('every printer column points at a field the schema declares', () => {
  for (const crd of crdManifests()) {
    const root = crd.spec.versions[0].schema.openAPIV3Schema as Node;
    for (const column of crd.spec.versions[0].additionalPrinterColumns) {
      if (column.jsonPath.startsWith('.metadata')) continue;
      const segments = column.jsonPath
        .replace(/\[\?.*?\]/, '[]')
        .split('.')
        .filter(Boolean);
      let node: Node | undefined = root;
      for (const segment of segments) {
        const [name, isList] = segment.endsWith('[]') ? [segment.slice(0, -2), true] : [segment, false];
        node = ((node?.properties ?? {}) as Record<string, Node>)[name];
        if (isList) node = node.items as Node | undefined;
      }
      assert.ok(node, `${crd.metadata.name}: ${column.jsonPath}`);
      if (!column.jsonPath.includes('[?'))
        assert.equal(node.type, column.type === 'date' ? 'string' : column.type, column.jsonPath);
    }
  }
});
