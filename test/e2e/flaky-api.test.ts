// Builds survive a flaky API server. The operator talks to the ground through a fault-injecting proxy
// (test/helpers/fault-proxy.ts: 500s before and after the request was applied, connection resets
// before and after, 429s with Retry-After, slow replies, watches cut every few seconds), while the
// test reads the ground directly. Every build must succeed, every job must run exactly once (pods
// counted on the server, outside the operator), and every kept log must be exactly what the job
// printed, also as the script saw it through Result.toString().
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readKeptJobLog } from '../../src/controller/shared/kept-log.ts';
import { jobCrName } from '../../src/api/names.ts';
import { LABELS } from '../../src/api/constants.ts';
import { startFaultProxy } from '../helpers/fault-proxy.ts';
import type { FaultPlan, FaultProxy } from '../helpers/fault-proxy.ts';
import { runOperator, startCluster, waitFor } from './harness.ts';
import type { Cluster, OperatorHandle } from './harness.ts';
import type { Build } from '../../src/api/types.ts';
import { buildEnded, projectReady, projectYaml } from './manifests.ts';

let cluster: Cluster;
let proxy: FaultProxy | undefined;
let operator: OperatorHandle | undefined;

before(async () => {
  cluster = await startCluster();
});

after(async () => {
  await operator?.stop();
  await proxy?.stop();
  await cluster.stop();
});

const PARALLEL_JOBS = ['a', 'b', 'c'];

/** What job `job` of build `build` prints; the script and the test both expect exactly this. */
const expectedLog = (build: string, job: string): string => `out ${build} ${job}\nsum 42\n`;

const SCRIPT = `const { events, Job, Group } = require('brigadier');
const expected = (build, job) => 'out ' + build + ' ' + job + '\\nsum 42\\n';
const job = (build, name) => new Job(name, 'alpine:3.20', ['echo "out ' + build + ' ' + name + '"', 'echo "sum $((40 + 2))"']);
const check = (build, name, result) => {
  if (result.toString() !== expected(build, name))
    throw new Error('job ' + name + ' gave ' + JSON.stringify(result.toString()));
};
events.on('exec', async (e) => {
  const names = ${JSON.stringify(PARALLEL_JOBS)};
  const results = await Group.runAll(names.map((n) => job(e.buildID, n)));
  results.forEach((r, i) => check(e.buildID, names[i], r));
  check(e.buildID, 'last', await job(e.buildID, 'last').run());
});`;

/** ~10% of the operator's API requests fail, as in the report; every watch is cut within seconds. */
const FLAKY = {
  seed: 8,
  rates: {
    'error-before': 0.02,
    'error-after': 0.02,
    'reset-before': 0.01,
    'reset-after': 0.01,
    'too-many': 0.02,
    slow: 0.02,
  },
  retryAfterSeconds: 1,
  slowMs: 300,
  cutWatchesAfterMs: [2_000, 8_000] as [number, number],
};

async function runBuilds(names: string[]): Promise<Build[]> {
  await Promise.all(
    names.map((name) =>
      cluster.objects.create('Event', {
        apiVersion: 'brigade.sh/v1alpha1',
        kind: 'Event',
        metadata: { name, namespace: cluster.namespace },
        spec: { project: 'flaky', type: 'exec' },
      } as never),
    ),
  );
  return waitFor(
    `${names.length} builds to end`,
    async () => {
      const all = await cluster.objects.list('Build', cluster.namespace);
      const done = all.filter((b) => b.status?.phase && !['Pending', 'Running'].includes(b.status.phase));
      return done.length === names.length ? done : undefined;
    },
    names.length * 20_000,
  );
}

/** Job CRs of these builds that did not have exactly one pod, counted on the server. */
async function jobsNotRunOnce(jobCrs: string[]): Promise<string[]> {
  const pods = await cluster.clients.core.listNamespacedPod({ namespace: cluster.namespace });
  const podsPerJob = new Map<string, number>();
  for (const pod of pods.items) {
    const job = pod.metadata?.labels?.[LABELS.job];
    if (job) podsPerJob.set(job, (podsPerJob.get(job) ?? 0) + 1);
  }
  return jobCrs.filter((cr) => podsPerJob.get(cr) !== 1).map((cr) => `${cr}: ${podsPerJob.get(cr) ?? 0} pods`);
}

/** What is wrong with the kept log of a job: the kept log read back, its status tail, its LogKept condition. */
async function logProblems(cr: string, want: string): Promise<string[]> {
  const job = await cluster.objects.get('Job', cluster.namespace, cr);
  const status = job?.status;
  const kept = job ? await readKeptJobLog({ core: cluster.clients.core }, job) : undefined;
  const problems: string[] = [];
  if (kept?.text !== want) problems.push(`${cr} kept ${JSON.stringify(kept)}`);
  if (status?.logTail !== want) problems.push(`${cr} status ${JSON.stringify(status)}`);
  if (!status?.conditions?.some((c) => c.type === 'LogKept' && c.status === 'True'))
    problems.push(`${cr}: no LogKept=True condition`);
  return problems;
}

/**
 * Runs `fn` with the only operator talking to the cluster through a fault proxy of `plan` (the
 * shared one, of an earlier test, would act on these objects too); both are stopped after.
 */
async function withOperatorThrough(plan: FaultPlan, fn: (faults: FaultProxy) => Promise<void>): Promise<void> {
  await operator?.stop();
  operator = undefined;
  const upstream = await cluster.operatorKubeConfig();
  const faults = await startFaultProxy(upstream, plan);
  const op = await runOperator(cluster, { kubeConfig: faults.kubeConfigThrough(upstream), metricsPort: 0 });
  try {
    await fn(faults);
  } finally {
    await op.stop();
    await faults.stop();
  }
}

/** A project whose exec handler runs one job (`run`, the handler's body), and an Event for it. */
async function oneJobBuild(project: string, run: string, event: string): Promise<void> {
  await cluster.apply(
    projectYaml(project, `const { events, Job } = require('brigadier');\nevents.on('exec', async () => { ${run} });`),
  );
  await projectReady(cluster, project);
  await cluster.objects.create('Event', {
    apiVersion: 'brigade.sh/v1alpha1',
    kind: 'Event',
    metadata: { name: event, namespace: cluster.namespace },
    spec: { project, type: 'exec' },
  } as never);
}

test('with ~10% of API calls failing and watches cut, every build succeeds, every job runs once, no log is lost', async () => {
  // Sized to stay well inside the suite's per-test timeout on a loaded 2-core machine.
  const builds = cluster.ground === 'sim' ? 25 : 5;
  const upstream = await cluster.operatorKubeConfig();
  const faults = await startFaultProxy(upstream, FLAKY);
  proxy = faults;
  const running = await runOperator(cluster, { kubeConfig: faults.kubeConfigThrough(upstream), metricsPort: 0 });
  operator = running;
  await cluster.apply(projectYaml('flaky', SCRIPT));
  await projectReady(cluster, 'flaky');
  const names = Array.from({ length: builds }, (_, i) => `flaky-${i + 1}`);
  const ended = await runBuilds(names);
  assert.deepEqual(
    ended
      .filter((b) => b.status?.phase !== 'Succeeded')
      .map((b) => `${b.metadata.name ?? ''}: ${b.status?.phase ?? ''} ${b.status?.message ?? ''}`),
    [],
    'every build succeeded',
  );
  const jobNames = [...PARALLEL_JOBS, 'last'];
  const jobs = names.flatMap((build) => jobNames.map((job) => ({ build, job, cr: jobCrName(build, job) })));
  assert.deepEqual(await jobsNotRunOnce(jobs.map((j) => j.cr)), [], 'every job ran exactly once');
  const wrongLogs = (await Promise.all(jobs.map((j) => logProblems(j.cr, expectedLog(j.build, j.job))))).flat();
  assert.deepEqual(wrongLogs, [], 'every kept log is the job output');

  // The faults really happened, writes whose reply was lost included, and cut watches were resumed
  // from their resourceVersion rather than by listing again.
  const { injected, watchesCut, lostWriteReplies } = faults.stats;
  for (const [fault, count] of Object.entries(injected)) assert.ok(count > 0, `fault ${fault} was injected`);
  assert.ok(lostWriteReplies > 0, 'some writes were applied with their reply lost');
  assert.ok(watchesCut > 0, 'some watches were cut');
  const metrics = await (await fetch(`http://127.0.0.1:${String(running.running.metricsPort)}/metrics`)).text();
  assert.doesNotMatch(metrics, /^brigade_informer_relists_total\{[^}]*\} [1-9]/m, 'no informer listed again');
  assert.match(metrics, /^brigade_api_retries_total\{[^}]*reason="HTTP 429"\} [1-9]/m, '429s were retried');
  process.stderr.write(
    `flaky API: ${String(builds)} builds, ${String(jobs.length)} jobs; proxy ${JSON.stringify(faults.stats)}\n`,
  );
});

test('with the reply of every Build and Job status write lost, each state change is told once in kubectl describe', async () => {
  // Each status write is applied by the server and its reply replaced by a 500: the operator cannot
  // tell that its write landed, and must learn it from what the cluster shows, not run the script a
  // second time (no BuildReplayed) nor forget to say the build and the job ended.
  const lossy: FaultPlan = {
    seed: 3,
    rates: { 'error-after': 1 },
    only: (method, path) => method !== 'GET' && /\/(builds|jobs)\/[^/]+\/status$/.test(path),
  };
  await withOperatorThrough(lossy, async (faults) => {
    await oneJobBuild('lossy', "await new Job('only', 'alpine:3.20', ['echo done']).run();", 'lossy-1');
    const build = await buildEnded(cluster, 'lossy-1');
    assert.equal(build.status?.phase, 'Succeeded', build.status?.message);
    assert.equal(build.status.workerAttempts, 1, 'the script was evaluated once');
    assert.ok(faults.stats.lostWriteReplies > 0, 'status writes were applied with their reply lost');
    const reasons = async (name: string): Promise<string[]> =>
      (
        await cluster.clients.core.listNamespacedEvent({
          namespace: cluster.namespace,
          fieldSelector: `involvedObject.name=${name}`,
        })
      ).items
        .flatMap((e) => Array.from({ length: e.count ?? 1 }, () => e.reason ?? ''))
        .sort();
    const job = jobCrName('lossy-1', 'only');
    const buildReasons = await waitFor('the build to say it succeeded', async () => {
      const r = await reasons('lossy-1');
      return r.includes('BuildSucceeded') ? r : undefined;
    });
    assert.deepEqual(buildReasons, ['BuildCreated', 'BuildStarted', 'BuildSucceeded']);
    const jobReasons = await waitFor('the job to say it succeeded', async () => {
      const r = await reasons(job);
      return r.includes('JobSucceeded') ? r : undefined;
    });
    assert.equal(jobReasons.filter((r) => r === 'JobSucceeded').length, 1, jobReasons.join(', '));
    assert.equal(jobReasons.filter((r) => r === 'JobCreated').length, 1, jobReasons.join(', '));
  });
});

test('a cancel whose Job status write is slow still ends the running job Cancelled, not Failed by the pod it kills', async () => {
  // Each full status write (the PUT a cancel makes on the Job CR) takes 1.5 s. Were the child batch
  // Job deleted before that write landed, the pod it kills would be seen failing first and the job
  // recorded Failed; the cancel must win.
  const slowPut: FaultPlan = {
    seed: 1,
    rates: { slow: 1 },
    slowMs: 1500,
    only: (method, path) => method === 'PUT' && /\/jobs\/[^/]+\/status$/.test(path),
  };
  await withOperatorThrough(slowPut, async () => {
    await oneJobBuild('slowcancel', "await new Job('sleeper', 'alpine:3.20', ['sleep 60']).run();", 'slowcancel-1');
    const name = jobCrName('slowcancel-1', 'sleeper');
    await waitFor('the sleeper to run', async () => {
      const j = await cluster.objects.get('Job', cluster.namespace, name);
      return j?.status?.phase === 'Running' ? true : undefined;
    });
    await cluster.objects.patch('Build', cluster.namespace, 'slowcancel-1', { spec: { cancel: true } });
    const build = await buildEnded(cluster, 'slowcancel-1');
    assert.equal(build.status?.phase, 'Cancelled');
    assert.equal(build.status.jobsSummary, '0/1, 1 cancelled');
    const job = await cluster.objects.get('Job', cluster.namespace, name);
    assert.equal(job?.status?.phase, 'Cancelled', job?.status?.message);
    assert.equal(job.status.reason, 'BuildCancelled');
    const jobName = job.status.jobName ?? '?';
    await waitFor('its batch Job to be deleted', async () =>
      (await cluster.kubectl('get', 'jobs.batch', '-o', 'name')).includes(jobName) ? undefined : true,
    );
  });
});
