// The nodes the simulator registers: a regular node and an Azure Container Instances virtual-kubelet
// node, shaped like what a real kubelet / virtual-kubelet posts (capacity, allocatable, Ready
// condition, addresses, nodeInfo).

import type { KubeObject, SimNodeSpec } from '../types.ts';
import type { NodeObject } from './kube-types.ts';

export const VIRTUAL_KUBELET_TAINT = {
  key: 'virtual-kubelet.io/provider',
  value: 'azure',
  effect: 'NoSchedule',
} as const;

export const DEFAULT_NODES: SimNodeSpec[] = [
  {
    name: 'node-1',
    labels: { 'kubernetes.io/hostname': 'node-1', 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64' },
    allocatable: { cpu: '2', memory: '8Gi', pods: '110' },
  },
  {
    name: 'virtual-kubelet',
    labels: {
      type: 'virtual-kubelet',
      'kubernetes.io/role': 'agent',
      'kubernetes.io/hostname': 'virtual-kubelet',
      'kubernetes.io/os': 'linux',
      'kubernetes.io/arch': 'amd64',
      'alpha.service-controller.kubernetes.io/exclude-balancer': 'true',
    },
    taints: [VIRTUAL_KUBELET_TAINT],
    allocatable: { cpu: '100', memory: '4Ti', pods: '100' },
    virtualKubeletProvider: true,
  },
];

/** The node's InternalIP: 10.240.0.(4 + index), as on an AKS node subnet. */
export function nodeIP(index: number): string {
  return `10.240.0.${4 + index}`;
}

export function buildNode(spec: SimNodeSpec, index: number, now: Date): NodeObject {
  const time = now.toISOString().replace(/\.\d+Z$/, 'Z');
  const ready = {
    type: 'Ready',
    status: 'True',
    reason: 'KubeletReady',
    message: spec.virtualKubeletProvider ? 'ok' : 'kubelet is posting ready status',
    lastHeartbeatTime: time,
    lastTransitionTime: time,
  };
  const resources = { ...spec.allocatable, 'ephemeral-storage': '100Gi' };
  const node: KubeObject = {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: spec.name,
      labels: { 'kubernetes.io/hostname': spec.name, ...spec.labels },
      annotations: { 'brigade.sh/simulated': 'true' },
    },
    spec: { taints: spec.taints ? spec.taints.map((t) => ({ ...t })) : undefined, podCIDR: `10.244.${index}.0/24` },
    status: {
      capacity: resources,
      allocatable: resources,
      conditions: [ready],
      addresses: [
        { type: 'InternalIP', address: nodeIP(index) },
        { type: 'Hostname', address: spec.name },
      ],
      nodeInfo: {
        kubeletVersion: spec.virtualKubeletProvider ? 'v1.35.0-vk-azure-aci-sim' : 'v1.35.0-sim',
        kubeProxyVersion: '',
        containerRuntimeVersion: 'sim://local-process',
        operatingSystem: 'linux',
        architecture: 'amd64',
        osImage: spec.virtualKubeletProvider ? 'Azure Container Instances (simulated)' : 'brigade-operator simulator',
        kernelVersion: '',
        machineID: '',
        systemUUID: '',
        bootID: '',
      },
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
    },
  };
  if (!spec.taints) delete (node.spec as Record<string, unknown>).taints;
  return node as NodeObject;
}
