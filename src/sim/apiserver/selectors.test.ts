import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SimApiError } from './errors.ts';
import { matchesLabels, parseFieldSelector, parseLabelSelector } from './selectors.ts';

describe('label selectors', () => {
  const labels = { app: 'web', tier: 'front', 'example.test/role': 'x' };

  it('matches =, ==, !=, in, notin, exists and !key', () => {
    const cases: Array<[string, boolean]> = [
      ['app=web', true],
      ['app==web', true],
      ['app!=web', false],
      ['app!=db', true],
      ['missing!=x', true],
      ['tier in (front, back)', true],
      ['tier notin (front)', false],
      ['missing notin (a)', true],
      ['example.test/role', true],
      ['!example.test/role', false],
      ['!missing', true],
      ['app=web,tier in (front),!missing', true],
      ['', true],
    ];
    for (const [selector, expected] of cases)
      assert.equal(matchesLabels(parseLabelSelector(selector), labels), expected, selector);
  });

  it('refuses a selector it cannot parse with 400', () => {
    assert.throws(
      () => parseLabelSelector('app in web'),
      (err: unknown) => err instanceof SimApiError && err.code === 400,
    );
  });
});

describe('field selectors', () => {
  it('accepts the fields the real server supports per resource', () => {
    assert.deepEqual(
      parseFieldSelector('status.phase!=Running,spec.nodeName=n1', { group: '', resource: 'pods', isCustom: false }),
      [
        { field: 'status.phase', op: 'neq', value: 'Running' },
        { field: 'spec.nodeName', op: 'eq', value: 'n1' },
      ],
    );
    assert.equal(
      parseFieldSelector('metadata.namespace==x', { group: 'example.test', resource: 'widgets', isCustom: true })
        .length,
      1,
    );
  });

  it('words the refusal of other fields like the real server', () => {
    assert.throws(
      () => parseFieldSelector('spec.size=1', { group: 'example.test', resource: 'widgets', isCustom: true }),
      { message: '"spec.size" is not a known field selector: only "metadata.name", "metadata.namespace"' },
    );
    assert.throws(() => parseFieldSelector('spec.nodeName=x', { group: '', resource: 'configmaps', isCustom: false }), {
      message: 'field label not supported: spec.nodeName',
    });
  });
});
