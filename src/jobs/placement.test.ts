import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { V1PodSpec } from '@kubernetes/client-node';
import { build, jobCr, project } from './fixtures.ts';
import { translateJob } from './translate.ts';
import type { TranslateInput, Translation } from './types.ts';

const VIRTUAL_TOLERATIONS = [
  { key: 'virtual-kubelet.io/provider', operator: 'Exists' },
  { key: 'azure.com/aci', effect: 'NoSchedule' },
];

function run(input: Partial<TranslateInput>): { result: Translation; pod: V1PodSpec } {
  const result = translateJob({ job: jobCr(), project: project(), build: build(), ...input });
  assert.equal(result.refused, false, result.refused ? result.message : '');
  const ok = result;
  const pod = ok.batchJob.spec?.template.spec;
  assert.ok(pod);
  return { result: ok, pod };
}

test('host.name virtual-kubelet pins the pod to that node by hostname and tolerates it', () => {
  const { result, pod } = run({ job: jobCr({ host: { name: 'virtual-kubelet' } }) });
  assert.equal(result.placement, 'virtual');
  assert.deepEqual(pod.nodeSelector, { 'kubernetes.io/hostname': 'virtual-kubelet' });
  assert.deepEqual(pod.tolerations, VIRTUAL_TOLERATIONS);
  assert.equal(pod.affinity, undefined);
  assert.equal(result.batchJob.spec?.template.metadata?.annotations?.['brigade.sh/placement'], 'virtual');
});

test('placement virtual selects the virtual node by its type label', () => {
  const { pod } = run({ job: jobCr({ host: { placement: 'virtual' } }) });
  assert.deepEqual(pod.nodeSelector, { type: 'virtual-kubelet' });
  assert.deepEqual(pod.tolerations, VIRTUAL_TOLERATIONS);
});

test('placement burst prefers regular nodes and tolerates the virtual node', () => {
  const { result, pod } = run({ job: jobCr({ host: { placement: 'burst' } }) });
  assert.equal(result.placement, 'burst');
  assert.equal(pod.nodeSelector, undefined);
  assert.deepEqual(pod.tolerations, VIRTUAL_TOLERATIONS);
  assert.deepEqual(pod.affinity, {
    nodeAffinity: {
      preferredDuringSchedulingIgnoredDuringExecution: [
        {
          weight: 100,
          preference: { matchExpressions: [{ key: 'type', operator: 'NotIn', values: ['virtual-kubelet'] }] },
        },
      ],
    },
  });
});

test('a burst job that needs a full node stays on regular nodes instead of failing on the virtual one', () => {
  const proj = project({ storage: { enabled: true } });
  const { result, pod } = run({
    project: proj,
    job: jobCr({ host: { placement: 'burst' }, storage: { enabled: true } }),
  });
  assert.equal(result.placement, 'regular');
  assert.equal(pod.tolerations, undefined);
  assert.equal(pod.affinity, undefined);
  assert.equal(result.batchJob.spec?.template.metadata?.annotations?.['brigade.sh/placement'], 'regular');
});

test('a privileged burst job stays on regular nodes, since virtual nodes run no privileged containers', () => {
  const { result } = run({
    project: project({ policy: { allowPrivileged: true } }),
    job: jobCr({ host: { placement: 'burst' }, privileged: true }),
  });
  assert.equal(result.placement, 'regular');
});

test('regular placement adds no tolerations or affinity', () => {
  const { result, pod } = run({});
  assert.equal(result.placement, 'regular');
  assert.equal(pod.tolerations, undefined);
  assert.equal(pod.affinity, undefined);
  assert.equal(pod.nodeSelector, undefined);
});

test('host.os and host.nodeSelector map onto the nodeSelector, the latter merged last', () => {
  const { pod } = run({
    job: jobCr({ host: { os: 'windows', placement: 'virtual', nodeSelector: { 'example.com/gpu': 'true' } } }),
  });
  assert.deepEqual(pod.nodeSelector, {
    type: 'virtual-kubelet',
    'kubernetes.io/os': 'windows',
    'example.com/gpu': 'true',
  });
});

test('a named regular node is selected by hostname without virtual tolerations', () => {
  const { pod } = run({ job: jobCr({ host: { name: 'node-1' } }) });
  assert.deepEqual(pod.nodeSelector, { 'kubernetes.io/hostname': 'node-1' });
  assert.equal(pod.tolerations, undefined);
});

test("the project's default placement applies when the job sets none", () => {
  const { result } = run({ project: project({ jobDefaults: { host: { placement: 'virtual' } } }) });
  assert.equal(result.placement, 'virtual');
});

test('extra tolerations come after the virtual-node ones', () => {
  const { pod } = run({
    job: jobCr({ host: { placement: 'virtual', tolerations: [{ key: 'team', operator: 'Equal', value: 'web' }] } }),
  });
  assert.deepEqual(pod.tolerations, [...VIRTUAL_TOLERATIONS, { key: 'team', operator: 'Equal', value: 'web' }]);
});
