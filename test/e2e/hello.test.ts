import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { runOperator, startCluster } from './harness.ts';
import type { Cluster, OperatorHandle } from './harness.ts';
import { buildEnded, eventYaml, jobsOf, projectReady, projectYaml } from './manifests.ts';

let cluster: Cluster;
let operator: OperatorHandle;

before(async () => {
  cluster = await startCluster();
  operator = await runOperator(cluster, { metricsPort: 0 });
});

after(async () => {
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- unset when before() failed
  await operator?.stop();
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- unset when before() failed
  await cluster?.stop();
});

test('a hello project and event give a Succeeded build whose job logged hello, on node-1 or the virtual node as placed', async () => {
  await cluster.apply(
    projectYaml(
      'hello',
      `const { events, Job } = require('brigadier');
events.on('exec', async () => {
  await new Job('hello', 'alpine:3.20', ['echo hello']).run();
  const v = new Job('virtual', 'alpine:3.20', ['echo hello from aci']);
  v.host.name = 'virtual-kubelet';
  await v.run();
});`,
    ),
  );
  await projectReady(cluster, 'hello');
  await cluster.apply(eventYaml('hello-1', 'hello', 'exec'));
  const build = await buildEnded(cluster, 'hello-1');
  assert.equal(build.status?.phase, 'Succeeded', JSON.stringify(build.status));
  assert.equal(build.status.jobsSummary, '2/2');
  const jobs = await jobsOf(cluster, 'hello-1');
  assert.equal(jobs.get('hello')?.status?.phase, 'Succeeded');
  assert.match(jobs.get('hello')?.status?.logTail ?? '', /hello/);
  assert.equal(jobs.get('hello')?.status?.nodeName, 'node-1');
  assert.equal(jobs.get('virtual')?.status?.nodeName, 'virtual-kubelet');
  const ev = await cluster.objects.get('Event', cluster.namespace, 'hello-1');
  assert.equal(ev?.status?.phase, 'Accepted');
  assert.equal(ev.status.build, 'hello-1');
  const wait = await cluster.kubectl('wait', '--for=condition=Succeeded', 'builds.brigade.sh/hello-1', '--timeout=10s');
  assert.match(wait, /condition met/);
  const described = await cluster.kubectl('describe', 'builds.brigade.sh', 'hello-1');
  assert.match(described, /BuildStarted/);
  assert.match(described, /BuildSucceeded/);
  const metrics = await (await fetch(`http://127.0.0.1:${operator.running.metricsPort}/metrics`)).text();
  assert.match(metrics, /brigade_builds\{phase="Succeeded"\} 1/);
  assert.match(metrics, /brigade_jobs\{phase="Succeeded"\} 2/);
});
