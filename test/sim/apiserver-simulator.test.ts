// startSimulator: the kubeconfig it writes, health endpoints, and a clean, repeatable stop.

import assert from 'node:assert/strict';
import { access, readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { load } from 'js-yaml';
import { startSimulator } from '../../src/sim/index.ts';
import type { Simulator } from '../../src/sim/index.ts';

describe('startSimulator', () => {
  it('writes a kubeconfig for cluster brigade-sim with no credentials and namespace default, and removes it on stop', async () => {
    const sim = await startSimulator({ workloads: false });
    try {
      await checkRunning(sim);
    } finally {
      await Promise.all([sim.stop(), sim.stop()]);
    }
    await assert.rejects(access(sim.kubeconfigPath));
    await assert.rejects(fetch(`${sim.url}/healthz`));
  });
});

async function checkRunning(sim: Simulator): Promise<void> {
  const config = load(await readFile(sim.kubeconfigPath, 'utf8')) as {
    clusters: Array<{ name: string; cluster: { server: string } }>;
    users: Array<{ name: string; user: object }>;
    contexts: Array<{ name: string; context: { cluster: string; user: string; namespace: string } }>;
    'current-context': string;
  };
  // insecure-skip-tls-verify only because client-node 2 refuses plain http without it.
  assert.deepEqual(config.clusters, [
    { name: 'brigade-sim', cluster: { server: sim.url, 'insecure-skip-tls-verify': true } },
  ]);
  assert.deepEqual(config.users, [{ name: 'brigade-sim', user: {} }]);
  assert.equal(config['current-context'], 'brigade-sim');
  assert.deepEqual(config.contexts[0].context, { cluster: 'brigade-sim', user: 'brigade-sim', namespace: 'default' });
  assert.match(sim.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  for (const path of ['/healthz', '/readyz', '/livez']) assert.equal((await fetch(`${sim.url}${path}`)).status, 200);
  const namespaces = (await (await fetch(`${sim.url}/api/v1/namespaces`)).json()) as {
    items: Array<{ metadata: { name: string } }>;
  };
  assert.deepEqual(
    namespaces.items.map((n) => n.metadata.name).filter((n) => n === 'default' || n === 'kube-system'),
    ['default', 'kube-system'],
  );
}
