import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseRoute } from './route.ts';

describe('API paths', () => {
  it('parses namespaced, cluster-scoped and subresource paths', () => {
    assert.deepEqual(parseRoute('/api/v1/namespaces/default/pods/p/log'), {
      kind: 'resource',
      route: {
        group: '',
        version: 'v1',
        namespace: 'default',
        resource: 'pods',
        name: 'p',
        subresource: 'log',
        watchPrefix: false,
      },
    });
    assert.deepEqual(parseRoute('/apis/example.test/v1/gizmos/g'), {
      kind: 'resource',
      route: {
        group: 'example.test',
        version: 'v1',
        resource: 'gizmos',
        name: 'g',
        watchPrefix: false,
      },
    });
  });

  it("treats namespaces/<name>/status as the namespace's status, not a resource called status", () => {
    assert.deepEqual(parseRoute('/api/v1/namespaces/team-a/status'), {
      kind: 'resource',
      route: {
        group: '',
        version: 'v1',
        resource: 'namespaces',
        name: 'team-a',
        subresource: 'status',
        watchPrefix: false,
      },
    });
  });

  it('recognises the legacy /watch/ prefix and discovery paths', () => {
    const watch = parseRoute('/apis/batch/v1/watch/namespaces/default/jobs');
    assert.equal(watch.kind === 'resource' && watch.route.watchPrefix, true);
    assert.deepEqual(parseRoute('/api'), { kind: 'root', legacy: true });
    assert.deepEqual(parseRoute('/apis/batch'), { kind: 'group', group: 'batch' });
    assert.deepEqual(parseRoute('/apis/batch/v1'), { kind: 'groupVersion', group: 'batch', version: 'v1' });
  });
});
