// Objects the local cluster needs before workloads run, created with the admin identity once the API
// server is ready: the default StorageClass (upstream's in-tree hostPath provisioner) and the extra
// read access the node agent's informers need beyond what the Node authorizer grants a kubelet.
import { KubernetesObjectApi, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';

export const STORAGE_CLASS = 'standard';
export const NODE_AGENT_ROLE = 'brigade-ground:node-agent';

export function bootstrapObjects(): KubernetesObject[] {
  return [
    {
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: { name: STORAGE_CLASS, annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
      provisioner: 'kubernetes.io/host-path',
      reclaimPolicy: 'Delete',
      volumeBindingMode: 'Immediate',
    } as KubernetesObject,
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: NODE_AGENT_ROLE },
      // virtual-kubelet's node controller resolves env and volumes from informers over all namespaces;
      // a real kubelet fetches the single objects its pods reference, which the Node authorizer allows.
      rules: [{ apiGroups: [''], resources: ['secrets', 'configmaps', 'services'], verbs: ['get', 'list', 'watch'] }],
    } as KubernetesObject,
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: NODE_AGENT_ROLE },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: NODE_AGENT_ROLE },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'system:nodes' }],
    } as KubernetesObject,
  ];
}

export async function createBootstrapObjects(kubeConfig: KubeConfig): Promise<void> {
  const api = KubernetesObjectApi.makeApiClient(kubeConfig);
  for (const object of bootstrapObjects()) await api.create(object);
}
