// The kube layer and the informer against the simulator's real HTTP API.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubernetesListObject, KubernetesObject } from '@kubernetes/client-node';
import { ManualClock } from '../../src/controller/runtime/clock.ts';
import { Informer } from '../../src/controller/runtime/informer.ts';
import { collectionPath, resourceOf } from '../../src/kube/custom-objects.ts';
import { EventRecorder } from '../../src/kube/event-recorder.ts';
import { isConflict } from '../../src/kube/errors.ts';
import { newKubeClients } from '../../src/kube/clients.ts';
import { startFaultProxy } from '../helpers/fault-proxy.ts';
import { startCluster, testLogger, waitFor } from './harness.ts';
import type { Cluster } from './harness.ts';

let cluster: Cluster;

before(async () => {
  cluster = await startCluster();
});

after(async () => {
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- unset when before() failed
  await cluster?.stop();
});

const project = (name: string) => ({
  apiVersion: 'brigade.sh/v1alpha1',
  kind: 'Project' as const,
  metadata: { name, namespace: cluster.namespace },
  spec: { script: '' },
});

test('custom-object helpers create (idempotently), read, patch status, report stale writes as conflicts and update status from the latest read', async () => {
  const { objects } = cluster;
  const created = await objects.create('Project', project('kube-1'));
  assert.equal(created.existed, false);
  const again = await objects.create('Project', project('kube-1'));
  assert.equal(again.existed, true);
  assert.equal(again.object.metadata.uid, created.object.metadata.uid);
  assert.equal(await objects.get('Project', cluster.namespace, 'missing'), undefined);
  await objects.patchStatus('Project', cluster.namespace, 'kube-1', { handlers: ['a'] });
  // A stale resourceVersion is a conflict...
  await assert.rejects(
    objects.replaceStatus('Project', { ...created.object, status: { handlers: ['stale'] } }),
    (err: Error) => isConflict((err as { cause?: unknown }).cause),
  );
  // A status patch made from a stale read is refused when it carries that read's resourceVersion.
  await assert.rejects(
    objects.patchStatus(
      'Project',
      cluster.namespace,
      'kube-1',
      { handlers: ['stale'] },
      created.object.metadata.resourceVersion,
    ),
    (err: Error) => isConflict((err as { cause?: unknown }).cause),
  );
  // updateStatus reads the current object, so it builds on the latest status.
  const updated = await objects.updateStatus('Project', cluster.namespace, 'kube-1', (cur) => ({
    ...cur.status,
    handlersSummary: `seen ${cur.status?.handlers?.join(',')}`,
  }));
  assert.equal(updated?.status?.handlersSummary, 'seen a');
  assert.equal(
    await objects.updateStatus('Project', cluster.namespace, 'kube-1', () => undefined),
    undefined,
    'no write when the mutation wants none',
  );
});

test('the EventRecorder aggregates repeats into one Event with a count', async () => {
  const errors: unknown[] = [];
  const recorder = new EventRecorder({ core: cluster.clients.core, component: 'test', onError: (e) => errors.push(e) });
  const target = await cluster.objects.get('Project', cluster.namespace, 'kube-1');
  assert.ok(target, 'the project exists');
  const obj = { apiVersion: 'brigade.sh/v1alpha1', kind: 'Project', metadata: target.metadata };
  await recorder.normal(obj, 'Tested', 'same message');
  await recorder.normal(obj, 'Tested', 'same message');
  await recorder.warning(obj, 'Other', 'different');
  assert.deepEqual(errors, []);
  const events = await cluster.clients.core.listNamespacedEvent({
    namespace: cluster.namespace,
    fieldSelector: 'involvedObject.name=kube-1',
  });
  const tested = events.items.filter((e) => e.reason === 'Tested');
  assert.equal(tested.length, 1);
  assert.equal(tested[0]?.count, 2);
  assert.equal(events.items.filter((e) => e.reason === 'Other')[0]?.type, 'Warning');
  const described = await cluster.kubectl('describe', 'projects.brigade.sh', 'kube-1');
  assert.match(described, /Tested/);
});

test('an informer whose list fails restarts with back-off, syncs, and then follows changes', async () => {
  const clock = new ManualClock();
  let failures = 1;
  const list = async (): Promise<KubernetesListObject<KubernetesObject>> => {
    if (failures-- > 0) throw new Error('simulated list failure');
    return (await cluster.custom.listNamespacedCustomObject({
      ...resourceOf('Project'),
      namespace: cluster.namespace,
    })) as KubernetesListObject<KubernetesObject>;
  };
  const informer = new Informer<KubernetesObject>({
    name: 'projects',
    kubeConfig: cluster.clients.kubeConfig,
    path: collectionPath('Project', cluster.namespace),
    list,
    logger: testLogger(),
    clock,
  });
  const ac = new AbortController();
  const running = informer.start(ac.signal);
  await waitFor('restart scheduled', () => (clock.pendingTimers() === 1 ? true : undefined));
  assert.equal(informer.synced, false);
  clock.advance(500);
  await informer.waitForSync();
  assert.ok(informer.get(cluster.namespace, 'kube-1'));
  await cluster.objects.create('Project', project('kube-2'));
  await waitFor('watch delivered the new project', () => informer.get(cluster.namespace, 'kube-2'));
  assert.equal(informer.byLabels({}, cluster.namespace).length >= 2, true);
  ac.abort();
  await running;
});

test('an informer whose watches are cut resumes from its last resourceVersion: every change arrives, no second list', async () => {
  const proxy = await startFaultProxy(cluster.clients.kubeConfig, {
    seed: 1,
    rates: {},
    cutWatchesAfterMs: [150, 400],
  });
  const through = proxy.kubeConfigThrough(cluster.clients.kubeConfig);
  const { custom } = newKubeClients(through);
  let lists = 0;
  const relists: string[] = [];
  const restarts: string[] = [];
  const informer = new Informer<KubernetesObject>({
    name: 'projects-through-proxy',
    kubeConfig: through,
    path: collectionPath('Project', cluster.namespace),
    list: async () => {
      lists++;
      return (await custom.listNamespacedCustomObject({
        ...resourceOf('Project'),
        namespace: cluster.namespace,
      })) as KubernetesListObject<KubernetesObject>;
    },
    logger: testLogger(),
    onRelist: (name) => relists.push(name),
    onRestart: (name) => restarts.push(name),
  });
  const deleted: string[] = [];
  informer.onChange((obj, verb) => {
    if (verb === 'delete') deleted.push(obj.metadata?.name ?? '');
  });
  const ac = new AbortController();
  const running = informer.start(ac.signal);
  try {
    await informer.waitForSync();
    // Each change is made after one more watch was cut, so every one of them arrives on a resumed watch.
    for (let i = 0; i < 6; i++) {
      const cuts = proxy.stats.watchesCut;
      await waitFor(`watch cut #${String(cuts + 1)}`, () => (proxy.stats.watchesCut > cuts ? true : undefined));
      await cluster.objects.create('Project', project(`cut-${String(i)}`));
    }
    await waitFor('one more cut', () => (proxy.stats.watchesCut >= 7 ? true : undefined));
    await cluster.objects.delete('Project', cluster.namespace, 'cut-0');
    await waitFor('every change delivered', () =>
      [1, 2, 3, 4, 5].every((i) => informer.get(cluster.namespace, `cut-${String(i)}`)) &&
      !informer.get(cluster.namespace, 'cut-0') &&
      deleted.includes('cut-0')
        ? true
        : undefined,
    );
    assert.ok(restarts.length >= 7, 'each cut was a reconnect');
    assert.equal(lists, 1, 'only the first list');
    assert.deepEqual(relists, []);
  } finally {
    ac.abort();
    await running;
    await proxy.stop();
  }
});

test('applyCustomResourceDefinition installs the CRDs as written: defaults and CEL rules survive', async () => {
  const { applyCustomResourceDefinition } = await import('../../src/kube/crd-install.ts');
  const { crdManifests } = await import('../../src/api/crds.ts');
  for (const crd of crdManifests()) await applyCustomResourceDefinition(cluster.clients.kubeConfig, crd);
  const stored = JSON.parse(await cluster.kubectl('get', 'crd', 'events.brigade.sh', '-o', 'json')) as {
    spec: { versions: Array<{ schema: unknown }> };
  };
  const schema = JSON.stringify(stored.spec.versions[0]?.schema);
  assert.match(schema, /"x-kubernetes-validations"/);
  assert.match(schema, /"default":"manual"/);
  await cluster.apply(
    'apiVersion: brigade.sh/v1alpha1\nkind: Event\nmetadata: { name: crd-defaults }\nspec: { project: p, type: exec }\n',
  );
  const event = await cluster.objects.get('Event', cluster.namespace, 'crd-defaults');
  assert.equal(event?.spec.provider, 'manual', 'the schema default filled the provider');
  const changed = await cluster
    .kubectl('patch', 'events.brigade.sh', 'crd-defaults', '--type=merge', '-p', '{"spec":{"type":"push"}}')
    .then(
      () => 'accepted',
      (err: unknown) => (err as Error).message,
    );
  assert.match(changed, /immutable/i, 'the CEL rule refuses a change of an Event spec');
});
