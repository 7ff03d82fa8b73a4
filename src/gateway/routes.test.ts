import { test } from 'node:test';
import assert from 'node:assert/strict';
import { matchRoute } from './routes.ts';

const all = () => true;

test('intake paths match with decoded parameters', () => {
  assert.deepEqual(matchRoute({ method: 'POST', pathname: '/cloudevents/v1/ci/hello', enabled: all }), {
    name: 'cloudevents-v1',
    params: ['ci', 'hello'],
  });
  assert.deepEqual(matchRoute({ method: 'POST', pathname: '/cloudevents/v02/hello/a%2Fb', enabled: all }), {
    name: 'cloudevents-v02',
    params: ['hello', 'a/b'],
  });
  assert.deepEqual(matchRoute({ method: 'POST', pathname: '/webhook/ci/my.project/', enabled: all }), {
    name: 'webhook',
    params: ['ci', 'my.project'],
  });
});

test('names that are not Kubernetes names, or malformed escapes, are not routes', () => {
  for (const path of [
    '/webhook/CI/hello',
    '/webhook/ci/../x',
    '/webhook/ci/hel%ZZlo',
    '/webhook/ci',
    '/cloudevents/v3/ci/hello',
  ]) {
    assert.throws(() => matchRoute({ method: 'POST', pathname: path, enabled: all }), { code: 'NotFound' }, path);
  }
});

test('a known path with the wrong method is 405 with the allowed methods', () => {
  assert.throws(() => matchRoute({ method: 'DELETE', pathname: '/healthz', enabled: all }), {
    code: 'MethodNotAllowed',
    headers: { Allow: 'GET' },
  });
});

test('HEAD works where GET does, and a disabled route does not exist', () => {
  assert.equal(matchRoute({ method: 'HEAD', pathname: '/readyz', enabled: all }).name, 'readyz');
  assert.throws(() => matchRoute({ method: 'GET', pathname: '/metrics', enabled: (n) => n !== 'metrics' }), {
    code: 'NotFound',
  });
});

test("Brigade 1's paths match in each of their forms", () => {
  const match = (pathname: string) => matchRoute({ method: 'POST', pathname, enabled: all });
  assert.deepEqual(match('/events/github'), { name: 'github', params: [] });
  assert.deepEqual(match('/events/webhook/brigade-830c16d4'), {
    name: 'registry-webhook',
    params: ['brigade-830c16d4'],
  });
  assert.deepEqual(match('/events/webhook/Technosophos/example-hook'), {
    name: 'registry-webhook',
    params: ['Technosophos', 'example-hook'],
  });
  assert.deepEqual(match('/events/webhook/technosophos/example-hook/master'), {
    name: 'registry-webhook',
    params: ['technosophos', 'example-hook', 'master'],
  });
  assert.deepEqual(match('/simpleevents/v1/hello/s3cret'), { name: 'simpleevents', params: ['hello', 's3cret'] });
});

test("a miss under one of Brigade 1's prefixes lists the Brigade 1 routes there are", () => {
  assert.throws(() => matchRoute({ method: 'POST', pathname: '/events/dockerhub', enabled: all }), {
    code: 'NotFound',
    message: /Brigade 1's routes here: POST \/events\/github, \/events\/webhook/,
  });
  assert.throws(() => matchRoute({ method: 'POST', pathname: '/events/webhook/a/../b', enabled: all }), {
    code: 'NotFound',
  });
  assert.throws(() => matchRoute({ method: 'POST', pathname: '/nothing', enabled: all }), {
    message: 'no route for /nothing',
  });
});

test('a miss on a route that carries a secret in its path does not repeat the secret', () => {
  for (const pathname of ['/simpleevents/v1/Not_A_Name/top-secret', '/cloudevents/v02/Not_A_Name/top-secret/x']) {
    assert.throws(
      () => matchRoute({ method: 'POST', pathname, enabled: all }),
      (err: Error) => {
        assert.doesNotMatch(err.message, /top-secret/);
        assert.match(err.message, /^no route for \/(simpleevents\/v1|cloudevents\/v02)\/Not_A_Name\/\.\.\./);
        return true;
      },
    );
  }
});
