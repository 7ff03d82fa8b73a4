import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SimApiError } from './errors.ts';
import { configMap, GVR, newStore, required, widget, WIDGET_CRD } from './test-helpers.ts';
import type { KubeObject } from '../types.ts';

function apiError(fn: () => unknown): SimApiError {
  try {
    fn();
  } catch (err) {
    if (err instanceof SimApiError) return err;
    throw err;
  }
  assert.fail('expected a SimApiError');
}

describe('create', () => {
  it('sets uid, creationTimestamp and a resourceVersion from one global counter', () => {
    const store = newStore();
    const a = store.create(GVR.configmaps, configMap('a'));
    const b = store.create(GVR.configmaps, configMap('b'));
    assert.match(required(a.metadata.uid, 'uid'), /^[0-9a-f-]{36}$/);
    assert.match(required(a.metadata.creationTimestamp, 'creationTimestamp'), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.equal(Number(b.metadata.resourceVersion), Number(a.metadata.resourceVersion) + 1);
  });

  it('answers 409 AlreadyExists with the real wording', () => {
    const store = newStore();
    store.create(GVR.configmaps, configMap('a'));
    const err = apiError(() => store.create(GVR.configmaps, configMap('a')));
    assert.equal(err.code, 409);
    assert.equal(err.status.reason, 'AlreadyExists');
    assert.equal(err.message, 'configmaps "a" already exists');
    assert.deepEqual(err.status.details, { name: 'a', kind: 'configmaps' });
  });

  it('names objects from generateName with a five-character suffix', () => {
    const store = newStore();
    const made = store.create(GVR.configmaps, {
      ...configMap(''),
      metadata: { generateName: 'run-', namespace: 'default' },
    });
    assert.match(required(made.metadata.name, 'name'), /^run-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  });

  it('refuses a missing namespace with 404 namespaces "x" not found', () => {
    const store = newStore();
    const err = apiError(() =>
      store.create(GVR.configmaps, { ...configMap('a'), metadata: { name: 'a', namespace: 'nope' } }),
    );
    assert.equal(err.code, 404);
    assert.equal(err.message, 'namespaces "nope" not found');
  });

  it('refuses an invalid name with 422 Invalid and a cause naming metadata.name', () => {
    const store = newStore();
    const err = apiError(() => store.create(GVR.configmaps, configMap('Bad_Name')));
    assert.equal(err.code, 422);
    assert.match(
      err.message,
      /^ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain/,
    );
    assert.equal(err.status.details?.causes?.at(0)?.field, 'metadata.name');
    assert.equal(err.status.details.causes.at(0)?.reason, 'FieldValueInvalid');
  });

  it('refuses owner references without a uid, or with two controllers', () => {
    const store = newStore();
    const ref = { apiVersion: 'v1', kind: 'ConfigMap', name: 'o', uid: '', controller: true };
    const err = apiError(() => store.create(GVR.configmaps, configMap('a', {}, { ownerReferences: [ref] })));
    assert.match(err.message, /metadata.ownerReferences.uid: Invalid value: "": uid must not be empty/);
    const two = [
      { ...ref, uid: 'u1' },
      { ...ref, name: 'p', uid: 'u2' },
    ];
    assert.match(
      apiError(() => store.create(GVR.configmaps, configMap('b', {}, { ownerReferences: two }))).message,
      /Only one reference can have Controller set to true/,
    );
  });

  it('refuses a bad label value', () => {
    const store = newStore();
    const err = apiError(() => store.create(GVR.configmaps, configMap('a', {}, { labels: { app: 'not ok!' } })));
    assert.equal(err.code, 422);
    assert.match(err.message, /metadata.labels: Invalid value: "not ok!"/);
  });

  it('drops status on create for kinds with a status subresource, and starts generation at 1', () => {
    const store = newStore();
    store.create(GVR.crds, WIDGET_CRD);
    const w = store.create(GVR.widgets, { ...widget('w'), status: { phase: 'Done' } });
    assert.equal(w['status'], undefined);
    assert.equal(w.metadata.generation, 1);
  });
});

describe('update', () => {
  it('answers 409 Conflict with the real message for a stale resourceVersion', () => {
    const store = newStore();
    const a = store.create(GVR.configmaps, configMap('a'));
    store.update(GVR.configmaps, { ...a, data: { x: '1' } });
    const err = apiError(() => store.update(GVR.configmaps, { ...a, data: { x: '2' } }));
    assert.equal(err.code, 409);
    assert.equal(
      err.message,
      'Operation cannot be fulfilled on configmaps "a": the object has been modified; ' +
        'please apply your changes to the latest version and try again',
    );
  });

  it('bumps generation only for changes outside metadata and status', () => {
    const store = newStore();
    store.create(GVR.crds, WIDGET_CRD);
    const w = store.create(GVR.widgets, widget('w', 1));
    const labelled = store.update(GVR.widgets, { ...w, metadata: { ...w.metadata, labels: { a: 'b' } } });
    assert.equal(labelled.metadata.generation, 1);
    const resized = store.update(GVR.widgets, { ...labelled, spec: { size: 2 } });
    assert.equal(resized.metadata.generation, 2);
    const withStatus = store.update(GVR.widgets, { ...resized, status: { phase: 'Ready' } }, { subresource: 'status' });
    assert.equal(withStatus.metadata.generation, 2);
  });

  it('counts status changes in the generation when the CRD has no status subresource', () => {
    const store = newStore();
    const versions = (WIDGET_CRD['spec'] as { versions: Array<Record<string, unknown>> }).versions.map((v) => ({
      ...v,
      subresources: {},
    }));
    store.create(GVR.crds, { ...WIDGET_CRD, spec: { ...(WIDGET_CRD['spec'] as object), versions } });
    const w = store.create(GVR.widgets, widget('w', 1));
    const updated = store.update(GVR.widgets, { ...w, status: { phase: 'Ready' } });
    assert.deepEqual(updated['status'], { phase: 'Ready' });
    assert.equal(updated.metadata.generation, 2);
  });

  it('ignores status on the main endpoint and everything but status on /status', () => {
    const store = newStore();
    store.create(GVR.crds, WIDGET_CRD);
    const w = store.create(GVR.widgets, widget('w', 1));
    const main = store.update(GVR.widgets, { ...w, status: { phase: 'Sneaky' } });
    assert.equal(main['status'], undefined);
    const status = store.update(
      GVR.widgets,
      { ...main, spec: { size: 99 }, status: { phase: 'Ready' } },
      { subresource: 'status' },
    );
    assert.deepEqual(status['spec'], { size: 1 });
    assert.deepEqual(status['status'], { phase: 'Ready' });
  });

  it('does not write (no new resourceVersion) when nothing changed', () => {
    const store = newStore();
    const a = store.create(GVR.configmaps, configMap('a', { k: 'v' }));
    const same = store.update(GVR.configmaps, a);
    assert.equal(same.metadata.resourceVersion, a.metadata.resourceVersion);
  });

  it('keeps data of an immutable ConfigMap', () => {
    const store = newStore();
    const a = store.create(GVR.configmaps, { ...configMap('a', { k: 'v' }), immutable: true });
    const err = apiError(() => store.update(GVR.configmaps, { ...a, data: { k: 'w' } }));
    assert.equal(err.code, 422);
    assert.match(err.message, /data: Forbidden: field is immutable when `immutable` is set/);
  });

  it("keeps a Job's pod template immutable", () => {
    const store = newStore();
    const job = store.create(GVR.jobs, {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'j', namespace: 'default' },
      spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } } },
    });
    const spec = job['spec'] as { template: { spec: { containers: Array<{ image: string }> } } };
    spec.template.spec.containers[0].image = 'alpine';
    const err = apiError(() => store.update(GVR.jobs, job));
    assert.match(err.message, /^Job.batch "j" is invalid: spec.template: Invalid value/);
  });
});

describe('delete, finalizers and garbage collection', () => {
  it('marks an object with finalizers and deletes it when the last finalizer goes', () => {
    const store = newStore();
    store.create(GVR.configmaps, configMap('a', {}, { finalizers: ['example.test/hold'] }));
    const marked = required(store.delete(GVR.configmaps, 'default', 'a'), 'the deleted object');
    assert.ok(marked.metadata.deletionTimestamp);
    assert.ok(store.get(GVR.configmaps, 'default', 'a'));
    const err = apiError(() =>
      store.update(GVR.configmaps, {
        ...marked,
        metadata: { ...marked.metadata, finalizers: ['example.test/hold', 'x/y'] },
      }),
    );
    assert.match(err.message, /no new finalizers can be added if the object is being deleted/);
    store.update(GVR.configmaps, { ...marked, metadata: { ...marked.metadata, finalizers: [] } });
    assert.equal(store.get(GVR.configmaps, 'default', 'a'), undefined);
  });

  function ownerAndChild(store: ReturnType<typeof newStore>, block = false): { owner: KubeObject; child: KubeObject } {
    const owner = store.create(GVR.configmaps, configMap('owner'));
    const ref = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      name: 'owner',
      uid: required(owner.metadata.uid, 'owner uid'),
      ...(block ? { blockOwnerDeletion: true } : {}),
    };
    const child = store.create(GVR.configmaps, configMap('child', {}, { ownerReferences: [ref] }));
    return { owner, child };
  }

  it('deletes dependents in the background after the owner is gone', () => {
    const store = newStore();
    ownerAndChild(store);
    store.delete(GVR.configmaps, 'default', 'owner');
    assert.ok(store.get(GVR.configmaps, 'default', 'child'), 'collection is asynchronous, like the real GC');
    store.collectGarbageNow();
    assert.equal(store.get(GVR.configmaps, 'default', 'child'), undefined);
  });

  it('keeps the owner until blocking dependents are gone with foreground deletion', () => {
    const store = newStore();
    ownerAndChild(store, true);
    const marked = required(
      store.delete(GVR.configmaps, 'default', 'owner', { propagationPolicy: 'Foreground' }),
      'the deleted owner',
    );
    assert.deepEqual(marked.metadata.finalizers, ['foregroundDeletion']);
    assert.ok(marked.metadata.deletionTimestamp);
    store.collectGarbageNow();
    assert.equal(store.get(GVR.configmaps, 'default', 'child'), undefined);
    assert.equal(store.get(GVR.configmaps, 'default', 'owner'), undefined);
  });

  it('orphans dependents: they lose the owner reference and stay', () => {
    const store = newStore();
    ownerAndChild(store);
    store.delete(GVR.configmaps, 'default', 'owner', { propagationPolicy: 'Orphan' });
    store.collectGarbageNow();
    assert.equal(store.get(GVR.configmaps, 'default', 'owner'), undefined);
    const child = required(store.get(GVR.configmaps, 'default', 'child'), 'child');
    assert.equal(child.metadata.ownerReferences, undefined);
  });

  it('keeps the pods of a batch/v1 Job deleted without a propagation policy, as upstream does', () => {
    for (const [policy, podsLeft] of [
      [undefined, ['pod-of-job']],
      ['Background', []],
    ] as const) {
      const store = newStore();
      const job = store.create(GVR.jobs, {
        apiVersion: 'batch/v1',
        kind: 'Job',
        metadata: { name: 'job', namespace: 'default' },
        spec: {
          template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'alpine:3.20' }] } },
          suspend: true,
        },
      });
      const ref = { apiVersion: 'batch/v1', kind: 'Job', name: 'job', uid: required(job.metadata.uid, 'job uid') };
      store.create(GVR.pods, {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'pod-of-job', namespace: 'default', ownerReferences: [{ ...ref, controller: true }] },
        spec: { containers: [{ name: 'c', image: 'alpine:3.20' }] },
      });
      store.delete(GVR.jobs, 'default', 'job', policy ? { propagationPolicy: policy } : {});
      store.collectGarbageNow();
      const left = store.list(GVR.pods, { namespace: 'default' }).items.map((o) => o.metadata.name);
      assert.deepEqual(left, podsLeft, policy ?? 'no policy');
    }
  });

  it('follows chains of owners, in the background and in the foreground', () => {
    for (const propagationPolicy of ['Background', 'Foreground'] as const) {
      const store = newStore();
      const { child } = ownerAndChild(store, true);
      store.create(
        GVR.configmaps,
        configMap(
          'grandchild',
          {},
          {
            ownerReferences: [
              {
                apiVersion: 'v1',
                kind: 'ConfigMap',
                name: 'child',
                uid: required(child.metadata.uid, 'child uid'),
                blockOwnerDeletion: true,
              },
            ],
          },
        ),
      );
      store.delete(GVR.configmaps, 'default', 'owner', { propagationPolicy });
      store.collectGarbageNow();
      const left = store.list(GVR.configmaps, { namespace: 'default' }).items.map((o) => o.metadata.name);
      assert.deepEqual(left, [], propagationPolicy);
    }
  });

  it('collects a dependent created with an owner that does not exist', () => {
    const store = newStore();
    store.create(
      GVR.configmaps,
      configMap(
        'stray',
        {},
        {
          ownerReferences: [
            { apiVersion: 'v1', kind: 'ConfigMap', name: 'ghost', uid: '00000000-0000-0000-0000-000000000000' },
          ],
        },
      ),
    );
    store.collectGarbageNow();
    assert.equal(store.get(GVR.configmaps, 'default', 'stray'), undefined);
  });

  it("removes a namespace's contents, then the namespace", () => {
    const store = newStore();
    store.create(GVR.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'doomed' } });
    store.create(GVR.configmaps, { ...configMap('a'), metadata: { name: 'a', namespace: 'doomed' } });
    const ns = required(store.delete(GVR.namespaces, undefined, 'doomed'), 'the deleted namespace');
    assert.equal((ns['status'] as { phase: string }).phase, 'Terminating');
    const err = apiError(() =>
      store.create(GVR.configmaps, { ...configMap('b'), metadata: { name: 'b', namespace: 'doomed' } }),
    );
    assert.equal(err.code, 403);
    assert.match(err.message, /because it is being terminated/);
    store.collectGarbageNow();
    assert.equal(store.get(GVR.configmaps, 'doomed', 'a'), undefined);
    assert.equal(store.get(GVR.namespaces, undefined, 'doomed'), undefined);
  });

  it('deletes an unscheduled pod at once', () => {
    const store = newStore();
    store.create(GVR.pods, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p', namespace: 'default' },
      spec: { containers: [{ name: 'c', image: 'busybox' }] },
    });
    store.delete(GVR.pods, 'default', 'p');
    assert.equal(store.get(GVR.pods, 'default', 'p'), undefined);
  });

  it('checks uid preconditions on delete', () => {
    const store = newStore();
    store.create(GVR.configmaps, configMap('a'));
    const err = apiError(() => store.delete(GVR.configmaps, 'default', 'a', { preconditions: { uid: 'other' } }));
    assert.equal(err.code, 409);
    assert.match(err.message, /Precondition failed: UID in precondition: other/);
  });
});

describe('CRDs', () => {
  it('establishes a CRD and serves its kind until the CRD is deleted, taking its objects along', () => {
    const store = newStore();
    const crd = store.create(GVR.crds, WIDGET_CRD);
    const conditions = (crd['status'] as { conditions: Array<{ type: string; status: string }> }).conditions;
    assert.deepEqual(
      conditions.map((c) => `${c.type}=${c.status}`),
      ['NamesAccepted=True', 'Established=True'],
    );
    store.create(GVR.widgets, widget('w'));
    store.delete(GVR.crds, undefined, 'widgets.example.test');
    store.collectGarbageNow();
    assert.equal(store.get(GVR.crds, undefined, 'widgets.example.test'), undefined);
    assert.throws(
      () => store.list(GVR.widgets),
      (err: unknown) => err instanceof SimApiError && err.code === 404,
    );
  });
});

describe('lists and selectors', () => {
  it('filters by label and field selectors', () => {
    const store = newStore();
    store.create(GVR.configmaps, configMap('a', {}, { labels: { tier: 'web' } }));
    store.create(GVR.configmaps, configMap('b', {}, { labels: { tier: 'db' } }));
    store.create(GVR.configmaps, configMap('c'));
    const names = (sel: { labelSelector?: string; fieldSelector?: string }): Array<string | undefined> =>
      store.list(GVR.configmaps, { namespace: 'default', ...sel }).items.map((o) => o.metadata.name);
    assert.deepEqual(names({ labelSelector: 'tier in (web,db)' }), ['a', 'b']);
    assert.deepEqual(names({ labelSelector: '!tier' }), ['c']);
    assert.deepEqual(names({ labelSelector: 'tier!=web' }), ['b', 'c']);
    assert.deepEqual(names({ fieldSelector: 'metadata.name!=a' }), ['b', 'c']);
  });

  it('refuses an unsupported field selector with 400', () => {
    const store = newStore();
    const err = apiError(() => store.list(GVR.configmaps, { fieldSelector: 'data.x=1' }));
    assert.equal(err.code, 400);
    assert.equal(err.message, 'field label not supported: data.x');
  });
});

describe('events', () => {
  it('serves core events as events.k8s.io/v1 and stores events.k8s.io events as core ones', () => {
    const store = newStore();
    const v1 = { group: 'events.k8s.io', version: 'v1', resource: 'events' };
    const core = { group: '', version: 'v1', resource: 'events' };
    store.create(v1, {
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata: { name: 'e1', namespace: 'default' },
      regarding: { kind: 'Pod', name: 'p' },
      note: 'hello',
      reason: 'Testing',
      type: 'Normal',
      reportingController: 'tester',
      reportingInstance: 'i',
      action: 'Test',
      eventTime: '2026-01-01T00:00:00.000000Z',
    });
    const asCore = required(store.get(core, 'default', 'e1'), 'e1 as core/v1');
    assert.equal(asCore['message'], 'hello');
    assert.deepEqual(asCore['involvedObject'], { kind: 'Pod', name: 'p' });
    const back = required(store.get(v1, 'default', 'e1'), 'e1 as events.k8s.io/v1');
    assert.equal(back.apiVersion, 'events.k8s.io/v1');
    assert.equal(back['note'], 'hello');
    assert.equal(back['reportingController'], 'tester');
  });

  it('expires events after their TTL', () => {
    let now = new Date('2026-01-01T00:00:00Z');
    const store = newStore({ clock: () => now, eventTtlMs: 60_000 });
    const a = store.create(GVR.configmaps, configMap('a'));
    store.recordEvent(a, 'Normal', 'Old', 'old news', 'tester');
    now = new Date('2026-01-01T00:00:45Z');
    store.recordEvent(a, 'Normal', 'New', 'fresh', 'tester');
    now = new Date('2026-01-01T00:01:30Z');
    store.expireEvents();
    store.stop();
    const reasons = store.list({ group: '', version: 'v1', resource: 'events' }).items.map((e) => e['reason']);
    assert.deepEqual(reasons, ['New']);
  });

  it('records a core/v1 Event about an object', () => {
    const store = newStore();
    const a = store.create(GVR.configmaps, configMap('a'));
    store.recordEvent(a, 'Warning', 'Broken', 'it broke', 'tester');
    const events = store.list({ group: '', version: 'v1', resource: 'events' }, { namespace: 'default' }).items;
    const event = required(events.at(0), 'the event');
    assert.equal(event['reason'], 'Broken');
    assert.deepEqual((event['involvedObject'] as { uid: string }).uid, a.metadata.uid);
  });
});

describe('Secrets', () => {
  const secret = (fields: Record<string, unknown>): KubeObject => ({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 's', namespace: 'default' },
    ...fields,
  });

  it('folds stringData into base64 data on create and update, and never stores stringData', () => {
    const store = newStore();
    const created = store.create(
      GVR.secrets,
      secret({ data: { a: Buffer.from('old').toString('base64') }, stringData: { b: 'plain', a: 'wins' } }),
    );
    assert.equal(created['stringData'], undefined);
    assert.deepEqual(created['data'], {
      a: Buffer.from('wins').toString('base64'),
      b: Buffer.from('plain').toString('base64'),
    });
    const updated = store.update(GVR.secrets, { ...created, stringData: { c: 'more' } });
    assert.equal(updated['stringData'], undefined);
    assert.equal((updated['data'] as Record<string, string>)['c'], Buffer.from('more').toString('base64'));
    assert.equal(store.get(GVR.secrets, 'default', 's')?.['stringData'], undefined);
  });
});
