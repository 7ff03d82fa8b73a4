import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { V1Job, V1Pod } from '@kubernetes/client-node';
import type { JobCR } from '../../api/types.ts';
import { jobSlotFree, observeJob, statusFor } from './state.ts';
import { cachedBatchJob, cachedPod } from '../cached-objects.ts';

const now = new Date('2026-11-23T10:00:00Z');
const batchJob = (conditions: { type: string; status: string; reason?: string; message?: string }[] = []): V1Job => ({
  metadata: { name: 'j', uid: 'u' },
  status: { conditions: conditions },
});
const pod = (phase: string, container: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): V1Pod => ({
  metadata: { name: 'j-abc' },
  spec: { nodeName: 'node-1', containers: [] },
  status: {
    phase,
    containerStatuses: [{ name: 'job', state: container, ready: false, restartCount: 0, image: 'x', imageID: '' }],
    ...extra,
  },
});
/**
 * Observes the objects as the API gives them and as the caches keep them (cached-objects.ts): every
 * test here also checks that the cache keeps all that the observation reads.
 */
const observe = (b: V1Job | undefined, p: V1Pod | undefined): ReturnType<typeof observeJob> => {
  const full = observeJob({ batchJob: b, pod: p, container: 'job', now });
  const cached = observeJob({
    batchJob: b && cachedBatchJob(structuredClone(b)),
    pod: p && cachedPod(structuredClone(p)),
    container: 'job',
    now,
  });
  assert.deepEqual(cached, full, 'the cached objects give the same observation');
  return full;
};

test('a succeeded pod gives Succeeded with exit code, node and the container times', () => {
  const o = observe(
    batchJob([{ type: 'Complete', status: 'True' }]),
    pod('Succeeded', {
      terminated: {
        exitCode: 0,
        startedAt: new Date('2026-11-23T09:59:00Z'),
        finishedAt: new Date('2026-11-23T09:59:42Z'),
      },
    }),
  );
  assert.equal(o.phase, 'Succeeded');
  assert.equal(o.exitCode, 0);
  assert.equal(o.nodeName, 'node-1');
  assert.equal(o.podName, 'j-abc');
  assert.equal(o.startTime, '2026-11-23T09:59:00.000Z');
  assert.equal(o.completionTime, '2026-11-23T09:59:42.000Z');
});

test('a failed container gives Failed with its exit code in the message', () => {
  const o = observe(batchJob(), pod('Failed', { terminated: { exitCode: 3 } }));
  assert.equal(o.phase, 'Failed');
  assert.equal(o.exitCode, 3);
  assert.match(o.message ?? '', /code 3/);
});

test('a virtual-node refusal keeps the provider reason and message', () => {
  const o = observe(
    batchJob(),
    pod('Failed', {}, { reason: 'ProviderFailed', message: 'ACI does not support hostPath volumes' }),
  );
  assert.equal(o.reason, 'ProviderFailed');
  assert.match(o.message ?? '', /hostPath/);
});

test('DeadlineExceeded on the batch Job is TimedOut', () => {
  const o = observe(
    batchJob([
      {
        type: 'Failed',
        status: 'True',
        reason: 'DeadlineExceeded',
        message: 'Job was active longer than specified deadline',
      },
    ]),
    undefined,
  );
  assert.equal(o.phase, 'TimedOut');
});

test('FailureTarget DeadlineExceeded is TimedOut at once, while the pod still terminates (Kubernetes 1.31+)', () => {
  const cond = {
    type: 'FailureTarget',
    status: 'True',
    reason: 'DeadlineExceeded',
    message: 'Job was active longer than specified deadline',
    lastTransitionTime: new Date('2026-11-23T09:59:58Z'),
  };
  const o = observe(batchJob([cond]), pod('Running', { running: { startedAt: new Date('2026-11-23T09:59:57Z') } }));
  assert.equal(o.phase, 'TimedOut');
  assert.equal(o.reason, 'DeadlineExceeded');
  assert.equal(o.completionTime, '2026-11-23T09:59:58.000Z');
});

test('SuccessCriteriaMet alone is Succeeded', () => {
  assert.equal(observe(batchJob([{ type: 'SuccessCriteriaMet', status: 'True' }]), undefined).phase, 'Succeeded');
});

test('an unschedulable pod stays Pending with reason Unschedulable', () => {
  const o = observe(
    batchJob(),
    pod(
      'Pending',
      {},
      {
        conditions: [
          { type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/2 nodes are available' },
        ],
      },
    ),
  );
  assert.equal(o.phase, 'Pending');
  assert.equal(o.reason, 'Unschedulable');
});

test('a running pod is Running; a deleted batch Job fails the job', () => {
  assert.equal(
    observe(batchJob(), pod('Running', { running: { startedAt: new Date('2026-11-23T09:59:50Z') } })).phase,
    'Running',
  );
  assert.equal(observe(undefined, undefined).reason, 'ChildJobMissing');
});

test('the status carries the Succeeded condition and a duration', () => {
  const job: JobCR = {
    apiVersion: 'brigade.sh/v1alpha1',
    kind: 'Job',
    metadata: { name: 'j', generation: 1 },
    spec: { project: 'p', build: 'b', name: 'j' },
    status: { jobName: 'j' },
  };
  const s = statusFor(
    job,
    {
      phase: 'Failed',
      reason: 'Error',
      message: 'exit 1',
      startTime: '2026-11-23T09:59:00Z',
      completionTime: '2026-11-23T09:59:30Z',
    },
    now,
  );
  assert.equal(s.duration, '30s');
  assert.equal(s.jobName, 'j');
  assert.deepEqual(
    s.conditions?.map((c) => [c.type, c.status]),
    [['Succeeded', 'False']],
  );
  assert.ok(jobSlotFree(1, 2) && !jobSlotFree(2, 2) && jobSlotFree(99, undefined));
});

test('a failed init container (the source clone) is named as the failure, not a generic one', () => {
  const failedClone = pod(
    'Failed',
    { waiting: { reason: 'PodInitializing' } },
    {
      initContainerStatuses: [
        {
          name: 'clone',
          state: { terminated: { exitCode: 128 } },
          ready: false,
          restartCount: 0,
          image: 'alpine/git',
          imageID: '',
        },
      ],
    },
  );
  const o = observe(batchJob(), failedClone);
  assert.equal(o.phase, 'Failed');
  assert.equal(o.reason, 'InitContainerFailed');
  assert.equal(o.message, 'init container "clone" exited with code 128 before the job container started');
});

test('a running job has no duration yet, even when its status carried one', () => {
  const job = {
    apiVersion: 'brigade.sh/v1alpha1',
    kind: 'Job',
    metadata: { name: 'j', generation: 1 },
    spec: { name: 'j' },
    status: { phase: 'Running', duration: '1s' },
  } as unknown as JobCR;
  const s = statusFor(job, { phase: 'Running', startTime: '2026-11-23T09:59:00.000Z' }, now);
  assert.equal(s.duration, undefined);
});
