import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withSecretCache } from './cluster.ts';
import { fakeCluster } from './fake-cluster.ts';

test('secret values are reused within the TTL and read again after it (a rotated secret is picked up)', async () => {
  const fake = fakeCluster({ secrets: { 'ci/s': { k: 'one' } } });
  let now = 1_000;
  const cached = withSecretCache(fake, { ttlMs: 10_000, clock: { now: () => now } });
  const ref = { name: 's', key: 'k' };
  assert.equal(await cached.readSecretKey('ci', ref), 'one');
  fake.secrets.set('ci/s', { k: 'two' });
  assert.equal(await cached.readSecretKey('ci', ref), 'one');
  assert.equal(fake.secretReads, 1);
  now += 10_001;
  assert.equal(await cached.readSecretKey('ci', ref), 'two');
  assert.equal(fake.secretReads, 2);
});
