import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Build, JobCR, Project } from '../api/types.ts';
import { buildView, filterBuilds, nodeKind, projectView } from './views.ts';

const build = (name: string, o: { phase?: string; type?: string; ref?: string; created: string }): Build =>
  ({
    apiVersion: 'brigade.sh/v1alpha1',
    kind: 'Build',
    metadata: { name, namespace: 'ns', creationTimestamp: o.created },
    spec: {
      project: 'p',
      event: name,
      type: o.type ?? 'push',
      provider: 'github',
      script: '',
      scriptOrigin: 'project',
      ...(o.ref ? { revision: { ref: o.ref } } : {}),
    },
    ...(o.phase ? { status: { phase: o.phase } } : {}),
  }) as Build;

const job = (
  name: string,
  o: { created: string; node?: string; host?: JobCR['spec']['host']; phase?: string },
): JobCR =>
  ({
    apiVersion: 'brigade.sh/v1alpha1',
    kind: 'Job',
    metadata: { name: `b-${name}`, namespace: 'ns', creationTimestamp: o.created },
    spec: { project: 'p', build: 'b', name, ...(o.host ? { host: o.host } : {}) },
    status: { phase: o.phase ?? 'Running', ...(o.node ? { nodeName: o.node } : {}) },
  }) as JobCR;

test('builds are filtered by phase, event type and ref (full or short), newest first', () => {
  const builds = [
    build('a', { phase: 'Succeeded', ref: 'refs/heads/main', created: '2026-12-01T10:00:00Z' }),
    build('b', { phase: 'Failed', ref: 'refs/heads/main', created: '2026-12-01T11:00:00Z' }),
    build('c', { type: 'exec', created: '2026-12-01T12:00:00Z' }),
  ];
  assert.deepEqual(
    filterBuilds(builds, {}).map((b) => b.name),
    ['c', 'b', 'a'],
  );
  assert.deepEqual(
    filterBuilds(builds, { phase: 'Failed' }).map((b) => b.name),
    ['b'],
  );
  assert.deepEqual(
    filterBuilds(builds, { phase: 'Pending' }).map((b) => b.name),
    ['c'],
    'no status yet is Pending',
  );
  assert.deepEqual(
    filterBuilds(builds, { type: 'exec' }).map((b) => b.name),
    ['c'],
  );
  assert.deepEqual(
    filterBuilds(builds, { ref: 'main' }).map((b) => b.name),
    ['b', 'a'],
  );
  assert.deepEqual(
    filterBuilds(builds, { ref: 'refs/heads/main', phase: 'Succeeded' }).map((b) => b.name),
    ['a'],
  );
});

test("a job's node kind: the node's type=virtual-kubelet label when nodes are readable, else its placement", () => {
  const labels = (name: string): Record<string, string> | undefined =>
    ({ 'vk-aci': { type: 'virtual-kubelet' }, worker: {} })[name];
  assert.equal(nodeKind(job('x', { created: '', node: 'vk-aci' }), labels), 'virtual');
  assert.equal(nodeKind(job('x', { created: '', node: 'worker', host: { placement: 'burst' } }), labels), 'regular');
  assert.equal(nodeKind(job('x', { created: '' }), labels), 'unknown', 'not scheduled yet');
  // Without node labels:
  assert.equal(nodeKind(job('x', { created: '', node: 'virtual-kubelet' }), undefined), 'virtual');
  assert.equal(nodeKind(job('x', { created: '', node: 'n1', host: { placement: 'virtual' } }), undefined), 'virtual');
  assert.equal(nodeKind(job('x', { created: '', node: 'n1', host: { placement: 'burst' } }), undefined), 'unknown');
  assert.equal(nodeKind(job('x', { created: '', node: 'n1' }), undefined), 'regular');
});

test('a build view orders jobs by creation, then by name with numbers in order, and offers only what is possible', () => {
  const at = '2026-12-01T10:00:00Z';
  const jobs = [
    job('step-10', { created: at }),
    job('step-2', { created: at }),
    job('first', { created: '2026-12-01T09:59:59Z' }),
  ];
  const running = build('b', { phase: 'Running', created: at });
  const view = buildView(running, jobs, { settings: { actions: { cancel: true, rerun: true } } });
  assert.deepEqual(
    view.timeline.map((b) => b.name),
    ['first', 'step-2', 'step-10'],
  );
  assert.deepEqual(view.actions, { cancel: true, rerun: false }, 'a running build can be cancelled, not rerun');
  const done = buildView(build('b', { phase: 'Failed', created: at }), [], {
    settings: { actions: { cancel: true, rerun: true } },
  });
  assert.deepEqual(done.actions, { cancel: false, rerun: true });
  const readOnly = buildView(running, [], { settings: { actions: { cancel: false, rerun: false } } });
  assert.deepEqual(readOnly.actions, { cancel: false, rerun: false });
  const cancelling = { ...running, spec: { ...running.spec, cancel: true } };
  assert.equal(
    buildView(cancelling, [], { settings: { actions: { cancel: true, rerun: true } } }).actions.cancel,
    false,
  );
});

test('a project view shows its Ready condition, handlers and the build its status names as the last', () => {
  const project = {
    apiVersion: 'brigade.sh/v1alpha1',
    kind: 'Project',
    metadata: { name: 'p', namespace: 'ns' },
    spec: {},
    status: {
      handlers: ['push', 'exec'],
      lastBuild: 'a',
      conditions: [
        { type: 'Ready', status: 'False', reason: 'ScriptError', message: 'line 3', lastTransitionTime: '' },
      ],
    },
  } as unknown as Project;
  const builds = [
    build('a', { phase: 'Failed', created: '2026-12-01T10:00:00Z' }),
    build('b', { created: '2026-12-01T09:00:00Z' }),
  ];
  const view = projectView(project, builds);
  assert.deepEqual(view.ready, { status: 'False', reason: 'ScriptError', message: 'line 3' });
  assert.deepEqual(view.handlers, ['push', 'exec']);
  assert.equal(view.lastBuild?.name, 'a');
  assert.equal(view.lastBuild.phase, 'Failed');
  assert.equal(projectView({ ...project, status: {} }, []).ready.status, 'Unknown');
});
