// A crash-looping operator keeps making progress: restarted every couple of seconds, in process,
// its builds still finish, each job running once; and start-up work does not grow with the number
// of finished builds kept in the namespace.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { API_VERSION } from '../../src/api/constants.ts';
import type { Build } from '../../src/api/types.ts';
import { runOperator, startCluster, waitFor } from './harness.ts';
import type { Cluster, OperatorHandle } from './harness.ts';
import { eventYaml, jobsOf, projectReady, projectYaml } from './manifests.ts';

let cluster: Cluster | undefined;
let operator: OperatorHandle | undefined;

function ground(): Cluster {
  assert.ok(cluster, 'the test ground is up');
  return cluster;
}

before(async () => {
  cluster = await startCluster();
});

after(async () => {
  await operator?.stop();
  await cluster?.stop();
});

const BUILDS = 3;
const RESTART_EVERY_MS = 2000;

// Its own timeout: a few dozen operator starts take minutes on a busy 2-core machine.
test('builds finish while the operator is restarted every couple of seconds', { timeout: 300_000 }, async () => {
  const c = ground();
  operator = await runOperator(c);
  await c.apply(
    projectYaml(
      'looping',
      `const { events, Job } = require('brigadier');
events.on('exec', async () => {
  const stamp = Date.now();
  for (const step of ['one', 'two', 'three']) {
    await new Job(step + '-' + stamp, 'alpine:3.20', ['sleep 3', 'echo ' + step]).run();
  }
});`,
    ),
  );
  await projectReady(c, 'looping');
  for (let i = 1; i <= BUILDS; i++) await c.apply(eventYaml(`loop-${i}`, 'looping', 'exec'));

  const ended = async (): Promise<Build[]> => {
    const builds = await c.objects.list('Build', c.namespace, { labelSelector: 'brigade.sh/project=looping' });
    return builds.filter((b) => b.status?.phase && !['Pending', 'Running'].includes(b.status.phase));
  };
  let restarts = 0;
  // Each job takes at least 3 s, each build 9 s: at least two restarts (2 s apart, plus a start) fall
  // inside every build whatever the machine's speed, and without progress across restarts none ends.
  const deadline = Date.now() + 240_000;
  while ((await ended()).length < BUILDS) {
    assert.ok(Date.now() < deadline, `builds did not finish across ${restarts} restarts`);
    await new Promise((resolve) => setTimeout(resolve, RESTART_EVERY_MS));
    await operator.stop();
    operator = await runOperator(c);
    restarts++;
  }
  const builds = await ended();
  assert.ok(restarts >= 2, `the operator was restarted during the builds (${restarts} times)`);
  for (const build of builds) {
    assert.equal(build.status?.phase, 'Succeeded', JSON.stringify(build.status));
    const jobs = await jobsOf(c, build.metadata.name ?? '');
    assert.equal(jobs.size, 3, `one Job resource per job of ${build.metadata.name}: ${[...jobs.keys()].join(', ')}`);
    for (const job of jobs.values()) {
      const pods = await c.kubectl('get', 'pods', '-l', `brigade.sh/job=${job.metadata.name}`, '-o', 'name');
      assert.equal(pods.split('\n').filter(Boolean).length, 1, `job ${job.spec.name} ran exactly once`);
    }
  }
  assert.ok(
    builds.some((b) => (b.status?.workerAttempts ?? 0) > 1),
    'some build was replayed',
  );
});

async function reconcileCount(port: number, controller: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  let total = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('brigade_reconcile_total{') && line.includes(`controller="${controller}"`))
      total += Number(line.split(' ').at(-1));
    if (line.startsWith('brigade_workqueue_depth{') && line.includes(`controller="${controller}"`))
      total += Number(line.split(' ').at(-1));
  }
  return total;
}

test('finished builds are not processed at start-up', async () => {
  const c = ground();
  await operator?.stop();
  operator = undefined;
  const HISTORY = 150;
  for (let i = 0; i < HISTORY; i++) {
    const name = `history-${i}`;
    await c.objects.create('Build', {
      apiVersion: API_VERSION,
      kind: 'Build',
      metadata: { name, namespace: c.namespace, labels: { 'brigade.sh/project': 'looping' } },
      spec: { project: 'looping', event: name, type: 'exec', provider: 'test', script: '', scriptOrigin: 'project' },
    });
    const now = new Date().toISOString();
    await c.objects.patchStatus('Build', c.namespace, name, {
      phase: 'Succeeded',
      reason: 'Completed',
      message: 'the build succeeded',
      startTime: now,
      completionTime: now,
    });
  }
  operator = await runOperator(c, { metricsPort: 0 });
  const port = operator.running.metricsPort;
  assert.ok(port !== undefined);
  // Everything the initial list enqueued is in the queue (or done) once the operator has started.
  const work = await reconcileCount(port, 'build');
  assert.ok(work < 10, `the build controller had ${work} reconciles queued or done for ${HISTORY} finished builds`);
  await waitFor('the operator to stay healthy', async () =>
    (await fetch(`http://127.0.0.1:${port}/readyz`)).ok ? true : undefined,
  );
});
