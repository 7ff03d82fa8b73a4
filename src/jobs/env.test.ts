import { test } from 'node:test';
import assert from 'node:assert/strict';
import { build, jobCr, project } from './fixtures.ts';
import { jobEnvSecret, splitJobEnv } from './env.ts';
import { translateJob } from './translate.ts';

const SECRETS = { dockerPassword: 's3cr3t-pa55', githubToken: 'ghp_0123456789' };

test('env values that contain a project secret value become secretKeyRefs to the job Secret', () => {
  const split = splitJobEnv({
    env: { CI: 'true', PASSWORD: SECRETS.dockerPassword, AUTH: `Bearer ${SECRETS.githubToken}` },
    secretValues: Object.values(SECRETS),
    jobCrName: 'demo-1-test-0a1b2c3d',
  });
  assert.equal(split.secretName, 'demo-1-test-0a1b2c3d-env');
  assert.deepEqual(split.env, [
    { name: 'CI', value: 'true' },
    { name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'demo-1-test-0a1b2c3d-env', key: 'PASSWORD' } } },
    { name: 'AUTH', valueFrom: { secretKeyRef: { name: 'demo-1-test-0a1b2c3d-env', key: 'AUTH' } } },
  ]);
  assert.deepEqual(split.secretData, { PASSWORD: SECRETS.dockerPassword, AUTH: `Bearer ${SECRETS.githubToken}` });
});

test('empty secret values do not make every variable secret', () => {
  const split = splitJobEnv({ env: { CI: 'true' }, secretValues: [''], jobCrName: 'j' });
  assert.deepEqual(split.env, [{ name: 'CI', value: 'true' }]);
  assert.deepEqual(split.secretData, {});
});

test('the job env Secret is owned by the Job CR and labelled for lookup', () => {
  const secret = jobEnvSecret({
    jobCr: { name: 'demo-1-test-0a1b2c3d', namespace: 'ci', uid: 'uid-job' },
    project: 'demo',
    build: 'demo-1',
    data: { PASSWORD: 'x' },
  });
  assert.equal(secret.metadata?.name, 'demo-1-test-0a1b2c3d-env');
  assert.equal(secret.metadata.namespace, 'ci');
  assert.equal(secret.type, 'Opaque');
  assert.deepEqual(secret.stringData, { PASSWORD: 'x' });
  assert.deepEqual(secret.metadata.ownerReferences, [
    {
      apiVersion: 'brigade.sh/v1alpha1',
      kind: 'Job',
      name: 'demo-1-test-0a1b2c3d',
      uid: 'uid-job',
      controller: true,
      blockOwnerDeletion: true,
    },
  ]);
  assert.equal(secret.metadata.labels?.['brigade.sh/component'], 'job-env');
});

test('no secret value appears anywhere in the Job CR spec, the child Job or its claims', () => {
  const split = splitJobEnv({
    env: { PASSWORD: SECRETS.dockerPassword, TOKEN: SECRETS.githubToken, MODE: 'release' },
    secretValues: Object.values(SECRETS),
    jobCrName: 'demo-1-test-0a1b2c3d',
  });
  const job = jobCr({
    env: split.env,
    storage: { enabled: true },
    cache: { enabled: true },
    host: { placement: 'burst' },
  });
  const proj = project({
    secretRef: { name: 'demo-secrets' },
    storage: { enabled: true },
    repo: { cloneURL: 'https://example.com/x.git' },
  });
  const result = translateJob({ job, project: proj, build: build({ payload: '{"ref":"main"}' }) });
  assert.equal(result.refused, false);
  const everything = JSON.stringify([job, result]);
  for (const value of Object.values(SECRETS)) assert.equal(everything.includes(value), false, 'a secret value leaked');
  assert.match(everything, /"secretKeyRef":\{"name":"demo-1-test-0a1b2c3d-env","key":"PASSWORD"\}/);
});
