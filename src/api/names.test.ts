import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  buildName,
  combinedName,
  buildStoragePvcName,
  childJobName,
  isDns1123Label,
  jobCachePvcName,
  jobCrName,
  jobSecretName,
} from './names.ts';

test('short valid names are kept as they are', () => {
  assert.equal(buildName({ metadata: { name: 'demo-push-1' } }), 'demo-push-1');
  assert.equal(childJobName('demo-push-1-test'), 'demo-push-1-test');
  assert.equal(jobSecretName('demo-push-1-test'), 'demo-push-1-test-env');
  assert.equal(buildStoragePvcName('demo-push-1'), 'demo-push-1-storage');
});

test('names combining several names read as their parts plus a hash', () => {
  assert.match(jobCrName('demo-push-1', 'test'), /^demo-push-1-test-[0-9a-f]{8}$/);
  assert.match(jobCachePvcName('demo', 'test'), /^demo-test-[0-9a-f]{8}-cache$/);
});

test('long names are cut to 63 characters, stay DNS-1123 labels and end in a hash', () => {
  const build = buildName('e'.repeat(200));
  const job = jobCrName(build, 'j'.repeat(63));
  for (const name of [
    build,
    job,
    jobSecretName(job),
    buildStoragePvcName(build),
    jobCachePvcName('p'.repeat(253), 'x'),
  ]) {
    assert.ok(name.length <= 63, name);
    assert.ok(isDns1123Label(name), name);
    assert.match(name, /-[0-9a-f]{8}(-env|-storage|-cache)?$/);
  }
});

test('names are deterministic', () => {
  assert.equal(jobCrName('b'.repeat(60), 'job'), jobCrName('b'.repeat(60), 'job'));
});

test('different inputs that share a long prefix get different names', () => {
  const base = 'x'.repeat(70);
  assert.notEqual(buildName(`${base}-a`), buildName(`${base}-b`));
  assert.notEqual(jobCrName('build', `${'j'.repeat(60)}a`), jobCrName('build', `${'j'.repeat(60)}b`));
});

test('event names with dots (valid subdomains) become labels without colliding with dashed ones', () => {
  const dotted = buildName('demo.push.1');
  const dashed = buildName('demo-push-1');
  assert.ok(isDns1123Label(dotted));
  assert.notEqual(dotted, dashed);
});

test('combinations whose parts split differently do not collide', () => {
  assert.notEqual(jobCrName('demo-push', 'test'), jobCrName('demo', 'push-test'));
  assert.notEqual(jobCachePvcName('a-b', 'c'), jobCachePvcName('a', 'b-c'));
  assert.notEqual(combinedName(['a-b', 'c']), combinedName(['a', 'b-c']));
});

test('buildName refuses an event without a name', () => {
  assert.throws(() => buildName({ metadata: {} }), /no metadata.name/);
});
