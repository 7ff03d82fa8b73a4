// Throughput of the Kubernetes API simulator over real HTTP on this machine: creates/s, lists/s and
// watch fan-out (events/s delivered to 100 concurrent watchers). Prints results; asserts nothing.
//   node bench/sim.ts [--seconds N] [--concurrency N] [--watchers N]
import { parseArgs } from 'node:util';
import { startSimulator } from '../src/sim/index.ts';

const NS = 'default';
const JSON_HEADERS = { 'content-type': 'application/json', accept: 'application/json' };

function configMap(name: string): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace: NS, labels: { bench: 'yes' } },
    data: { payload: 'x'.repeat(256) },
  });
}

async function forDuration(
  seconds: number,
  concurrency: number,
  op: (i: number) => Promise<boolean>,
): Promise<{ ok: number; failed: number; elapsed: number }> {
  let next = 0;
  let ok = 0;
  let failed = 0;
  const start = performance.now();
  const deadline = start + seconds * 1000;
  const worker = async (): Promise<void> => {
    while (performance.now() < deadline) {
      if (await op(next++)) ok += 1;
      else failed += 1;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { ok, failed, elapsed: (performance.now() - start) / 1000 };
}

async function creates(url: string, seconds: number, concurrency: number): Promise<void> {
  const prefix = `bench-${Date.now()}`;
  const r = await forDuration(seconds, concurrency, async (i) => {
    const res = await fetch(`${url}/api/v1/namespaces/${NS}/configmaps`, {
      method: 'POST',
      headers: JSON_HEADERS,
      body: configMap(`${prefix}-${i}`),
    });
    await res.arrayBuffer();
    return res.status === 201;
  });
  console.log(
    `creates:  ${(r.ok / r.elapsed).toFixed(0).padStart(7)} /s  (${r.ok} configmaps, ${r.failed} failed, concurrency ${concurrency})`,
  );
}

async function lists(url: string, seconds: number, concurrency: number): Promise<void> {
  const total = JSON.parse(await (await fetch(`${url}/api/v1/namespaces/${NS}/configmaps?limit=1`)).text()) as {
    metadata: { remainingItemCount?: number };
  };
  const r = await forDuration(seconds, concurrency, async () => {
    const res = await fetch(`${url}/api/v1/namespaces/${NS}/configmaps?labelSelector=bench%3Dyes&limit=100`, {
      headers: JSON_HEADERS,
    });
    await res.arrayBuffer();
    return res.ok;
  });
  console.log(
    `lists:    ${(r.ok / r.elapsed).toFixed(0).padStart(7)} /s  (pages of 100 of ~${(total.metadata.remainingItemCount ?? 0) + 1} objects, label selector, concurrency ${concurrency})`,
  );
}

async function watchFanOut(url: string, seconds: number, watchers: number): Promise<void> {
  const controller = new AbortController();
  let delivered = 0;
  const start0 = await fetch(`${url}/api/v1/namespaces/${NS}/configmaps?limit=1`);
  const rv = (JSON.parse(await start0.text()) as { metadata: { resourceVersion: string } }).metadata.resourceVersion;
  const streams = await Promise.all(
    Array.from({ length: watchers }, async () => {
      const res = await fetch(`${url}/api/v1/namespaces/${NS}/configmaps?watch=1&resourceVersion=${rv}`, {
        signal: controller.signal,
      });
      if (!res.body) throw new Error('the watch response has no body');
      return res.body;
    }),
  );
  const readers = streams.map(async (body) => {
    const decoder = new TextDecoder();
    try {
      for await (const chunk of body) {
        delivered += decoder.decode(chunk as Uint8Array, { stream: true }).split('\n').length - 1;
      }
    } catch (err) {
      if (!controller.signal.aborted) throw err;
    }
  });
  const prefix = `fan-${Date.now()}`;
  const start = performance.now();
  const r = await forDuration(seconds, 4, async (i) => {
    const res = await fetch(`${url}/api/v1/namespaces/${NS}/configmaps`, {
      method: 'POST',
      headers: JSON_HEADERS,
      body: configMap(`${prefix}-${i}`),
    });
    await res.arrayBuffer();
    return res.status === 201;
  });
  // Delivery rate: from the first write until every watcher has every event (or 30 s have passed).
  const expected = r.ok * watchers;
  const drainDeadline = performance.now() + 30_000;
  while (delivered < expected && performance.now() < drainDeadline) await new Promise((res) => setTimeout(res, 20));
  const elapsed = (performance.now() - start) / 1000;
  controller.abort();
  await Promise.allSettled(readers);
  console.log(
    `watch:    ${(delivered / elapsed).toFixed(0).padStart(7)} events/s to ${watchers} watchers (${r.ok} creates, ${delivered}/${expected} events delivered)`,
  );
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string', default: '3' },
      concurrency: { type: 'string', default: '8' },
      watchers: { type: 'string', default: '100' },
    },
  });
  const seconds = Number(values.seconds);
  const sim = await startSimulator({ workloads: false });
  try {
    console.log(`simulator benchmark (${seconds}s per measurement, Node ${process.version})`);
    await creates(sim.url, seconds, Number(values.concurrency));
    await lists(sim.url, seconds, Number(values.concurrency));
    await watchFanOut(sim.url, seconds, Number(values.watchers));
  } finally {
    await sim.stop();
  }
}

await main();
