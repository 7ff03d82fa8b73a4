import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compare, granted, requests } from './rbac-usage.ts';

test('the audit comparison lists denied requests and grants nothing used', () => {
  const grants = granted([
    { apiGroups: [''], resources: ['pods', 'pods/log'], verbs: ['get', 'list'] },
    { apiGroups: ['batch'], resources: ['jobs'], verbs: ['create'] },
  ]);
  const user = 'system:serviceaccount:brigade-system:brigade-operator';
  const made = requests(
    [
      {
        user: { username: user },
        verb: 'get',
        objectRef: { resource: 'pods', subresource: 'log' },
        responseStatus: { code: 200 },
      },
      { user: { username: user }, verb: 'list', objectRef: { resource: 'pods' }, responseStatus: { code: 200 } },
      {
        user: { username: user },
        verb: 'create',
        objectRef: { apiGroup: 'batch', resource: 'jobs' },
        responseStatus: { code: 403 },
      },
      {
        user: { username: 'someone-else' },
        verb: 'get',
        objectRef: { resource: 'pods' },
        responseStatus: { code: 200 },
      },
    ],
    user,
  );
  assert.deepEqual(compare(grants, made), {
    denied: ['batch/jobs:create'],
    unused: ['batch/jobs:create', 'core/pods/log:list', 'core/pods:get'],
    used: 2,
  });
});
