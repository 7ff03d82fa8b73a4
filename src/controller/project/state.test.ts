import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Build, Project } from '../../api/types.ts';
import {
  buildCounts,
  inspectionIsCurrent,
  projectStatus,
  readyTransition,
  recordedInspection,
  syntaxMessage,
} from './state.ts';
import type { InspectResult } from '../../script/index.ts';

const now = new Date('2026-11-23T10:00:00Z');
const project = (status?: Project['status']): Project => ({
  apiVersion: 'brigade.sh/v1alpha1',
  kind: 'Project',
  metadata: { name: 'p', namespace: 'ns', generation: 2 },
  spec: { script: 'x' },
  ...(status ? { status } : {}),
});
const build = (name: string, phase?: string, created = '2026-11-23T09:00:00Z'): Build => ({
  apiVersion: 'brigade.sh/v1alpha1',
  kind: 'Build',
  metadata: { name, creationTimestamp: created },
  spec: { project: 'p', event: name, type: 'exec', provider: 'cli', script: '', scriptOrigin: 'project' },
  ...(phase ? { status: { phase: phase as never } } : {}),
});

test('a parsed script makes the project Ready with its handlers sorted', () => {
  const s = projectStatus({
    project: project(),
    source: { ok: true, script: 'x' },
    inspect: { ok: true, handlers: ['push', 'exec'] },
    scriptSHA256: 'abc',
    builds: [],
    now,
  });
  assert.equal(s.conditions?.[0]?.status, 'True');
  assert.deepEqual(s.handlers, ['exec', 'push']);
  assert.equal(s.handlersSummary, 'exec,push');
  assert.equal(s.observedGeneration, 2);
});

test('a syntax error makes the project not Ready with line and column in the message', () => {
  const s = projectStatus({
    project: project(),
    source: { ok: true, script: 'x' },
    inspect: { ok: false, message: 'SyntaxError: unexpected token', line: 3, column: 11 },
    builds: [],
    now,
  });
  const ready = s.conditions?.at(0);
  assert.ok(ready, 'the status has a Ready condition');
  assert.equal(ready.status, 'False');
  assert.equal(ready.reason, 'ScriptSyntaxError');
  assert.equal(ready.message, 'brigade.js:3:11: SyntaxError: unexpected token');
  assert.deepEqual(s.handlers, []);
});

test('a refused require or a failing top level is not called a syntax error', () => {
  const cases: Array<[InspectResult, string]> = [
    [
      { ok: false, reason: 'ModuleNotFound', message: "top-level code failed: Error: Cannot find module 'lodash'" },
      'ScriptModuleNotFound',
    ],
    [
      { ok: false, reason: 'ModuleRefused', message: "top-level code failed: Error: module 'fs' is not available" },
      'ScriptModuleRefused',
    ],
    [
      { ok: false, reason: 'TopLevelError', message: 'top-level code failed: TypeError: x is not a function' },
      'ScriptTopLevelError',
    ],
    [{ ok: false, reason: 'SandboxLimit', message: 'CpuLimit: too long' }, 'ScriptInspectionFailed'],
    [{ ok: false, reason: 'SyntaxError', message: 'SyntaxError: x' }, 'ScriptSyntaxError'],
  ];
  for (const [inspect, reason] of cases) {
    const s = projectStatus({ project: project(), source: { ok: true, script: 'x' }, inspect, builds: [], now });
    assert.equal(s.conditions?.[0]?.reason, reason);
    // The recorded inspection (an unchanged script is not inspected again) keeps the reason.
    const again = projectStatus({
      project: { ...project(), status: s },
      source: { ok: true, script: 'x' },
      inspect: recordedInspection({ ...project(), status: s }),
      builds: [],
      now,
    });
    assert.equal(again.conditions?.[0]?.reason, reason);
  }
});

test('a missing ConfigMap gives reason ConfigMapNotFound', () => {
  const s = projectStatus({
    project: project(),
    source: { ok: false, reason: 'ConfigMapNotFound', message: 'ConfigMap scripts not found' },
    builds: [],
    now,
  });
  assert.equal(s.conditions?.[0]?.reason, 'ConfigMapNotFound');
});

test('an unchanged script at the same generation is not inspected again', () => {
  const ready = projectStatus({
    project: project(),
    source: { ok: true, script: 'x' },
    inspect: { ok: true, handlers: [] },
    scriptSHA256: 'abc',
    builds: [],
    now,
  });
  assert.ok(inspectionIsCurrent(project(ready), 'abc'));
  assert.ok(!inspectionIsCurrent(project(ready), 'def'));
  assert.ok(!inspectionIsCurrent(project(), 'abc'));
});

test('build counts and the last build come from the builds', () => {
  const builds = [
    build('a', 'Running'),
    build('b'),
    build('c', 'Succeeded'),
    build('d', 'TimedOut', '2026-11-23T09:30:00Z'),
  ];
  assert.deepEqual(buildCounts(builds), { running: 1, queued: 1, succeeded: 1, failed: 1 });
  const s = projectStatus({
    project: project(),
    source: { ok: true, script: 'x' },
    inspect: { ok: true, handlers: [] },
    builds,
    now,
  });
  assert.equal(s.lastBuild, 'd');
});

test('readyTransition reports a change only when status, reason or message changed', () => {
  const first = projectStatus({
    project: project(),
    source: { ok: true, script: 'x' },
    inspect: { ok: true, handlers: ['exec'] },
    builds: [],
    now,
  });
  assert.ok(readyTransition(undefined, first).changed);
  const again = projectStatus({
    project: project(first),
    source: { ok: true, script: 'x' },
    inspect: { ok: true, handlers: ['exec'] },
    builds: [],
    now,
  });
  assert.ok(!readyTransition(first, again).changed);
  assert.equal(syntaxMessage({ message: 'm' }), 'm');
});

test('a project without a script is Ready when it runs the scripts events carry, and says how to fix it otherwise', () => {
  const noScript = { ok: false as const, reason: 'NoScript' as const, message: 'the project sets neither...' };
  const bare = (policy?: Project['spec']['policy']): Project => ({ ...project(), spec: policy ? { policy } : {} });
  const eventsOnly = projectStatus({ project: bare({ allowEventScripts: true }), source: noScript, builds: [], now });
  assert.equal(eventsOnly.conditions?.[0].status, 'True');
  assert.equal(eventsOnly.conditions[0].reason, 'EventScriptsOnly');
  assert.deepEqual(eventsOnly.handlers, []);
  const nothing = projectStatus({ project: bare(), source: noScript, builds: [], now });
  assert.equal(nothing.conditions?.[0].status, 'False');
  assert.equal(nothing.conditions[0].reason, 'NoScript');
});

test('a project with a repository and no script of its own is Ready to run the repository brigade.js', () => {
  const noScript = { ok: false as const, reason: 'NoScript' as const, message: 'the project sets neither...' };
  const repo = { ...project(), spec: { repo: { cloneURL: 'https://user:s3cret@git.example.com/org/app.git' } } };
  const status = projectStatus({ project: repo, source: noScript, builds: [], now });
  assert.equal(status.conditions?.[0].status, 'True');
  assert.equal(status.conditions[0].reason, 'ScriptFromRepository');
  assert.match(status.conditions[0].message ?? '', /brigade\.js of https:\/\/\*\*\*@git\.example\.com\/org\/app\.git/);
  assert.doesNotMatch(JSON.stringify(status), /s3cret/);
  assert.deepEqual(status.handlers, []);
});
