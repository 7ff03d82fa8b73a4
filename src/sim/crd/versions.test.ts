import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compileCrd } from './index.ts';
import { versionOf, widgetCrd } from './test-fixtures.ts';
import { sortByPriority } from './versions.ts';

const version = (name: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  name,
  served: true,
  storage: false,
  schema: { openAPIV3Schema: { type: 'object' } },
  ...extra,
});

describe('version priority', () => {
  it('orders GA before beta before alpha, higher numbers first, others last', () => {
    assert.deepEqual(sortByPriority(['v1alpha1', 'foo', 'v1beta1', 'v2', 'v1', 'v1beta2', 'v10alpha3', 'bar']), [
      'v2',
      'v1',
      'v1beta2',
      'v1beta1',
      'v10alpha3',
      'v1alpha1',
      'bar',
      'foo',
    ]);
  });

  it('lists served versions by priority and warns about deprecated ones', () => {
    const crd = widgetCrd({
      moreVersions: [version('v1alpha1', { deprecated: true }), version('v2beta1'), version('v0', { served: false })],
    });
    const compiled = compileCrd(crd);
    assert.deepEqual(compiled.servedVersions, ['v1', 'v2beta1', 'v1alpha1']);
    assert.equal(
      versionOf(compiled, 'v1alpha1').deprecationWarning,
      'example.com/v1alpha1 Widget is deprecated; use example.com/v1 Widget',
    );
    assert.equal(versionOf(compiled, 'v1').deprecationWarning, undefined);
    const custom = widgetCrd({
      moreVersions: [version('v1beta1', { deprecated: true, deprecationWarning: 'move to v1' })],
    });
    assert.equal(versionOf(compileCrd(custom), 'v1beta1').deprecationWarning, 'move to v1');
  });
});
