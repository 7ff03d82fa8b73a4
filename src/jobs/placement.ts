// Node placement: regular nodes, the virtual-kubelet node (Azure Container Instances), or burst
// (prefer regular nodes, spill over to the virtual node when they are full).
import type { V1Affinity, V1Toleration } from '@kubernetes/client-node';
import type { EffectiveHost } from './effective.ts';

/** The node name and `type` label of the virtual-kubelet node (as AKS virtual nodes register). */
export const VIRTUAL_NODE_NAME = 'virtual-kubelet';
export const VIRTUAL_NODE_TYPE_LABEL = 'type';
export const HOSTNAME_LABEL = 'kubernetes.io/hostname';
export const OS_LABEL = 'kubernetes.io/os';

/** Tolerations that let a pod onto the virtual node (its provider taint, and the older ACI taint). */
export const VIRTUAL_NODE_TOLERATIONS: readonly V1Toleration[] = [
  { key: 'virtual-kubelet.io/provider', operator: 'Exists' },
  { key: 'azure.com/aci', effect: 'NoSchedule' },
];

export type Placement = 'regular' | 'virtual' | 'burst';

/** True when the job is pinned to the virtual node, by node name or by placement. */
export function isVirtualPlacement(host: EffectiveHost): boolean {
  return host.name === VIRTUAL_NODE_NAME || host.placement === 'virtual';
}

/**
 * Where the job runs. A burst job that needs a full node (a PVC, hostPath...) cannot spill to the
 * virtual node, so it stays on regular nodes rather than fail there.
 */
export function resolvePlacement(host: EffectiveHost, needsFullNode: boolean): Placement {
  if (isVirtualPlacement(host)) return 'virtual';
  if (host.placement === 'burst' && !needsFullNode) return 'burst';
  return 'regular';
}

export interface Scheduling {
  nodeSelector?: Record<string, string>;
  tolerations?: V1Toleration[];
  affinity?: V1Affinity;
}

function nodeSelectorFor(host: EffectiveHost): Record<string, string> {
  const selector: Record<string, string> = {};
  if (host.name) selector[HOSTNAME_LABEL] = host.name;
  if (host.placement === 'virtual') selector[VIRTUAL_NODE_TYPE_LABEL] = VIRTUAL_NODE_NAME;
  if (host.os) selector[OS_LABEL] = host.os;
  return { ...selector, ...host.nodeSelector };
}

const PREFER_REGULAR_NODES: V1Affinity = {
  nodeAffinity: {
    preferredDuringSchedulingIgnoredDuringExecution: [
      {
        weight: 100,
        preference: {
          matchExpressions: [{ key: VIRTUAL_NODE_TYPE_LABEL, operator: 'NotIn', values: [VIRTUAL_NODE_NAME] }],
        },
      },
    ],
  },
};

/** nodeSelector, tolerations and affinity of the job pod. */
export function schedulingFor(host: EffectiveHost, placement: Placement): Scheduling {
  const tolerations: V1Toleration[] = [
    ...(placement === 'regular' ? [] : VIRTUAL_NODE_TOLERATIONS.map((t) => structuredClone(t))),
    ...host.tolerations.map((t) => ({ ...t })),
  ];
  const nodeSelector = nodeSelectorFor(host);
  return {
    ...(Object.keys(nodeSelector).length > 0 ? { nodeSelector } : {}),
    ...(tolerations.length > 0 ? { tolerations } : {}),
    ...(placement === 'burst' ? { affinity: structuredClone(PREFER_REGULAR_NODES) } : {}),
  };
}
