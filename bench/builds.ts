// End-to-end throughput of the operator on this machine: Events created -> Builds Succeeded, each
// build running one short job as a pod on the simulator. Reports builds/s and the latency from
// Event creation to Build success (p50/p95/max). Prints results; asserts nothing.
//   node bench/builds.ts [--builds N] [--concurrency N]
import { parseArgs } from 'node:util';
import pino from 'pino';
import type { Build } from '../src/api/types.ts';
import { startOperator } from '../src/operator.ts';
import { NS, createEvent, percentile, readyProject, startBenchSimulator } from './harness.ts';

const SCRIPT = `const { events, Job } = require('brigadier');
events.on('exec', () => new Job('one', 'alpine:3.20', ['true']).run());
`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { builds: { type: 'string', default: '200' }, concurrency: { type: 'string', default: '20' } },
  });
  const total = Number(values.builds);
  const concurrency = Number(values.concurrency);
  const { sim, kc, objects } = await startBenchSimulator();
  const stop = new AbortController();
  try {
    const operator = await startOperator({
      kubeConfig: kc,
      namespace: NS,
      logger: pino({ level: 'silent' }),
      signal: stop.signal,
    });
    await operator.started;
    await readyProject(objects, 'bench', SCRIPT);

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
        await createEvent(objects, 'bench', name);
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
