// The countdown walkthrough, as shipped in samples/countdown: 20 parallel jobs of 10 one-second steps
// and one sequential job of 200 steps, all on the virtual-kubelet node with a cpu request of 1. The
// parallel jobs must all finish while the sequential one is still counting; cancelling the build then
// stops it. Nothing here times anything: the order of events is the claim.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { JobCR } from '../../src/api/types.ts';
import { ROOT } from '../helpers/tools.ts';
import { runOperator, startCluster, waitFor, type Cluster, type OperatorHandle } from './harness.ts';

let cluster: Cluster;
let operator: OperatorHandle;

before(async () => {
  cluster = await startCluster();
  operator = await runOperator(cluster);
});
after(async () => {
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- unset when before() failed
  await operator?.stop();
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- unset when before() failed
  await cluster?.stop();
});

const seconds = (from?: string, to?: string): number => (Date.parse(to ?? '') - Date.parse(from ?? '')) / 1000;

test('the 20 parallel countdown jobs all finish on virtual-kubelet while the sequential one still runs; cancel stops it', async () => {
  await cluster.kubectl('apply', '-f', join(ROOT, 'samples', 'countdown'));
  const jobsOf = async (): Promise<JobCR[]> =>
    cluster.objects.list('Job', cluster.namespace, { labelSelector: 'brigade.sh/build=countdown-1' });

  const finished = await waitFor(
    'the 20 parallel jobs to succeed',
    async () => {
      const jobs = await jobsOf();
      const parallel = jobs.filter((j) => j.spec.name.startsWith('parallel-countdown-'));
      return parallel.length === 20 && parallel.every((j) => j.status?.phase === 'Succeeded') ? jobs : undefined;
    },
    90_000,
  );

  const sequential = finished.find((j) => j.spec.name === 'sequential-countdown');
  assert.equal(
    sequential?.status?.phase,
    'Running',
    'the sequential job is still counting when the parallel ones are done',
  );
  for (const job of finished) {
    assert.equal(job.status?.nodeName, 'virtual-kubelet', `${job.spec.name} runs on the virtual node`);
    if (job.spec.name === 'sequential-countdown') continue;
    // Ten one-second steps: the recorded run time (from the pod's own times) cannot be shorter.
    assert.ok(seconds(job.status.startTime, job.status.completionTime) >= 9, `${job.spec.name} ran its 10 steps`);
    assert.match(job.status.logTail ?? '', /counting \d+\n(.*\n)*counting \d+/);
  }
  const steps = (tail: string): number[] => [...tail.matchAll(/counting (\d+)/g)].map((m) => Number(m[1]));
  const third = finished.find((j) => j.spec.name === 'parallel-countdown-3');
  assert.deepEqual(steps(third?.status?.logTail ?? ''), [30, 31, 32, 33, 34, 35, 36, 37, 38, 39]);

  await cluster.kubectl(
    'patch',
    'builds.brigade.sh',
    'countdown-1',
    '--type',
    'merge',
    '-p',
    '{"spec":{"cancel":true}}',
  );
  const build = await waitFor(
    'the build to end Cancelled',
    async () => {
      const b = await cluster.objects.get<'Build'>('Build', cluster.namespace, 'countdown-1');
      return b?.status?.phase === 'Cancelled' ? b : undefined;
    },
    30_000,
  );
  // The 20 parallel jobs succeeded; the sequential one was stopped by the cancel.
  assert.equal(build.status?.jobsSummary, '20/21, 1 cancelled');
  const seq = (await jobsOf()).find((j) => j.spec.name === 'sequential-countdown');
  assert.notEqual(seq?.status?.phase, 'Succeeded');
  assert.notEqual(seq?.status?.phase, 'Running');
});
