import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isDns1123Label, isDns1123Subdomain, validateObjectName } from './names.ts';

describe('object name rules', () => {
  it('accepts DNS-1123 subdomains and labels', () => {
    assert.equal(isDns1123Subdomain('my-app.example'), true);
    assert.equal(isDns1123Label('my-app'), true);
    assert.equal(isDns1123Label('my.app'), false);
    assert.equal(isDns1123Label('a'.repeat(64)), false);
    assert.equal(isDns1123Subdomain('-bad'), false);
    assert.deepEqual(validateObjectName('build-1.x'), []);
  });

  it('explains a bad name the way the apiserver does', () => {
    assert.deepEqual(validateObjectName('..'), ["may not be '..'"]);
    assert.deepEqual(validateObjectName('a/b'), ["may not contain '/'"]);
    const [msg] = validateObjectName('Bad_Name');
    assert.match(msg, /^a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters/);
    assert.deepEqual(validateObjectName('a'.repeat(254)), ['must be no more than 253 characters']);
  });
});
