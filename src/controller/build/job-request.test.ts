import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Build, Project } from '../../api/types.ts';
import type { JobRequest } from '../../script/index.ts';
import { normalizeJobRequest } from '../../script/job-request.ts';
import { jobCrFor } from './job-request.ts';

const build: Build = {
  apiVersion: 'brigade.sh/v1alpha1',
  kind: 'Build',
  metadata: { name: 'b1', namespace: 'ns', uid: 'uid-b1' },
  spec: { project: 'p', event: 'b1', type: 'exec', provider: 'cli', script: '', scriptOrigin: 'project' },
};
const project = (over: Partial<Project['spec']> = {}): Project => ({
  apiVersion: 'brigade.sh/v1alpha1',
  kind: 'Project',
  metadata: { name: 'p', namespace: 'ns' },
  spec: over,
});
// A job as the sandbox hands it over (brigadier's defaults applied), then the test's changes.
const request = (over: Partial<JobRequest> = {}): JobRequest => ({
  ...normalizeJobRequest({ name: 'test', image: 'debian:12', tasks: ['echo hi'] }),
  ...over,
});

test('the Job CR has a deterministic name, the build as controller owner and lookup labels', () => {
  const a = jobCrFor(build, project(), request(), {}).job;
  const b = jobCrFor(build, project(), request(), {}).job;
  assert.equal(a.metadata.name, b.metadata.name);
  assert.deepEqual(a.metadata.ownerReferences?.[0], {
    apiVersion: 'brigade.sh/v1alpha1',
    kind: 'Build',
    name: 'b1',
    uid: 'uid-b1',
    controller: true,
    blockOwnerDeletion: true,
  });
  assert.equal(a.metadata.labels?.['brigade.sh/build'], 'b1');
  assert.equal(a.metadata.labels['brigade.sh/job'], a.metadata.name);
  assert.equal(a.spec.timeoutSeconds, 900);
});

test('env values that contain a project secret go to the job Secret; plain values and references stay', () => {
  const { job, secretData } = jobCrFor(
    build,
    project(),
    request({ env: { TOKEN: 'Bearer s3cret', PLAIN: 'x', REF: { secretKeyRef: { name: 'other', key: 'k' } } } }),
    { token: 's3cret' },
  );
  assert.deepEqual(secretData, { TOKEN: 'Bearer s3cret' });
  assert.ok(!JSON.stringify(job).includes('s3cret'));
  const env = new Map(job.spec.env?.map((e) => [e.name, e]));
  assert.equal(env.get('PLAIN')?.value, 'x');
  assert.equal(env.get('TOKEN')?.valueFrom?.secretKeyRef?.key, 'TOKEN');
  assert.equal(env.get('REF')?.valueFrom?.secretKeyRef?.name, 'other');
});

test('a defaulted image gives way to the project default image, and useSource needs a repo', () => {
  const spec = jobCrFor(build, project({ jobDefaults: { image: 'node:24' } }), request({ imageDefaulted: true }), {})
    .job.spec;
  assert.equal(spec.image, undefined);
  assert.equal(spec.useSource, false);
  const own = jobCrFor(build, project({ repo: { cloneURL: 'https://example.com/r.git' } }), request(), {}).job.spec;
  assert.equal(own.image, 'debian:12');
  assert.equal(own.useSource, true);
});

test('the shell may be written as brigadier scripts do ("bash", "sh"), any other one word is kept, a non-command refused', () => {
  assert.equal(jobCrFor(build, project(), request({ shell: 'bash' }), {}).job.spec.shell, '/bin/bash');
  assert.equal(jobCrFor(build, project(), request({ shell: 'sh' }), {}).job.spec.shell, '/bin/sh');
  assert.equal(jobCrFor(build, project(), request({ shell: '/bin/bash' }), {}).job.spec.shell, '/bin/bash');
  assert.equal(jobCrFor(build, project(), request({ shell: 'zsh' }), {}).job.spec.shell, 'zsh');
  assert.equal(jobCrFor(build, project(), request({ shell: '/bin/ash' }), {}).job.spec.shell, '/bin/ash');
  assert.throws(
    () => jobCrFor(build, project(), request({ shell: 'bash -x' }), {}),
    /job shell "bash -x" is not a command/,
  );
  assert.throws(() => jobCrFor(build, project(), request({ shell: '' }), {}), /job shell "" is not a command/);
});

test('brigadier names with a leading digit or a dot map to valid, distinct Kubernetes names; spec.name keeps the script name', () => {
  const names = ['1-build', 'build.v1', 'build-v1', 'a'];
  const crs = names.map((name) => jobCrFor(build, project(), request({ name }), {}).job);
  for (const [i, cr] of crs.entries()) {
    assert.match(cr.metadata.name ?? '', /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
    assert.ok((cr.metadata.name ?? '').length <= 63);
    assert.equal(cr.spec.name, names[i]);
    assert.equal(
      cr.metadata.name,
      jobCrFor(build, project(), request({ name: names[i] }), {}).job.metadata.name,
      'deterministic',
    );
  }
  assert.equal(new Set(crs.map((cr) => cr.metadata.name)).size, names.length);
  assert.match(crs[1]?.metadata.name ?? '', /^b1-build-v1-[0-9a-f]{8}$/);
});

test('an env value holding the base64 or URL-encoded form of a secret goes to the job Secret too', () => {
  const pw = 'p@ss:w0rd!';
  const basic = Buffer.from(`ci:${pw}`).toString('base64');
  const { job, secretData } = jobCrFor(
    build,
    project(),
    request({ env: { AUTH: `Basic ${basic}`, URL: `https://ci:${encodeURIComponent(pw)}@git.example/r.git` } }),
    { pw },
  );
  assert.deepEqual(Object.keys(secretData).sort(), ['AUTH', 'URL']);
  assert.ok(!JSON.stringify(job).includes(basic));
});

test('a secret value anywhere but env is refused with the field and the key, never the value', () => {
  const secrets = { token: 's3cret-token-value', region: 'eastus' };
  const cases: Array<[Partial<JobRequest>, RegExp]> = [
    [
      { tasks: ['echo hi', 'curl -H "X: s3cret-token-value" x'] },
      /tasks\[1\] holds the value of project secret "token"/,
    ],
    [{ args: ['--token=s3cret-token-value'] }, /args\[0\]/],
    [{ annotations: { note: 'eastus' } }, /annotations\.note holds the value of project secret "region"/],
    [{ annotations: { eastus: 'x' } }, /annotations key/],
    [{ image: 'registry/eastus:1' }, /image holds/],
    [{ host: { nodeSelector: { zone: 'eastus' } } }, /host\.nodeSelector\.zone/],
    [{ volumes: [{ name: 'v', nfs: { server: 'eastus', path: '/' } }] }, /volumes\[0\]\.nfs\.server/],
  ];
  for (const [over, where] of cases) {
    assert.throws(
      () => jobCrFor(build, project(), request(over), secrets),
      (err: Error) => {
        assert.equal(err.name, 'InlineSecretError');
        assert.match(err.message, where);
        assert.match(err.message, /pass it through env/);
        assert.doesNotMatch(err.message, /s3cret-token-value|eastus/);
        return true;
      },
      JSON.stringify(over),
    );
  }
  // The Project's opt-in stores them inline, as Brigade 1 did; env still goes through the job's Secret.
  const inline = request({ tasks: ['docker login -p s3cret-token-value'], env: { T: 's3cret-token-value' } });
  const allowed = jobCrFor(build, project({ policy: { allowInlineSecrets: true } }), inline, secrets);
  assert.deepEqual(allowed.job.spec.tasks, ['docker login -p s3cret-token-value']);
  assert.deepEqual(Object.keys(allowed.secretData), ['T']);
  // A word that merely contains a short secret is not that secret.
  assert.doesNotThrow(() => jobCrFor(build, project(), request({ tasks: ['echo northeastus'] }), secrets));
  // A defaulted image is the operator's choice, not the script's.
  assert.doesNotThrow(() =>
    jobCrFor(build, project(), request({ imageDefaulted: true, image: 'debian:12' }), { os: 'debian' }),
  );
});
