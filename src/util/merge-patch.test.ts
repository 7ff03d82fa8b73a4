import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mergePatchOf } from './merge-patch.ts';

/** RFC 7386 MergePatch(target, patch), to check that a generated patch really turns before into after. */
function apply(target: unknown, patch: unknown): unknown {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> =
    typeof target === 'object' && target !== null && !Array.isArray(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = apply(out[k], v);
  }
  return out;
}

test('a merge patch holds only what changed, removed members as null', () => {
  const before = { phase: 'Running', reason: 'Started', podName: 'p', conditions: [{ type: 'A' }] };
  const after = { phase: 'Succeeded', podName: 'p', conditions: [{ type: 'A' }, { type: 'B' }], exitCode: 0 };
  const patch = mergePatchOf(before, after);
  assert.deepEqual(patch, {
    reason: null,
    phase: 'Succeeded',
    conditions: [{ type: 'A' }, { type: 'B' }],
    exitCode: 0,
  });
  assert.deepEqual(apply(before, patch), after);
});

test('nested objects are patched member by member; equal values give no patch', () => {
  const before = { jobs: { total: 2, succeeded: 1 }, replay: { clock: [1] } };
  const after = { jobs: { total: 2, succeeded: 2 }, replay: { clock: [1] } };
  assert.deepEqual(mergePatchOf(before, after), { jobs: { succeeded: 2 } });
  assert.equal(mergePatchOf(after, structuredClone(after)), undefined);
});

test('from nothing, the patch is the whole value; undefined members are left out', () => {
  assert.deepEqual(mergePatchOf(undefined, { phase: 'Pending', message: undefined }), { phase: 'Pending' });
  assert.deepEqual(apply({}, mergePatchOf({ a: { b: 1 } }, { a: 'x' })), { a: 'x' });
});
