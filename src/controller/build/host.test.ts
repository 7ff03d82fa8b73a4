// The job host under a flaky API: transient failures never reach the script, a create whose reply
// was lost is found rather than made twice, and a permanent refusal reaches the script with the
// API's message.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiException } from '@kubernetes/client-node';
import pino from 'pino';
import type { Build, JobCR, Project } from '../../api/types.ts';
import { KubeApiError } from '../../kube/errors.ts';
import type { JobRequest } from '../../script/index.ts';
import { normalizeJobRequest } from '../../script/job-request.ts';
import type { ControllerDeps } from '../shared/deps.ts';
import { runJobHost } from './host.ts';
import { JobWaiters } from './job-waiters.ts';

const build: Build = {
  apiVersion: 'brigade.sh/v1alpha1',
  kind: 'Build',
  metadata: { name: 'b1', namespace: 'ns', uid: 'uid-b1' },
  spec: { project: 'p', event: 'b1', type: 'exec', provider: 'cli', script: '', scriptOrigin: 'project' },
};
const project: Project = {
  apiVersion: 'brigade.sh/v1alpha1',
  kind: 'Project',
  metadata: { name: 'p', namespace: 'ns' },
  spec: {},
};
// A job as the sandbox hands it over: brigadier's defaults, filled in by the one function that applies them.
const request: JobRequest = normalizeJobRequest({
  name: 'one',
  image: 'debian:12',
  tasks: ['echo hi'],
  useSource: false,
});

const status = (code: number, reason: string, message: string): KubeApiError =>
  new KubeApiError('call', {
    cause: new ApiException(code, 'HTTP error', JSON.stringify({ kind: 'Status', code, reason, message }), {}),
  });

/** An API where the Job CR store is a Map, and each call may first fail as the script says. */
function fakeCluster(failures: { get?: KubeApiError[]; create?: KubeApiError[]; createApplies?: boolean }) {
  const store = new Map<string, JobCR>();
  const calls = { get: 0, create: 0, existed: 0 };
  const objects = {
    get: (_kind: string, _ns: string, name: string): Promise<JobCR | undefined> => {
      calls.get++;
      const failure = failures.get?.shift();
      return failure ? Promise.reject(failure) : Promise.resolve(store.get(name));
    },
    create: (_kind: string, obj: JobCR): Promise<{ object: JobCR; existed: boolean }> => {
      calls.create++;
      // As BrigadeObjects.create does: a name already taken answers 409 AlreadyExists, read as "it exists".
      const stored = store.get(obj.metadata.name ?? '');
      if (stored) {
        calls.existed++;
        return Promise.resolve({ object: stored, existed: true });
      }
      const failure = failures.create?.shift();
      // A write applied by the server whose reply was lost: stored, then reported as failed.
      if (!failure || failures.createApplies) store.set(obj.metadata.name ?? '', obj);
      return failure ? Promise.reject(failure) : Promise.resolve({ object: obj, existed: false });
    },
  };
  const done = (name: string): JobCR | undefined => {
    const job = store.get(name);
    return job && { ...job, status: { phase: 'Succeeded', logTail: 'hi\n' } };
  };
  const deps = {
    objects,
    caches: { jobs: { get: () => undefined } },
    clients: { core: { readNamespacedConfigMap: () => Promise.reject(status(404, 'NotFound', 'no kept log')) } },
    logger: pino({ level: 'silent' }),
    settings: { maxJobLogBytes: 1024 },
  } as unknown as ControllerDeps;
  return { deps, calls, store, waiters: new JobWaiters((_ns, name) => done(name)) };
}

function host(cluster: ReturnType<typeof fakeCluster>, signal = new AbortController().signal) {
  return runJobHost({
    deps: cluster.deps,
    build,
    project,
    secrets: {},
    waiters: cluster.waiters,
    signal,
    touch: () => undefined,
  });
}

test('a create applied with its reply lost: the retry finds the stored Job CR, it is made once and its result returned', async () => {
  const cluster = fakeCluster({ create: [status(500, 'InternalError', 'reply lost')], createApplies: true });
  const outcome = await host(cluster)(request);
  assert.equal(outcome.succeeded, true);
  assert.equal(outcome.log, 'hi\n');
  assert.equal(cluster.calls.existed, 1, 'the retried create met the Job CR the lost reply had created');
  assert.equal(cluster.store.size, 1);
  assert.equal(cluster.calls.get, 0, 'no read before the create: it would answer 404 nearly always');
});

test('429s on the create are retried until it goes through', async () => {
  const cluster = fakeCluster({
    create: [status(429, 'TooManyRequests', 'slow down'), status(429, 'TooManyRequests', 'slow down')],
  });
  const outcome = await host(cluster)(request);
  assert.equal(outcome.succeeded, true);
  assert.equal(cluster.calls.create, 3);
});

test('a permanent refusal reaches the script with the API message', async () => {
  const cluster = fakeCluster({ create: [status(403, 'Forbidden', 'jobs.brigade.sh is forbidden: quota')] });
  await assert.rejects(host(cluster)(request), /jobs\.brigade\.sh is forbidden: quota/);
  assert.equal(cluster.calls.create, 1);
});

test('a stopped session ends the retries', async () => {
  const ac = new AbortController();
  const cluster = fakeCluster({ get: Array.from({ length: 100 }, () => status(503, 'ServiceUnavailable', 'down')) });
  const run = host(cluster, ac.signal)(request);
  ac.abort(new Error('cancelled'));
  await assert.rejects(run, { name: 'JobAbortedError' });
});
