// End-to-end throughput of the operator on this machine: Events created -> Builds Succeeded, each
// build running one short job as a pod on the simulator. Reports builds/s and the latency from
// Event creation to Build success (p50/p95/max). Prints results; asserts nothing.
//   node bench/builds.ts [--builds N] [--concurrency N]
import { parseArgs } from 'node:util';
import { KubeConfig, ApiextensionsV1Api } from '@kubernetes/client-node';
import pino from 'pino';
import { crdManifests } from '../src/api/crds.ts';
import type { Build } from '../src/api/types.ts';
import { BrigadeObjects, newKubeClients } from '../src/kube/index.ts';
import { startOperator } from '../src/operator.ts';
import { startSimulator } from '../src/sim/index.ts';

const NS = 'default';
const SCRIPT = `const { events, Job } = require('brigadier');
events.on('exec', () => new Job('one', 'alpine:3.20', ['true']).run());
`;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { builds: { type: 'string', default: '200' }, concurrency: { type: 'string', default: '20' } },
  });
  const total = Number(values.builds);
  const concurrency = Number(values.concurrency);
  const sim = await startSimulator();
  const stop = new AbortController();
  try {
    const kc = new KubeConfig();
    kc.loadFromFile(sim.kubeconfigPath);
    const apiext = kc.makeApiClient(ApiextensionsV1Api);
    for (const crd of crdManifests()) await apiext.createCustomResourceDefinition({ body: crd });
    const objects = new BrigadeObjects(newKubeClients(kc).custom);
    const operator = await startOperator({
      kubeConfig: kc,
      namespace: NS,
      logger: pino({ level: 'silent' }),
      signal: stop.signal,
    });
    await operator.started;
    await objects.create('Project', {
      apiVersion: 'brigade.sh/v1alpha1',
      kind: 'Project',
      metadata: { name: 'bench', namespace: NS },
      spec: { script: SCRIPT },
    } as never);
    for (;;) {
      const p = await objects.get('Project', NS, 'bench');
      if (p?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')) break;
      await new Promise((r) => setTimeout(r, 20));
    }

    const createdAt = new Map<string, number>();
    const latencies: number[] = [];
    let next = 0;
    const start = performance.now();
    const finished = new Promise<void>((resolve) => {
      const done = new Set<string>();
      const seen = (b: Build): void => {
        const event = b.spec.event;
        if (b.status?.phase !== 'Succeeded' || done.has(event) || !createdAt.has(event)) return;
        done.add(event);
        const created = createdAt.get(event);
        if (created !== undefined) latencies.push(performance.now() - created);
        if (done.size === total) resolve();
      };
      operator.caches.builds.onChange((b) => {
        seen(b);
      });
    });
    const worker = async (): Promise<void> => {
      while (next < total) {
        const name = `bench-${next++}`;
        createdAt.set(name, performance.now());
        await objects.create('Event', {
          apiVersion: 'brigade.sh/v1alpha1',
          kind: 'Event',
          metadata: { name, namespace: NS },
          spec: { project: 'bench', type: 'exec' },
        } as never);
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    await finished;
    const elapsed = (performance.now() - start) / 1000;
    latencies.sort((a, b) => a - b);
    console.log(`operator benchmark: ${total} events, each a build with one job (a pod running \`true\`)`);
    console.log(`builds:   ${(total / elapsed).toFixed(1).padStart(7)} /s  (${elapsed.toFixed(1)} s for all)`);
    console.log(
      `latency:  p50 ${(percentile(latencies, 50) / 1000).toFixed(2)} s, p95 ${(percentile(latencies, 95) / 1000).toFixed(2)} s, max ${((latencies.at(-1) ?? NaN) / 1000).toFixed(2)} s (Event created -> Build Succeeded)`,
    );
  } finally {
    stop.abort();
    await sim.stop();
  }
}

await main();
