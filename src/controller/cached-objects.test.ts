import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { V1Job, V1Pod } from '@kubernetes/client-node';
import { cachedBatchJob, cachedPod } from './cached-objects.ts';

const meta = {
  name: 'b-j-x1',
  namespace: 'ci',
  uid: 'u1',
  resourceVersion: '42',
  labels: { 'brigade.sh/job': 'b-j', 'batch.kubernetes.io/controller-uid': 'u0' },
  ownerReferences: [
    { apiVersion: 'batch/v1', kind: 'Job', name: 'b-j', uid: 'u0', controller: true, blockOwnerDeletion: true },
  ],
  annotations: { note: 'x' },
  managedFields: [{ manager: 'kube-controller-manager', operation: 'Update' }],
};

test('a cached pod keeps its identity, node and status, not its spec', () => {
  const pod: V1Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: meta,
    spec: {
      nodeName: 'virtual-kubelet',
      containers: [{ name: 'job', image: 'alpine:3.20', command: ['/bin/sh', '-c', 'true'] }],
      tolerations: [{ key: 'virtual-kubelet.io/provider', operator: 'Exists' }],
    },
    status: {
      phase: 'Pending',
      conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/2 nodes' }],
      containerStatuses: [
        { name: 'job', image: 'alpine:3.20', imageID: 'sha', ready: false, restartCount: 0, state: { waiting: {} } },
      ],
    },
  };
  assert.deepEqual(cachedPod(pod), {
    metadata: {
      name: 'b-j-x1',
      namespace: 'ci',
      uid: 'u1',
      resourceVersion: '42',
      labels: { 'brigade.sh/job': 'b-j' },
      ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name: 'b-j', uid: 'u0', controller: true }],
    },
    spec: { nodeName: 'virtual-kubelet' },
    status: {
      phase: 'Pending',
      conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/2 nodes' }],
      containerStatuses: [{ name: 'job', state: { waiting: {} } }],
    },
  });
});

test('a cached batch Job keeps its identity and status, not its pod template', () => {
  const job: V1Job = {
    metadata: meta,
    spec: { template: { spec: { containers: [{ name: 'job', image: 'alpine:3.20' }] } } },
    status: { active: 1 },
  };
  const cached = cachedBatchJob(job);
  assert.deepEqual(Object.keys(cached).sort(), ['metadata', 'status']);
  assert.deepEqual(cached.status, { active: 1 });
  assert.equal(cached.metadata?.uid, 'u1');
  assert.equal('managedFields' in (cached.metadata ?? {}), false);
});
