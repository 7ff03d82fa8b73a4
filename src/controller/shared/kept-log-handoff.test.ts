import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KeptLogHandoff } from './kept-log-handoff.ts';

test('a handed-over log is there for every reader until its Job goes', () => {
  const handoff = new KeptLogHandoff();
  handoff.put('uid-1', 'the log\n');
  assert.equal(handoff.get('uid-1'), 'the log\n');
  assert.equal(handoff.get('uid-1'), 'the log\n', 'reading does not consume it (the archiver reads it too)');
  assert.equal(handoff.get('uid-2'), undefined);
  assert.equal(handoff.get(undefined), undefined);
  assert.equal(handoff.take('uid-1'), 'the log\n');
  assert.equal(handoff.get('uid-1'), undefined);
});

test('the oldest logs go when the bound is reached; one larger than the bound is not held', () => {
  const handoff = new KeptLogHandoff(100); // bytes, two per character
  handoff.put('a', 'x'.repeat(20));
  handoff.put('b', 'y'.repeat(20));
  handoff.put('c', 'z'.repeat(20));
  assert.equal(handoff.get('a'), undefined);
  assert.equal(handoff.get('b'), 'y'.repeat(20));
  assert.equal(handoff.get('c'), 'z'.repeat(20));
  handoff.put('huge', 'h'.repeat(51));
  assert.equal(handoff.get('huge'), undefined);
  assert.equal(handoff.size, 2);
});
