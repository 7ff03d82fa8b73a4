import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  brigade1Names,
  brigade1ProjectId,
  cloudEvent02Identity,
  commitishRevision,
  namesRepository,
  simpleEventRevision,
} from './brigade1.ts';

test("Brigade 1's project id is brigade- and 54 hex digits of the name's SHA-256 (the walkthrough's id)", () => {
  // `brig project list` in the virtual-kubelet walkthrough prints this id for testing/brigade-vk.
  assert.equal(
    brigade1ProjectId('testing/brigade-vk'),
    'brigade-f21cf24721ff5303ba21dd5360af71d447d0549b844329206d780c',
  );
});

test('a project answers to its name, its spec.repo.name and the org/repo in it', () => {
  const p = { metadata: { name: 'flask' }, spec: { repo: { name: 'github.com/Nonokangwei/brigadedemo' } } };
  assert.deepEqual(brigade1Names(p), ['flask', 'github.com/Nonokangwei/brigadedemo', 'nonokangwei/brigadedemo']);
  assert.equal(namesRepository(p, 'nonokangwei/BrigadeDemo'), true);
  assert.equal(namesRepository(p, 'kangwei/brigadedemo'), false);
});

test('a registry commitish: a commit id is the commit, a branch or tag the ref, anything else refused', () => {
  assert.deepEqual(commitishRevision('master'), { ref: 'master' });
  assert.deepEqual(commitishRevision('6113728'), { commit: '6113728' });
  assert.deepEqual(commitishRevision('refs/tags/v1'), { ref: 'refs/tags/v1' });
  assert.equal(commitishRevision(undefined), undefined);
  assert.throws(() => commitishRevision('a b'), { code: 'BadRequest' });
});

test('a simple event: ref and commit are the revision; other JSON is refused when it is not an object', () => {
  assert.deepEqual(simpleEventRevision('{"ref":"refs/heads/x","key":1}'), { commit: undefined, ref: 'refs/heads/x' });
  assert.equal(simpleEventRevision(''), undefined);
  assert.equal(simpleEventRevision('{}'), undefined);
  assert.throws(() => simpleEventRevision('[1]'), { code: 'BadRequest' });
  assert.throws(() => simpleEventRevision('{"ref":5}'), { code: 'BadRequest' });
});

test('a CloudEvents 0.2 source must be what Go url.ParseRequestURI took: an absolute URI or path', () => {
  const event = (source: string) => ({ specversion: '0.2', id: '1', type: 't', source });
  for (const ok of ['/a/b', 'urn:x:y', 'https://example.com/a', '/providers/Example.COM/x#y/{new-file}'])
    assert.equal(cloudEvent02Identity(event(ok)).source, ok);
  for (const bad of ['event source', 'event-source', 'relative/path', '/a\nb'])
    assert.throws(() => cloudEvent02Identity(event(bad)), { code: 'BadRequest' }, bad);
  assert.throws(() => cloudEvent02Identity({ specversion: '0.2', id: '1', source: '/a' }), { code: 'BadRequest' });
});
