// The scale suite of issue 13: each goal with the figure measured on this machine and whether it is
// met, in one table. The operator runs as a process of its own against the simulator (so its RSS and
// CPU are its alone); the request counts are the simulator's (what the API server answered for the
// operator), never the operator's own idea of what it sent. Prints results; asserts nothing.
//   node bench/scale.ts [--quick] [--rates 10,25,50,100] [--seconds N] [--builds N] [--in-flight 100,500,1000]
//   [--job-events all|failures]   (the operator's setting; default all)
//   [--only per-job,rates,sandbox,memory]   (the sections to run; default all)
//   [--operator-heap-mb N]   (the operator's --max-old-space-size, as the chart sets it; default Node's)
//   [--max-resident-scripts N] [--script-workers N]   (the operator's settings; default its own)
//   [--operator-node-args="--flag ..."]   (more V8/Node flags for the operator process)
import { parseArgs } from 'node:util';
import { SCRIPTS } from './scripts.ts';
import { LABELS } from '../src/api/constants.ts';
import type { Build } from '../src/api/types.ts';
import type { KubeObject } from '../src/sim/types.ts';
import {
  NS,
  countsBetween,
  createEvent,
  histogramQuantile,
  metricSum,
  percentile,
  processUsage,
  readyProject,
  startBenchSimulator,
  startOperatorProcess,
} from './harness.ts';
import type { BenchSimulator, OperatorProcess, RequestCounts } from './harness.ts';

const GVR = {
  batchJobs: { group: 'batch', version: 'v1', resource: 'jobs' },
  builds: { group: 'brigade.sh', version: 'v1alpha1', resource: 'builds' },
};
const MiB = 1024 * 1024;

/** 20 jobs that are never scheduled (they ask for more CPU than any node has): builds that stay in flight. */
const IN_FLIGHT_SCRIPT = `const { events, Job, Group } = require('brigadier');
events.on('exec', () => {
  const jobs = [];
  for (let i = 0; i < 20; i++) {
    const j = new Job('wait-' + i, 'alpine:3.20', ['true']);
    j.resourceRequests.cpu = '1000';
    jobs.push(j);
  }
  return Group.runAll(jobs);
});`;

interface Row {
  goal: string;
  measured: string;
  met: boolean | undefined;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Watches the simulator store: when each build's first batch Job appeared, and when builds end. */
class Observer {
  readonly firstJobAt = new Map<string, number>();
  readonly ended = new Set<string>();
  batchJobs = 0;
  readonly #stops: (() => void)[] = [];

  constructor(b: BenchSimulator) {
    const store = b.sim.store;
    const rv = (gvr: typeof GVR.builds): string => store.list(gvr).resourceVersion;
    this.#stops.push(
      store.watch(GVR.batchJobs, { resourceVersion: rv(GVR.batchJobs) }, (type, obj: KubeObject) => {
        if (type !== 'ADDED') return;
        this.batchJobs++;
        const build = obj.metadata.labels?.[LABELS.build];
        if (build && !this.firstJobAt.has(build)) this.firstJobAt.set(build, performance.now());
      }),
      store.watch(GVR.builds, { resourceVersion: rv(GVR.builds) }, (_type, obj: KubeObject) => {
        const phase = (obj as unknown as Build).status?.phase;
        if (phase && !['Pending', 'Running'].includes(phase)) this.ended.add(obj.metadata.name ?? '');
      }),
    );
  }

  async untilEnded(names: readonly string[], timeoutMs: number): Promise<number> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const left = names.filter((n) => !this.ended.has(n)).length;
      if (left === 0 || performance.now() > deadline) return left;
      await sleep(50);
    }
  }

  stop(): void {
    for (const s of this.#stops) s();
  }
}

interface Context {
  b: BenchSimulator;
  op: OperatorProcess;
  obs: Observer;
  seq: number;
}

/** Events at a steady rate for `seconds`; the latency from each Event's create to its build's first batch Job. */
async function steadyRate(
  ctx: Context,
  project: string,
  rate: number,
  seconds: number,
  waitMs: number,
): Promise<{ p50: number; p99: number; missing: number; sent: number }> {
  const createdAt = new Map<string, number>();
  const total = Math.round(rate * seconds);
  const start = performance.now();
  const creates: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    const name = `${project}-${String(rate)}-${String(ctx.seq++)}`;
    createdAt.set(name, performance.now());
    creates.push(createEvent(ctx.b.objects, project, name));
  }
  await Promise.all(creates);
  const names = [...createdAt.keys()];
  const deadline = performance.now() + waitMs;
  while (names.some((n) => !ctx.obs.firstJobAt.has(n)) && performance.now() < deadline) await sleep(50);
  const latencies = names
    .filter((n) => ctx.obs.firstJobAt.has(n))
    .map((n) => (ctx.obs.firstJobAt.get(n) ?? 0) - (createdAt.get(n) ?? 0))
    .sort((a, b) => a - b);
  await ctx.obs.untilEnded(names, waitMs);
  return {
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    missing: names.length - latencies.length,
    sent: names.length,
  };
}

interface PerJob {
  script: string;
  jobs: number;
  counts: RequestCounts;
  operatorCpu: number;
  simCpu: number;
  failed: number;
}

/** `builds` builds of one script, 5 Events a second: the API requests and CPU per brigadier job. */
async function perJobCost(ctx: Context, name: string, builds: number): Promise<PerJob> {
  const { jobs, script } = SCRIPTS[name] ?? { jobs: 0, script: '' };
  const project = name.toLowerCase().replace(/[^a-z0-9]+/g, '-');
  await readyProject(ctx.b.objects, project, script);
  await sleep(1500); // the Project's own status writes and Events are not the jobs'
  const before = ctx.b.requests.snapshot();
  const opBefore = processUsage(ctx.op.pid).cpuSeconds;
  const simBefore = process.cpuUsage();
  const names: string[] = [];
  for (let i = 0; i < builds; i++) {
    const event = `${project}-${String(ctx.seq++)}`;
    names.push(event);
    await createEvent(ctx.b.objects, project, event);
    await sleep(builds > 1 ? 200 : 0);
  }
  const left = await ctx.obs.untilEnded(names, 300_000);
  await sleep(1500); // the last status writes and Events after the build ended
  const sim = process.cpuUsage(simBefore);
  const builds2 = await ctx.b.objects.list('Build', NS);
  const failed =
    left + builds2.filter((b) => names.includes(b.metadata.name ?? '') && b.status?.phase !== 'Succeeded').length;
  return {
    script: name,
    jobs: jobs * builds,
    counts: countsBetween(before, ctx.b.requests.snapshot()),
    operatorCpu: processUsage(ctx.op.pid).cpuSeconds - opBefore,
    simCpu: (sim.user + sim.system) / 1e6,
    failed,
  };
}

/** RSS at one level of builds in flight: the highest seen while they started, and once the operator is quiet. */
interface Level {
  peak: number;
  settled: number;
}

/**
 * Builds of 20 never-scheduled jobs kept in flight: the operator's RSS at each level (the peak while
 * the builds start, sampled every 250 ms, and after it has been quiet for a while), then after they end.
 */
async function memory(
  ctx: Context,
  levels: readonly number[],
  quick: boolean,
): Promise<{ idle: number; at: Map<number, Level>; after: number }> {
  await readyProject(ctx.b.objects, 'inflight', IN_FLIGHT_SCRIPT);
  await sleep(2000);
  const idle = processUsage(ctx.op.pid).rssBytes;
  const at = new Map<number, Level>();
  const names: string[] = [];
  const jobsBefore = ctx.obs.batchJobs;
  let peak = 0;
  const sampler = setInterval(() => {
    peak = Math.max(peak, processUsage(ctx.op.pid).rssBytes);
  }, 250);
  try {
    for (const level of levels) {
      peak = 0;
      while (names.length < level) {
        const batch: Promise<void>[] = [];
        for (let i = 0; i < 20 && names.length < level; i++) {
          const event = `inflight-${String(names.length)}`;
          names.push(event);
          batch.push(createEvent(ctx.b.objects, 'inflight', event));
        }
        await Promise.all(batch);
        await sleep(100);
      }
      const deadline = performance.now() + 600_000;
      while (ctx.obs.batchJobs - jobsBefore < level * 20 && performance.now() < deadline) await sleep(200);
      await sleep(quick ? 5000 : 20_000);
      const settled = processUsage(ctx.op.pid).rssBytes;
      at.set(level, { peak, settled });
      console.log(
        `  ${String(level)} builds in flight (${String(ctx.obs.batchJobs - jobsBefore)} batch Jobs): RSS ${mib(settled)}` +
          ` settled, ${mib(peak)} peak while they started; ${await heapBreakdown(ctx.op)}`,
      );
    }
  } finally {
    clearInterval(sampler);
  }
  for (const name of names) await ctx.b.objects.patch('Build', NS, name, { spec: { cancel: true } });
  await ctx.obs.untilEnded(names, 600_000);
  await sleep(quick ? 3000 : 10_000);
  return { idle, at, after: processUsage(ctx.op.pid).rssBytes };
}

/** Where the main thread's memory is, from the operator's own process metrics (workers' heaps are not in them). */
async function heapBreakdown(op: OperatorProcess): Promise<string> {
  const m = await op.metrics();
  const v = (name: string): string => mib(metricSum(m, name));
  return `main heap used ${v('nodejs_heap_size_used_bytes')} of ${v('nodejs_heap_size_total_bytes')}, external ${v('nodejs_external_memory_bytes')}`;
}

const ms = (n: number): string => (Number.isNaN(n) ? 'n/a' : `${n.toFixed(0)} ms`);
const mib = (n: number | undefined): string => (n === undefined ? 'n/a' : `${(n / MiB).toFixed(0)} MiB`);

function printTable(rows: Row[]): void {
  const w0 = Math.max(...rows.map((r) => r.goal.length));
  const w1 = Math.max(...rows.map((r) => r.measured.length));
  console.log(`\n| ${'goal'.padEnd(w0)} | ${'measured'.padEnd(w1)} | met |`);
  console.log(`| ${'-'.repeat(w0)} | ${'-'.repeat(w1)} | --- |`);
  for (const r of rows)
    console.log(
      `| ${r.goal.padEnd(w0)} | ${r.measured.padEnd(w1)} | ${r.met === undefined ? ' - ' : r.met ? 'yes' : 'no '} |`,
    );
}

interface Options {
  quick: boolean;
  rates: number[];
  seconds: number;
  builds: number;
  levels: number[];
  /** How long a rate's last Event may wait for its first batch Job before it counts as missing. */
  waitMs: number;
  jobEvents: string | undefined;
  /** The sections to run (all when unset): per-job, rates, sandbox, memory. */
  only: ReadonlySet<string> | undefined;
  /** The operator's V8 heap bound (--max-old-space-size), as a deployment sets it; unset: Node's default. */
  operatorHeapMb: number | undefined;
  /** The operator's --max-resident-scripts; unset: its default. */
  maxResidentScripts: string | undefined;
  /** The operator's --script-workers; unset: its default. */
  scriptWorkers: string | undefined;
  /** More flags for the operator's Node (e.g. --max-semi-space-size=4). */
  operatorNodeArgs: string[];
}

function options(): Options {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      rates: { type: 'string' },
      seconds: { type: 'string' },
      builds: { type: 'string' },
      'in-flight': { type: 'string' },
      'job-events': { type: 'string' },
      only: { type: 'string' },
      'operator-heap-mb': { type: 'string' },
      'max-resident-scripts': { type: 'string' },
      'script-workers': { type: 'string' },
      'operator-node-args': { type: 'string' },
    },
  });
  const quick = values.quick;
  const list = (given: string | undefined, short: string, full: string): number[] =>
    (given ?? (quick ? short : full)).split(',').map(Number);
  return {
    quick,
    rates: list(values.rates, '25,100', '10,25,50,100'),
    seconds: Number(values.seconds ?? (quick ? 2 : 10)),
    builds: Number(values.builds ?? (quick ? 1 : 12)),
    levels: list(values['in-flight'], '20', '100,500,1000'),
    waitMs: quick ? 10_000 : 60_000,
    jobEvents: values['job-events'],
    only: values.only === undefined ? undefined : new Set(values.only.split(',')),
    operatorHeapMb: values['operator-heap-mb'] === undefined ? undefined : Number(values['operator-heap-mb']),
    maxResidentScripts: values['max-resident-scripts'],
    scriptWorkers: values['script-workers'],
    operatorNodeArgs: values['operator-node-args']?.split(/\s+/).filter((a) => a !== '') ?? [],
  };
}

/** Per-job API requests and CPU, per script. */
async function perJobRows(ctx: Context, builds: number): Promise<Row[]> {
  const perJob: PerJob[] = [];
  for (const name of Object.keys(SCRIPTS)) {
    const r = await perJobCost(ctx, name, builds);
    perJob.push(r);
    const per = (n: number): string => (n / r.jobs).toFixed(2);
    console.log(
      `${name.padEnd(15)} ${String(r.jobs).padStart(4)} jobs: ${per(r.counts.writes)} writes/job (${per(r.counts.eventWrites)} core Events), ${per(r.counts.reads)} reads/job, ${String(r.counts.conflicts)} 409s, operator CPU ${((r.operatorCpu / r.jobs) * 1000).toFixed(1)} ms/job, simulator CPU ${((r.simCpu / r.jobs) * 1000).toFixed(1)} ms/job${r.failed ? `, ${String(r.failed)} builds not Succeeded` : ''}`,
    );
    const top = [...r.counts.byShape.entries()].sort((x, y) => y[1] - x[1]).slice(0, 12);
    for (const [shape, n] of top) console.log(`    ${per(n).padStart(6)}/job  ${shape}`);
  }
  const worst = (f: (p: PerJob) => number): number => Math.max(...perJob.map(f));
  const maxWrites = worst((p) => p.counts.writes / p.jobs);
  const maxReads = worst((p) => p.counts.reads / p.jobs);
  const conflicts = perJob.reduce((n, p) => n + p.counts.conflicts, 0);
  const perScript = (f: (p: PerJob) => string): string => perJob.map((p) => `${p.script} ${f(p)}`).join(', ');
  return [
    {
      goal: 'API writes per job <= 6 (aim 4), worst script',
      measured: `${maxWrites.toFixed(2)} (${perScript((p) => (p.counts.writes / p.jobs).toFixed(1))})`,
      met: maxWrites <= 6,
    },
    { goal: 'API reads per job <= 1 outside informers', measured: `${maxReads.toFixed(2)} worst`, met: maxReads <= 1 },
    { goal: 'no 409s against own writes', measured: `${String(conflicts)} 409s`, met: conflicts === 0 },
    {
      goal: 'operator CPU per job (no Brigade 1 run: see docs)',
      measured: perScript((p) => `${((p.operatorCpu / p.jobs) * 1000).toFixed(1)} ms`),
      met: undefined,
    },
    {
      goal: 'simulator (API server + kubelet) CPU per job',
      measured: perScript((p) => `${((p.simCpu / p.jobs) * 1000).toFixed(1)} ms`),
      met: undefined,
    },
  ];
}

/** Event -> first batch Job at steady rates. */
async function rateRows(ctx: Context, o: Options): Promise<Row[]> {
  await readyProject(ctx.b.objects, 'rate', SCRIPTS.hello.script);
  let best: number | undefined;
  let at100: { p50: number; p99: number; missing: number } | undefined;
  for (const rate of o.rates) {
    const r = await steadyRate(ctx, 'rate', rate, o.seconds, o.waitMs);
    const missing = r.missing
      ? `, ${String(r.missing)}/${String(r.sent)} without a batch Job after ${String(o.waitMs / 1000)} s`
      : '';
    console.log(
      `${String(rate).padStart(4)} events/s for ${String(o.seconds)} s: first batch Job p50 ${ms(r.p50)}, p99 ${ms(r.p99)}${missing}`,
    );
    if (r.p99 < 100 && r.missing === 0) best = Math.max(best ?? 0, rate);
    if (rate === 100) at100 = r;
  }
  return [
    {
      goal: 'Event -> first batch Job at 100/s: p50 <= 20 ms, p99 <= 100 ms',
      measured: at100
        ? `p50 ${ms(at100.p50)}, p99 ${ms(at100.p99)}${at100.missing ? `, ${String(at100.missing)} missing` : ''}`
        : 'not run',
      met: at100 ? at100.p50 <= 20 && at100.p99 <= 100 && at100.missing === 0 : undefined,
    },
    {
      goal: 'highest rate tried with p99 < 100 ms',
      measured: best === undefined ? 'none' : `${String(best)} events/s (of ${o.rates.join(', ')})`,
      met: undefined,
    },
  ];
}

/** Sandbox start + handler, from the operator's own histogram. */
async function sandboxRow(op: OperatorProcess): Promise<Row> {
  const metrics = await op.metrics();
  const p99 = histogramQuantile(metrics, 'brigade_script_start_seconds', 0.99) * 1000;
  const p50 = histogramQuantile(metrics, 'brigade_script_start_seconds', 0.5) * 1000;
  const count = metricSum(metrics, 'brigade_script_start_seconds_count');
  return {
    goal: 'sandbox start + handler p99 <= 10 ms (metric)',
    measured: Number.isNaN(p99)
      ? 'no brigade_script_start_seconds metric'
      : `p50 <= ${ms(p50)}, p99 <= ${ms(p99)} (histogram buckets, ${String(count)} builds)`,
    met: Number.isNaN(p99) ? false : p99 <= 10,
  };
}

/** RSS with builds in flight. */
async function memoryRows(ctx: Context, o: Options, startRss: number): Promise<Row[]> {
  const mem = await memory(ctx, o.levels, o.quick);
  const top = Math.max(...o.levels);
  return [
    {
      goal: 'operator RSS at start / before the in-flight builds',
      measured: `${mib(startRss)} / ${mib(mem.idle)}`,
      met: undefined,
    },
    {
      goal: `RSS at ${o.levels.join('/')} in-flight builds x 20 jobs, settled (goal: 1,000 < 512 MiB)`,
      measured: o.levels.map((l) => mib(mem.at.get(l)?.settled)).join(' / '),
      met: top >= 1000 ? (mem.at.get(top)?.settled ?? Infinity) < 512 * MiB : undefined,
    },
    {
      goal: '  the same, peak while they started',
      measured: o.levels.map((l) => mib(mem.at.get(l)?.peak)).join(' / '),
      met: top >= 1000 ? (mem.at.get(top)?.peak ?? Infinity) < 512 * MiB : undefined,
    },
    {
      goal: 'no growth after they finish',
      measured: `${mib(mem.after)} after, ${mib(mem.at.get(top)?.settled)} with them in flight`,
      met: mem.after <= (mem.at.get(top)?.settled ?? 0),
    },
  ];
}

async function main(): Promise<void> {
  const o = options();
  const b = await startBenchSimulator();
  // The benchmark measures the operator, not the client-side rate limit: it is raised out of the way.
  const args = [
    '--api-qps',
    '5000',
    '--api-burst',
    '10000',
    ...(o.jobEvents ? ['--job-events', o.jobEvents] : []),
    ...(o.maxResidentScripts ? ['--max-resident-scripts', o.maxResidentScripts] : []),
    ...(o.scriptWorkers ? ['--script-workers', o.scriptWorkers] : []),
  ];
  const nodeArgs = [
    ...(o.operatorHeapMb ? [`--max-old-space-size=${String(o.operatorHeapMb)}`] : []),
    ...o.operatorNodeArgs,
  ];
  const op = await startOperatorProcess(b.sim.kubeconfigPath, args, nodeArgs);
  const obs = new Observer(b);
  const ctx: Context = { b, op, obs, seq: 0 };
  const startRss = processUsage(op.pid).rssBytes;
  try {
    console.log(
      `scale suite${o.quick ? ' (quick)' : ''}: operator ${[...nodeArgs, ...args].join(' ')}; simulator in this process; Node ${process.version}`,
    );
    const runs = (section: string): boolean => o.only?.has(section) ?? true;
    const rows = [
      ...(runs('per-job') ? await perJobRows(ctx, o.builds) : []),
      ...(runs('rates') ? await rateRows(ctx, o) : []),
      ...(runs('sandbox') ? [await sandboxRow(op)] : []),
      ...(runs('memory') ? await memoryRows(ctx, o, startRss) : []),
    ];
    printTable(rows);
  } finally {
    obs.stop();
    await op.stop();
    await b.sim.stop();
  }
}

await main();
