import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ReplayGate } from './replay-gate.ts';

const waiting = [
  { key: 'ns/c', startTime: '2026-01-03T00:00:00Z' },
  { key: 'ns/a', startTime: '2026-01-01T00:00:00Z' },
  { key: 'ns/b', startTime: '2026-01-02T00:00:00Z' },
];

test('the oldest waiting replays start first, as many as there are free slots', () => {
  const gate = new ReplayGate({ limit: 2, holdMs: 10_000 });
  assert.equal(gate.mayStart('ns/a', waiting, 0), true);
  assert.equal(gate.mayStart('ns/b', waiting, 0), true);
  assert.equal(gate.mayStart('ns/c', waiting, 0), false, 'the youngest waits');
  gate.started('ns/a', 0);
  const rest = waiting.filter((w) => w.key !== 'ns/a');
  assert.equal(gate.mayStart('ns/c', rest, 0), false, 'b is older and takes the last slot');
  gate.started('ns/b', 0);
  assert.equal(gate.mayStart('ns/c', [waiting[0]], 1), false, 'no slot is free');
  assert.equal(gate.release('ns/a'), true);
  assert.equal(gate.release('ns/a'), false);
  assert.equal(gate.mayStart('ns/c', [waiting[0]], 1), true);
});

test('a replay that does not catch up gives its slot up after holdMs', () => {
  const gate = new ReplayGate({ limit: 1, holdMs: 5_000 });
  gate.started('ns/a', 0);
  assert.equal(gate.active(4_999), 1);
  assert.equal(gate.mayStart('ns/b', [{ key: 'ns/b', startTime: 'x' }], 4_999), false);
  assert.equal(gate.active(5_000), 0);
  assert.equal(gate.mayStart('ns/b', [{ key: 'ns/b', startTime: 'x' }], 5_000), true);
});
