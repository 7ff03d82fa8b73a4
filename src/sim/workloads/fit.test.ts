import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  choosePlacement,
  podRequests,
  tolerates,
  unfitReasons,
  unschedulableMessage,
  untoleratedTaint,
} from './fit.ts';
import type { NodeObject, Pod, PodSpec } from './kube-types.ts';
import { DEFAULT_NODES, VIRTUAL_KUBELET_TAINT, buildNode } from './nodes.ts';

type PodPhase = NonNullable<Pod['status']>['phase'];

const NOW = new Date('2026-11-23T09:00:00Z');
const nodes: NodeObject[] = DEFAULT_NODES.map((spec, i) => buildNode(spec, i, NOW));
const [node1, virtualNode] = nodes;

function pod(spec: Partial<PodSpec> = {}, phase = 'Pending'): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'default' },
    spec: { containers: [{ name: 'main', image: 'busybox', command: ['true'] }], ...spec },
    status: { phase: phase as PodPhase },
  };
}

function withCpu(cpu: string, extra: Partial<PodSpec> = {}, phase = 'Pending'): Pod {
  return pod({ containers: [{ name: 'main', command: ['true'], resources: { requests: { cpu } } }], ...extra }, phase);
}

const tolerateVirtual = { tolerations: [{ key: 'virtual-kubelet.io/provider', operator: 'Exists' as const }] };

describe('tolerations', () => {
  it('Equal needs the same key and value; Exists only the key', () => {
    assert.equal(tolerates({ key: 'virtual-kubelet.io/provider', value: 'azure' }, VIRTUAL_KUBELET_TAINT), true);
    assert.equal(tolerates({ key: 'virtual-kubelet.io/provider', value: 'aws' }, VIRTUAL_KUBELET_TAINT), false);
    assert.equal(tolerates({ key: 'virtual-kubelet.io/provider', operator: 'Exists' }, VIRTUAL_KUBELET_TAINT), true);
    assert.equal(tolerates({ key: 'other', operator: 'Exists' }, VIRTUAL_KUBELET_TAINT), false);
  });

  it('an empty key with Exists tolerates every taint', () => {
    assert.equal(tolerates({ operator: 'Exists' }, VIRTUAL_KUBELET_TAINT), true);
    assert.equal(tolerates({ operator: 'Equal' }, VIRTUAL_KUBELET_TAINT), false);
  });

  it('an effect, when given, must match', () => {
    assert.equal(
      tolerates({ key: 'virtual-kubelet.io/provider', operator: 'Exists', effect: 'NoExecute' }, VIRTUAL_KUBELET_TAINT),
      false,
    );
    assert.equal(
      tolerates(
        { key: 'virtual-kubelet.io/provider', operator: 'Exists', effect: 'NoSchedule' },
        VIRTUAL_KUBELET_TAINT,
      ),
      true,
    );
  });

  it('PreferNoSchedule taints never filter a node', () => {
    assert.equal(untoleratedTaint([{ key: 'k', value: 'v', effect: 'PreferNoSchedule' }], []), undefined);
  });
});

describe('unfitReasons', () => {
  it('refuses the virtual node without the toleration, naming the taint', () => {
    assert.deepEqual(unfitReasons(pod(), virtualNode, []), [
      'node(s) had untolerated taint {virtual-kubelet.io/provider: azure}',
    ]);
    assert.deepEqual(unfitReasons(pod(tolerateVirtual), virtualNode, []), []);
  });

  it('checks nodeSelector and required node affinity', () => {
    assert.deepEqual(unfitReasons(pod({ nodeSelector: { type: 'virtual-kubelet' } }), node1, []), [
      "node(s) didn't match Pod's node affinity/selector",
    ]);
    const notIn = {
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [
              { matchExpressions: [{ key: 'type', operator: 'NotIn', values: ['virtual-kubelet'] }] },
            ],
          },
        },
      },
    };
    assert.deepEqual(unfitReasons(pod(notIn), node1, []), []);
    assert.deepEqual(unfitReasons(pod({ ...notIn, ...tolerateVirtual }), virtualNode, []), [
      "node(s) didn't match Pod's node affinity/selector",
    ]);
    const exists = {
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [{ matchExpressions: [{ key: 'type', operator: 'Exists' }] }],
          },
        },
      },
    };
    assert.deepEqual(unfitReasons(pod(exists), node1, []), ["node(s) didn't match Pod's node affinity/selector"]);
  });

  it('counts requests of running pods but not of finished ones', () => {
    assert.deepEqual(unfitReasons(withCpu('3'), node1, []), ['Insufficient cpu']);
    assert.deepEqual(unfitReasons(withCpu('1500m'), node1, [withCpu('1', {}, 'Running')]), ['Insufficient cpu']);
    assert.deepEqual(unfitReasons(withCpu('1500m'), node1, [withCpu('1', {}, 'Succeeded')]), []);
  });

  it('reports memory and pod count', () => {
    const big = pod({ containers: [{ name: 'm', command: ['true'], resources: { limits: { memory: '9Gi' } } }] });
    assert.deepEqual(unfitReasons(big, node1, []), ['Insufficient memory']);
    const full = buildNode({ name: 'tiny', allocatable: { cpu: '1', memory: '1Gi', pods: '1' } }, 2, NOW);
    assert.deepEqual(unfitReasons(pod(), full, [pod({}, 'Running')]), ['Too many pods']);
  });
});

describe('podRequests', () => {
  it('takes the larger of the containers sum and the biggest init container', () => {
    const spec: PodSpec = {
      containers: [
        { name: 'a', resources: { requests: { cpu: '200m' } } },
        { name: 'b', resources: { requests: { cpu: '300m' } } },
      ],
      initContainers: [{ name: 'i', resources: { requests: { cpu: '1', memory: '1Gi' } } }],
    };
    assert.deepEqual(podRequests(spec), { cpuMillis: 1000, memory: 2 ** 30, pods: 1 });
  });
});

describe('unschedulableMessage', () => {
  it('counts reasons per node, sorted, like the scheduler FitError', () => {
    assert.equal(
      unschedulableMessage(2, [
        ['Insufficient cpu'],
        ['node(s) had untolerated taint {virtual-kubelet.io/provider: azure}'],
      ]),
      '0/2 nodes are available: 1 Insufficient cpu, 1 node(s) had untolerated taint {virtual-kubelet.io/provider: azure}.',
    );
  });
});

describe('choosePlacement', () => {
  it('puts a CPU-hungry pod that tolerates the virtual node there', () => {
    assert.deepEqual(choosePlacement(withCpu('3', tolerateVirtual), nodes, new Map()), { node: 'virtual-kubelet' });
  });

  it('explains why a CPU-hungry pod fits nowhere', () => {
    assert.deepEqual(choosePlacement(withCpu('3'), nodes, new Map()), {
      message:
        '0/2 nodes are available: 1 Insufficient cpu, 1 node(s) had untolerated taint {virtual-kubelet.io/provider: azure}.',
    });
  });

  it('keeps burst pods on the regular node while they fit, then spills over', () => {
    const burst = {
      ...tolerateVirtual,
      affinity: {
        nodeAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [
            {
              weight: 100,
              preference: { matchExpressions: [{ key: 'type', operator: 'NotIn', values: ['virtual-kubelet'] }] },
            },
          ],
        },
      },
    };
    assert.deepEqual(choosePlacement(withCpu('1', burst), nodes, new Map()), { node: 'node-1' });
    const busy = new Map([['node-1', [withCpu('1500m', {}, 'Running')]]]);
    assert.deepEqual(choosePlacement(withCpu('1', burst), nodes, busy), { node: 'virtual-kubelet' });
  });

  it('honours a nodeSelector for the virtual node', () => {
    assert.deepEqual(
      choosePlacement(pod({ nodeSelector: { type: 'virtual-kubelet' }, ...tolerateVirtual }), nodes, new Map()),
      { node: 'virtual-kubelet' },
    );
    assert.deepEqual(choosePlacement(pod({ nodeSelector: { type: 'virtual-kubelet' } }), nodes, new Map()), {
      message:
        "0/2 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 1 node(s) had untolerated taint {virtual-kubelet.io/provider: azure}.",
    });
  });
});
