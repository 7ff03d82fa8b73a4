import { test } from 'node:test';
import assert from 'node:assert/strict';
import { intern, internStrings, pooledStrings } from './string-pool.ts';

test('interning a parsed object keeps every value, nested objects and arrays included', () => {
  const text = JSON.stringify({
    apiVersion: 'brigade.sh/v1alpha1',
    metadata: { name: 'b-1-job', labels: { 'brigade.sh/build': 'b-1' }, ownerReferences: [{ name: 'b-1' }] },
    spec: { tasks: ['echo hi', 'true'], storage: { cache: { enabled: true, size: '1Gi' } }, retries: 2, none: null },
  });
  const parsed: unknown = JSON.parse(text);
  assert.equal(internStrings(parsed), parsed, 'in place');
  assert.deepEqual(parsed, JSON.parse(text));
});

test('values that are not plain JSON are left as they are', () => {
  const when = new Date('2026-12-01T00:00:00Z');
  const o = { creationTimestamp: when, n: 1, yes: true };
  internStrings(o);
  assert.equal(o.creationTimestamp, when);
  assert.deepEqual(o, { creationTimestamp: when, n: 1, yes: true });
});

test('the pool stays bounded however many distinct strings pass through it', () => {
  for (let i = 0; i < 120_000; i++) intern(`unique-${String(i)}`);
  assert.ok(pooledStrings() <= 50_000, `pool holds ${String(pooledStrings())} strings`);
  assert.equal(intern('brigade.sh/v1alpha1'), 'brigade.sh/v1alpha1');
  assert.equal(intern('x'.repeat(600)), 'x'.repeat(600), 'long strings pass through');
});
