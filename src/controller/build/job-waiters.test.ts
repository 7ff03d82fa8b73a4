import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { JobCR } from '../../api/types.ts';
import { JobAbortedError, JobWaiters } from './job-waiters.ts';

const job = (phase?: string): JobCR => ({
  apiVersion: 'brigade.sh/v1alpha1',
  kind: 'Job',
  metadata: { name: 'j', namespace: 'ns' },
  spec: { project: 'p', build: 'b', name: 'j' },
  ...(phase ? { status: { phase: phase as never } } : {}),
});

test('a job already finished in the cache resolves at once (replay attaches to its result)', async () => {
  const w = new JobWaiters(() => job('Succeeded'));
  assert.equal((await w.wait('ns', 'j', new AbortController().signal)).status?.phase, 'Succeeded');
});

test('a waiter resolves when the informer reports a terminal phase, not before', async () => {
  const w = new JobWaiters(() => job('Running'));
  let done = false;
  const p = w.wait('ns', 'j', new AbortController().signal).then((j) => ((done = true), j));
  w.notify(job('Running'));
  await Promise.resolve();
  assert.equal(done, false);
  w.notify(job('Failed'));
  assert.equal((await p).status?.phase, 'Failed');
  assert.equal(w.size, 0);
});

test('aborting the session rejects its waiters and removes them', async () => {
  const w = new JobWaiters(() => undefined);
  const ac = new AbortController();
  const p = w.wait('ns', 'j', ac.signal);
  ac.abort(new Error('cancel'));
  await assert.rejects(p, JobAbortedError);
  assert.equal(w.size, 0);
});
