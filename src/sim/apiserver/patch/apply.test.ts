import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fieldSetOf, serverSideApply } from './apply.ts';
import type { KubeObject } from '../../types.ts';

const NOW = '2026-01-01T00:00:00Z';

function cm(data: Record<string, string>, labels?: Record<string, string>): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', ...(labels ? { labels } : {}) }, data };
}

describe('server-side apply', () => {
  it('records the fields a manager sets as FieldsV1', () => {
    assert.deepEqual(fieldSetOf({ data: { a: '1' }, list: [1] }), { 'f:data': { 'f:a': {} }, 'f:list': {} });
  });

  it('removes what the same manager set before and no longer sets, and keeps what others set', () => {
    const first = serverSideApply(cm({ other: 'x' }), cm({ a: '1', b: '2' }, { team: 'blue' }), 'helm', NOW);
    assert.deepEqual(first['data'], { other: 'x', a: '1', b: '2' });
    const second = serverSideApply(first, cm({ a: '1' }), 'helm', NOW);
    assert.deepEqual(second['data'], { other: 'x', a: '1' });
    assert.equal(second.metadata.labels?.['team'], undefined);
    const entries = second.metadata.managedFields as Array<{ manager: string; operation: string }>;
    assert.deepEqual(
      entries.map((e) => `${e.manager}/${e.operation}`),
      ['helm/Apply'],
    );
  });

  it('leaves fields set by another manager alone', () => {
    const mine = serverSideApply(cm({}), cm({ a: '1' }), 'kubectl', NOW);
    const theirs = serverSideApply(mine, cm({ b: '2' }), 'helm', NOW);
    const again = serverSideApply(theirs, cm({ c: '3' }), 'kubectl', NOW);
    assert.deepEqual(again['data'], { b: '2', c: '3' });
  });
});
