import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { V1PodSpec } from '@kubernetes/client-node';
import type { JobSpec, ProjectSpec } from '../api/types.ts';
import { build, jobCr, project } from './fixtures.ts';
import { CLONE_SCRIPT, INLINE_CLONE_SCRIPT } from './source.ts';
import { translateJob } from './translate.ts';
import type { Translation } from './types.ts';

const REPO = { repo: { cloneURL: 'https://github.com/org/demo.git', ref: 'refs/heads/main' } };

function pod(
  job: Partial<JobSpec>,
  proj: Partial<ProjectSpec> = REPO,
  revision = { commit: 'abc123', ref: 'refs/pull/7/head' },
): V1PodSpec {
  const result = translateJob({ job: jobCr(job), project: project(proj), build: build({ revision }) }) as Translation;
  assert.equal(result.refused, false);
  const spec = result.batchJob.spec?.template.spec;
  assert.ok(spec);
  return spec;
}

const SOURCE_ENV = [
  { name: 'BRIGADE_REMOTE_URL', value: 'https://github.com/org/demo.git' },
  { name: 'BRIGADE_COMMIT_ID', value: 'abc123' },
  { name: 'BRIGADE_COMMIT_REF', value: 'refs/pull/7/head' },
  { name: 'BRIGADE_WORKSPACE', value: '/src' },
];

test('on regular nodes an init container clones the revision into an emptyDir at mountPath', () => {
  const spec = pod({});
  assert.deepEqual(spec.volumes, [{ name: 'brigade-source', emptyDir: {} }]);
  assert.equal(spec.initContainers?.length, 1);
  const [clone] = spec.initContainers ?? [];
  assert.equal(clone.name, 'clone');
  assert.deepEqual(clone.command, ['/bin/sh', '-c', `set -e\n${CLONE_SCRIPT}`]);
  assert.deepEqual(clone.env, SOURCE_ENV);
  assert.deepEqual(clone.volumeMounts, [{ name: 'brigade-source', mountPath: '/src' }]);
  assert.deepEqual(spec.containers[0].volumeMounts, [{ name: 'brigade-source', mountPath: '/src' }]);
  assert.deepEqual(spec.containers[0].command, ['/bin/sh', '-c', 'set -e\necho hello', 'test']);
});

test('on the virtual node the job container clones before its tasks, without init containers', () => {
  const spec = pod({ host: { name: 'virtual-kubelet' }, tasks: ['ls /src'] });
  assert.equal(spec.initContainers, undefined);
  assert.deepEqual(spec.volumes, [{ name: 'brigade-source', emptyDir: {} }]);
  const [container] = spec.containers;
  assert.deepEqual(container.command, ['/bin/sh', '-c', `set -e\n${INLINE_CLONE_SCRIPT}\nls /src`, 'test']);
  assert.deepEqual(container.env, SOURCE_ENV);
});

test('burst jobs clone inline too, since they may land on the virtual node', () => {
  const spec = pod({ host: { placement: 'burst' } });
  assert.equal(spec.initContainers, undefined);
  assert.match(spec.containers[0].command?.[2] ?? '', /git clone/);
});

test('on the virtual node another shell gets its tasks after /bin/sh has run the clone', () => {
  const spec = pod({ host: { name: 'virtual-kubelet' }, shell: '/bin/zsh', tasks: ['print -r -- $ZSH_VERSION'] });
  const [container] = spec.containers;
  assert.deepEqual(container.command, ['/bin/sh', '-c', `set -e\n${INLINE_CLONE_SCRIPT}\nexec "$@"`, 'test']);
  assert.deepEqual(container.args, ['/bin/zsh', '-c', 'print -r -- $ZSH_VERSION', 'test']);
});

test('on the virtual node a command-only job still clones first, then execs the command', () => {
  const spec = pod({ host: { placement: 'virtual' }, tasks: [], command: ['make'], args: ['test'] });
  assert.deepEqual(spec.containers[0].command, ['/bin/sh', '-c', `set -e\n${INLINE_CLONE_SCRIPT}\nexec "$@"`, 'test']);
  assert.deepEqual(spec.containers[0].args, ['make', 'test']);
});

test("the project's repo ref is used when the event names no revision", () => {
  const [clone] = pod({}, REPO, {} as { commit: string; ref: string }).initContainers ?? [];
  assert.deepEqual(clone.env, [
    { name: 'BRIGADE_REMOTE_URL', value: 'https://github.com/org/demo.git' },
    { name: 'BRIGADE_COMMIT_ID', value: '' },
    { name: 'BRIGADE_COMMIT_REF', value: 'refs/heads/main' },
    { name: 'BRIGADE_WORKSPACE', value: '/src' },
  ]);
});

test('mountPath moves the checkout', () => {
  const spec = pod({ mountPath: '/workspace' });
  assert.deepEqual(spec.containers[0].volumeMounts, [{ name: 'brigade-source', mountPath: '/workspace' }]);
  assert.equal(spec.initContainers?.[0].env?.find((e) => e.name === 'BRIGADE_WORKSPACE')?.value, '/workspace');
});

test('no clone without useSource or without a cloneURL', () => {
  for (const spec of [pod({ useSource: false }), pod({}, {})]) {
    assert.equal(spec.initContainers, undefined);
    assert.equal(spec.volumes, undefined);
  }
});

test('the clone script takes every value from the environment, so a ref cannot inject shell', () => {
  const spec = pod({}, REPO, { commit: '$(reboot)', ref: '`id`' });
  assert.doesNotMatch(spec.initContainers?.[0].command?.[2] ?? '', /reboot|`id`/);
  assert.equal(spec.initContainers?.[0].env?.[1].value, '$(reboot)');
});

test("the job's own env comes after the source env, so a job can override it", () => {
  const spec = pod({ host: { placement: 'virtual' }, env: [{ name: 'BRIGADE_WORKSPACE', value: '/elsewhere' }] });
  const env = spec.containers[0].env ?? [];
  assert.deepEqual(env.at(-1), { name: 'BRIGADE_WORKSPACE', value: '/elsewhere' });
});

test('a repository-script build whose event named only a ref clones the commit its script came from', () => {
  const result = translateJob({
    job: jobCr(),
    project: project(REPO),
    build: build({ revision: { ref: 'refs/heads/main' }, scriptOrigin: 'repository', scriptCommit: 'f00d' }),
  }) as Translation;
  const [clone] = result.batchJob.spec?.template.spec?.initContainers ?? [];
  assert.deepEqual(
    clone.env?.find((e) => e.name === 'BRIGADE_COMMIT_ID'),
    { name: 'BRIGADE_COMMIT_ID', value: 'f00d' },
  );
});
