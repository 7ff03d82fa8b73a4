import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { runOperator, startCluster, waitFor } from './harness.ts';
import type { Cluster, OperatorHandle } from './harness.ts';
import { buildEnded, eventYaml, projectReady } from './manifests.ts';
import { startFaultProxy } from '../helpers/fault-proxy.ts';

let cluster: Cluster;
const operators: OperatorHandle[] = [];

before(async () => {
  cluster = await startCluster();
});

after(async () => {
  for (const o of operators) await o.stop();
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- unset when before() failed
  await cluster?.stop();
});

test('a script from a ConfigMap is loaded, and editing the ConfigMap re-inspects the project', async () => {
  const op = await runOperator(cluster, { metricsPort: 0 });
  operators.push(op);
  await cluster.apply(`
apiVersion: v1
kind: ConfigMap
metadata: { name: scripts }
data:
  brigade.js: |
    const { events } = require('brigadier');
    events.on('exec', () => {});
---
apiVersion: brigade.sh/v1alpha1
kind: Project
metadata: { name: from-cm }
spec:
  scriptFrom: { configMapKeyRef: { name: scripts, key: brigade.js } }
`);
  await projectReady(cluster, 'from-cm');
  assert.deepEqual((await cluster.objects.get('Project', cluster.namespace, 'from-cm'))?.status?.handlers, ['exec']);
  await cluster.kubectl(
    'patch',
    'configmap',
    'scripts',
    '--type=merge',
    '-p',
    JSON.stringify({
      data: {
        'brigade.js':
          "const { events } = require('brigadier');\nevents.on('push', () => {});\nevents.on('exec', () => {});\n",
      },
    }),
  );
  await waitFor('handlers updated', async () => {
    const p = await cluster.objects.get('Project', cluster.namespace, 'from-cm');
    return p?.status?.handlers?.includes('push') ? true : undefined;
  });
  const res = await fetch(`http://127.0.0.1:${op.running.metricsPort}/metrics`);
  const text = await res.text();
  assert.match(text, /brigade_reconcile_total\{controller="project",result="success"\} \d+/);
  assert.equal((await fetch(`http://127.0.0.1:${op.running.metricsPort}/readyz`)).status, 200);
  await op.stop();
  operators.pop();
});

test('maxConcurrentBuilds queues the second build until the first ends', async () => {
  const op = await runOperator(cluster);
  operators.push(op);
  await cluster.apply(`
apiVersion: brigade.sh/v1alpha1
kind: Project
metadata: { name: one-at-a-time }
spec:
  policy: { maxConcurrentBuilds: 1 }
  script: |
    const { events, Job } = require('brigadier');
    events.on('exec', async () => { await new Job('work', 'alpine:3.20', ['sleep 4']).run(); });
`);
  // The job lasts long enough that the queued state is seen even when creating the second build lags
  // (on the real ground, under load, a one-second job could end before the second build is reconciled).
  await projectReady(cluster, 'one-at-a-time');
  await cluster.apply(
    [eventYaml('queue-1', 'one-at-a-time', 'exec'), eventYaml('queue-2', 'one-at-a-time', 'exec')].join('\n---\n'),
  );
  const queued = await waitFor('one build queued', async () => {
    const builds = await cluster.objects.list('Build', cluster.namespace, {
      labelSelector: 'brigade.sh/project=one-at-a-time',
    });
    return builds.length === 2 &&
      builds.some((b) => b.status?.reason === 'Queued') &&
      builds.some((b) => b.status?.phase === 'Running')
      ? builds
      : undefined;
  });
  assert.equal(queued.filter((b) => b.status?.phase === 'Running').length, 1);
  const first = await buildEnded(cluster, 'queue-1');
  const second = await buildEnded(cluster, 'queue-2');
  assert.equal(first.status?.phase, 'Succeeded');
  assert.equal(second.status?.phase, 'Succeeded');
  const [a, b] = [first, second].sort((x, y) => (x.status?.startTime ?? '').localeCompare(y.status?.startTime ?? ''));
  assert.ok((a.status?.completionTime ?? '') <= (b.status?.startTime ?? ''), 'the builds did not overlap');
  await op.stop();
  operators.pop();
});

test('maxConcurrentBuilds holds when every API call is slow: of four builds applied at once, no two overlap', async () => {
  // Every request the operator makes waits 150 ms in the proxy, which widens the gap between admitting
  // a build and its session existing (the Running status write): two builds admitted in that gap both
  // saw a free slot.
  const upstream = await cluster.operatorKubeConfig();
  const slow = await startFaultProxy(upstream, { seed: 1, rates: { slow: 1 }, slowMs: 150 });
  const op = await runOperator(cluster, { kubeConfig: slow.kubeConfigThrough(upstream), metricsPort: 0 });
  operators.push(op);
  try {
    await cluster.apply(`
apiVersion: brigade.sh/v1alpha1
kind: Project
metadata: { name: slow-one-at-a-time }
spec:
  policy: { maxConcurrentBuilds: 1 }
  script: |
    const { events, Job } = require('brigadier');
    events.on('exec', async () => { await new Job('work', 'alpine:3.20', ['sleep 2']).run(); });
`);
    await projectReady(cluster, 'slow-one-at-a-time');
    // Applied last name first: a build whose older-named sibling is not in the cache yet takes the slot,
    // and that sibling, ordered first among the waiting builds, must still see the slot as taken.
    const names = ['slow-4', 'slow-3', 'slow-2', 'slow-1'];
    await cluster.apply(names.map((n) => eventYaml(n, 'slow-one-at-a-time', 'exec')).join('\n---\n'));
    const ended = [];
    for (const n of names) ended.push(await buildEnded(cluster, n, 120_000));
    assert.deepEqual(
      ended.map((b) => b.status?.phase),
      names.map(() => 'Succeeded'),
    );
    const byStart = ended.sort((x, y) => (x.status?.startTime ?? '').localeCompare(y.status?.startTime ?? ''));
    for (let i = 1; i < byStart.length; i++) {
      const [prev, next] = [byStart[i - 1]?.status, byStart[i]?.status];
      assert.ok(
        (prev?.completionTime ?? '') <= (next?.startTime ?? ''),
        `builds overlap: one ran ${prev?.startTime}..${prev?.completionTime}, the next started ${next?.startTime}`,
      );
    }
  } finally {
    await op.stop();
    operators.splice(operators.indexOf(op), 1);
    await slow.stop();
  }
});

test('with leader election only one of two operators acts, and the other takes over when it stops', async () => {
  // The Lease name is unique per test namespace: on the real ground every test file shares brigade-system.
  const lease = (): string => `brigade-test-${cluster.namespace}`;
  const le = (identity: string) => ({
    leaderElection: { namespace: cluster.operatorNamespace, name: lease(), identity },
  });
  const first = await runOperator(cluster, le('first'));
  operators.push(first);
  const holder = await cluster.kubectl(
    'get',
    'lease',
    '-n',
    cluster.operatorNamespace,
    lease(),
    '-o',
    'jsonpath={.spec.holderIdentity}',
  );
  assert.equal(holder, 'first');
  const secondStarting = runOperator(cluster, le('second'));
  let secondLeads = false;
  void secondStarting.then(() => (secondLeads = true));
  await cluster.kubectl('get', 'lease', '-n', cluster.operatorNamespace, lease());
  assert.equal(secondLeads, false, 'the second replica waits while the first holds the lease');
  await first.stop();
  operators.splice(operators.indexOf(first), 1);
  const second = await secondStarting;
  operators.push(second);
  assert.equal(
    await cluster.kubectl(
      'get',
      'lease',
      '-n',
      cluster.operatorNamespace,
      lease(),
      '-o',
      'jsonpath={.spec.holderIdentity}',
    ),
    'second',
  );
});

test('with policy.supersede a new build cancels the older running build of the same ref', async () => {
  const op = await runOperator(cluster);
  operators.push(op);
  await cluster.apply(`
apiVersion: brigade.sh/v1alpha1
kind: Project
metadata: { name: latest-wins }
spec:
  policy: { supersede: true }
  script: |
    const { events, Job } = require('brigadier');
    events.on('exec', async (e) => { await new Job('work', 'alpine:3.20', [e.payload === 'slow' ? 'sleep 30' : 'echo quick']).run(); });
`);
  await projectReady(cluster, 'latest-wins');
  await cluster.apply(eventYaml('sup-1', 'latest-wins', 'exec').replace('type: exec', 'type: exec\n  payload: slow'));
  await waitFor('first build running', async () =>
    (await cluster.objects.get('Build', cluster.namespace, 'sup-1'))?.status?.phase === 'Running' ? true : undefined,
  );
  await cluster.apply(eventYaml('sup-2', 'latest-wins', 'exec'));
  const first = await buildEnded(cluster, 'sup-1', 20_000);
  assert.equal(first.status?.phase, 'Cancelled');
  assert.equal(first.status.reason, 'Superseded');
  assert.match(first.status.message ?? '', /sup-2/);
  assert.equal((await buildEnded(cluster, 'sup-2')).status?.phase, 'Succeeded');
  await op.stop();
  operators.pop();
});
