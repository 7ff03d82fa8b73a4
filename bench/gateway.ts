// Accepted events per second through the gateway's HTTP path (routing, authentication, GitHub HMAC,
// CloudEvents parsing, Event mapping), against an in-memory cluster so the number is the gateway's own
// cost, not the API server's. Prints results; asserts nothing.
//   node bench/gateway.ts [--seconds N] [--concurrency N]
import { parseArgs } from 'node:util';
import pino from 'pino';
import { fakeCluster } from '../src/gateway/fake-cluster.ts';
import { githubSignature } from '../src/gateway/secrets.ts';
import { startGateway } from '../src/gateway/server.ts';

const NS = 'bench';
const SECRET = 'bench-secret';

interface Scenario {
  name: string;
  request(i: number, url: string): { path: string; init: RequestInit };
}

const push = JSON.stringify({ ref: 'refs/heads/main', after: 'a'.repeat(40), repository: { full_name: 'org/app', clone_url: 'https://github.com/org/app.git' }, commits: Array.from({ length: 20 }, (_, i) => ({ id: String(i), message: 'change '.repeat(20) })) });

const scenarios: Scenario[] = [
  {
    name: 'cloudevents binary',
    request: (i) => ({ path: `/cloudevents/v1/${NS}/app`, init: { method: 'POST', headers: { 'ce-specversion': '1.0', 'ce-id': `e${i}`, 'ce-type': 'exec', 'ce-source': 'bench', 'content-type': 'application/json', authorization: `Bearer ${SECRET}` }, body: '{"n":1}' } }),
  },
  {
    name: 'webhook',
    request: () => ({ path: `/webhook/${NS}/app?ref=refs/heads/main`, init: { method: 'POST', headers: { 'content-type': 'application/json', 'x-brigade-token': SECRET }, body: '{"target":{"repository":"app","tag":"v1"}}' } }),
  },
  {
    name: 'github push (HMAC)',
    request: (i) => ({ path: '/github', init: { method: 'POST', headers: { 'content-type': 'application/json', 'x-github-event': 'push', 'x-github-delivery': `d${i}`, 'x-hub-signature-256': githubSignature(Buffer.from(push), SECRET) }, body: push } }),
  },
];

async function run(scenario: Scenario, opts: { url: string; seconds: number; concurrency: number }): Promise<{ accepted: number; other: number; elapsed: number }> {
  // Delivery ids unique across runs, so the warm-up's ids are not duplicates of the measured run's.
  let next = Math.floor(Math.random() * 1e12);
  let accepted = 0;
  let other = 0;
  const deadline = performance.now() + opts.seconds * 1000;
  const start = performance.now();
  const worker = async (): Promise<void> => {
    while (performance.now() < deadline) {
      const { path, init } = scenario.request(next++, opts.url);
      const res = await fetch(`${opts.url}${path}`, init);
      await res.arrayBuffer();
      if (res.status === 202) accepted += 1;
      else other += 1;
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, worker));
  return { accepted, other, elapsed: (performance.now() - start) / 1000 };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { seconds: { type: 'string', default: '3' }, concurrency: { type: 'string', default: '16' } } });
  const seconds = Number(values.seconds);
  const concurrency = Number(values.concurrency);
  const intake = { enabled: true, secretKeyRef: { name: 'intake', key: 'token' } };
  const cluster = fakeCluster({
    projects: [{ metadata: { name: 'app', namespace: NS }, spec: { repo: { name: 'org/app', cloneURL: 'https://github.com/org/app.git' }, gateways: { cloudevents: intake, webhook: intake, github: intake } } }],
    secrets: { [`${NS}/intake`]: { token: SECRET } },
  });
  const gateway = await startGateway({ cluster, logger: pino({ level: 'silent' }), namespace: NS });
  try {
    console.log(`gateway benchmark: in-memory cluster, ${concurrency} concurrent clients, ${seconds}s per scenario, node ${process.version}`);
    for (const scenario of scenarios) {
      await run(scenario, { url: gateway.url, seconds: 0.5, concurrency }); // warm-up: JIT, connections
      const r = await run(scenario, { url: gateway.url, seconds, concurrency });
      console.log(`${scenario.name.padEnd(22)} ${(r.accepted / r.elapsed).toFixed(0).padStart(7)} accepted events/s  (${r.accepted} accepted, ${r.other} other answers)`);
    }
  } finally {
    await gateway.stop();
  }
}

await main();
