import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Build, BuildPhase, Project } from '../../api/types.ts';
import { effectiveHistory, isUnbounded, planHistory } from './history.ts';
import type { HistoryPolicy } from './history.ts';

const T0 = Date.parse('2026-12-01T10:00:00Z');
const min = 60_000;

function build(name: string, phase: BuildPhase | undefined, createdMin: number, doneMin?: number): Build {
  return {
    apiVersion: 'brigade.sh/v1alpha1',
    kind: 'Build',
    metadata: { name, namespace: 'ns', creationTimestamp: new Date(T0 + createdMin * min).toISOString() },
    spec: { project: 'p', event: name, type: 'exec', provider: 'manual', script: '', scriptOrigin: 'project' },
    ...(phase
      ? {
          status: {
            phase,
            ...(doneMin !== undefined ? { completionTime: new Date(T0 + doneMin * min).toISOString() } : {}),
          },
        }
      : {}),
  };
}

const none: HistoryPolicy = { succeeded: {}, failed: {} };
const names = (plan: ReturnType<typeof planHistory>): string[] => plan.collect.map((c) => c.build.metadata.name ?? '');

test('a limit keeps the newest N of each outcome and removes the older ones, oldest first', () => {
  const builds = [
    build('s1', 'Succeeded', 1, 2),
    build('s2', 'Succeeded', 2, 3),
    build('s3', 'Succeeded', 3, 4),
    build('f1', 'Failed', 4, 5),
    build('t1', 'TimedOut', 5, 6),
    build('c1', 'Cancelled', 6, 7),
    build('r1', 'Running', 0),
    build('q1', 'Pending', 0),
  ];
  const plan = planHistory({
    builds,
    policy: { succeeded: { limit: 1 }, failed: { limit: 2 } },
    now: T0 + 100 * min,
    max: 50,
  });
  assert.deepEqual(names(plan), ['s1', 's2', 'f1']);
  assert.deepEqual(
    plan.collect.map((c) => [c.outcome, c.reason]),
    [
      ['succeeded', 'Limit'],
      ['succeeded', 'Limit'],
      ['failed', 'Limit'],
    ],
  );
  assert.equal(plan.more, false);
  assert.equal(plan.nextExpiry, undefined);
});

test('a limit of 0 keeps no finished build of that outcome; running and queued builds never go', () => {
  const builds = [build('s1', 'Succeeded', 1, 2), build('r1', 'Running', 0), build('p1', undefined, 0)];
  const plan = planHistory({ builds, policy: { succeeded: { limit: 0 }, failed: { limit: 0 } }, now: T0, max: 50 });
  assert.deepEqual(names(plan), ['s1']);
});

test('a TTL removes builds finished longer ago and says when the next one expires', () => {
  const builds = [build('old', 'Failed', 0, 1), build('young', 'Failed', 5, 58), build('ok', 'Succeeded', 0, 1)];
  const plan = planHistory({
    builds,
    policy: { succeeded: {}, failed: { ttlMs: 30 * min } },
    now: T0 + 60 * min,
    max: 50,
  });
  assert.deepEqual(names(plan), ['old']);
  assert.equal(plan.collect[0]?.reason, 'TTL');
  assert.equal(plan.nextExpiry, T0 + 88 * min);
});

test('limit and TTL together: a build goes when either says so', () => {
  const builds = [build('a', 'Succeeded', 0, 1), build('b', 'Succeeded', 50, 51), build('c', 'Succeeded', 52, 53)];
  const plan = planHistory({
    builds,
    policy: { succeeded: { limit: 2, ttlMs: 30 * min }, failed: {} },
    now: T0 + 60 * min,
    max: 50,
  });
  assert.deepEqual(
    plan.collect.map((c) => [c.build.metadata.name, c.reason]),
    [['a', 'Limit']],
  );
  assert.equal(plan.nextExpiry, T0 + 81 * min);
});

test('work per pass is bounded: the oldest due builds go first and the plan says there is more', () => {
  const builds = Array.from({ length: 7 }, (_, i) => build(`s${i}`, 'Succeeded', i, i + 1));
  const plan = planHistory({ builds, policy: { succeeded: { limit: 2 }, failed: {} }, now: T0, max: 3 });
  assert.deepEqual(names(plan), ['s0', 's1', 's2']);
  assert.equal(plan.more, true);
});

test('the original of an unfinished rerun is kept (it counts towards the limit), and builds being deleted are skipped', () => {
  const original = build('orig', 'Failed', 0, 1);
  const rerun = build('orig-rerun-x', 'Running', 2);
  rerun.spec.rerunOf = { build: 'orig' };
  const going = build('going', 'Failed', 1, 2);
  going.metadata.deletionTimestamp = new Date(T0).toISOString();
  const plan = planHistory({
    builds: [original, rerun, going],
    policy: { succeeded: {}, failed: { limit: 0 } },
    now: T0,
    max: 50,
  });
  assert.deepEqual(names(plan), []);
  rerun.status = { phase: 'Succeeded', completionTime: new Date(T0 + 3 * min).toISOString() };
  const after = planHistory({
    builds: [original, rerun],
    policy: { succeeded: {}, failed: { limit: 0 } },
    now: T0,
    max: 50,
  });
  assert.deepEqual(names(after), ['orig']);
});

test("the project's bounds win field by field over the operator's default", () => {
  const project: Project = {
    apiVersion: 'brigade.sh/v1alpha1',
    kind: 'Project',
    metadata: { name: 'p' },
    spec: { history: { succeeded: { limit: 5 }, failed: { ttlSeconds: 60 } } },
  };
  const defaults: HistoryPolicy = { succeeded: { limit: 100, ttlMs: 3_600_000 }, failed: { limit: 20 } };
  assert.deepEqual(effectiveHistory(project, defaults), {
    succeeded: { limit: 5, ttlMs: 3_600_000 },
    failed: { limit: 20, ttlMs: 60_000 },
  });
  const plain: Project = { ...project, spec: {} };
  assert.deepEqual(effectiveHistory(plain, none), none);
  assert.equal(isUnbounded(effectiveHistory(plain, none)), true);
  assert.equal(isUnbounded(effectiveHistory(project, none)), false);
});
