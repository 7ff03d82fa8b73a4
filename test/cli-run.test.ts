// `brigade-operator run` is what the Deployment starts. Run the real binary against the simulator
// (as against any cluster, through a kubeconfig), with the embedded gateway, and check that it
// reconciles, serves health and metrics, takes events through its gateway, and stops on SIGTERM.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startSimulator, type Simulator } from '../src/sim/index.ts';
import { startBinary } from './helpers/binary.ts';
import { kubectl, ROOT } from './helpers/tools.ts';
import { waitFor } from './helpers/wait.ts';

const buildPhase = (name: string): Promise<string> =>
  kubectl(sim.kubeconfigPath, 'get', 'builds.brigade.sh', name, '-o', 'jsonpath={.status.phase}');
const succeeded = (name: string): Promise<string> =>
  waitFor(
    `build ${name} to succeed`,
    async () => ((await buildPhase(name)) === 'Succeeded' ? 'ok' : undefined),
    60_000,
  );

let sim: Simulator;
before(async () => {
  sim = await startSimulator();
  await kubectl(sim.kubeconfigPath, 'apply', '-k', join(ROOT, 'crds'));
  await kubectl(sim.kubeconfigPath, 'wait', '--for=condition=Established', 'crd', '--all', '--timeout=30s');
});
// eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- unset when before() failed
after(async () => sim?.stop());

test('run reconciles the hello sample, serves /readyz and /metrics, accepts a CloudEvent and stops on SIGTERM', async () => {
  const run = startBinary([
    'run',
    '--kubeconfig',
    sim.kubeconfigPath,
    '--metrics-port',
    '0',
    '--gateway-port',
    '0',
    '--lease-namespace',
    'default',
    '--leader-elect',
    '--gateway-max-connections',
    '64',
    '--gateway-header-timeout',
    '5s',
  ]);
  try {
    // pino's JSON lines name the bound ports.
    // Neither server is reachable from other hosts unless told (--gateway-host, --metrics-host).
    const gatewayPort = (await run.waitForOutput(/"port":(\d+),"host":"127\.0\.0\.1","msg":"gateway listening"/))[1];
    const metricsPort = (
      await run.waitForOutput(/"port":(\d+),"host":"127\.0\.0\.1","msg":"health and metrics server listening"/)
    )[1];
    await kubectl(sim.kubeconfigPath, 'apply', '-f', join(ROOT, 'samples', 'hello'));
    await succeeded('hello-1');

    const ready = await fetch(`http://127.0.0.1:${metricsPort}/readyz`);
    assert.equal(ready.status, 200);
    const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    assert.match(metrics, /^brigade_/m);
    assert.match(metrics, /^brigade_script_workers [1-9]/m);
    assert.match(metrics, /^brigade_script_workers_killed_total 0$/m);

    const delivery = await fetch(`http://127.0.0.1:${gatewayPort}/cloudevents/v1/default/hello`, {
      method: 'POST',
      headers: {
        'x-brigade-token': 'hello-ce-secret',
        'ce-specversion': '1.0',
        'ce-id': 'run-1',
        'ce-type': 'exec',
        'ce-source': '/test',
        'content-type': 'application/json',
      },
      body: '{}',
    });
    assert.equal(delivery.status, 202, await delivery.clone().text());
    const { event } = (await delivery.json()) as { event: string };
    await succeeded(event);
    const lease = await kubectl(
      sim.kubeconfigPath,
      'get',
      'lease',
      'brigade-operator',
      '-o',
      'jsonpath={.spec.holderIdentity}',
    );
    assert.ok(lease.length > 0, 'the running replica holds the lease');
  } finally {
    run.kill('SIGTERM');
  }
  assert.equal(await run.exited, 0, run.output());
});

test('run refuses a bad flag with its usage and exit code 2', async () => {
  const run = startBinary(['run', '--metrics-port', 'abc']);
  assert.equal(await run.exited, 2);
  assert.match(run.output(), /--metrics-port must be a port number/);
  assert.match(run.output(), /Usage: brigade-operator run/);
});

test('run refuses a rate limit that is not a positive number', async () => {
  const run = startBinary(['run', '--api-qps', '0']);
  assert.equal(await run.exited, 2);
  assert.match(run.output(), /--api-qps must be a positive number, got "0"/);
});
