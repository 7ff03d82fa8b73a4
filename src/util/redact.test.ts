import { test } from 'node:test';
import assert from 'node:assert/strict';
import { redact } from './redact.ts';
import { formatDuration, headBytes, tail } from './text.ts';

test('redact replaces every occurrence of every secret value', () => {
  assert.equal(
    redact('token=s3cret and again s3cret; pw=hunter2', ['s3cret', 'hunter2']),
    'token=*** and again ***; pw=***',
  );
});

test('redact hides a longer secret whole even when it contains a shorter one', () => {
  assert.equal(redact('x=abcdef', ['abc', 'abcdef']), 'x=***');
});

test('redact ignores values too short to be meaningful', () => {
  assert.equal(redact('a1 b2', ['1', 'a']), 'a1 b2');
});

test('redact matches the lines of a multi-line secret one by one', () => {
  const key = '-----BEGIN KEY-----\nMIIEsecretline\n-----END KEY-----';
  assert.equal(redact('printed: MIIEsecretline', [key]), 'printed: ***');
});

test('tail keeps the end of long text and says how much was dropped', () => {
  const out = tail('0123456789', 4);
  assert.match(out, /6 earlier characters/);
  assert.ok(out.endsWith('6789'));
  assert.equal(tail('short', 10), 'short');
});

test('headBytes cuts at a byte bound without splitting a character', () => {
  const out = headBytes('ééééé', 5);
  assert.ok(out.startsWith('éé'));
  assert.match(out, /truncated/);
  assert.ok(!out.includes('\uFFFD'));
});

test('formatDuration writes kubectl-style durations', () => {
  assert.equal(formatDuration(0), '0s');
  assert.equal(formatDuration(42_000), '42s');
  assert.equal(formatDuration(83_000), '1m23s');
  assert.equal(formatDuration(3_723_000), '1h2m3s');
});
