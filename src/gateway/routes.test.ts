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
