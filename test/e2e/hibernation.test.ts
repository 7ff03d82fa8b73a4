// Hibernation end to end: an operator that keeps one script resident at a time runs four builds
// whose jobs take seconds. Each build is hibernated while it waits and replayed when a job ends, yet
// from the cluster's side nothing differs from one long evaluation: every build succeeds, each job
// ran one pod (counted on the server), the clock-named job kept its name, the console says each line
// once, and no build was counted as replayed after a restart.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { LABELS } from '../../src/api/constants.ts';
import { runOperator, startCluster, waitFor } from './harness.ts';
import type { Cluster, OperatorHandle } from './harness.ts';
import { buildEnded, jobsOf, projectReady, projectYaml } from './manifests.ts';

let cluster: Cluster;
let operator: OperatorHandle | undefined;

before(async () => {
  cluster = await startCluster();
  operator = await runOperator(cluster, {
    metricsPort: 0,
    settings: { eventProjectGraceMs: 1500, maxResidentScripts: 1 },
  });
});
after(async () => {
  await operator?.stop();
  await cluster.stop();
});

const SCRIPT = `const { events, Job } = require('brigadier');
events.on('exec', async (e) => {
  console.log('start ' + e.buildID);
  const first = await new Job('first-' + Date.now(), 'alpine:3.20', ['sleep 4', 'echo one']).run();
  const second = await new Job('second', 'alpine:3.20', ['sleep 3', 'echo two']).run();
  console.log('got ' + first.toString().trim() + ' ' + second.toString().trim());
});`;

const BUILDS = ['nap-1', 'nap-2', 'nap-3', 'nap-4'];

/** The value of an unlabelled metric in a Prometheus text page (NaN when absent). */
const metric = (text: string, name: string): number =>
  Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? Number.NaN);

test('builds past --max-resident-scripts are hibernated while their jobs run and finish as if never freed', async () => {
  await cluster.apply(projectYaml('nap', SCRIPT));
  await projectReady(cluster, 'nap');
  for (const name of BUILDS)
    await cluster.objects.create('Event', {
      apiVersion: 'brigade.sh/v1alpha1',
      kind: 'Event',
      metadata: { name, namespace: cluster.namespace },
      spec: { project: 'nap', type: 'exec' },
    } as never);

  for (const name of BUILDS) {
    const build = await buildEnded(cluster, name, 120_000);
    assert.equal(build.status?.phase, 'Succeeded', build.status?.message);
    assert.equal(build.status.workerAttempts, 1, 'a wake is not a restart');
    const tail = build.status.logTail ?? '';
    assert.equal(tail.match(/start /g)?.length, 1, tail);
    assert.match(tail, /got one two/);
    const jobs = [...(await jobsOf(cluster, name)).values()];
    assert.equal(jobs.length, 2, jobs.map((j) => j.spec.name).join(', '));
    for (const job of jobs) {
      const pods = await cluster.clients.core.listNamespacedPod({
        namespace: cluster.namespace,
        labelSelector: `${LABELS.job}=${job.metadata.name ?? ''}`,
      });
      assert.equal(pods.items.length, 1, `${job.spec.name} ran one pod`);
    }
  }
  const metrics = await waitFor('the metrics to show hibernations and wakes', async () => {
    const text = await (await fetch(`http://127.0.0.1:${String(operator?.running.metricsPort)}/metrics`)).text();
    return metric(text, 'brigade_script_wakes_total') > 0 ? text : undefined;
  });
  assert.ok(metric(metrics, 'brigade_script_hibernations_total') >= 3, 'at least three builds were hibernated');
  assert.equal(metric(metrics, 'brigade_script_builds_hibernated'), 0, 'none is left hibernated');
});
