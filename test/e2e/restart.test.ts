import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { runOperator, startCluster, waitFor } from './harness.ts';
import type { Cluster, OperatorHandle } from './harness.ts';
import { buildEnded, eventYaml, jobsOf, projectReady, projectYaml } from './manifests.ts';

let cluster: Cluster;
let operator: OperatorHandle | undefined;

before(async () => {
  cluster = await startCluster();
});

after(async () => {
  await operator?.stop();
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- unset when before() failed
  await cluster?.stop();
});

async function podsOf(jobCr: string): Promise<number> {
  const out = await cluster.kubectl('get', 'pods', '-l', `brigade.sh/job=${jobCr}`, '-o', 'name');
  return out.split('\n').filter(Boolean).length;
}

test('an operator restart mid-build replays the script without running any job twice', async () => {
  operator = await runOperator(cluster);
  await cluster.apply(
    projectYaml(
      'replay',
      `const { events, Job } = require('brigadier');
events.on('exec', async () => {
  await new Job('first', 'alpine:3.20', ['echo one']).run();
  await new Job('second', 'alpine:3.20', ['sleep 2', 'echo two']).run();
  await new Job('third', 'alpine:3.20', ['echo three']).run();
});`,
    ),
  );
  await projectReady(cluster, 'replay');
  await cluster.apply(eventYaml('replay-1', 'replay', 'exec'));
  await waitFor('second job running', async () =>
    (await jobsOf(cluster, 'replay-1')).get('second')?.status?.phase === 'Running' ? true : undefined,
  );
  await operator.stop();
  operator = await runOperator(cluster);
  const build = await buildEnded(cluster, 'replay-1');
  assert.equal(build.status?.phase, 'Succeeded', JSON.stringify(build.status));
  assert.equal(build.status.workerAttempts, 2, 'the script was evaluated twice');
  assert.equal(build.status.jobsSummary, '3/3');
  const jobs = await jobsOf(cluster, 'replay-1');
  assert.equal(jobs.size, 3, 'one Job CR per job name');
  for (const job of jobs.values()) {
    assert.equal(job.status?.phase, 'Succeeded', job.spec.name);
    assert.equal(await podsOf(job.metadata.name ?? ''), 1, `job ${job.spec.name} ran exactly once`);
  }
  assert.match(jobs.get('second')?.status?.logTail ?? '', /two/);
});

test('jobs named after Date.now() and Math.random() run once across an operator restart', async () => {
  operator ??= await runOperator(cluster);
  await cluster.apply(
    projectYaml(
      'clocked',
      `const { events, Job } = require('brigadier');
events.on('exec', async () => {
  const stamp = Date.now();
  const tag = Math.floor(Math.random() * 1e6);
  await new Job('build-' + stamp, 'alpine:3.20', ['echo built']).run();
  await new Job('test-' + tag, 'alpine:3.20', ['sleep 2', 'echo tested']).run();
  await new Job('deploy-' + new Date().getTime(), 'alpine:3.20', ['echo deployed']).run();
});`,
    ),
  );
  await projectReady(cluster, 'clocked');
  await cluster.apply(eventYaml('clocked-1', 'clocked', 'exec'));
  await waitFor('the test job running', async () => {
    const jobs = [...(await jobsOf(cluster, 'clocked-1')).values()];
    return jobs.some((j) => j.spec.name.startsWith('test-') && j.status?.phase === 'Running') ? true : undefined;
  });
  await operator.stop();
  operator = await runOperator(cluster);
  const build = await buildEnded(cluster, 'clocked-1');
  assert.equal(build.status?.phase, 'Succeeded', JSON.stringify(build.status));
  assert.equal(build.status.workerAttempts, 2, 'the script was evaluated twice');
  const jobs = await jobsOf(cluster, 'clocked-1');
  assert.deepEqual(
    [...jobs.keys()].map((n) => n.replace(/-\d+$/, '')).sort(),
    ['build', 'deploy', 'test'],
    `one Job resource per job: ${[...jobs.keys()].join(', ')}`,
  );
  for (const job of jobs.values())
    assert.equal(await podsOf(job.metadata.name ?? ''), 1, `job ${job.spec.name} ran exactly once`);
  assert.ok((build.status.replay?.clock ?? []).length >= 2, 'the clock readings were kept with the build');
});
