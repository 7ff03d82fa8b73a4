// Builds through a flaky API server: the operator talks to the simulator through the fault-injecting
// proxy (test/helpers/fault-proxy.ts) while this benchmark reads the simulator directly. Reports
// builds/s and, counted outside the operator, failed builds, jobs that ran more than once (pods per
// Job CR), and lost logs (a kept log that is not the job's output), plus the faults injected and the
// operator's retries. Prints results; asserts nothing.
//   node bench/faults.ts [--builds N] [--jobs N] [--fault-rate R] [--only FAULT] [--seed S] [--qps Q]
// --only too-many puts the whole rate on one kind of fault (e.g. the 429s of API priority and fairness).
import { parseArgs } from 'node:util';
import pino from 'pino';
import { LABELS } from '../src/api/constants.ts';
import { jobCrName } from '../src/api/names.ts';
import type { Build } from '../src/api/types.ts';
import { readKeptJobLog } from '../src/controller/shared/kept-log.ts';
import { newKubeClients } from '../src/kube/index.ts';
import type { BrigadeObjects } from '../src/kube/index.ts';
import { startOperator } from '../src/operator.ts';
import { startFaultProxy } from '../test/helpers/fault-proxy.ts';
import type { Fault } from '../test/helpers/fault-proxy.ts';
import { NS, createEvent, metricSum, readyProject, startBenchSimulator } from './harness.ts';

function script(jobs: number): string {
  return `const { events, Job, Group } = require('brigadier');
events.on('exec', async (e) => {
  const jobs = [];
  for (let i = 0; i < ${jobs}; i++) jobs.push(new Job('j' + i, 'alpine:3.20', ['echo "out ' + e.buildID + ' j' + i + '"']));
  await Group.runAll(jobs);
});
`;
}

/** The rate split like the issue's report: 500s and lost replies, resets, 429s with Retry-After, slow. */
const MIXED = (rate: number): Partial<Record<Fault, number>> => ({
  'error-before': rate * 0.2,
  'error-after': rate * 0.2,
  'reset-before': rate * 0.1,
  'reset-after': rate * 0.1,
  'too-many': rate * 0.2,
  slow: rate * 0.2,
});

interface Counts {
  failed: number;
  duplicates: number;
  lostLogs: number;
}

/** Counted on the simulator, not by the operator: failed builds, jobs with more than one pod, wrong logs. */
async function countOutcome(
  direct: ReturnType<typeof newKubeClients>,
  objects: BrigadeObjects,
  ended: Build[],
  names: string[],
  jobsPerBuild: number,
): Promise<Counts> {
  const pods = await direct.core.listNamespacedPod({ namespace: NS });
  const podsPerJob = new Map<string, number>();
  for (const pod of pods.items) {
    const job = pod.metadata?.labels?.[LABELS.job];
    if (job) podsPerJob.set(job, (podsPerJob.get(job) ?? 0) + 1);
  }
  const counts = { failed: ended.filter((b) => b.status?.phase !== 'Succeeded').length, duplicates: 0, lostLogs: 0 };
  for (const build of names) {
    for (let i = 0; i < jobsPerBuild; i++) {
      const cr = jobCrName(build, `j${String(i)}`);
      if ((podsPerJob.get(cr) ?? 0) > 1) counts.duplicates++;
      // The kept log as any reader gets it: the status tail, or the ConfigMaps when it did not fit.
      const job = await objects.get('Job', NS, cr);
      const kept = job ? await readKeptJobLog({ core: direct.core }, job).catch(() => undefined) : undefined;
      if (kept?.text !== `out ${build} j${String(i)}\n`) counts.lostLogs++;
    }
  }
  return counts;
}

async function createEventsAndWait(objects: BrigadeObjects, names: string[]): Promise<Build[]> {
  await Promise.all(names.map((name) => createEvent(objects, 'faults', name)));
  for (;;) {
    const ended = (await objects.list('Build', NS)).filter(
      (b) => b.status?.phase && !['Pending', 'Running'].includes(b.status.phase),
    );
    if (ended.length >= names.length) return ended;
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      builds: { type: 'string', default: '60' },
      jobs: { type: 'string', default: '3' },
      'fault-rate': { type: 'string', default: '0.1' },
      only: { type: 'string' },
      seed: { type: 'string', default: '1' },
      qps: { type: 'string' },
    },
  });
  const total = Number(values.builds);
  const jobsPerBuild = Number(values.jobs);
  const rate = Number(values['fault-rate']);
  const { sim, kc, objects } = await startBenchSimulator();
  const stop = new AbortController();
  try {
    const proxy = await startFaultProxy(kc, {
      seed: Number(values.seed),
      rates: values.only ? { [values.only]: rate } : MIXED(rate),
      retryAfterSeconds: 1,
      slowMs: 300,
      cutWatchesAfterMs: [2_000, 8_000],
    });
    const direct = newKubeClients(kc);
    const operator = await startOperator({
      kubeConfig: proxy.kubeConfigThrough(kc),
      namespace: NS,
      logger: pino({ level: 'silent' }),
      signal: stop.signal,
      metricsPort: 0,
      ...(values.qps ? { settings: { apiQPS: Number(values.qps) } } : {}),
    });
    await operator.started;
    await readyProject(objects, 'faults', script(jobsPerBuild));
    const names = Array.from({ length: total }, (_, i) => `faults-${String(i)}`);
    const start = performance.now();
    const ended = await createEventsAndWait(objects, names);
    const elapsed = (performance.now() - start) / 1000;
    proxy.setEnabled(false);
    const { failed, duplicates, lostLogs } = await countOutcome(direct, objects, ended, names, jobsPerBuild);
    const metrics = await (await fetch(`http://127.0.0.1:${String(operator.metricsPort)}/metrics`)).text();
    const { injected, watchesCut, lostWriteReplies, requests } = proxy.stats;
    const sum = (name: string): string => String(metricSum(metrics, name));
    console.log(
      `faults benchmark: ${String(total)} builds of ${String(jobsPerBuild)} jobs through a proxy failing ${(rate * 100).toFixed(0)}% of API requests${values.only ? ` (${values.only} only)` : ''} (seed ${values.seed})`,
    );
    console.log(`builds:   ${(total / elapsed).toFixed(2).padStart(7)} /s  (${elapsed.toFixed(1)} s for all)`);
    console.log(
      `outcome:  ${String(failed)} failed builds, ${String(duplicates)} jobs run more than once, ${String(lostLogs)} lost or wrong logs (of ${String(total * jobsPerBuild)} jobs)`,
    );
    console.log(
      `faults:   ${String(requests)} requests; ${Object.entries(injected)
        .map(([f, n]) => `${f} ${String(n)}`)
        .join(
          ', ',
        )}; ${String(lostWriteReplies)} writes applied with the reply lost; ${String(watchesCut)} watches cut`,
    );
    console.log(
      `operator: ${sum('brigade_api_retries_total')} request retries, ${sum('brigade_informer_restarts_total')} watch reconnects, ${sum('brigade_informer_relists_total')} re-lists, ${sum('brigade_reconcile_errors_total')} reconcile errors retried`,
    );
    await proxy.stop();
  } finally {
    stop.abort();
    await sim.stop();
  }
}

await main();
