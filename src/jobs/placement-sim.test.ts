// Translated pods against the simulator's scheduler decisions (pure functions, default nodes: a
// 2-CPU regular node-1 and the tainted virtual-kubelet node), so placement is checked against the
// same taint/selector/affinity rules the integration tests run on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { choosePlacement } from '../sim/workloads/fit.ts';
import type { NodeObject, Pod } from '../sim/workloads/kube-types.ts';
import { DEFAULT_NODES, buildNode } from '../sim/workloads/nodes.ts';
import type { Host } from '../api/types.ts';
import { build, jobCr, project } from './fixtures.ts';
import { translateJob } from './translate.ts';
import type { Translation } from './types.ts';

const nodes: NodeObject[] = DEFAULT_NODES.map((spec, i) => buildNode(spec, i, new Date('2026-11-23T09:00:00Z')));

function podFor(host: Host, cpu = '1'): Pod {
  const result = translateJob({
    job: jobCr({ host, resources: { requests: { cpu } } }),
    project: project(),
    build: build(),
  }) as Translation;
  assert.equal(result.refused, false);
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'ci' },
    spec: result.batchJob.spec?.template.spec,
    status: { phase: 'Pending' },
  } as unknown as Pod;
}

const node1Busy = (): Map<string, Pod[]> =>
  new Map([['node-1', [{ ...podFor({}, '1500m'), status: { phase: 'Running' } }]]]);

test('a regular job lands on the regular node and never on the virtual one', () => {
  assert.deepEqual(choosePlacement(podFor({}), nodes, new Map()), { node: 'node-1' });
  assert.equal(choosePlacement(podFor({}), nodes, node1Busy()).node, undefined);
});

test('host.name virtual-kubelet and placement virtual land on the virtual node', () => {
  assert.deepEqual(choosePlacement(podFor({ name: 'virtual-kubelet' }), nodes, new Map()), { node: 'virtual-kubelet' });
  assert.deepEqual(choosePlacement(podFor({ placement: 'virtual' }), nodes, new Map()), { node: 'virtual-kubelet' });
});

test('a burst job prefers the regular node and spills to the virtual node when it is full', () => {
  assert.deepEqual(choosePlacement(podFor({ placement: 'burst' }), nodes, new Map()), { node: 'node-1' });
  assert.deepEqual(choosePlacement(podFor({ placement: 'burst' }), nodes, node1Busy()), { node: 'virtual-kubelet' });
});
