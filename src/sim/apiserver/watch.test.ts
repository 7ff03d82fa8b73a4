import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SimApiError } from './errors.ts';
import { configMap, GVR, newStore, required } from './test-helpers.ts';
import type { KubeObject, WatchEventType } from '../types.ts';

type Seen = Array<[WatchEventType, string | undefined, string | undefined]>;

function recorder(): { seen: Seen; on: (type: WatchEventType, obj: KubeObject) => void } {
  const seen: Seen = [];
  return { seen, on: (type, obj) => seen.push([type, obj.metadata.name, obj.metadata.resourceVersion]) };
}

describe('store watches', () => {
  it('delivers changes after a resourceVersion, in order', () => {
    const store = newStore();
    const a = store.create(GVR.configmaps, configMap('a'));
    const later = store.update(GVR.configmaps, { ...a, data: { k: 'v' } });
    store.delete(GVR.configmaps, 'default', 'a');
    const r = recorder();
    const stop = store.watch(
      GVR.configmaps,
      { resourceVersion: required(a.metadata.resourceVersion, 'resourceVersion') },
      r.on,
    );
    stop();
    assert.deepEqual(
      r.seen.map(([t, n]) => `${t} ${n}`),
      ['MODIFIED a', 'DELETED a'],
    );
    assert.equal(r.seen[0][2], later.metadata.resourceVersion);
  });

  it('answers 410 Gone for a resourceVersion older than the retained history', () => {
    const store = newStore({ watchHistory: 2 });
    const first = store.create(GVR.configmaps, configMap('a'));
    for (const n of ['b', 'c', 'd']) store.create(GVR.configmaps, configMap(n));
    assert.throws(
      () =>
        store.watch(
          GVR.configmaps,
          { resourceVersion: required(first.metadata.resourceVersion, 'resourceVersion') },
          () => {},
        ),
      (err: unknown) => err instanceof SimApiError && err.code === 410 && err.reason === 'Expired',
    );
  });

  it('reports an object that stops matching the selector as DELETED and one that starts matching as ADDED', () => {
    const store = newStore();
    const a = store.create(GVR.configmaps, configMap('a', {}, { labels: { on: 'yes' } }));
    const r = recorder();
    const stop = store.watch(GVR.configmaps, { labelSelector: 'on=yes' }, r.on);
    const off = store.update(GVR.configmaps, { ...a, metadata: { ...a.metadata, labels: { on: 'no' } } });
    store.update(GVR.configmaps, { ...off, metadata: { ...off.metadata, labels: { on: 'yes' } } });
    stop();
    assert.deepEqual(
      r.seen.map(([t]) => t),
      ['DELETED', 'ADDED'],
    );
  });

  it('fans out to many watchers and stops delivering after unsubscribe', () => {
    const store = newStore();
    const recorders = Array.from({ length: 200 }, () => recorder());
    const stops = recorders.map((r) => store.watch(GVR.configmaps, { namespace: 'default' }, r.on));
    store.create(GVR.configmaps, configMap('a'));
    for (const stop of stops) stop();
    store.create(GVR.configmaps, configMap('b'));
    assert.ok(recorders.every((r) => r.seen.length === 1 && r.seen[0][1] === 'a'));
  });

  it('scopes a watch to its namespace', () => {
    const store = newStore();
    const r = recorder();
    const stop = store.watch(GVR.configmaps, { namespace: 'kube-system' }, r.on);
    store.create(GVR.configmaps, configMap('a'));
    store.create(GVR.configmaps, { ...configMap('b'), metadata: { name: 'b', namespace: 'kube-system' } });
    stop();
    assert.deepEqual(
      r.seen.map(([, n]) => n),
      ['b'],
    );
  });
});
