import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { V1Job, V1PodSpec } from '@kubernetes/client-node';
import { build, jobCr, project } from './fixtures.ts';
import { translateJob } from './translate.ts';
import type { TranslateInput, TranslateResult, Translation } from './types.ts';

function translated(input: Partial<TranslateInput> = {}): Translation {
  const result: TranslateResult = translateJob({ job: jobCr(), project: project(), build: build(), ...input });
  assert.equal(result.refused, false, result.refused ? result.message : '');
  return result;
}

function pod(job: V1Job): V1PodSpec {
  const spec = job.spec?.template.spec;
  assert.ok(spec);
  return spec;
}

test('the child Job runs once, with a deadline, restartPolicy Never, a TTL and the lookup labels', () => {
  const { batchJob } = translated();
  assert.equal(batchJob.apiVersion, 'batch/v1');
  assert.equal(batchJob.kind, 'Job');
  assert.equal(batchJob.metadata?.name, 'demo-1-test-0a1b2c3d');
  assert.equal(batchJob.metadata.namespace, 'ci');
  assert.equal(batchJob.spec?.backoffLimit, 0);
  assert.equal(batchJob.spec.activeDeadlineSeconds, 900);
  assert.equal(batchJob.spec.ttlSecondsAfterFinished, 3600);
  assert.equal(pod(batchJob).restartPolicy, 'Never');
  const labels = {
    'brigade.sh/project': 'demo',
    'brigade.sh/build': 'demo-1',
    'brigade.sh/job': 'demo-1-test-0a1b2c3d',
    'brigade.sh/component': 'job',
    'app.kubernetes.io/managed-by': 'brigade-operator',
  };
  assert.deepEqual(batchJob.metadata.labels, labels);
  assert.deepEqual(batchJob.spec.template.metadata?.labels, labels);
  assert.equal(batchJob.spec.template.metadata.annotations?.['brigade.sh/job-name'], 'test');
});

test('the child Job is controlled by the Job CR, and has no owner while the CR has no uid', () => {
  assert.deepEqual(translated().batchJob.metadata?.ownerReferences, [
    {
      apiVersion: 'brigade.sh/v1alpha1',
      kind: 'Job',
      name: 'demo-1-test-0a1b2c3d',
      uid: 'uid-job',
      controller: true,
      blockOwnerDeletion: true,
    },
  ]);
  assert.equal(translated({ job: jobCr({}, null) }).batchJob.metadata?.ownerReferences, undefined);
});

test('timeoutSeconds becomes activeDeadlineSeconds', () => {
  assert.equal(translated({ job: jobCr({ timeoutSeconds: 42 }) }).batchJob.spec?.activeDeadlineSeconds, 42);
});

test('tasks run as one /bin/sh script with set -e, the job name as $0 and args as $1...', () => {
  const [container] = pod(
    translated({ job: jobCr({ tasks: ['cd /src', 'make test'], args: ['--verbose'] }) }).batchJob,
  ).containers;
  assert.equal(container.name, 'job');
  assert.equal(container.image, 'alpine:3.20');
  assert.deepEqual(container.command, ['/bin/sh', '-c', 'set -e\ncd /src\nmake test', 'test']);
  assert.deepEqual(container.args, ['--verbose']);
});

test('bash runs the tasks with set -eo pipefail', () => {
  const [container] = pod(
    translated({ job: jobCr({ shell: '/bin/bash', tasks: ['false | true'] }) }).batchJob,
  ).containers;
  assert.deepEqual(container.command, ['/bin/bash', '-c', 'set -eo pipefail\nfalse | true', 'test']);
  assert.equal(container.args, undefined);
});

test('any other shell runs the tasks with -c and no prelude, as Brigade 1 added set -e only for sh and bash', () => {
  const [container] = pod(
    translated({ job: jobCr({ shell: '/usr/bin/pwsh', tasks: ['Write-Output hi', 'exit 3'], args: ['x'] }) }).batchJob,
  ).containers;
  assert.deepEqual(container.command, ['/usr/bin/pwsh', '-c', 'Write-Output hi\nexit 3', 'test']);
  assert.deepEqual(container.args, ['x']);
});

test('a job with a command and no tasks runs the command with its args', () => {
  const [container] = pod(
    translated({ job: jobCr({ tasks: [], command: ['make'], args: ['test'] }) }).batchJob,
  ).containers;
  assert.deepEqual(container.command, ['make']);
  assert.deepEqual(container.args, ['test']);
});

test('a job with only args passes them to the image entrypoint, as Brigade 1 did (command unset)', () => {
  const [container] = pod(
    translated({ job: jobCr({ tasks: undefined, args: ['--channel', '#ci'] }) }).batchJob,
  ).containers;
  assert.equal(container.command, undefined);
  assert.deepEqual(container.args, ['--channel', '#ci']);
});

test('a job with no tasks, command or args runs its image entrypoint (command and args unset)', () => {
  const [container] = pod(
    translated({ job: jobCr({ image: 'technosophos/github-notify:latest', tasks: [] }) }).batchJob,
  ).containers;
  assert.equal(container.image, 'technosophos/github-notify:latest');
  assert.equal('command' in container, false);
  assert.equal('args' in container, false);
});

test('an entrypoint job of a project with a repo still gets its source from the init container', () => {
  const result = translated({
    job: jobCr({ tasks: [] }),
    project: project({ repo: { cloneURL: 'https://example.com/demo.git' } }),
  });
  const spec = pod(result.batchJob);
  assert.equal(spec.initContainers?.[0]?.name, 'clone');
  assert.equal(spec.containers[0].command, undefined);
});

test('jobs that cannot run are refused with a message naming the job', () => {
  const refusal = (spec: Parameters<typeof jobCr>[0], proj = project()) =>
    translateJob({ job: jobCr(spec), project: proj, build: build() });
  assert.deepEqual(refusal({ image: undefined }), {
    refused: true,
    reason: 'InvalidJob',
    message: 'job "test" has no image, and project "demo" sets no spec.jobDefaults.image',
  });
  assert.deepEqual(refusal({ command: ['make'] }), {
    refused: true,
    reason: 'InvalidJob',
    message: 'job "test" sets both tasks and command; set one of them',
  });
});

test("the project's jobDefaults apply under the job's own settings", () => {
  const proj = project({
    jobDefaults: {
      image: 'node:24',
      imagePullPolicy: 'IfNotPresent',
      serviceAccountName: 'builder',
      imagePullSecrets: ['registry', 'shared'],
      resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '1Gi' } },
      host: { nodeSelector: { pool: 'ci', zone: 'a' }, tolerations: [{ key: 'ci', operator: 'Exists' }] },
      timeoutSeconds: 120,
      ttlSecondsAfterFinished: 60,
    },
    policy: { allowedSecrets: ['own'] },
  });
  const job = jobCr({
    image: undefined,
    imagePullSecrets: ['shared', 'own'],
    resources: { requests: { cpu: '2' } },
    host: { nodeSelector: { zone: 'b' }, tolerations: [{ key: 'gpu', operator: 'Exists', effect: 'NoSchedule' }] },
  });
  const { batchJob } = translated({ job, project: proj });
  const spec = pod(batchJob);
  const [container] = spec.containers;
  assert.equal(container.image, 'node:24');
  assert.equal(container.imagePullPolicy, 'IfNotPresent');
  assert.deepEqual(container.resources, { requests: { cpu: '2', memory: '128Mi' }, limits: { memory: '1Gi' } });
  assert.equal(spec.serviceAccountName, 'builder');
  assert.equal(spec.automountServiceAccountToken, false);
  assert.deepEqual(spec.imagePullSecrets, [{ name: 'registry' }, { name: 'shared' }, { name: 'own' }]);
  assert.deepEqual(spec.nodeSelector, { pool: 'ci', zone: 'b' });
  assert.deepEqual(spec.tolerations, [
    { key: 'ci', operator: 'Exists' },
    { key: 'gpu', operator: 'Exists', effect: 'NoSchedule' },
  ]);
  assert.equal(batchJob.spec?.activeDeadlineSeconds, 120);
  assert.equal(batchJob.spec.ttlSecondsAfterFinished, 60);
});

test("the job's image and service account win over the defaults", () => {
  const proj = project({
    jobDefaults: { image: 'node:24', serviceAccountName: 'builder' },
    policy: { allowedServiceAccounts: ['deployer'] },
  });
  const spec = pod(
    translated({ job: jobCr({ image: 'golang:1.23', serviceAccountName: 'deployer' }), project: proj }).batchJob,
  );
  assert.equal(spec.containers[0].image, 'golang:1.23');
  assert.equal(spec.serviceAccountName, 'deployer');
});

test("without imageForcePull an untagged or :latest image is pulled IfNotPresent (Brigade 1's rule), not Always", () => {
  for (const image of ['alpine', 'alpine:latest', 'alpine:3.20']) {
    const [container] = pod(translated({ job: jobCr({ image }) }).batchJob).containers;
    assert.equal(container.imagePullPolicy, 'IfNotPresent', image);
  }
  const [chosen] = pod(
    translated({ job: jobCr({ image: 'alpine' }), project: project({ jobDefaults: { imagePullPolicy: 'Always' } }) })
      .batchJob,
  ).containers;
  assert.equal(chosen.imagePullPolicy, 'Always');
});

test('imageForcePull sets imagePullPolicy Always over any other policy', () => {
  const proj = project({ jobDefaults: { imagePullPolicy: 'Never' } });
  const [container] = pod(
    translated({ job: jobCr({ imageForcePull: true, imagePullPolicy: 'IfNotPresent' }), project: proj }).batchJob,
  ).containers;
  assert.equal(container.imagePullPolicy, 'Always');
});

test('without a service account the pod gets no API token', () => {
  const spec = pod(translated().batchJob);
  assert.equal(spec.serviceAccountName, undefined);
  assert.equal(spec.automountServiceAccountToken, false);
});

test('a pod gets its service account token only when the policy allows it', () => {
  const named = project({ jobDefaults: { serviceAccountName: 'builder' } });
  assert.equal(pod(translated({ project: named }).batchJob).automountServiceAccountToken, false);
  const allowed = project({
    jobDefaults: { serviceAccountName: 'builder' },
    policy: { allowServiceAccountToken: true },
  });
  const spec = pod(translated({ project: allowed }).batchJob);
  assert.equal(spec.serviceAccountName, 'builder');
  assert.equal(spec.automountServiceAccountToken, true);
});

test("the job's annotations go on the pod, its labels too but never over the brigade.sh labels", () => {
  const job = jobCr({
    annotations: { 'example.com/team': 'web' },
    labels: { 'brigade.sh/project': 'other', team: 'web' },
  });
  const template = translated({ job }).batchJob.spec?.template.metadata;
  assert.equal(template?.annotations?.['example.com/team'], 'web');
  assert.equal(template.labels?.team, 'web');
  assert.equal(template.labels['brigade.sh/project'], 'demo');
});

test('plain env entries and secret references are passed through as given', () => {
  const env = [
    { name: 'CI', value: 'true' },
    { name: 'TOKEN', valueFrom: { secretKeyRef: { name: 'demo-1-test-0a1b2c3d-env', key: 'TOKEN' } } },
  ];
  const [container] = pod(translated({ job: jobCr({ env }) }).batchJob).containers;
  assert.deepEqual(container.env, env);
});

test('a job without source, storage or volumes has no volumes', () => {
  const spec = pod(translated().batchJob);
  assert.equal(spec.volumes, undefined);
  assert.equal(spec.containers[0].volumeMounts, undefined);
  assert.equal(spec.initContainers, undefined);
});

test('the translation does not change its input', () => {
  const job = jobCr({ volumes: [{ name: 'v', emptyDir: {} }], env: [{ name: 'A', value: 'b' }] });
  const before = structuredClone(job);
  const result = translated({ job });
  (pod(result.batchJob).volumes ?? [])[0].name = 'changed';
  assert.deepEqual(job, before);
});
