import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SimApiError } from '../errors.ts';
import { applyJsonPatch } from './json-patch.ts';
import { applyMergePatch } from './merge.ts';
import { applyStrategicMergePatch } from './strategic.ts';

describe('JSON merge patch', () => {
  it('merges maps, removes keys set to null and replaces lists', () => {
    const out = applyMergePatch({ a: { b: 1, c: 2 }, l: [1, 2] }, { a: { b: null, d: 3 }, l: [3] });
    assert.deepEqual(out, { a: { c: 2, d: 3 }, l: [3] });
  });
});

describe('JSON patch', () => {
  it('applies add, replace, remove, move, copy and test in order', () => {
    const doc = { a: [1, 2], b: { c: 'x' } };
    const out = applyJsonPatch(doc, [
      { op: 'add', path: '/a/-', value: 3 },
      { op: 'replace', path: '/b/c', value: 'y' },
      { op: 'copy', from: '/b/c', path: '/d' },
      { op: 'move', from: '/d', path: '/e' },
      { op: 'remove', path: '/a/0' },
      { op: 'test', path: '/e', value: 'y' },
    ]);
    assert.deepEqual(out, { a: [2, 3], b: { c: 'y' }, e: 'y' });
    assert.deepEqual(doc, { a: [1, 2], b: { c: 'x' } }, 'the input is not modified');
  });

  it('fails a test operation with 422', () => {
    assert.throws(
      () => applyJsonPatch({ a: 1 }, [{ op: 'test', path: '/a', value: 2 }]),
      (err: unknown) => err instanceof SimApiError && err.code === 422,
    );
  });

  it('fails removing a missing path', () => {
    assert.throws(() => applyJsonPatch({ a: 1 }, [{ op: 'remove', path: '/b' }]), SimApiError);
  });
});

describe('strategic merge patch', () => {
  const pod = {
    spec: {
      containers: [
        {
          name: 'a',
          image: 'a:1',
          env: [
            { name: 'X', value: '1' },
            { name: 'Y', value: '2' },
          ],
        },
        { name: 'b', image: 'b:1' },
      ],
      volumes: [{ name: 'v1', emptyDir: {} }],
      tolerations: [{ key: 'k', operator: 'Exists' }],
    },
    metadata: { finalizers: ['f1'] },
  };

  it('merges containers and env by name', () => {
    const out = applyStrategicMergePatch(pod, {
      spec: {
        containers: [
          {
            name: 'a',
            env: [
              { name: 'Y', value: '3' },
              { name: 'Z', value: '4' },
            ],
          },
        ],
      },
    });
    const containers = (out as typeof pod).spec.containers;
    assert.equal(containers.length, 2);
    assert.deepEqual(containers[0].env, [
      { name: 'X', value: '1' },
      { name: 'Y', value: '3' },
      { name: 'Z', value: '4' },
    ]);
    assert.equal(containers[0].image, 'a:1');
  });

  it('deletes list items with $patch: delete and replaces a list with $patch: replace', () => {
    const deleted = applyStrategicMergePatch(pod, {
      spec: { containers: [{ name: 'b', $patch: 'delete' }] },
    }) as typeof pod;
    assert.deepEqual(
      deleted.spec.containers.map((c) => c.name),
      ['a'],
    );
    const replaced = applyStrategicMergePatch(pod, {
      spec: { volumes: [{ $patch: 'replace' }, { name: 'v2', emptyDir: {} }] },
    }) as typeof pod;
    assert.deepEqual(replaced.spec.volumes, [{ name: 'v2', emptyDir: {} }]);
  });

  it('orders by $setElementOrder and removes primitives with $deleteFromPrimitiveList', () => {
    const out = applyStrategicMergePatch(pod, {
      spec: { '$setElementOrder/containers': [{ name: 'b' }, { name: 'a' }] },
      metadata: { '$deleteFromPrimitiveList/finalizers': ['f1'] },
    }) as typeof pod;
    assert.deepEqual(
      out.spec.containers.map((c) => c.name),
      ['b', 'a'],
    );
    assert.deepEqual(out.metadata.finalizers, []);
  });

  it('keeps only $retainKeys in a map and replaces lists without a merge key', () => {
    const out = applyStrategicMergePatch(
      { s: { type: 'A', a: 1, b: 2 }, spec: pod.spec },
      { s: { $retainKeys: ['type', 'b'], type: 'B' }, spec: { tolerations: [{ key: 'j', operator: 'Exists' }] } },
    ) as { s: object; spec: typeof pod.spec };
    assert.deepEqual(out.s, { type: 'B', b: 2 });
    assert.deepEqual(out.spec.tolerations, [{ key: 'j', operator: 'Exists' }]);
  });

  it('unions merged primitive lists such as finalizers', () => {
    const out = applyStrategicMergePatch(pod, { metadata: { finalizers: ['f2'] } }) as typeof pod;
    assert.deepEqual(out.metadata.finalizers, ['f1', 'f2']);
  });
});
