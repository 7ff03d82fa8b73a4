import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Build, JobCR, Project } from '../../api/types.ts';
import {
  buildDeadline,
  cancelEnding,
  endedStatus,
  endingFromOutcome,
  jobsSummary,
  mayStart,
  runningStatus,
  statusChanged,
  supersededBy,
  withProgress,
} from './state.ts';

const build = (
  name: string,
  phase?: string,
  created = '2026-11-23T09:00:00Z',
  status: Build['status'] = {},
): Build => ({
  apiVersion: 'brigade.sh/v1alpha1',
  kind: 'Build',
  metadata: { name, creationTimestamp: created, generation: 1 },
  spec: { project: 'p', event: name, type: 'exec', provider: 'cli', script: '', scriptOrigin: 'project' },
  status: { ...status, ...(phase ? { phase: phase as never } : {}) },
});
const job = (name: string, phase: string | undefined, created: string): JobCR => ({
  apiVersion: 'brigade.sh/v1alpha1',
  kind: 'Job',
  metadata: { name: `b-${name}`, creationTimestamp: created },
  spec: { project: 'p', build: 'b', name },
  ...(phase ? { status: { phase: phase as never, startTime: created } } : {}),
});
const project = (policy: NonNullable<Project['spec']['policy']>): Project => ({
  apiVersion: 'brigade.sh/v1alpha1',
  kind: 'Project',
  metadata: { name: 'p' },
  spec: { policy },
});
const now = new Date('2026-11-23T10:00:00Z');

test('the jobs summary lists jobs in start order and counts finished ones', () => {
  const s = jobsSummary([
    job('two', 'Running', '2026-11-23T09:00:02Z'),
    job('one', 'Succeeded', '2026-11-23T09:00:01Z'),
    job('three', undefined, '2026-11-23T09:00:03Z'),
  ]);
  assert.deepEqual(
    s.jobs.map((j) => [j.name, j.phase]),
    [
      ['one', 'Succeeded'],
      ['two', 'Running'],
      ['three', 'Pending'],
    ],
  );
  assert.equal(s.jobsSummary, '1/3');
});

test('the jobs summary counts succeeded jobs and shows failed ones: a failed job is never 1/1', () => {
  assert.equal(jobsSummary([job('a', 'Failed', '2026-11-23T09:00:01Z')]).jobsSummary, '0/1, 1 failed');
  const mixed = jobsSummary([
    job('a', 'Succeeded', '2026-11-23T09:00:01Z'),
    job('b', 'TimedOut', '2026-11-23T09:00:02Z'),
    job('c', 'Failed', '2026-11-23T09:00:03Z'),
  ]);
  assert.equal(mixed.jobsSummary, '1/3, 2 failed');
  const stopped = jobsSummary([
    job('a', 'Succeeded', '2026-11-23T09:00:01Z'),
    job('b', 'Failed', '2026-11-23T09:00:02Z'),
    job('c', 'Cancelled', '2026-11-23T09:00:03Z'),
  ]);
  assert.equal(stopped.jobsSummary, '1/3, 1 failed, 1 cancelled');
});

test('the deadline is the start time plus the project build timeout', () => {
  const b = build('b', 'Running', undefined, { startTime: '2026-11-23T09:00:00Z' });
  assert.equal(buildDeadline(b, project({ buildTimeoutSeconds: 60 })), Date.parse('2026-11-23T09:01:00Z'));
  assert.equal(buildDeadline(build('b'), project({})), undefined);
});

test('with maxConcurrentBuilds the oldest waiting builds start first and the rest queue', () => {
  const running = build('r', 'Running', '2026-11-23T08:00:00Z');
  const older = build('a', 'Pending', '2026-11-23T09:00:00Z');
  const newer = build('b', undefined, '2026-11-23T09:05:00Z');
  const siblings = [running, older, newer];
  assert.ok(!mayStart({ build: older, siblings, liveSessions: new Set(), maxConcurrent: 1 }));
  assert.ok(mayStart({ build: older, siblings, liveSessions: new Set(), maxConcurrent: 2 }));
  assert.ok(!mayStart({ build: newer, siblings, liveSessions: new Set(), maxConcurrent: 2 }));
  assert.ok(mayStart({ build: newer, siblings, liveSessions: new Set(), maxConcurrent: undefined }));
  assert.ok(
    !mayStart({ build: newer, siblings: [older, newer], liveSessions: new Set(['a']), maxConcurrent: 1 }),
    'a live session counts as running',
  );
});

test('a build whose terminal status is observed frees its slot while its session is still torn down', () => {
  const ended = build('a', 'Succeeded', '2026-11-23T09:00:00Z');
  const queued = build('b', undefined, '2026-11-23T09:00:01Z');
  assert.ok(mayStart({ build: queued, siblings: [ended, queued], liveSessions: new Set(['a']), maxConcurrent: 1 }));
});

test('starting sets Running and counts attempts; a replay keeps the start time', () => {
  const first = runningStatus(build('b'), now);
  assert.equal(first.phase, 'Running');
  assert.equal(first.workerAttempts, 1);
  assert.equal(first.startTime, now.toISOString());
  const replay = runningStatus(build('b', 'Running', undefined, first), new Date(now.getTime() + 5000));
  assert.equal(replay.workerAttempts, 2);
  assert.equal(replay.startTime, now.toISOString());
  assert.equal(replay.reason, 'Replaying');
  // A first start whose Running write landed with its reply lost starts again as the same attempt.
  const again = runningStatus(build('b', 'Running', undefined, first), new Date(now.getTime() + 5000), false);
  assert.equal(again.workerAttempts, 1);
  assert.equal(again.reason, 'Started');
});

test('script outcomes map onto terminal phases and the Succeeded condition', () => {
  assert.equal(endingFromOutcome({ status: 'Succeeded', reason: 'Completed', message: '' }).phase, 'Succeeded');
  assert.equal(endingFromOutcome({ status: 'Failed', reason: 'Timeout', message: 't' }).phase, 'TimedOut');
  assert.equal(endingFromOutcome({ status: 'Failed', reason: 'Cancelled', message: 'c' }).phase, 'Cancelled');
  assert.equal(endingFromOutcome({ status: 'Failed', reason: 'JobFailed', message: 'j' }).phase, 'Failed');
  const ended = endedStatus(
    build('b', 'Running', undefined, { startTime: '2026-11-23T09:58:00Z' }),
    { phase: 'Failed', reason: 'JobFailed', message: 'boom' },
    now,
  );
  assert.equal(ended.duration, '2m0s');
  assert.equal(ended.completionTime, now.toISOString());
  assert.deepEqual(
    ended.conditions?.map((c) => [c.type, c.status, c.reason]),
    [['Succeeded', 'False', 'JobFailed']],
  );
});

test('a running build has no duration (it would go stale) and passing time is no status change; a finished one has its run time', () => {
  const base = { phase: 'Running' as const, startTime: '2026-11-23T09:59:00Z', duration: '5s' };
  // withProgress takes no clock: the same progress always gives the same status, whenever it is written.
  const a = withProgress(base, { jobs: [], jobsSummary: '0/0' });
  assert.equal(a.duration, undefined);
  assert.ok(!statusChanged(a, withProgress(base, { jobs: [], jobsSummary: '0/0' })));
  assert.ok(statusChanged(a, { ...a, jobsSummary: '0/1' }));
  const done = withProgress(
    { ...base, phase: 'Succeeded', completionTime: '2026-11-23T10:00:23Z' },
    { jobs: [], jobsSummary: '0/0' },
  );
  assert.equal(done.duration, '1m23s');
});

test('supersede picks the older unfinished builds of the same ref only', () => {
  const withRef = (b: Build, ref?: string, cancel = false): Build => ({
    ...b,
    spec: { ...b.spec, ...(ref ? { revision: { ref } } : {}), cancel },
  });
  const newest = withRef(build('n', undefined, '2026-11-23T09:10:00Z'), 'refs/heads/main');
  const olderSame = withRef(build('o1', 'Running', '2026-11-23T09:00:00Z'), 'refs/heads/main');
  const olderOther = withRef(build('o2', 'Running', '2026-11-23T09:00:00Z'), 'refs/heads/dev');
  const olderDone = withRef(build('o3', 'Succeeded', '2026-11-23T09:00:00Z'), 'refs/heads/main');
  const olderCancelled = withRef(build('o4', 'Running', '2026-11-23T09:00:00Z'), 'refs/heads/main', true);
  const newer = withRef(build('z', 'Running', '2026-11-23T09:20:00Z'), 'refs/heads/main');
  const picked = supersededBy(newest, [newest, olderSame, olderOther, olderDone, olderCancelled, newer]);
  assert.deepEqual(
    picked.map((b) => b.metadata.name),
    ['o1'],
  );
});

test('a superseded build is reported as Superseded, a plain cancel as Cancelled', () => {
  const superseded = build('o');
  superseded.metadata.annotations = { 'brigade.sh/superseded-by': 'n' };
  assert.deepEqual([cancelEnding(superseded).reason, cancelEnding(build('x')).reason], ['Superseded', 'Cancelled']);
  assert.match(cancelEnding(superseded).message, /superseded by build n/);
});

test('a script without a handler for the event fails the build, unless policy.unhandledEvents is Succeed', () => {
  const outcome = { status: 'Failed' as const, reason: 'NoHandler' as const, message: 'no handler for "push"' };
  const strict = endingFromOutcome(outcome, project({}));
  assert.deepEqual([strict.phase, strict.reason], ['Failed', 'NoHandler']);
  assert.match(strict.message, /spec.policy.unhandledEvents: Succeed/);
  const lenient = endingFromOutcome(outcome, project({ unhandledEvents: 'Succeed' }));
  assert.deepEqual([lenient.phase, lenient.reason], ['Succeeded', 'NoHandler']);
});
