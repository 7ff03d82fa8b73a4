// What the Azure Container Instances virtual-kubelet provider refuses. Such a pod is failed before
// anything runs (phase Failed, reason ProviderFailed), with a message naming the feature, as the
// provider's CreatePod error surfaces on a real virtual node.

import type { Pod } from './kube-types.ts';

export const PROVIDER_FAILED = 'ProviderFailed';

/** The first unsupported feature the pod uses, as a message; undefined when ACI could run it. */
export function aciUnsupportedFeature(pod: Pod): string | undefined {
  return unsupportedVolume(pod) ?? unsupportedContainer(pod);
}

function unsupportedVolume(pod: Pod): string | undefined {
  for (const volume of pod.spec.volumes ?? []) {
    if (volume.persistentVolumeClaim)
      return `volume "${volume.name}": PersistentVolumeClaim volumes are not supported by Azure Container Instances`;
    if (volume.hostPath)
      return `volume "${volume.name}": hostPath volumes are not supported by Azure Container Instances`;
    if (volume.downwardAPI)
      return `volume "${volume.name}": downwardAPI volumes are not supported by Azure Container Instances`;
  }
  return undefined;
}

function unsupportedContainer(pod: Pod): string | undefined {
  const containers = [...(pod.spec.initContainers ?? []), ...(pod.spec.containers ?? [])];
  for (const c of containers) {
    if (c.securityContext?.privileged)
      return `container "${c.name}": privileged containers are not supported by Azure Container Instances`;
    if ((c.args?.length ?? 0) > 0 && !(c.command?.length ?? 0)) {
      return `container "${c.name}": args without command are not supported by Azure Container Instances (the image's entrypoint cannot be combined with args); set command`;
    }
  }
  return undefined;
}
