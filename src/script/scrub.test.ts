import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { capText, GuestDataError, parseGuestJson } from './sandbox/guest-json.ts';
import { scrubCredentials, scrubHostError } from './scrub.ts';

describe('scrubCredentials', () => {
  it('drops URL userinfo, query strings and token assignments', () => {
    const text =
      'GET https://user:pw@api.example:6443/api/v1?token=abc#frag failed; authorization: Bearer xyz; password=hunter2';
    const out = scrubCredentials(text);
    assert.doesNotMatch(out, /user:pw|token=abc|xyz|hunter2/);
    assert.match(out, /https:\/\/api\.example:6443\/api\/v1/);
  });
});

describe('scrubHostError', () => {
  it('keeps a plain name and a capped, scrubbed message only', () => {
    const error = Object.assign(new Error('https://u:p@h/x?q=1 ' + 'm'.repeat(100)), { name: 'Weird Name!' });
    const out = scrubHostError(error, { secrets: [], maxChars: 40 });
    assert.deepEqual(Object.keys(out), ['name', 'message']);
    assert.equal(out.name, 'Error');
    assert.doesNotMatch(out.message, /u:p|q=1/);
    assert.match(out.message, /truncated/);
  });
});

describe('parseGuestJson', () => {
  it('refuses prototype keys at any depth', () => {
    for (const key of ['__proto__', 'constructor', 'prototype']) {
      assert.throws(
        () => parseGuestJson(`{"a":{"${key}":{"polluted":1}}}`, { maxChars: 1000, what: 'job' }),
        GuestDataError,
      );
    }
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
  });

  it('refuses oversized and invalid input', () => {
    assert.throws(
      () => parseGuestJson('"' + 'x'.repeat(100) + '"', { maxChars: 10, what: 'job' }),
      /more than the limit/,
    );
    assert.throws(() => parseGuestJson('{', { maxChars: 10, what: 'job' }), /not valid JSON/);
  });

  it('caps text and says how much was cut', () => {
    assert.equal(capText('abc', 5), 'abc');
    assert.equal(capText('abcdef', 2), 'ab... [truncated 4 characters]');
  });
});
