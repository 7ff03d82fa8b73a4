import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiException } from '@kubernetes/client-node';
import { retryTransient } from './retry.ts';

const apiError = (code: number): ApiException<string> =>
  new ApiException(code, 'HTTP error', JSON.stringify({ kind: 'Status', code, message: `status ${code}` }), {});

test('transient failures are retried until the operation succeeds; a permanent one is thrown at once', async () => {
  const outcomes = [apiError(503), apiError(429), apiError(500)];
  const pauses: number[] = [];
  const options = {
    signal: new AbortController().signal,
    random: () => 0,
    sleep: (ms: number) => {
      pauses.push(ms);
      return Promise.resolve();
    },
  };
  const value = await retryTransient(() => {
    const next = outcomes.shift();
    return next ? Promise.reject(next) : Promise.resolve('done');
  }, options);
  assert.equal(value, 'done');
  assert.deepEqual(pauses, [125, 250, 500], 'back-off doubles (half of it fixed)');
  let calls = 0;
  await assert.rejects(
    retryTransient(() => {
      calls++;
      return Promise.reject(apiError(422));
    }, options),
    (err: unknown) => (err as ApiException<string>).code === 422,
  );
  assert.equal(calls, 1);
});

test('an aborted signal ends the retries with its reason', async () => {
  const ac = new AbortController();
  const reason = new Error('the build was cancelled');
  const attempt = retryTransient(() => Promise.reject(apiError(503)), {
    signal: ac.signal,
    sleep: (_ms, signal) =>
      new Promise((_resolve, reject) => {
        signal.addEventListener('abort', () => {
          reject(signal.reason as Error);
        });
      }),
  });
  ac.abort(reason);
  await assert.rejects(attempt, (err) => err === reason);
});
