import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withProjectCache, withSecretCache, type ProjectCache } from './cluster.ts';
import { fakeCluster } from '../../test/gateway/fake-cluster.ts';

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

test('a synced project cache answers for its namespace; misses and other namespaces go to the API', async () => {
  const fake = fakeCluster({
    projects: [
      { metadata: { name: 'api-only', namespace: 'ci' } },
      { metadata: { name: 'elsewhere', namespace: 'prod' } },
    ],
  });
  const cached = [{ metadata: { name: 'cached', namespace: 'ci' } }];
  const cache: ProjectCache = {
    synced: true,
    get: (ns, name) => cached.find((p) => p.metadata.namespace === ns && p.metadata.name === name),
    list: () => cached,
  };
  const cluster = withProjectCache(fake, { cache, scope: 'ci' });
  assert.equal((await cluster.getProject('ci', 'cached'))?.metadata.name, 'cached');
  assert.equal((await cluster.getProject('ci', 'api-only'))?.metadata.name, 'api-only');
  assert.equal((await cluster.getProject('prod', 'elsewhere'))?.metadata.name, 'elsewhere');
  assert.deepEqual(
    (await cluster.listProjects('ci')).map((p) => p.metadata.name),
    ['cached'],
  );
  assert.deepEqual(
    (await cluster.listProjects(undefined)).map((p) => p.metadata.name),
    ['api-only', 'elsewhere'],
  );
});

test('an unsynced project cache is not used', async () => {
  const fake = fakeCluster({ projects: [{ metadata: { name: 'p', namespace: 'ci' } }] });
  const cache: ProjectCache = { synced: false, get: () => undefined, list: () => [] };
  assert.equal((await withProjectCache(fake, { cache, scope: undefined }).listProjects('ci')).length, 1);
});
