// Build history end to end: retention by count and by TTL deletes finished builds with everything
// under them (counted on the server), deleting a Project cancels its running build with an Event and
// takes its builds along, and rerun reuses the jobs that succeeded (or runs them all with --all),
// from the CLI and from a Build applied with kubectl.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import type { CoreV1Event } from '@kubernetes/client-node';
import type { JobCR } from '../../src/api/types.ts';
import { commands } from '../../src/cli/commands/index.ts';
import type { CommandIO } from '../../src/cli/command.ts';
import { requestRerun } from '../../src/kube/index.ts';
import { runOperator, startCluster, waitFor } from './harness.ts';
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

/** What the server holds under one build, counted by label (and, for kept logs, by Job CR name). */
async function childrenOf(build: string, jobCrs: readonly string[]): Promise<Record<string, number>> {
  const ns = cluster.namespace;
  const selector = { namespace: ns, labelSelector: `brigade.sh/build=${build}` };
  const logs = await cluster.clients.core.listNamespacedConfigMap({
    namespace: ns,
    labelSelector: 'brigade.sh/component=job-log',
  });
  return {
    build: (await cluster.objects.get('Build', ns, build)) ? 1 : 0,
    jobCRs: (await cluster.objects.list('Job', ns, { labelSelector: `brigade.sh/build=${build}` })).length,
    batchJobs: (await cluster.clients.batch.listNamespacedJob(selector)).items.length,
    pods: (await cluster.clients.core.listNamespacedPod(selector)).items.length,
    logConfigMaps: logs.items.filter((cm) => jobCrs.includes(cm.metadata?.labels?.['brigade.sh/job'] ?? '')).length,
    pvcs: (await cluster.clients.core.listNamespacedPersistentVolumeClaim(selector)).items.length,
  };
}

async function runEvent(name: string, project: string, type = 'exec'): Promise<string> {
  await cluster.apply(eventYaml(name, project, type));
  const build = await buildEnded(cluster, name, 120_000);
  return build.metadata.name ?? '';
}

async function coreEvents(objectName: string): Promise<CoreV1Event[]> {
  const list = await cluster.clients.core.listNamespacedEvent({
    namespace: cluster.namespace,
    fieldSelector: `involvedObject.name=${objectName}`,
  });
  return list.items;
}

async function metric(name: string, labels: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${operator.running.metricsPort}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}}`));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

test('history limit: the newest succeeded build is kept, the older ones go with their jobs, pods, logs, storage and Events', async () => {
  await cluster.apply(
    projectYaml(
      'keep-one',
      `const { events, Job } = require('brigadier');
events.on('exec', async () => {
  // Longer than the status tail, so its kept log is in a ConfigMap that must go with the build.
  const j = new Job('work', 'alpine:3.20', ['echo worked', 'seq 1 5000']);
  j.storage.enabled = true;
  await j.run();
});`,
      'storage: { enabled: true }\nhistory: { succeeded: { limit: 1 } }',
    ),
  );
  await projectReady(cluster, 'keep-one');
  const builds: string[] = [];
  const jobCrs = new Map<string, string[]>();
  for (const n of ['keep-1', 'keep-2', 'keep-3']) {
    const b = await runEvent(n, 'keep-one');
    assert.equal((await cluster.objects.get('Build', cluster.namespace, b))?.status?.phase, 'Succeeded');
    builds.push(b);
    jobCrs.set(
      b,
      [...(await jobsOf(cluster, b)).values()].map((j) => j.metadata.name ?? ''),
    );
    const counted = await childrenOf(b, jobCrs.get(b) ?? []);
    // Before it is collected, the build has one of each (its pod may already be gone by the TTL).
    assert.equal(counted.jobCRs, 1, `${b}: ${JSON.stringify(counted)}`);
    assert.equal(counted.logConfigMaps, 1, `${b}: ${JSON.stringify(counted)}`);
    assert.equal(counted.pvcs, 1, `${b}: ${JSON.stringify(counted)}`);
  }
  const [first, second, third] = builds as [string, string, string];
  for (const gone of [first, second]) {
    const zero = { build: 0, jobCRs: 0, batchJobs: 0, pods: 0, logConfigMaps: 0, pvcs: 0 };
    await waitFor(
      `build ${gone} and its children collected`,
      async () => {
        const counted = await childrenOf(gone, jobCrs.get(gone) ?? []);
        if (JSON.stringify(counted) !== JSON.stringify(zero)) throw new Error(`left: ${JSON.stringify(counted)}`);
        return true;
      },
      60_000,
    );
    assert.equal(await cluster.objects.get('Event', cluster.namespace, gone), undefined, `Event ${gone} deleted`);
  }
  const kept = await childrenOf(third, jobCrs.get(third) ?? []);
  assert.deepEqual([kept.build, kept.jobCRs, kept.logConfigMaps, kept.pvcs], [1, 1, 1, 1]);
  assert.ok(await cluster.objects.get('Event', cluster.namespace, 'keep-3'));
  assert.equal(await metric('brigade_history_collected_total', 'kind="Build",reason="Limit"'), 2);
  assert.equal(await metric('brigade_history_collected_total', 'kind="Event",reason="Limit"'), 2);
  assert.equal(await metric('brigade_history_collected_total', 'kind="Job",reason="Limit"'), 2);
  const project = await coreEvents('keep-one');
  assert.ok(project.some((e) => e.reason === 'BuildsCollected'));
});

test('history TTL: a failed build goes once its TTL has passed; succeeded builds, with no bound, stay', async () => {
  await cluster.apply(
    projectYaml(
      'ttl',
      `const { events, Job } = require('brigadier');
events.on('exec', () => new Job('ok', 'alpine:3.20', ['true']).run());
events.on('fail', () => new Job('bad', 'alpine:3.20', ['exit 3']).run());`,
      'history: { failed: { ttlSeconds: 3 } }',
    ),
  );
  await projectReady(cluster, 'ttl');
  const ok = await runEvent('ttl-ok', 'ttl');
  await cluster.apply(eventYaml('ttl-bad', 'ttl', 'fail'));
  // As seen when it ended (a re-read may come after its 3 s are up).
  const failed = await buildEnded(cluster, 'ttl-bad', 120_000);
  assert.equal(failed.status?.phase, 'Failed');
  const bad = failed.metadata.name ?? '';
  await waitFor('the failed build collected by its TTL', async () =>
    (await cluster.objects.get('Build', cluster.namespace, bad)) ? undefined : true,
  );
  assert.equal(await cluster.objects.get('Event', cluster.namespace, 'ttl-bad'), undefined);
  assert.ok(await cluster.objects.get('Build', cluster.namespace, ok), 'the succeeded build is kept');
  assert.equal(await metric('brigade_history_collected_total', 'kind="Build",reason="TTL"'), 1);
});

test('deleting a Project cancels its running build with an Event, stops its pod, and takes its builds and Events along', async () => {
  await cluster.apply(
    projectYaml(
      'doomed',
      `const { events, Job } = require('brigadier');
events.on('exec', () => new Job('long', 'alpine:3.20', ['sleep 60']).run());`,
    ),
  );
  await projectReady(cluster, 'doomed');
  // The finalizer is added in the pass that makes the Project Ready, right after its status.
  await waitFor('the Project finalizer', async () => {
    const p = await cluster.objects.get('Project', cluster.namespace, 'doomed');
    return p?.metadata.finalizers?.includes('brigade.sh/cancel-builds') ? true : undefined;
  });
  await cluster.apply(eventYaml('doomed-1', 'doomed', 'exec'));
  const jobs = await waitFor('the job running', async () => {
    const found = await jobsOf(cluster, 'doomed-1');
    return found.get('long')?.status?.phase === 'Running' ? found : undefined;
  });
  const jobCr = jobs.get('long')?.metadata.name ?? '';
  const event = await cluster.objects.get('Event', cluster.namespace, 'doomed-1');
  assert.ok(event?.metadata.ownerReferences?.some((r) => r.kind === 'Project' && r.name === 'doomed'));
  await cluster.kubectl('delete', 'projects.brigade.sh', 'doomed', '--wait=false');
  const cancelled = await waitFor('the ProjectDeleted Event on the build', async () => {
    const found = await coreEvents('doomed-1');
    return found.find((e) => e.reason === 'ProjectDeleted') ? found : undefined;
  });
  const ended = cancelled.find((e) => e.reason === 'BuildCancelled');
  assert.match(ended?.message ?? '', /ProjectDeleted: project doomed is being deleted/);
  assert.ok((await coreEvents(jobCr)).some((e) => e.reason === 'JobCancelled'));
  await waitFor(
    'the project, its event, build, jobs and pods gone',
    async () => {
      const counted = await childrenOf('doomed-1', [jobCr]);
      const left =
        (await cluster.objects.get('Project', cluster.namespace, 'doomed')) ??
        (await cluster.objects.get('Event', cluster.namespace, 'doomed-1'));
      return !left && counted.build + counted.jobCRs + counted.batchJobs + counted.pods + counted.logConfigMaps === 0
        ? true
        : undefined;
    },
    60_000,
  );
});

test('deleting a running Build stops it: its Job resources, batch Jobs, pods and kept logs go, its Event stays', async () => {
  await cluster.apply(
    projectYaml(
      'drop-build',
      `const { events, Job } = require('brigadier');
events.on('exec', async () => {
  // Longer than the status tail, so its kept log is in a ConfigMap that must go with the build.
  await new Job('quick', 'alpine:3.20', ['echo quick', 'seq 1 5000']).run();
  await new Job('long', 'alpine:3.20', ['sleep 60']).run();
});`,
    ),
  );
  await projectReady(cluster, 'drop-build');
  await cluster.apply(eventYaml('drop-1', 'drop-build', 'exec'));
  const jobs = await waitFor('the long job running', async () => {
    const found = await jobsOf(cluster, 'drop-1');
    return found.get('long')?.status?.phase === 'Running' ? found : undefined;
  });
  const crs = [...jobs.values()].map((j) => j.metadata.name ?? '');
  const before = await childrenOf('drop-1', crs);
  assert.deepEqual([before.jobCRs, before.logConfigMaps], [2, 1], JSON.stringify(before));
  await cluster.kubectl('delete', 'builds.brigade.sh', 'drop-1', '--wait=false');
  const zero = { build: 0, jobCRs: 0, batchJobs: 0, pods: 0, logConfigMaps: 0, pvcs: 0 };
  await waitFor(
    'the build and everything under it gone',
    async () => {
      const counted = await childrenOf('drop-1', crs);
      if (JSON.stringify(counted) !== JSON.stringify(zero)) throw new Error(`left: ${JSON.stringify(counted)}`);
      return true;
    },
    60_000,
  );
  assert.ok(await cluster.objects.get('Event', cluster.namespace, 'drop-1'), 'deleting a Build leaves its Event');
});

const RERUN_SCRIPT = `const { events, Job } = require('brigadier');
events.on('exec', async () => {
  const first = await new Job('first', 'alpine:3.20', ['echo first-ran']).run();
  console.log('first said ' + first.toString().trim());
  await new Job('second', 'alpine:3.20', ['echo second-ran', 'exit 4']).run();
});`;

async function cli(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const [name = '', ...rest] = argv;
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: string[] = [];
  const err: string[] = [];
  stdout.on('data', (c: Buffer) => out.push(c.toString()));
  stderr.on('data', (c: Buffer) => err.push(c.toString()));
  const io: CommandIO = { stdout, stderr, stdin: PassThrough.from(['']), env: { KUBECONFIG: cluster.kubeconfig } };
  const command = commands[name];
  assert.ok(command, `command ${name}`);
  const code = await command.run([...rest, '-n', cluster.namespace], io);
  return { code, stdout: out.join(''), stderr: err.join('') };
}

async function podsOf(build: string): Promise<string[]> {
  const pods = await cluster.clients.core.listNamespacedPod({
    namespace: cluster.namespace,
    labelSelector: `brigade.sh/build=${build}`,
  });
  return pods.items.map((p) => p.metadata?.annotations?.['brigade.sh/job-name'] ?? '').sort();
}

/** In the rerun: job first reused from the original (no pod, no batch Job), job second run again. */
async function assertFirstReusedSecondRan(rerunName: string, original: string): Promise<JobCR> {
  const jobs = await jobsOf(cluster, rerunName);
  const first = jobs.get('first');
  const second = jobs.get('second');
  assert.ok(first?.status && second?.status);
  assert.equal(first.status.phase, 'Succeeded');
  assert.equal(first.status.reason, 'Reused');
  assert.equal(first.spec.reusedFrom?.build, original);
  assert.ok(first.status.conditions?.some((c) => c.type === 'Reused' && c.status === 'True'));
  assert.equal(second.status.phase, 'Failed');
  assert.equal(second.spec.reusedFrom, undefined);
  // Only the failed job ran again: one pod and one batch Job in the rerun, none for the reused job.
  assert.deepEqual(await podsOf(rerunName), ['second']);
  const batch = await cluster.clients.batch.listNamespacedJob({
    namespace: cluster.namespace,
    labelSelector: `brigade.sh/build=${rerunName}`,
  });
  assert.equal(batch.items.length, 1);
  return first;
}

test('rerun of a failed build reuses the job that succeeded (no pod) and runs the failed one', async () => {
  await cluster.apply(projectYaml('again', RERUN_SCRIPT));
  await projectReady(cluster, 'again');
  const original = await runEvent('again-1', 'again');
  assert.equal((await cluster.objects.get('Build', cluster.namespace, original))?.status?.phase, 'Failed');
  assert.deepEqual(await podsOf(original), ['first', 'second']);

  const ran = await cli(['rerun', original]);
  assert.equal(ran.code, 1, ran.stderr);
  const rerunName = /build (\S+) created: rerun of/.exec(ran.stderr)?.[1] ?? '';
  assert.ok(rerunName, ran.stderr);
  const rerun = await buildEnded(cluster, rerunName);
  assert.equal(rerun.status?.phase, 'Failed');
  assert.equal(rerun.spec.event, 'again-1');
  assert.equal(rerun.spec.script, (await cluster.objects.get('Build', cluster.namespace, original))?.spec.script);
  assert.ok(rerun.metadata.ownerReferences?.some((r) => r.kind === 'Event' && r.name === 'again-1'));
  const first = await assertFirstReusedSecondRan(rerunName, original);
  // The script got the recorded result: the reused job's kept log.
  assert.match(rerun.status.logTail ?? '', /first said first-ran/);
  assert.match(ran.stdout, /first-ran/);
  assert.ok((await coreEvents(first.metadata.name ?? '')).some((e) => e.reason === 'JobReused'));
});

test('rerun --all runs every job again, the one that succeeded too; a missing build cannot be rerun', async () => {
  const original = 'again-1';
  const all = await cli(['rerun', original, '--all', '--no-follow']);
  assert.equal(all.code, 0, all.stderr);
  const allName = all.stdout.trim();
  assert.equal((await buildEnded(cluster, allName)).status?.phase, 'Failed');
  const allJobs = await jobsOf(cluster, allName);
  assert.equal(allJobs.get('first')?.spec.reusedFrom, undefined);
  assert.equal(allJobs.get('first')?.status?.phase, 'Succeeded');
  assert.notEqual(allJobs.get('first')?.status?.reason, 'Reused');
  assert.deepEqual(await podsOf(allName), ['first', 'second']);

  // A build that does not exist cannot be rerun; nothing is created.
  const missing = await cli(['rerun', 'no-such-build']);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /cannot rerun: build no-such-build does not exist/);
});

test('a rerun asked for with kubectl (a Build with spec.rerunOf) reuses the succeeded job; a bad one is refused with a reason', async () => {
  await cluster.apply(projectYaml('gitops', RERUN_SCRIPT));
  await projectReady(cluster, 'gitops');
  const original = await runEvent('gitops-1', 'gitops');
  await cluster.apply(`
apiVersion: brigade.sh/v1alpha1
kind: Build
metadata: { name: gitops-1-again }
spec:
  project: gitops
  rerunOf: { build: ${original} }
`);
  const rerun = await buildEnded(cluster, 'gitops-1-again');
  assert.equal(rerun.status?.phase, 'Failed');
  await assertFirstReusedSecondRan('gitops-1-again', original);
  assert.ok((await coreEvents('gitops-1-again')).some((e) => e.reason === 'RerunOf'));

  await cluster.apply(`
apiVersion: brigade.sh/v1alpha1
kind: Build
metadata: { name: gitops-other }
spec:
  project: again
  rerunOf: { build: ${original} }
`);
  const refused = await buildEnded(cluster, 'gitops-other');
  assert.deepEqual([refused.status?.phase, refused.status?.reason], ['Failed', 'RerunOfOtherProject']);
  // The exported function refuses a build that does not exist before creating anything.
  await assert.rejects(
    requestRerun(cluster.objects, cluster.namespace, 'gitops-other-nope'),
    /build gitops-other-nope does not exist/,
  );
});
