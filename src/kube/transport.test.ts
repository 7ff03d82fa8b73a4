import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HttpMethod, RequestContext, ResponseContext } from '@kubernetes/client-node';
import { RetryingSender, backoffDelay, DEFAULT_RETRY } from './transport.ts';
import type { RetryEvent } from './transport.ts';
import { TokenBucket } from './rate-limiter.ts';

const response = (code: number, headers: Record<string, string> = {}, text = '{}'): ResponseContext =>
  new ResponseContext(code, headers, {
    text: () => Promise.resolve(text),
    binary: () => Promise.resolve(Buffer.from(text)),
    stream: () => null,
  });

/** A sender that answers from a script of outcomes, recording the requests it saw. */
function scripted(outcomes: (ResponseContext | Error)[]): {
  send: (r: RequestContext) => Promise<ResponseContext>;
  calls: number;
} {
  const state = {
    calls: 0,
    send: (): Promise<ResponseContext> => {
      const next = outcomes.at(state.calls++);
      if (!next) throw new Error('no more scripted outcomes');
      return next instanceof Error ? Promise.reject(next) : Promise.resolve(next);
    },
  };
  return state;
}

const request = (): RequestContext =>
  new RequestContext('https://api.example/api/v1/namespaces/ns/pods/p', HttpMethod.POST);

test('a 503, a reset and a 429 with Retry-After are retried; the 429 waits as long as the server asked', async () => {
  const inner = scripted([
    response(503),
    Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('socket'), { code: 'ECONNRESET' }) }),
    response(429, { 'retry-after': '2' }),
    response(201, {}, '{"ok":true}'),
  ]);
  const slept: number[] = [];
  const retries: RetryEvent[] = [];
  const sender = new RetryingSender(inner, {
    random: () => 1,
    sleep: (ms) => {
      slept.push(ms);
      return Promise.resolve();
    },
    onRetry: (e) => retries.push(e),
  });
  const res = await sender.send(request());
  assert.equal(res.httpStatusCode, 201);
  assert.equal(inner.calls, 4);
  assert.deepEqual(slept, [100, 200, 2000]);
  assert.deepEqual(
    retries.map((r) => `${r.method} ${r.path} #${r.attempt} ${r.reason}`),
    [
      'POST /api/v1/namespaces/ns/pods/p #1 HTTP 503',
      'POST /api/v1/namespaces/ns/pods/p #2 ECONNRESET',
      'POST /api/v1/namespaces/ns/pods/p #3 HTTP 429',
    ],
  );
});

test('a permanent answer is returned at once, and after the last attempt the transient one is too', async () => {
  const noSleep = { sleep: () => Promise.resolve(), random: () => 0 };
  const refused = scripted([response(422)]);
  assert.equal((await new RetryingSender(refused, noSleep).send(request())).httpStatusCode, 422);
  assert.equal(refused.calls, 1);
  const down = scripted([response(500), response(500), response(500)]);
  const res = await new RetryingSender(down, { ...noSleep, retry: { attempts: 3 } }).send(request());
  assert.equal(res.httpStatusCode, 500, 'the caller sees the last answer (its body becomes the ApiException)');
  assert.equal(down.calls, 3);
  const broken = scripted([new TypeError('invalid URL')]);
  await assert.rejects(new RetryingSender(broken, noSleep).send(request()), /invalid URL/);
  assert.equal(broken.calls, 1, 'an error that is not transient is not retried');
});

test('every attempt has a deadline; a request that hangs fails as a timeout and is retried', async () => {
  let calls = 0;
  const hanging = {
    send: (r: RequestContext): Promise<ResponseContext> => {
      calls++;
      if (calls > 1) return Promise.resolve(response(200));
      return new Promise((_resolve, reject) => {
        r.getSignal()?.addEventListener('abort', () => {
          reject(r.getSignal()?.reason as Error);
        });
      });
    },
  };
  const res = await new RetryingSender(hanging, { requestTimeoutMs: 20, sleep: () => Promise.resolve() }).send(
    request(),
  );
  assert.equal(res.httpStatusCode, 200);
  assert.equal(calls, 2);
});

test('back-off doubles per attempt with full jitter, capped', () => {
  assert.equal(
    backoffDelay(DEFAULT_RETRY, 0, () => 1),
    100,
  );
  assert.equal(
    backoffDelay(DEFAULT_RETRY, 3, () => 1),
    800,
  );
  assert.equal(
    backoffDelay(DEFAULT_RETRY, 10, () => 1),
    DEFAULT_RETRY.maxMs,
  );
  assert.equal(
    backoffDelay(DEFAULT_RETRY, 3, () => 0.5),
    400,
  );
});

test('the token bucket allows a burst, then one request per 1/qps, in arrival order', () => {
  let now = 0;
  const bucket = new TokenBucket({ qps: 10, burst: 3, now: () => now });
  assert.deepEqual([bucket.reserve(), bucket.reserve(), bucket.reserve()], [0, 0, 0]);
  assert.equal(bucket.reserve(), 100, 'the fourth waits for the next token');
  assert.equal(bucket.reserve(), 200, 'the fifth waits behind the fourth');
  now = 1000;
  // A second later the two owed tokens are paid back and the balance is full again (at most the burst).
  assert.deepEqual([bucket.reserve(), bucket.reserve(), bucket.reserve(), bucket.reserve()], [0, 0, 0, 100]);
  assert.equal(new TokenBucket({ qps: 0, burst: 1 }).unlimited, true);
  assert.throws(() => new TokenBucket({ qps: 5, burst: 0 }), /burst/);
});
