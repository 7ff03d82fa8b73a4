import { test } from 'node:test';
import assert from 'node:assert/strict';
import { splitUtf8, utf8Bytes } from './text.ts';

test('splitUtf8 cuts into parts of at most the given bytes that join back to the text', () => {
  const text = 'abc-'.repeat(1000);
  const parts = splitUtf8(text, 1000);
  assert.equal(parts.length, 4);
  assert.ok(parts.every((p) => utf8Bytes(p) <= 1000));
  assert.equal(parts.join(''), text);
});

test('splitUtf8 never cuts inside a character', () => {
  // 'é' is 2 bytes, '€' 3, '𝄞' 4: no byte limit here falls on a character boundary for long.
  const text = 'aé€𝄞'.repeat(300);
  for (const max of [4, 5, 7, 1000]) {
    const parts = splitUtf8(text, max);
    assert.equal(parts.join(''), text, `max ${max}`);
    assert.ok(
      parts.every((p) => utf8Bytes(p) <= max && !p.includes('\uFFFD')),
      `max ${max}`,
    );
  }
});

test('splitUtf8 keeps a short or empty text whole', () => {
  assert.deepEqual(splitUtf8('', 10), ['']);
  assert.deepEqual(splitUtf8('short', 10), ['short']);
  assert.throws(() => splitUtf8('x', 3), RangeError);
});
