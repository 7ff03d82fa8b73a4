import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LastWritten } from './last-written.ts';

const obj = (
  rv: string,
  note = '',
): { metadata: { namespace: string; name: string; resourceVersion: string }; note: string } => ({
  metadata: { namespace: 'ns', name: 'a', resourceVersion: rv },
  note,
});

test('our write is the fresh view while the cache shows the version we wrote on top of', () => {
  const w = new LastWritten<ReturnType<typeof obj>>();
  w.record(obj('1'), obj('2', 'ours'));
  assert.equal(w.fresh(obj('1'))?.note, 'ours');
  assert.equal(w.size, 1);
});

test('the entry goes as soon as the cache shows the written version, without a reconcile', () => {
  const w = new LastWritten<ReturnType<typeof obj>>();
  w.record(obj('1'), obj('2', 'ours'));
  w.seen(obj('1'));
  assert.equal(w.size, 1, 'an older version of ours: still needed');
  w.seen(obj('2'));
  assert.equal(w.size, 0);
});

test('a version someone else wrote drops the entry: the cache decides', () => {
  const w = new LastWritten<ReturnType<typeof obj>>();
  w.record(obj('1'), obj('2', 'ours'));
  w.seen(obj('3', 'theirs'));
  assert.equal(w.size, 0);
  assert.equal(w.fresh(obj('3', 'theirs'))?.note, 'theirs');
});

test('a write the cache already shows when its reply comes is not remembered', () => {
  const w = new LastWritten<ReturnType<typeof obj>>();
  w.record(obj('1'), obj('2', 'ours'), obj('2', 'ours'));
  assert.equal(w.size, 0);
  w.record(obj('2'), obj('3', 'ours'), obj('2'));
  assert.equal(w.size, 1, 'the cache still shows the version it was written on');
});
