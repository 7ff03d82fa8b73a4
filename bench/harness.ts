// What the benchmarks share: a simulator with the CRDs installed and a count of the requests it
// served (by client), a Project made Ready, Events created, the operator in-process or as a process of
// its own (so its RSS and CPU are its alone), and the small statistics they print.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApiextensionsV1Api, KubeConfig } from '@kubernetes/client-node';
import { crdManifests } from '../src/api/crds.ts';
import { BrigadeObjects, newKubeClients } from '../src/kube/index.ts';
import { startSimulator } from '../src/sim/index.ts';
import type { ServedRequest, Simulator, SimulatorOptions } from '../src/sim/index.ts';

export const NS = 'default';
const repo = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Requests the simulator answered for one client, by kind of request. */
export interface RequestCounts {
  writes: number;
  reads: number;
  watches: number;
  conflicts: number;
  /** Writes of core/v1 Events (a part of `writes`). */
  eventWrites: number;
  /** Requests by "VERB /path-shape", for the breakdown. */
  byShape: Map<string, number>;
}

const emptyCounts = (): RequestCounts => ({
  writes: 0,
  reads: 0,
  watches: 0,
  conflicts: 0,
  eventWrites: 0,
  byShape: new Map(),
});

/** The path with names replaced by placeholders: "/api/v1/namespaces/{ns}/pods/{name}/log". */
function shapeOf(path: string): string {
  const parts = path.split('/');
  const out: string[] = [];
  for (let i = 0; i < parts.length; i++) {
    const prev = parts[i - 1];
    const part = parts[i] ?? '';
    if (prev === 'namespaces') out.push('{ns}');
    else if (i >= 2 && out.length > 0 && isNamePosition(parts, i)) out.push('{name}');
    else out.push(part);
  }
  return out.join('/');
}

/** A path segment right after a resource plural ("/pods/x", "/jobs/x"): an object's name. */
function isNamePosition(parts: string[], i: number): boolean {
  const prev = parts[i - 1] ?? '';
  const core = parts[1] === 'api' ? 3 : 4; // /api/v1/<plural> or /apis/<group>/<version>/<plural>
  const nsOffset = parts[core] === 'namespaces' ? 2 : 0;
  return i === core + nsOffset + 1 && prev !== '';
}

/** The User-Agent of the benchmark's own client: its requests are not the operator's. */
const BENCH_AGENT = 'brigade-bench';

/**
 * Counts the requests the simulator answered for the operator (every client but the benchmark's own,
 * whose Events and reads are not the operator's cost), as the API server sees them.
 */
export class RequestCounter {
  readonly #counts = emptyCounts();

  observe = (r: ServedRequest): void => {
    if (r.userAgent.startsWith(BENCH_AGENT)) return;
    const c = this.#counts;
    const shape = `${r.watch ? 'WATCH' : r.method} ${shapeOf(r.path)}`;
    c.byShape.set(shape, (c.byShape.get(shape) ?? 0) + 1);
    if (r.watch) c.watches++;
    else if (r.method === 'GET') c.reads++;
    else c.writes++;
    if (r.status === 409) c.conflicts++;
    if (r.method !== 'GET' && /\/events(\/|$)/.test(r.path) && !r.path.includes('brigade.sh')) c.eventWrites++;
  };

  /** A copy of the operator's counts so far. */
  snapshot(): RequestCounts {
    return { ...this.#counts, byShape: new Map(this.#counts.byShape) };
  }
}

/** `after - before`, field by field. */
export function countsBetween(before: RequestCounts, after: RequestCounts): RequestCounts {
  const byShape = new Map<string, number>();
  for (const [k, v] of after.byShape) {
    const d = v - (before.byShape.get(k) ?? 0);
    if (d) byShape.set(k, d);
  }
  return {
    writes: after.writes - before.writes,
    reads: after.reads - before.reads,
    watches: after.watches - before.watches,
    conflicts: after.conflicts - before.conflicts,
    eventWrites: after.eventWrites - before.eventWrites,
    byShape,
  };
}

export interface BenchSimulator {
  sim: Simulator;
  kc: KubeConfig;
  objects: BrigadeObjects;
  requests: RequestCounter;
}

/** The simulator with the Brigade CRDs installed, counting the requests it answers. */
export async function startBenchSimulator(options: SimulatorOptions = {}): Promise<BenchSimulator> {
  const requests = new RequestCounter();
  const sim = await startSimulator({ ...options, onRequest: requests.observe });
  const kc = new KubeConfig();
  kc.loadFromFile(sim.kubeconfigPath);
  const apiext = kc.makeApiClient(ApiextensionsV1Api);
  for (const crd of crdManifests()) await apiext.createCustomResourceDefinition({ body: crd });
  // With retries like the operator's (a burst of Events must not fail the run), under its own name.
  const objects = new BrigadeObjects(newKubeClients(kc, { userAgent: BENCH_AGENT }).custom);
  return { sim, kc, objects, requests };
}

/** Creates the Project and waits until the operator has made it Ready. */
export async function readyProject(
  objects: BrigadeObjects,
  name: string,
  script: string,
  namespace = NS,
): Promise<void> {
  await objects.create('Project', {
    apiVersion: 'brigade.sh/v1alpha1',
    kind: 'Project',
    metadata: { name, namespace },
    spec: { script },
  } as never);
  for (;;) {
    const p = await objects.get('Project', namespace, name);
    if (p?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')) return;
    await new Promise((r) => setTimeout(r, 20));
  }
}

export async function createEvent(
  objects: BrigadeObjects,
  project: string,
  name: string,
  namespace = NS,
): Promise<void> {
  await objects.create('Event', {
    apiVersion: 'brigade.sh/v1alpha1',
    kind: 'Event',
    metadata: { name, namespace },
    spec: { project, type: 'exec' },
  } as never);
}

export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

/** RSS and CPU time (user + system) of a process, from /proc (Linux). */
export function processUsage(pid: number): { rssBytes: number; cpuSeconds: number } {
  const status = readFileSync(`/proc/${String(pid)}/status`, 'utf8');
  const rssKb = Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? NaN);
  // Fields after the command (which is in parentheses and may hold spaces): utime is the 14th field.
  const stat = readFileSync(`/proc/${String(pid)}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return { rssBytes: rssKb * 1024, cpuSeconds: ticks / 100 };
}

export interface OperatorProcess {
  pid: number;
  metricsUrl: string;
  metrics(): Promise<string>;
  stop(): Promise<void>;
}

/**
 * `brigade-operator run` against the simulator, in a process of its own: the RSS and CPU the
 * benchmarks report are the operator's, not the simulator's that serves it.
 */
export async function startOperatorProcess(
  kubeconfigPath: string,
  extraArgs: string[] = [],
  nodeArgs: string[] = [],
): Promise<OperatorProcess> {
  const port = 19000 + Math.floor(Math.random() * 5000);
  const child: ChildProcess = spawn(
    process.execPath,
    [
      ...nodeArgs,
      join(repo, 'src/cli/main.ts'),
      'run',
      '--watch-namespace',
      NS,
      '--metrics-port',
      String(port),
      '--log-level',
      'warn',
      ...extraArgs,
    ],
    { env: { ...process.env, KUBECONFIG: kubeconfigPath }, stdio: ['ignore', 'inherit', 'inherit'] },
  );
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      resolve();
    }),
  );
  const metricsUrl = `http://127.0.0.1:${String(port)}`;
  for (let i = 0; ; i++) {
    const ready = await fetch(`${metricsUrl}/readyz`)
      .then((r) => r.ok)
      .catch(() => false);
    if (ready) break;
    if (child.exitCode !== null || i > 600) throw new Error('the operator process did not become ready');
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    pid: child.pid ?? 0,
    metricsUrl,
    metrics: async () => (await fetch(`${metricsUrl}/metrics`)).text(),
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** The sum of a metric's samples in a Prometheus text exposition (optionally only those matching `labels`). */
export function metricSum(metrics: string, name: string, labels = ''): number {
  return [...metrics.matchAll(new RegExp(`^${name}(\\{[^}]*\\})? (\\S+)$`, 'gm'))]
    .filter((m) => (m[1] as string | undefined)?.includes(labels) ?? labels === '')
    .reduce((n, m) => n + Number(m[2]), 0);
}

/** A quantile from a Prometheus histogram's cumulative buckets (the upper bound of the bucket it falls in). */
export function histogramQuantile(metrics: string, name: string, q: number): number {
  const buckets = [...metrics.matchAll(new RegExp(`^${name}_bucket\\{[^}]*le="([^"]+)"[^}]*\\} (\\S+)$`, 'gm'))].map(
    (m) => ({ le: m[1] === '+Inf' ? Infinity : Number(m[1]), count: Number(m[2]) }),
  );
  const total = buckets.find((b) => b.le === Infinity)?.count ?? 0;
  if (total === 0) return NaN;
  return buckets.find((b) => b.count >= q * total)?.le ?? NaN;
}
