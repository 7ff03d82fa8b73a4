import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiException } from '@kubernetes/client-node';
import {
  KubeApiError,
  apiMessage,
  isAlreadyExists,
  isConflict,
  isNotFound,
  isTransient,
  parseRetryAfter,
  retryAfterMs,
} from './errors.ts';

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

test('transient: 429, 5xx, timeouts and broken connections; permanent: refusals', () => {
  for (const [code, reason] of [
    [429, 'TooManyRequests'],
    [500, 'InternalError'],
    [503, 'ServiceUnavailable'],
    [504, 'Timeout'],
  ] as const)
    assert.ok(isTransient(status(code, reason)), `${code} is transient`);
  for (const [code, reason] of [
    [400, 'BadRequest'],
    [403, 'Forbidden'],
    [404, 'NotFound'],
    [409, 'AlreadyExists'],
    [409, 'Conflict'],
    [410, 'Gone'],
    [422, 'Invalid'],
  ] as const)
    assert.ok(!isTransient(status(code, reason)), `${code} ${reason} is permanent`);
  const reset = new TypeError('fetch failed', {
    cause: Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }),
  });
  assert.ok(isTransient(reset), 'a connection reset under fetch');
  assert.ok(isTransient(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })));
  assert.ok(isTransient(new DOMException('The operation was aborted due to timeout', 'TimeoutError')));
  assert.ok(!isTransient(new DOMException('aborted', 'AbortError')), "the caller's own abort is not retried");
  assert.ok(!isTransient(new TypeError('bad input')));
  // Wrapped: the classification looks through KubeApiError to its cause.
  assert.ok(isTransient(new KubeApiError('create Job ns/j', { cause: status(503, 'ServiceUnavailable') })));
  assert.ok(!isTransient(new KubeApiError('create Job ns/j', { cause: status(422, 'Invalid') })));
});

test('Retry-After is read from the header (seconds or a date) or from the Status details', () => {
  const withHeader = new ApiException(429, 'HTTP error', '{}', { 'retry-after': '3' });
  assert.equal(retryAfterMs(withHeader), 3000);
  const withDetails = new ApiException(
    429,
    'HTTP error',
    JSON.stringify({ kind: 'Status', code: 429, details: { retryAfterSeconds: 2 } }),
    {},
  );
  assert.equal(retryAfterMs(withDetails), 2000);
  assert.equal(retryAfterMs(status(500, 'InternalError')), undefined);
  assert.equal(parseRetryAfter('Thu, 01 Jan 1970 00:00:10 GMT', 4000), 6000);
  assert.equal(parseRetryAfter('soon'), undefined);
  assert.equal(parseRetryAfter('-1'), undefined);
});
