// Brigade 1.5 scripts run unchanged: what the operator creates for the patterns public brigade.js
// files use, and what those scripts see. Runs on both grounds; where they differ (the simulator
// pulls no image, so it cannot run an image's own entrypoint) the test says which is which.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { V1Job } from '@kubernetes/client-node';
import { runOperator, startCluster, waitFor } from './harness.ts';
import type { Cluster, OperatorHandle } from './harness.ts';
import { buildEnded, eventYaml, jobsOf, projectReady, projectYaml } from './manifests.ts';

let cluster: Cluster;
let operator: OperatorHandle;

const SCRIPT = `const { events, Job } = require('brigadier');
events.on('check_suite', async () => {
  // The notification pattern: no tasks, the image's own entrypoint (here its CMD) does the work.
  const notify = new Job('notify', 'technosophos/slack-notify:latest');
  notify.env = { SLACK_WEBHOOK: 'https://hooks.example.com/x', SLACK_MESSAGE: 'build started' };
  await notify.run();
});
events.on('names', async () => {
  await Promise.all([new Job('1-build', 'alpine:3.20', ['echo one']).run(), new Job('build.v1', 'alpine:3.20', ['echo dotted']).run()]);
});
events.on('downward', async () => {
  const j = new Job('downward', 'alpine:3.20', ['echo "pod=$POD node=$NODE"']);
  j.env = { POD: { fieldRef: { fieldPath: 'metadata.name' } }, NODE: { fieldRef: { fieldPath: 'spec.nodeName' } } };
  await j.run();
});
events.on('live-logs', async () => {
  const j = new Job('live', 'alpine:3.20', ['echo started', 'sleep 2', 'echo finished']);
  const done = j.run();
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  let seen = '';
  for (let i = 0; i < 200 && !seen.includes('started'); i++) { await sleep(50); seen = await j.logs(); }
  console.log('live: ' + seen.trim());
  await done;
  console.log('after: ' + (await j.logs()).trim().split('\\n').join(','));
});
events.on('other-shell', async () => {
  // Brigade 1 ran tasks with any job.shell and added set -e only for /bin/sh and /bin/bash.
  const j = new Job('dash', 'debian:bookworm-slim', ['false', 'echo "dash went on after a failing task"']);
  j.shell = '/bin/dash';
  const result = await j.run();
  console.log('dash said: ' + result.toString().trim());
});
events.on('entrypoint-args', async () => {
  // alpine has no entrypoint, so the args replace its CMD, as docker run alpine echo ... would.
  const j = new Job('with-args', 'alpine:3.20');
  j.args = ['echo', 'entrypoint args'];
  await j.run();
});`;

before(async () => {
  cluster = await startCluster();
  operator = await runOperator(cluster);
  await cluster.apply(projectYaml('compat', SCRIPT));
  await cluster.apply(projectYaml('compat-lenient', SCRIPT, 'policy: { unhandledEvents: Succeed }'));
  await projectReady(cluster, 'compat');
  await projectReady(cluster, 'compat-lenient');
});

after(async () => {
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- unset when before() failed
  await operator?.stop();
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- unset when before() failed
  await cluster?.stop();
});

async function batchJobOf(jobCrName: string): Promise<V1Job> {
  return cluster.clients.batch.readNamespacedJob({ namespace: cluster.namespace, name: jobCrName });
}

test('a job without tasks runs its image entrypoint (command unset); the simulator fails it saying it cannot know it', async () => {
  await cluster.apply(eventYaml('check-1', 'compat', 'check_suite'));
  const build = await buildEnded(cluster, 'check-1');
  const job = (await jobsOf(cluster, 'check-1')).get('notify');
  const container = (await batchJobOf(job?.metadata.name ?? '')).spec?.template.spec?.containers[0];
  assert.equal(container?.image, 'technosophos/slack-notify:latest');
  assert.equal(container.command, undefined);
  assert.equal(container.args, undefined);
  if (cluster.ground === 'sim') {
    assert.equal(build.status?.phase, 'Failed');
    assert.equal(job?.status?.phase, 'Failed');
    assert.match(job.status.message ?? '', /cannot know their entrypoint/);
  } else {
    assert.equal(build.status?.phase, 'Succeeded', JSON.stringify(build.status));
    assert.match(job?.status?.logTail ?? '', /message: {2}build started/);
  }
});

test('an args-only job passes its args to the image entrypoint instead of running them through a shell', async () => {
  await cluster.apply(eventYaml('args-1', 'compat', 'entrypoint-args'));
  const build = await buildEnded(cluster, 'args-1');
  const job = (await jobsOf(cluster, 'args-1')).get('with-args');
  const container = (await batchJobOf(job?.metadata.name ?? '')).spec?.template.spec?.containers[0];
  assert.equal(container?.command, undefined);
  assert.deepEqual(container?.args, ['echo', 'entrypoint args']);
  if (cluster.ground === 'cluster') {
    assert.equal(build.status?.phase, 'Succeeded', JSON.stringify(build.status));
    assert.match(job?.status?.logTail ?? '', /entrypoint args/);
  }
});

test('job names with a leading digit or a dot run, under derived Kubernetes names, and keep their brigadier names', async () => {
  await cluster.apply(eventYaml('names-1', 'compat', 'names'));
  const build = await buildEnded(cluster, 'names-1');
  assert.equal(build.status?.phase, 'Succeeded', JSON.stringify(build.status));
  assert.deepEqual(build.status.jobs?.map((j) => j.name).sort(), ['1-build', 'build.v1']);
  const jobs = await jobsOf(cluster, 'names-1');
  assert.match(jobs.get('build.v1')?.status?.logTail ?? '', /dotted/);
  const batch = await batchJobOf(jobs.get('build.v1')?.metadata.name ?? '');
  assert.equal(batch.spec?.template.metadata?.annotations?.['brigade.sh/job-name'], 'build.v1');
});

test('fieldRef env values reach the job container (downward API)', async () => {
  await cluster.apply(eventYaml('downward-1', 'compat', 'downward'));
  const build = await buildEnded(cluster, 'downward-1');
  assert.equal(build.status?.phase, 'Succeeded', JSON.stringify(build.status));
  const job = (await jobsOf(cluster, 'downward-1')).get('downward');
  assert.match(
    job?.status?.logTail ?? '',
    new RegExp(`pod=${job?.status?.podName ?? 'missing'} node=${job?.status?.nodeName ?? 'missing'}`),
  );
});

test('job.logs() reads a running job log through the operator, and the kept log once it ended', async () => {
  await cluster.apply(eventYaml('live-1', 'compat', 'live-logs'));
  const build = await buildEnded(cluster, 'live-1');
  assert.equal(build.status?.phase, 'Succeeded', JSON.stringify(build.status));
  assert.match(build.status.logTail ?? '', /live: started\n/);
  assert.match(build.status.logTail ?? '', /after: started,finished/);
});

test('a Project whose script source is a ConfigMap directory: brigade.js requires the files beside it', async () => {
  await cluster.apply(`
apiVersion: v1
kind: ConfigMap
metadata: { name: compat-scripts }
data:
  brigade.js: |
    const { events } = require('brigadier');
    const { notify } = require('./lib');
    events.on('exec', async () => { await notify(require('./settings.json').channel); });
  lib.js: |
    const { Job } = require('brigadier');
    exports.notify = (channel) => new Job('notify', 'alpine:3.20', ['echo "to $CHANNEL"']).run().then(() => { const j = new Job('x', 'alpine:3.20', ['true']); j.env = { CHANNEL: channel }; return j.run(); });
  settings.json: |
    { "channel": "#ci" }
---
apiVersion: brigade.sh/v1alpha1
kind: Project
metadata: { name: compat-dir }
spec:
  scriptFrom:
    configMap: { name: compat-scripts }
`);
  await projectReady(cluster, 'compat-dir');
  const before = (await cluster.objects.get('Project', cluster.namespace, 'compat-dir'))?.status?.scriptSHA256;
  await cluster.apply(eventYaml('dir-1', 'compat-dir', 'exec'));
  const build = await buildEnded(cluster, 'dir-1');
  assert.equal(build.status?.phase, 'Succeeded', JSON.stringify(build.status));
  assert.deepEqual(Object.keys(build.spec.files ?? {}).sort(), ['lib.js', 'settings.json']);
  const jobs = await jobsOf(cluster, 'dir-1');
  assert.deepEqual([...jobs.keys()].sort(), ['notify', 'x']);
  assert.deepEqual(jobs.get('x')?.spec.env, [{ name: 'CHANNEL', value: '#ci' }]);
  // Editing a file beside the script re-inspects the project, as editing brigade.js does.
  await cluster.kubectl(
    'patch',
    'configmap',
    'compat-scripts',
    '--type=merge',
    '-p',
    JSON.stringify({ data: { 'lib.js': 'exports.notify = () => {}; oops(' } }),
  );
  const broken = await waitFor('the project to see the broken file', async () => {
    const p = await cluster.objects.get('Project', cluster.namespace, 'compat-dir');
    return p?.status?.scriptSHA256 !== before &&
      p?.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'False'
      ? p
      : undefined;
  });
  const ready = broken.status?.conditions?.find((c) => c.type === 'Ready');
  assert.equal(ready?.reason, 'ScriptSyntaxError');
  assert.match(ready.message ?? '', /SyntaxError: .*\(lib\.js:\d+:\d+\)/);
});

test('a job may name another shell: it runs the tasks with -c and without the set -e prelude, as in Brigade 1', async () => {
  await cluster.apply(eventYaml('compat-shell', 'compat', 'other-shell'));
  const build = await buildEnded(cluster, 'compat-shell', 120_000);
  assert.equal(build.status?.phase, 'Succeeded', JSON.stringify(build.status));
  assert.match(build.status.logTail ?? '', /dash said: dash went on after a failing task/);
  const jobCr = (await jobsOf(cluster, 'compat-shell')).get('dash');
  assert.equal(jobCr?.spec.shell, '/bin/dash');
  const child = await batchJobOf(jobCr.metadata.name ?? '');
  assert.deepEqual(child.spec?.template.spec?.containers[0].command, [
    '/bin/dash',
    '-c',
    'false\necho "dash went on after a failing task"',
    'dash',
  ]);
});

test('an unhandled event is rejected by default; with policy.unhandledEvents: Succeed it gets a build that succeeds, as in Brigade 1', async () => {
  await cluster.apply(eventYaml('compat-unhandled', 'compat', 'no-such-type'));
  await cluster.apply(eventYaml('compat-unhandled-ok', 'compat-lenient', 'no-such-type'));
  const rejected = await waitFor('event compat-unhandled decided', async () => {
    const e = await cluster.objects.get('Event', cluster.namespace, 'compat-unhandled');
    return e?.status?.phase === 'Rejected' || e?.status?.phase === 'Accepted' ? e : undefined;
  });
  assert.equal(rejected.status?.phase, 'Rejected');
  assert.equal(rejected.status.reason, 'NoHandler');
  assert.match(rejected.status.message ?? '', /spec\.policy\.unhandledEvents: Succeed/);
  const build = await buildEnded(cluster, 'compat-unhandled-ok');
  assert.equal(build.status?.phase, 'Succeeded', JSON.stringify(build.status));
  assert.equal(build.status.reason, 'NoHandler');
  assert.deepEqual(build.status.jobs ?? [], []);
});
