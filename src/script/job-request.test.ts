import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_JOB_IMAGE } from './defaults.ts';
import { isValidJobName, JobRequestError, normalizeJobRequest } from './job-request.ts';

describe('normalizeJobRequest', () => {
  it('fills Brigade defaults for a bare name', () => {
    const r = normalizeJobRequest({ name: 'build' });
    assert.equal(r.image, DEFAULT_JOB_IMAGE);
    assert.equal(r.imageDefaulted, true);
    assert.equal(r.shell, '/bin/sh');
    assert.equal(r.mountPath, '/src');
    assert.equal(r.timeout, 900_000);
    assert.equal(r.useSource, true);
    assert.deepEqual(r.cache, { enabled: false, size: '5Mi', path: '/mnt/brigade/cache' });
  });

  it('refuses wrong types with the field name', () => {
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ name: 'ab', tasks: 'echo' }, /tasks must be an array of strings/],
      [{ name: 'ab', env: { A: 1 } }, /env\.A must be/],
      [{ name: 'ab', env: { A: { secretKeyRef: { name: 's' } } } }, /env\.A\.secretKeyRef\.key is required/],
      [{ name: 'ab', env: { A: { fieldRef: {} } } }, /env\.A\.fieldRef\.fieldPath is required/],
      [{ name: 'ab', env: { A: { resourceFieldRef: { resource: 'limits.cpu' } } } }, /env\.A must be/],
      [{ name: 'ab', timeout: -1 }, /timeout must be a positive/],
      [{ name: 'ab', privileged: 'yes' }, /privileged must be a boolean/],
      [{ name: 'ab', host: { nodeSelector: { a: 1 } } }, /host\.nodeSelector\.a must be a string/],
      [{ name: 'ab', volumes: ['x'] }, /volumes must be an array of objects/],
      [{ name: 'Bad_Name' }, /invalid job name/],
      [{}, /name is required/],
    ];
    for (const [raw, message] of cases)
      assert.throws(
        () => normalizeJobRequest(raw),
        (e: unknown) => e instanceof JobRequestError && message.test(e.message),
      );
  });

  it('returns fresh objects, not the input', () => {
    const volumes = [{ name: 'v', emptyDir: {} }];
    const r = normalizeJobRequest({ name: 'ab', volumes });
    assert.notEqual(r.volumes, volumes);
    assert.deepEqual(r.volumes, volumes);
  });
});

describe('isValidJobName', () => {
  it('follows brigadier 1.5: 1..36 chars of lowercase letters, digits, dashes and dots, alphanumeric first and last', () => {
    for (const ok of ['a', 'ab', 'a-b', 'a1', '1a', '1-build', 'build.v1', 'x'.repeat(36)])
      assert.equal(isValidJobName(ok), true, ok);
    for (const bad of ['-a', 'a-', '.a', 'a.', 'aB', 'a_b', 'a/b', 'x'.repeat(37), ''])
      assert.equal(isValidJobName(bad), false, bad);
  });
});
