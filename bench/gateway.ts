// Accepted events per second through the gateway's HTTP path (routing, authentication, GitHub HMAC,
// CloudEvents parsing, Event mapping). By default against an in-memory cluster, so the number is the
// gateway's own cost; with --sim through the simulator's API server (CRD validation, storage, HTTP to
// it), which is closer to a real cluster's shape but measures the simulator too. Asserts nothing.
//   node bench/gateway.ts [--seconds N] [--concurrency N] [--sim]
import { parseArgs } from 'node:util';
import pino from 'pino';
import { ApiextensionsV1Api, CoreV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { dump, load } from 'js-yaml';
import { readFile } from 'node:fs/promises';
import { crdManifests } from '../src/api/crds.ts';
import type { IntakeCluster } from '../src/gateway/cluster.ts';
import { fakeCluster } from '../test/gateway/fake-cluster.ts';
import { kubeIntakeCluster } from '../src/gateway/kube-cluster.ts';
import { githubSignature } from '../src/gateway/secrets.ts';
import { startGateway } from '../src/gateway/server.ts';
import { BrigadeObjects } from '../src/kube/index.ts';
import { startSimulator } from '../src/sim/index.ts';

const NS = 'bench';
const SECRET = 'bench-secret';

interface Scenario {
  name: string;
  request(i: number, url: string): { path: string; init: RequestInit };
}

// Each push is a different body: the gateway takes a body it has seen as a replay, whatever its delivery id.
const push = (i: number): string =>
  JSON.stringify({
    ref: 'refs/heads/main',
    before: '0'.repeat(40),
    after: i.toString(16).padStart(40, '0'),
    repository: { full_name: 'org/app', clone_url: 'https://github.com/org/app.git' },
    pusher: { name: 'bench' },
    commits: Array.from({ length: 20 }, (_, n) => ({ id: String(n), message: 'change '.repeat(20) })),
  });

const scenarios: Scenario[] = [
  {
    name: 'cloudevents binary',
    request: (i) => ({
      path: `/cloudevents/v1/${NS}/app`,
      init: {
        method: 'POST',
        headers: {
          'ce-specversion': '1.0',
          'ce-id': `e${i}`,
          'ce-type': 'exec',
          'ce-source': 'bench',
          'content-type': 'application/json',
          authorization: `Bearer ${SECRET}`,
        },
        body: '{"n":1}',
      },
    }),
  },
  {
    name: 'webhook',
    request: () => ({
      path: `/webhook/${NS}/app?ref=refs/heads/main`,
      init: {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-brigade-token': SECRET },
        body: '{"target":{"repository":"app","tag":"v1"}}',
      },
    }),
  },
  {
    name: 'github push (HMAC)',
    request: (i) => {
      const body = push(i);
      return {
        path: '/github',
        init: {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'x-github-event': 'push',
            'x-github-delivery': `d${i}`,
            'x-hub-signature-256': githubSignature(Buffer.from(body), SECRET),
          },
          body,
        },
      };
    },
  },
];

async function run(
  scenario: Scenario,
  opts: { url: string; seconds: number; concurrency: number },
): Promise<{ accepted: number; other: number; elapsed: number }> {
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

const intake = { enabled: true, secretKeyRef: { name: 'intake', key: 'token' } };
const PROJECT = {
  metadata: { name: 'app', namespace: NS },
  spec: {
    script: '//',
    repo: { name: 'org/app', cloneURL: 'https://github.com/org/app.git' },
    gateways: { cloudevents: intake, webhook: intake, github: intake },
  },
};

/** The simulator with the CRDs, the namespace, the project and its Secret. */
async function simCluster(): Promise<{ cluster: IntakeCluster; stop(): Promise<void> }> {
  const sim = await startSimulator({ workloads: false });
  // client-node 2.x talks plain HTTP only with insecure-skip-tls-verify set.
  const config = load(await readFile(sim.kubeconfigPath, 'utf8')) as {
    clusters: Array<{ cluster: Record<string, unknown> }>;
  };
  for (const c of config.clusters) c.cluster['insecure-skip-tls-verify'] = true;
  const kc = new KubeConfig();
  kc.loadFromString(dump(config));
  for (const crd of crdManifests())
    await kc.makeApiClient(ApiextensionsV1Api).createCustomResourceDefinition({ body: crd });
  const core = kc.makeApiClient(CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: NS } } });
  await core.createNamespacedSecret({
    namespace: NS,
    body: { metadata: { name: 'intake' }, data: { token: Buffer.from(SECRET).toString('base64') } },
  });
  const objects = new BrigadeObjects(kc.makeApiClient(CustomObjectsApi));
  await objects.create('Project', { apiVersion: 'brigade.sh/v1alpha1', kind: 'Project', ...PROJECT } as never);
  return { cluster: kubeIntakeCluster(kc), stop: () => sim.stop() };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string', default: '3' },
      concurrency: { type: 'string', default: '16' },
      sim: { type: 'boolean', default: false },
    },
  });
  const seconds = Number(values.seconds);
  const concurrency = Number(values.concurrency);
  const target = values.sim
    ? await simCluster()
    : {
        cluster: fakeCluster({ projects: [PROJECT], secrets: { [`${NS}/intake`]: { token: SECRET } } }),
        stop: () => Promise.resolve(),
      };
  const gateway = await startGateway({ cluster: target.cluster, logger: pino({ level: 'silent' }), namespace: NS });
  try {
    console.log(
      `gateway benchmark: ${values.sim ? 'simulator API server' : 'in-memory cluster'}, ${concurrency} concurrent clients, ${seconds}s per scenario, node ${process.version}`,
    );
    for (const scenario of scenarios) {
      await run(scenario, { url: gateway.url, seconds: 0.5, concurrency }); // warm-up: JIT, connections
      const r = await run(scenario, { url: gateway.url, seconds, concurrency });
      console.log(
        `${scenario.name.padEnd(22)} ${(r.accepted / r.elapsed).toFixed(0).padStart(7)} accepted events/s  (${r.accepted} accepted, ${r.other} other answers)`,
      );
    }
  } finally {
    await gateway.stop();
    await target.stop();
  }
}

await main();
