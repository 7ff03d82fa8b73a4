import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiException } from '@kubernetes/client-node';
import { KubeApiError, apiMessage, isAlreadyExists, isConflict, isNotFound } from './errors.ts';

const status = (code: number, reason: string): ApiException<string> =>
  new ApiException(
    code,
    'HTTP error',
    JSON.stringify({ kind: 'Status', code, reason, message: `it is ${reason}` }),
    {},
  );

test('a 404 ApiException is NotFound and nothing else', () => {
  const err = status(404, 'NotFound');
  assert.ok(isNotFound(err));
  assert.ok(!isConflict(err) && !isAlreadyExists(err));
});

test('a 409 is told apart as AlreadyExists or Conflict by its Status reason', () => {
  assert.ok(isAlreadyExists(status(409, 'AlreadyExists')));
  assert.ok(!isConflict(status(409, 'AlreadyExists')));
  assert.ok(isConflict(status(409, 'Conflict')));
  assert.ok(!isAlreadyExists(status(409, 'Conflict')));
});

test('KubeApiError carries the Status message and the code, not the raw body', () => {
  const err = new KubeApiError('get Project ns/p', { cause: status(403, 'Forbidden') });
  assert.equal(err.code, 403);
  assert.equal(err.message, 'get Project ns/p: it is Forbidden');
  assert.equal(apiMessage(new Error('boom')), 'boom');
});
