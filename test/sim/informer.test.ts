// @kubernetes/client-node informers (ListWatch) against the simulator: every change in order,
// resuming after the server drops the watch, and re-listing after 410 Gone.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CustomObjectsApi, KubeConfig, ListWatch, Watch } from '@kubernetes/client-node';
import type { KubernetesListObject, KubernetesObject } from '@kubernetes/client-node';
import { startSimulator } from '../../src/sim/index.ts';
import type { Simulator } from '../../src/sim/index.ts';
import type { KubeObject } from '../../src/sim/types.ts';

const WIDGETS = { group: 'example.test', version: 'v1', resource: 'widgets' };
const CRDS = { group: 'apiextensions.k8s.io', version: 'v1', resource: 'customresourcedefinitions' };
const HISTORY = 20;

let sim: Simulator;
let kc: KubeConfig;
const requests: string[] = [];

before(async () => {
  sim = await startSimulator({ workloads: false, watchHistory: HISTORY, logRequest: (line) => requests.push(line) });
  kc = new KubeConfig();
  kc.loadFromFile(sim.kubeconfigPath);
  sim.store.create(CRDS, {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'widgets.example.test' },
    spec: {
      group: 'example.test',
      scope: 'Namespaced',
      names: { plural: 'widgets', kind: 'Widget' },
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
        },
      ],
    },
  });
});

after(async () => {
  await sim.stop();
});

function widget(name: string, namespace: string, size: number): KubeObject {
  return { apiVersion: 'example.test/v1', kind: 'Widget', metadata: { name, namespace }, spec: { size } };
}

async function until(predicate: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

interface Harness {
  informer: ListWatch<KubernetesObject>;
  log: string[];
  errors: unknown[];
}

function startInformer(namespace: string): Harness {
  const api = kc.makeApiClient(CustomObjectsApi);
  const listFn = (): Promise<KubernetesListObject<KubernetesObject>> =>
    api.listNamespacedCustomObject({
      group: WIDGETS.group,
      version: WIDGETS.version,
      namespace,
      plural: WIDGETS.resource,
    }) as Promise<KubernetesListObject<KubernetesObject>>;
  const informer = new ListWatch<KubernetesObject>(
    `/apis/example.test/v1/namespaces/${namespace}/widgets`,
    new Watch(kc),
    listFn,
    false,
    undefined,
    undefined,
    { delayFn: () => Promise.resolve() },
  );
  const log: string[] = [];
  const errors: unknown[] = [];
  const size = (o: KubernetesObject): unknown => (o as { spec?: { size?: unknown } }).spec?.size;
  informer.on('add', (o) => log.push(`add ${o.metadata?.name} ${String(size(o))}`));
  informer.on('update', (o) => log.push(`update ${o.metadata?.name} ${String(size(o))}`));
  informer.on('delete', (o) => log.push(`delete ${o.metadata?.name}`));
  informer.on('error', (err) => errors.push(err));
  return { informer, log, errors };
}

describe('client-node informers', () => {
  it('see every change in order', async () => {
    const ns = 'default';
    sim.store.create(WIDGETS, widget('before', ns, 0));
    const h = startInformer(ns);
    await h.informer.start();
    const w = sim.store.create(WIDGETS, widget('a', ns, 1));
    const w2 = sim.store.update(WIDGETS, { ...w, spec: { size: 2 } });
    sim.store.update(WIDGETS, { ...w2, spec: { size: 3 } });
    sim.store.delete(WIDGETS, ns, 'a');
    await until(() => h.log.includes('delete a'), 'the delete');
    await h.informer.stop();
    assert.deepEqual(h.log, ['add before 0', 'add a 1', 'update a 2', 'update a 3', 'delete a']);
    assert.deepEqual(h.errors, []);
  });

  it('resume from their last resourceVersion when the server drops the watch', async () => {
    sim.store.create(
      { group: '', version: 'v1', resource: 'namespaces' },
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'dropped' } },
    );
    const h = startInformer('dropped');
    await h.informer.start();
    sim.store.create(WIDGETS, widget('x', 'dropped', 1));
    await until(() => h.log.length === 1, 'the first add');
    assert.ok(sim.dropWatches() >= 1);
    // Made in the same turn of the event loop, so before the informer can have reconnected.
    sim.store.create(WIDGETS, widget('y', 'dropped', 2));
    await until(() => h.log.includes('add y 2'), 'the change made while disconnected');
    await h.informer.stop();
    assert.deepEqual(h.log, ['add x 1', 'add y 2']);
  });

  it('re-list after 410 Gone when their version fell out of the history', async () => {
    sim.store.create(
      { group: '', version: 'v1', resource: 'namespaces' },
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'expired' } },
    );
    const h = startInformer('expired');
    await h.informer.start();
    sim.store.create(WIDGETS, widget('old', 'expired', 1));
    await until(() => h.log.length === 1, 'the first add');
    sim.dropWatches();
    // All in this turn of the event loop: the informer's version falls out of the history before it reconnects.
    for (let i = 0; i < HISTORY + 5; i++) sim.store.create(WIDGETS, widget(`churn-${i}`, 'default', i));
    sim.store.delete(WIDGETS, 'expired', 'old');
    sim.store.create(WIDGETS, widget('new', 'expired', 2));
    await until(() => h.log.includes('add new 2') && h.log.includes('delete old'), 'the re-list');
    await h.informer.stop();
    assert.deepEqual(
      h.informer.list('expired').map((o) => o.metadata?.name),
      ['new'],
    );
    const lists = requests.filter(
      (r) =>
        r.startsWith('GET /apis/example.test/v1/namespaces/expired/widgets ') ||
        (r.includes('/namespaces/expired/widgets?') && !r.includes('watch=')),
    );
    assert.equal(lists.length, 2, 'the initial list and the re-list after 410');
  });
});
