// The generated CRDs against the simulator's CRD machinery (validation, defaulting, pruning, the CEL
// subset, printer columns), in process. Real kubectl against the simulator was also checked by hand
// (apply -k crds/, explain, get with printer columns, immutability errors).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileCrd, formatFieldErrors, validateCrd } from '../sim/crd/index.ts';
import type { CompiledVersion } from '../sim/crd/index.ts';
import type { KubeObject } from '../sim/types.ts';
import { API_VERSION, VERSION } from './constants.ts';
import type { BrigadeKind } from './constants.ts';
import { crdManifest, crdManifests } from './crds.ts';

function version(kind: BrigadeKind): CompiledVersion {
  const compiled = compileCrd(crdManifest(kind) as unknown as KubeObject).versions.get(VERSION);
  assert.ok(compiled);
  return compiled;
}

function object(kind: BrigadeKind, spec: Record<string, unknown>, status?: Record<string, unknown>): KubeObject {
  return {
    apiVersion: API_VERSION,
    kind,
    metadata: { name: 'x', namespace: 'default' },
    spec,
    ...(status ? { status } : {}),
  };
}

function errors(kind: BrigadeKind, obj: KubeObject, old?: KubeObject): string {
  const found = version(kind).admit(obj, old ? { operation: 'UPDATE', old } : { operation: 'CREATE' }).errors;
  return found.length === 0 ? '' : formatFieldErrors(found);
}

test('the simulator accepts every generated CRD', () => {
  for (const crd of crdManifests()) assert.deepEqual(validateCrd(crd as unknown as KubeObject), [], crd.metadata.name);
});

test('a Project gets its policy and storage defaults, and unknown fields are pruned', () => {
  const project = object('Project', { script: 'x', bogus: true });
  const result = version('Project').admit(project, { operation: 'CREATE' });
  assert.deepEqual(result.errors, []);
  assert.deepEqual(result.unknownFields, ['spec.bogus']);
  assert.deepEqual(project.spec, {
    script: 'x',
    policy: {
      allowPrivileged: false,
      allowHostMounts: false,
      allowDockerSocket: false,
      allowServiceAccountToken: false,
      allowInlineSecrets: false,
      allowEventScripts: false,
      unhandledEvents: 'Reject',
      buildTimeoutSeconds: 3600,
      supersede: false,
    },
    storage: { enabled: false, size: '50Mi' },
  });
});

test('a Build needs the script it runs and where it came from, unless it is a rerun request', () => {
  const full = { project: 'p', event: 'e', type: 'exec', provider: 'manual', script: 'x', scriptOrigin: 'project' };
  assert.equal(errors('Build', object('Build', full)), '');
  const { script: _s, ...noScript } = full;
  assert.match(
    errors('Build', object('Build', noScript)),
    /a build needs event, type, provider, scriptOrigin and script \(unless the script comes from the repository\), unless it is a rerun/,
  );
  assert.equal(errors('Build', object('Build', { project: 'p', rerunOf: { build: 'b1' } })), '');
  // The operator completes a rerun request once; after that its snapshot and rerunOf are immutable.
  const request = object('Build', { project: 'p', rerunOf: { build: 'b1', all: false } });
  const completed = object('Build', { ...full, rerunOf: { build: 'b1', all: false } });
  assert.equal(errors('Build', completed, request), '');
  assert.match(
    errors('Build', object('Build', { ...full, script: 'y', rerunOf: { build: 'b1', all: false } }), completed),
    /spec.script is immutable/,
  );
  assert.match(
    errors('Build', object('Build', { ...full, rerunOf: { build: 'b2', all: false } }), completed),
    /spec.rerunOf is immutable/,
  );
});

test('a Project name longer than 63 characters is refused, since it becomes a label value', () => {
  const project = { ...object('Project', { script: 'x' }), metadata: { name: 'p'.repeat(64), namespace: 'default' } };
  assert.match(errors('Project', project), /a project name is at most 63 characters: it is used as a label value/);
  assert.equal(errors('Project', { ...project, metadata: { name: 'p'.repeat(63), namespace: 'default' } }), '');
});

test('a Project with both script and scriptFrom is refused', () => {
  const both = object('Project', { script: 'x', scriptFrom: { configMapKeyRef: { name: 'c', key: 'k' } } });
  assert.match(errors('Project', both), /set script or scriptFrom, not both/);
});

test('scriptFrom takes one ConfigMap key or one ConfigMap directory, and directory paths stay relative', () => {
  const from = (scriptFrom: Record<string, unknown>): ReturnType<typeof object> => object('Project', { scriptFrom });
  assert.equal(errors('Project', from({ configMap: { name: 'scripts' } })), '');
  assert.equal(
    errors(
      'Project',
      from({
        configMap: { name: 'scripts', main: 'ci/brigade.js', items: [{ key: 'lib.js', path: 'ci/lib/index.js' }] },
      }),
    ),
    '',
  );
  assert.match(
    errors('Project', from({ configMap: { name: 'c' }, configMapKeyRef: { name: 'c', key: 'k' } })),
    /set exactly one of configMapKeyRef and configMap/,
  );
  assert.match(errors('Project', from({})), /set exactly one of configMapKeyRef and configMap/);
  for (const path of ['../x.js', '/abs.js', 'a/./b.js', 'a//b.js']) {
    assert.notEqual(errors('Project', from({ configMap: { name: 'c', items: [{ key: 'k', path }] } })), '', path);
  }
});

test('a Build keeps the files beside its script, immutably', () => {
  const spec = {
    project: 'demo',
    event: 'e',
    type: 'push',
    provider: 'github',
    script: 'a',
    files: { 'lib.js': 'l' },
    scriptOrigin: 'project',
  };
  const running = object('Build', spec);
  assert.equal(errors('Build', running), '');
  assert.match(
    errors('Build', object('Build', { ...spec, files: { 'lib.js': 'changed' } }), running),
    /spec.files is immutable/,
  );
});

test('an Event spec cannot change, its status can', () => {
  const old = object('Event', { project: 'demo', type: 'push', provider: 'github' });
  const changed = object('Event', { project: 'demo', type: 'exec', provider: 'github' });
  assert.match(errors('Event', changed, old), /spec: Invalid value: "object": spec is immutable/);
  const withStatus = object(
    'Event',
    { project: 'demo', type: 'push', provider: 'github' },
    { phase: 'Accepted', build: 'x' },
  );
  assert.equal(errors('Event', withStatus, old), '');
});

test('a Build may be cancelled but not resumed, and its script cannot change', () => {
  const spec = {
    project: 'demo',
    event: 'e',
    type: 'push',
    provider: 'github',
    script: 'a',
    scriptOrigin: 'project',
    cancel: false,
  };
  const running = object('Build', spec);
  const cancelled = object('Build', { ...spec, cancel: true });
  assert.equal(errors('Build', cancelled, running), '');
  assert.match(errors('Build', object('Build', { ...spec }), cancelled), /a cancelled build cannot be resumed/);
  assert.match(errors('Build', object('Build', { ...spec, script: 'b' }), running), /spec.script is immutable/);
});

test('only a repository Build starts without a script, and gets it once, with the commit it came from', () => {
  const spec = { project: 'demo', event: 'e', type: 'push', provider: 'github' };
  assert.match(
    errors('Build', object('Build', { ...spec, scriptOrigin: 'project' })),
    /script \(unless the script comes from the repository\)/,
  );
  const fetching = object('Build', { ...spec, scriptOrigin: 'repository' });
  assert.equal(errors('Build', fetching), '');
  const fetched = object('Build', { ...spec, scriptOrigin: 'repository', script: 'a', scriptCommit: 'abc1234' });
  assert.equal(errors('Build', fetched, fetching), '');
  const again = object('Build', { ...spec, scriptOrigin: 'repository', script: 'b', scriptCommit: 'abc1234' });
  assert.match(errors('Build', again, fetched), /spec.script is immutable/);
});

test('a Job env entry takes a value or a reference, not both, and one kind of reference (secret, config map or pod field)', () => {
  const base = { project: 'demo', build: 'b', name: 'test', image: 'alpine' };
  assert.match(
    errors(
      'Job',
      object('Job', {
        ...base,
        env: [{ name: 'A', value: 'x', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }],
      }),
    ),
    /set value or valueFrom, not both/,
  );
  assert.match(
    errors(
      'Job',
      object('Job', {
        ...base,
        env: [
          { name: 'A', valueFrom: { secretKeyRef: { name: 's', key: 'k' }, configMapKeyRef: { name: 'c', key: 'k' } } },
        ],
      }),
    ),
    /exactly one of secretKeyRef, configMapKeyRef and fieldRef/,
  );
  assert.match(
    errors(
      'Job',
      object('Job', {
        ...base,
        env: [
          {
            name: 'A',
            valueFrom: { configMapKeyRef: { name: 'c', key: 'k' }, fieldRef: { fieldPath: 'metadata.name' } },
          },
        ],
      }),
    ),
    /exactly one of/,
  );
  assert.match(errors('Job', object('Job', { ...base, env: [{ name: 'A', valueFrom: {} }] })), /exactly one of/);
  assert.equal(
    errors(
      'Job',
      object('Job', { ...base, env: [{ name: 'A', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }] }),
    ),
    '',
  );
  assert.equal(
    errors(
      'Job',
      object('Job', { ...base, env: [{ name: 'A', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }] }),
    ),
    '',
  );
});

test('printer columns show the status fields the operator writes', () => {
  const build = object(
    'Build',
    { project: 'demo', event: 'e', type: 'push', provider: 'github', script: 'a', scriptOrigin: 'project' },
    { phase: 'Running', jobsSummary: '3/20', duration: '1m2s' },
  );
  const buildVersion = version('Build');
  assert.deepEqual(
    buildVersion.tableColumns().map((c) => c.name),
    ['Name', 'Project', 'Type', 'Phase', 'Jobs', 'Duration', 'Age'],
  );
  assert.deepEqual(buildVersion.tableCells(build).slice(0, 6), ['x', 'demo', 'push', 'Running', '3/20', '1m2s']);
  const project = object(
    'Project',
    { script: 'x' },
    { conditions: [{ type: 'Ready', status: 'True' }], lastBuild: 'b1', handlersSummary: 'push,exec' },
  );
  assert.deepEqual(version('Project').tableCells(project).slice(0, 4), ['x', 'True', 'push,exec', 'b1']);
});
