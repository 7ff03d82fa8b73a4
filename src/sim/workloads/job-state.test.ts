import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findCondition } from './conditions.ts';
import { decideJob, podForJob, randomSuffix } from './job-state.ts';
import type { JobObject, JobSpec, Pod } from './kube-types.ts';

const T0 = new Date('2026-11-23T09:00:00Z');
const at = (seconds: number): Date => new Date(T0.getTime() + seconds * 1000);

function job(spec: Partial<JobSpec> = {}, status: JobObject['status'] = {}): JobObject {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'build', namespace: 'default', uid: 'uid-1' },
    spec: {
      backoffLimit: 6,
      template: { spec: { restartPolicy: 'Never', containers: [{ name: 'main', command: ['true'] }] } },
      ...spec,
    },
    status,
  };
}

function pod(name: string, phase: string, extra: Partial<Pod['metadata']> = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', ...extra },
    spec: { containers: [] },
    status: { phase: phase as 'Pending' },
  };
}

function conditionTypes(status: JobObject['status']): string[] {
  return (status?.conditions ?? []).filter((c) => c.status === 'True').map((c) => c.type);
}

describe('decideJob', () => {
  it('starts a new Job: one pod, startTime set', () => {
    const d = decideJob({ job: job(), pods: [], now: T0 });
    assert.equal(d.createPods, 1);
    assert.equal(d.status.startTime, '2026-11-23T09:00:00Z');
    assert.equal(d.requeueAfterMs, undefined);
  });

  it('does not create a second pod while one is active', () => {
    const d = decideJob({
      job: job({}, { startTime: '2026-11-23T09:00:00Z' }),
      pods: [pod('a', 'Running')],
      now: at(1),
    });
    assert.equal(d.createPods, 0);
    assert.equal(d.status.active, 1);
  });

  it('completes with SuccessCriteriaMet then Complete once the pod succeeded', () => {
    const d = decideJob({
      job: job({}, { startTime: '2026-11-23T09:00:00Z' }),
      pods: [pod('a', 'Succeeded')],
      now: at(5),
    });
    assert.deepEqual(conditionTypes(d.status), ['SuccessCriteriaMet', 'Complete']);
    assert.equal(findCondition(d.status.conditions, 'Complete')?.reason, 'CompletionsReached');
    assert.equal(d.status.succeeded, 1);
    assert.equal(d.status.completionTime, '2026-11-23T09:00:05Z');
    assert.deepEqual(
      d.events.map((e) => e.reason),
      ['Completed'],
    );
  });

  it('replaces a failed pod until the backoff limit is exceeded', () => {
    const spec = { backoffLimit: 1 };
    const started = { startTime: '2026-11-23T09:00:00Z' };
    const first = decideJob({ job: job(spec, started), pods: [pod('a', 'Failed')], now: at(1) });
    assert.equal(first.createPods, 1);
    assert.equal(first.status.failed, 1);
    const second = decideJob({
      job: job(spec, first.status),
      pods: [pod('a', 'Failed'), pod('b', 'Failed')],
      now: at(2),
    });
    assert.equal(second.createPods, 0);
    assert.deepEqual(conditionTypes(second.status), ['FailureTarget', 'Failed']);
    assert.equal(findCondition(second.status.conditions, 'Failed')?.reason, 'BackoffLimitExceeded');
    assert.equal(second.status.failed, 2);
    assert.equal(second.status.completionTime, undefined);
    assert.deepEqual(
      second.events.map((e) => e.reason),
      ['BackoffLimitExceeded'],
    );
  });

  it('schedules a look at the active deadline and kills running pods when it passes', () => {
    const spec = { activeDeadlineSeconds: 10 };
    const before = decideJob({
      job: job(spec, { startTime: '2026-11-23T09:00:00Z' }),
      pods: [pod('a', 'Running')],
      now: at(4),
    });
    assert.equal(before.requeueAfterMs, 6000);
    const after = decideJob({ job: job(spec, before.status), pods: [pod('a', 'Running')], now: at(10) });
    assert.deepEqual(after.deletePods, ['a']);
    assert.deepEqual(conditionTypes(after.status), ['FailureTarget']);
    assert.equal(after.status.failed, 1);
    assert.deepEqual(
      after.events.map((e) => e.reason),
      ['DeadlineExceeded'],
    );
    const gone = decideJob({ job: job(spec, after.status), pods: [], now: at(11) });
    assert.deepEqual(conditionTypes(gone.status), ['FailureTarget', 'Failed']);
    assert.equal(findCondition(gone.status.conditions, 'Failed')?.reason, 'DeadlineExceeded');
    assert.equal(gone.status.failed, 1);
    assert.deepEqual(gone.events, []);
  });

  it('waits for terminating pods before adding the terminal condition', () => {
    const status = decideJob({
      job: job({ activeDeadlineSeconds: 1 }, { startTime: '2026-11-23T09:00:00Z' }),
      pods: [pod('a', 'Running')],
      now: at(2),
    }).status;
    const d = decideJob({
      job: job({ activeDeadlineSeconds: 1 }, status),
      pods: [pod('a', 'Running', { deletionTimestamp: '2026-11-23T09:00:02Z' })],
      now: at(3),
    });
    assert.deepEqual(conditionTypes(d.status), ['FailureTarget']);
    assert.equal(d.status.terminating, 1);
    assert.deepEqual(d.deletePods, []);
  });

  it('deletes a finished Job when its TTL runs out, and says when before that', () => {
    const done = decideJob({
      job: job({}, { startTime: '2026-11-23T09:00:00Z' }),
      pods: [pod('a', 'Succeeded')],
      now: at(1),
    }).status;
    const early = decideJob({ job: job({ ttlSecondsAfterFinished: 30 }, done), pods: [], now: at(11) });
    assert.equal(early.ttlAfterMs, 20_000);
    assert.equal(early.deleteJob, undefined);
    assert.equal(decideJob({ job: job({ ttlSecondsAfterFinished: 30 }, done), pods: [], now: at(31) }).deleteJob, true);
    assert.equal(decideJob({ job: job({}, done), pods: [], now: at(1000) }).deleteJob, undefined);
  });

  it('counts a pod deleted while running as failed', () => {
    const d = decideJob({
      job: job({ backoffLimit: 0 }, { startTime: '2026-11-23T09:00:00Z' }),
      pods: [],
      now: at(1),
      lostPods: 1,
    });
    assert.equal(findCondition(d.status.conditions, 'Failed')?.reason, 'BackoffLimitExceeded');
  });

  it('suspends by deleting active pods and resumes with a new startTime', () => {
    const suspended = decideJob({
      job: job({ suspend: true }, { startTime: '2026-11-23T09:00:00Z' }),
      pods: [pod('a', 'Running')],
      now: at(1),
    });
    assert.deepEqual(suspended.deletePods, ['a']);
    assert.deepEqual(conditionTypes(suspended.status), ['Suspended']);
    const resumed = decideJob({ job: job({}, suspended.status), pods: [], now: at(9) });
    assert.equal(resumed.createPods, 1);
    assert.equal(resumed.status.startTime, '2026-11-23T09:00:09Z');
    assert.equal(findCondition(resumed.status.conditions, 'Suspended')?.status, 'False');
  });
});

describe('podForJob', () => {
  it('names the pod after the Job and links it back with labels and a controller reference', () => {
    const p = podForJob(job(), 'x7k2q');
    assert.equal(p.metadata.name, 'build-x7k2q');
    assert.equal(p.metadata.labels?.['batch.kubernetes.io/job-name'], 'build');
    assert.equal(p.metadata.labels['job-name'], 'build');
    assert.equal(p.metadata.labels['controller-uid'], 'uid-1');
    assert.equal(p.metadata.labels['batch.kubernetes.io/controller-uid'], 'uid-1');
    assert.deepEqual(p.metadata.ownerReferences, [
      { apiVersion: 'batch/v1', kind: 'Job', name: 'build', uid: 'uid-1', controller: true, blockOwnerDeletion: true },
    ]);
  });

  it('draws suffixes from the apiserver alphabet', () => {
    assert.match(randomSuffix(), /^[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  });
});
