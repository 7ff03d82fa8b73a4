import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jobSecretName } from '../../api/names.ts';
import type { JobCR } from '../../api/types.ts';
import { jobSpecDigest, reuseRefusal } from './reuse.ts';

function job(name: string, build: string, extra: Partial<JobCR['spec']> = {}, phase?: 'Succeeded' | 'Failed'): JobCR {
  return {
    apiVersion: 'brigade.sh/v1alpha1',
    kind: 'Job',
    metadata: { name, namespace: 'ns' },
    spec: { project: 'p', build, name: 'test', image: 'alpine:3.20', tasks: ['make test'], ...extra },
    ...(phase ? { status: { phase } } : {}),
  };
}

test('the same job request in two builds has one digest, whether or not the CRD defaults are filled in', () => {
  const wanted = job('b2-test-1', 'b2', { shell: '/bin/sh' });
  // As the API server stored the original: defaults written in.
  const stored = job('b1-test-1', 'b1', {
    shell: '/bin/sh',
    imageForcePull: false,
    useSource: true,
    privileged: false,
  });
  assert.equal(jobSpecDigest(wanted), jobSpecDigest(stored));
  assert.notEqual(jobSpecDigest(wanted), jobSpecDigest(job('b2-test-1', 'b2', { tasks: ['make lint'] })));
  assert.notEqual(jobSpecDigest(wanted), jobSpecDigest(job('b2-test-1', 'b2', { privileged: true })));
});

test("each job's own env Secret name is not part of the spec compared; another Secret's name is", () => {
  const ref = (jobCr: string, secret = jobSecretName(jobCr)) => ({
    env: [{ name: 'TOKEN', valueFrom: { secretKeyRef: { name: secret, key: 'TOKEN' } } }],
  });
  const a = job('b1-test-1', 'b1', ref('b1-test-1'));
  const b = job('b2-test-1', 'b2', ref('b2-test-1'));
  assert.equal(jobSpecDigest(a), jobSpecDigest(b));
  assert.notEqual(jobSpecDigest(a), jobSpecDigest(job('b2-test-1', 'b2', ref('b2-test-1', 'other'))));
});

test('a job is reused only when the original succeeded with the same spec and the same secret values', () => {
  const wanted = job('b2-test-1', 'b2');
  const base = { wanted, secretData: {}, originalSecretData: undefined };
  assert.equal(reuseRefusal({ ...base, original: job('b1-test-1', 'b1', {}, 'Succeeded') }), undefined);
  assert.match(reuseRefusal({ ...base, original: undefined }) ?? '', /no job of this name/);
  assert.match(reuseRefusal({ ...base, original: job('b1-test-1', 'b1', {}, 'Failed') }) ?? '', /ended Failed/);
  assert.match(
    reuseRefusal({ ...base, original: job('b1-test-1', 'b1', { image: 'alpine:3.21' }, 'Succeeded') }) ?? '',
    /spec differs/,
  );
  const original = job('b1-test-1', 'b1', {}, 'Succeeded');
  assert.match(
    reuseRefusal({ wanted, original, secretData: { TOKEN: 'new' }, originalSecretData: { TOKEN: 'old' } }) ?? '',
    /secret values differ/,
  );
  assert.equal(
    reuseRefusal({ wanted, original, secretData: { TOKEN: 'same' }, originalSecretData: { TOKEN: 'same' } }),
    undefined,
  );
});
