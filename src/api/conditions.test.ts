import { test } from 'node:test';
import assert from 'node:assert/strict';
import { conditionUnchanged, getCondition, isConditionTrue, setCondition } from './conditions.ts';

const t0 = new Date('2026-11-23T09:00:00Z');
const t1 = new Date('2026-11-23T09:05:00Z');

test('setCondition adds a condition stamped with now', () => {
  assert.deepEqual(setCondition(undefined, { type: 'Ready', status: 'True', reason: 'Parsed' }, t0), [
    { type: 'Ready', status: 'True', reason: 'Parsed', lastTransitionTime: t0.toISOString() },
  ]);
});

test('lastTransitionTime only moves when status changes', () => {
  const first = setCondition([], { type: 'Ready', status: 'False', reason: 'SyntaxError', message: '1:2' }, t0);
  const sameStatus = setCondition(first, { type: 'Ready', status: 'False', reason: 'SyntaxError', message: '3:4' }, t1);
  assert.equal(sameStatus[0].lastTransitionTime, t0.toISOString());
  assert.equal(sameStatus[0].message, '3:4');
  const flipped = setCondition(sameStatus, { type: 'Ready', status: 'True', reason: 'Parsed' }, t1);
  assert.equal(flipped[0].lastTransitionTime, t1.toISOString());
  assert.equal(flipped[0].message, undefined);
});

test('setCondition keeps other conditions, their order, and does not mutate its input', () => {
  const input = Object.freeze([
    Object.freeze({ type: 'A', status: 'True' as const, lastTransitionTime: t0.toISOString() }),
    Object.freeze({ type: 'B', status: 'False' as const, lastTransitionTime: t0.toISOString() }),
  ]);
  const out = setCondition(input, { type: 'A', status: 'False', observedGeneration: 2 }, t1);
  assert.deepEqual(
    out.map((c) => c.type),
    ['A', 'B'],
  );
  assert.equal(out[1], input[1]);
  assert.equal(input[0].status, 'True');
  assert.equal(out[0].observedGeneration, 2);
});

test('getCondition, isConditionTrue and conditionUnchanged read the list', () => {
  const list = setCondition([], { type: 'Succeeded', status: 'True', reason: 'JobsSucceeded' }, t0);
  assert.equal(getCondition(list, 'Succeeded')?.reason, 'JobsSucceeded');
  assert.equal(isConditionTrue(list, 'Succeeded'), true);
  assert.equal(isConditionTrue(list, 'Ready'), false);
  assert.equal(conditionUnchanged(list, { type: 'Succeeded', status: 'True', reason: 'JobsSucceeded' }), true);
  assert.equal(conditionUnchanged(list, { type: 'Succeeded', status: 'True', reason: 'Other' }), false);
  assert.equal(conditionUnchanged(list, { type: 'Ready', status: 'True' }), false);
});
