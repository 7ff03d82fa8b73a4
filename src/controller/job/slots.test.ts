import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { JobCR, Project } from '../../api/types.ts';
import type { ControllerDeps } from '../shared/deps.ts';
import { JobSlots } from './slots.ts';

const project: Project = {
  apiVersion: 'brigade.sh/v1alpha1',
  kind: 'Project',
  metadata: { name: 'p', namespace: 'ns' },
  spec: { script: '', policy: { maxConcurrentJobs: 1 } },
};
const job = (name: string, status?: JobCR['status']): JobCR => ({
  apiVersion: 'brigade.sh/v1alpha1',
  kind: 'Job',
  metadata: { name, namespace: 'ns' },
  spec: { project: 'p', build: 'b', name },
  ...(status ? { status } : {}),
});

function slotsOver(cache: JobCR[], batchJobs: string[] = []): JobSlots {
  const deps = {
    caches: {
      jobs: { byIndex: () => cache },
      batchJobs: { get: (_ns: string | undefined, name: string) => (batchJobs.includes(name) ? {} : undefined) },
    },
  } as unknown as ControllerDeps;
  return new JobSlots(deps);
}

test('maxConcurrentJobs: a second job waits while the first runs', () => {
  const cache: JobCR[] = [];
  const slots = slotsOver(cache);
  assert.ok(slots.acquire(job('a'), project));
  cache.push(job('a', { jobName: 'a', phase: 'Running' }));
  assert.ok(!slots.acquire(job('b'), project));
});

test('maxConcurrentJobs: a job that ended frees its slot on the first look after its reservation', () => {
  const cache: JobCR[] = [];
  const slots = slotsOver(cache);
  assert.ok(slots.acquire(job('a'), project), 'a reserves the only slot');
  // The cache's first sight of a: its child exists and it already ended (a short job, a slow watch).
  cache.push(job('a', { jobName: 'a', phase: 'Succeeded' }));
  assert.ok(slots.acquire(job('b'), project), 'b starts at once: nothing else would wake it later');
});

test('maxConcurrentJobs: a job whose child exists counts before its status records it (after a restart too)', () => {
  // A fresh process (no reservations): job a's batch Job is in the cache, its status says nothing yet.
  const slots = slotsOver([job('a')], ['a']);
  assert.ok(!slots.acquire(job('b'), project), 'b waits: a is running');
});
