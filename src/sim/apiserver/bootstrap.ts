// The objects a fresh cluster has before anyone writes: the system namespaces.

import type { SimulatorStore } from './sim-store.ts';
import { NAMESPACE_GVR } from './resources.ts';

export const INITIAL_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

export function bootstrap(store: SimulatorStore): void {
  for (const name of INITIAL_NAMESPACES) {
    store.create(NAMESPACE_GVR, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  }
}
