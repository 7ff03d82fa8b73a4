import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { BrigadeObjects } from '../kube/custom-objects.ts';
import { ActionRefused, reviewedActions, type AccessReview } from './actions.ts';

function fakes(allowed: boolean): {
  objects: BrigadeObjects;
  patches: unknown[];
  reviews: unknown[];
  review: AccessReview;
} {
  const patches: unknown[] = [];
  const reviews: unknown[] = [];
  const objects = {
    patch: (kind: string, namespace: string, name: string, patch: object) => {
      patches.push({ kind, namespace, name, patch });
      return Promise.resolve({});
    },
  } as unknown as BrigadeObjects;
  const review: AccessReview = {
    allowed: (viewer, attrs) => {
      reviews.push({ ...viewer, ...attrs });
      return Promise.resolve(allowed);
    },
  };
  return { objects, patches, reviews, review };
}

test('the operator-served cancel asks the API server whether the proxy-named user may patch the build, then patches it', async () => {
  const f = fakes(true);
  const actions = reviewedActions({ objects: f.objects, review: f.review });
  await actions.cancel({ user: 'alice', groups: ['devs'] }, { namespace: 'team-a', build: 'b1' });
  assert.deepEqual(f.reviews, [
    { user: 'alice', groups: ['devs'], verb: 'patch', resource: 'builds', namespace: 'team-a', name: 'b1' },
  ]);
  assert.deepEqual(f.patches, [{ kind: 'Build', namespace: 'team-a', name: 'b1', patch: { spec: { cancel: true } } }]);
  assert.equal(actions.rerun, undefined, 'no rerun without a rerun function');
});

test('the operator-served cancel is refused when RBAC says no, and when no user identity came with the request', async () => {
  const f = fakes(false);
  const actions = reviewedActions({ objects: f.objects, review: f.review });
  await assert.rejects(
    actions.cancel({ user: 'mallory', groups: [] }, { namespace: 'team-a', build: 'b1' }),
    (err: unknown) => err instanceof ActionRefused && err.status === 403 && /mallory.*may not patch/.test(err.message),
  );
  await assert.rejects(
    actions.cancel(undefined, { namespace: 'team-a', build: 'b1' }),
    (err: unknown) => err instanceof ActionRefused && err.status === 403 && /no user identity/.test(err.message),
  );
  assert.deepEqual(f.patches, [], 'nothing was changed');
});

test('the operator-served rerun needs create on builds, and returns the new build', async () => {
  const f = fakes(true);
  const requested: unknown[] = [];
  const actions = reviewedActions({
    objects: f.objects,
    review: f.review,
    rerun: (a) => {
      requested.push(a);
      return Promise.resolve('b1-rerun-1');
    },
  });
  assert.ok(actions.rerun);
  assert.equal(
    await actions.rerun({ user: 'alice', groups: [] }, { namespace: 'n', build: 'b1', all: false }),
    'b1-rerun-1',
  );
  assert.deepEqual(f.reviews, [
    { user: 'alice', groups: [], verb: 'create', resource: 'builds', namespace: 'n', name: undefined },
  ]);
  assert.deepEqual(requested, [{ namespace: 'n', build: 'b1', all: false }]);
});
