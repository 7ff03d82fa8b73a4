import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { BrigadeEvent, Project } from '../../api/types.ts';
import { buildFor, decideEvent, eventStatus } from './state.ts';
import type { EventDecisionInput } from './state.ts';

const created = Date.parse('2026-11-23T10:00:00Z');
const readyProject = (over: Partial<Project['spec']> = {}, handlers = ['exec']): Project => ({
  apiVersion: 'brigade.sh/v1alpha1',
  kind: 'Project',
  metadata: { name: 'p', namespace: 'ns', generation: 1 },
  spec: { script: 's', ...over },
  status: {
    observedGeneration: 1,
    handlers,
    scriptSHA256: 'sha',
    conditions: [{ type: 'Ready', status: 'True', reason: 'ScriptLoaded' }],
  },
});
const event = (spec: Partial<BrigadeEvent['spec']> = {}, status?: BrigadeEvent['status']): BrigadeEvent => ({
  apiVersion: 'brigade.sh/v1alpha1',
  kind: 'Event',
  metadata: { name: 'e1', namespace: 'ns', uid: 'uid-e1', creationTimestamp: new Date(created).toISOString() },
  spec: { project: 'p', type: 'exec', ...spec },
  ...(status ? { status } : {}),
});
const input = (over: Partial<EventDecisionInput>): EventDecisionInput => ({
  event: event(),
  project: readyProject(),
  projectScript: { ok: true, script: 's' },
  projectScriptSHA256: 'sha',
  now: created + 1000,
  graceMs: 60_000,
  ...over,
});

test('an event for a Ready project with a handler is accepted with the project script', () => {
  assert.deepEqual(decideEvent(input({})), { kind: 'accept', script: 's', scriptOrigin: 'project' });
});

test("the project's files beside the script go into the build snapshot with the script", () => {
  const decision = decideEvent(input({ projectScript: { ok: true, script: 's', files: { 'lib.js': 'l' } } }));
  assert.deepEqual(decision, { kind: 'accept', script: 's', files: { 'lib.js': 'l' }, scriptOrigin: 'project' });
  assert.deepEqual(decision.kind === 'accept' && buildFor(event(), decision).spec.files, { 'lib.js': 'l' });
  assert.equal('files' in buildFor(event(), { script: 's', scriptOrigin: 'project' }).spec, false);
});

test('a missing project is waited for during the grace period, then rejected', () => {
  const waiting = decideEvent(input({ project: undefined }));
  assert.equal(waiting.kind, 'wait');
  assert.equal(waiting.requeueAfterMs, 59_000);
  const late = decideEvent(input({ project: undefined, now: created + 60_000 }));
  assert.deepEqual(late.kind === 'reject' && late.reason, 'ProjectNotFound');
});

test('a project that is not Ready (or not reconciled for its generation) rejects after the grace period', () => {
  const notReady = readyProject();
  assert.ok(notReady.status, 'readyProject() has a status');
  notReady.status.conditions = [
    { type: 'Ready', status: 'False', reason: 'ScriptSyntaxError', message: 'brigade.js:1:2: x' },
  ];
  const d = decideEvent(input({ project: notReady, now: created + 61_000 }));
  assert.equal(d.kind === 'reject' && d.reason, 'ProjectNotReady');
  const stale = readyProject();
  stale.metadata.generation = 2;
  assert.equal(decideEvent(input({ project: stale })).kind, 'wait');
});

test('a project whose script changed since its inspection is not used until inspected again', () => {
  assert.equal(decideEvent(input({ projectScriptSHA256: 'other' })).kind, 'wait');
});

test('an event type without a handler is rejected with NoHandler, and error/after are not event types', () => {
  const d = decideEvent(input({ event: event({ type: 'push' }) }));
  assert.equal(d.kind === 'reject' && d.reason, 'NoHandler');
  const lifecycle = decideEvent(
    input({ event: event({ type: 'error' }), project: readyProject({}, ['exec', 'error']) }),
  );
  assert.equal(lifecycle.kind === 'reject' && lifecycle.reason, 'NoHandler');
});

test('an event script is rejected unless the policy allows it, and then its own handlers count', () => {
  const withScript = event({ script: 'own' });
  assert.equal(
    decideEvent(input({ event: withScript })).kind === 'reject' && 'EventScriptNotAllowed',
    'EventScriptNotAllowed',
  );
  const allowed = readyProject({ policy: { allowEventScripts: true } }, []);
  const ok = decideEvent(
    input({ event: withScript, project: allowed, eventScriptInspection: { ok: true, handlers: ['exec'] } }),
  );
  assert.deepEqual(ok, { kind: 'accept', script: 'own', scriptOrigin: 'event' });
  const bad = decideEvent(
    input({
      event: withScript,
      project: allowed,
      eventScriptInspection: { ok: false, message: 'x', line: 1, column: 1 },
    }),
  );
  assert.equal(bad.kind === 'reject' && bad.reason, 'ScriptSyntaxError');
});

test('an event already decided is left alone', () => {
  assert.equal(decideEvent(input({ event: event({}, { phase: 'Accepted', build: 'e1' }) })).kind, 'done');
  assert.equal(decideEvent(input({ event: event({}, { phase: 'Rejected' }) })).kind, 'done');
});

test('the build is a snapshot owned by the event, named after it', () => {
  const e = event({ payload: '{"a":1}', revision: { ref: 'refs/heads/main' }, provider: 'github' });
  const b = buildFor(e, { script: 's', scriptOrigin: 'project' });
  assert.equal(b.metadata.name, 'e1');
  assert.deepEqual(b.metadata.ownerReferences?.[0], {
    apiVersion: 'brigade.sh/v1alpha1',
    kind: 'Event',
    name: 'e1',
    uid: 'uid-e1',
    controller: true,
    blockOwnerDeletion: true,
  });
  assert.equal(b.spec.payload, '{"a":1}');
  assert.equal(b.spec.script, 's');
  assert.equal(b.metadata.labels?.['brigade.sh/project'], 'p');
  const s = eventStatus(e, { kind: 'accepted', build: 'e1' }, new Date(created));
  assert.equal(s.phase, 'Accepted');
  assert.equal(s.build, 'e1');
});

test('a project without a script of its own takes events that carry one and rejects those that do not', () => {
  const base = readyProject({ script: undefined, policy: { allowEventScripts: true } }, []);
  const project = {
    ...base,
    status: { ...base.status, conditions: [{ type: 'Ready', status: 'True', reason: 'EventScriptsOnly' }] },
  } as Project;
  const noScript = { ok: false as const, reason: 'NoScript' as const, message: '' };
  const carried = decideEvent(
    input({
      event: event({ script: 'own' }),
      project,
      projectScript: noScript,
      projectScriptSHA256: undefined,
      eventScriptInspection: { ok: true, handlers: ['exec'] },
    }),
  );
  assert.deepEqual(carried, { kind: 'accept', script: 'own', scriptOrigin: 'event' });
  const bare = decideEvent(input({ project, projectScript: noScript, projectScriptSHA256: undefined }));
  assert.deepEqual(bare, {
    kind: 'reject',
    reason: 'NoScript',
    message: 'project p has no script of its own and the event carries none',
  });
});

test('a repository project takes any event type: its Build fetches the script, so handlers are not known yet', () => {
  const base = readyProject({ script: undefined, repo: { cloneURL: 'https://example.com/app.git' } }, []);
  const project = {
    ...base,
    status: { ...base.status, conditions: [{ type: 'Ready', status: 'True', reason: 'ScriptFromRepository' }] },
  } as Project;
  const noScript = { ok: false as const, reason: 'NoScript' as const, message: '' };
  const decision = decideEvent(
    input({ event: event({ type: 'push' }), project, projectScript: noScript, projectScriptSHA256: undefined }),
  );
  assert.deepEqual(decision, { kind: 'accept', scriptOrigin: 'repository' });
  const { spec } = buildFor(event({ type: 'push' }), { scriptOrigin: 'repository' });
  assert.equal(spec.scriptOrigin, 'repository');
  assert.equal('script' in spec, false);
});

test('with policy.unhandledEvents: Succeed an unhandled event gets a build, as in Brigade 1', () => {
  const decision = decideEvent(
    input({
      event: event({ type: 'pull_request' }),
      project: readyProject({ policy: { unhandledEvents: 'Succeed' } }),
    }),
  );
  assert.deepEqual(decision, { kind: 'accept', script: 's', scriptOrigin: 'project' });
  const rejected = decideEvent(input({ event: event({ type: 'pull_request' }) }));
  assert.match(rejected.kind === 'reject' ? rejected.message : '', /set spec.policy.unhandledEvents: Succeed/);
});
