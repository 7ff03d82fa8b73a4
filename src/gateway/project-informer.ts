// A Project informer for a gateway that runs without the operator (the `gateway` command): deliveries
// then read Projects from a watched cache instead of the API.
import type { KubeConfig, KubernetesListObject, KubernetesObject } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { Informer } from '../controller/runtime/informer.ts';
import { collectionPath, newKubeClients, resourceOf } from '../kube/index.ts';
import type { ProjectCache } from './cluster.ts';
import type { ProjectLike } from './project-intake.ts';

export interface RunnableProjectCache extends ProjectCache {
  /** Watches until signal aborts. */
  start(signal: AbortSignal): Promise<void>;
  waitForSync(): Promise<void>;
}

export function projectInformer(opts: {
  kubeConfig: KubeConfig;
  namespace: string | undefined;
  logger: Logger;
}): RunnableProjectCache {
  const { custom } = newKubeClients(opts.kubeConfig);
  const projects = resourceOf('Project');
  const list = async (): Promise<KubernetesListObject<KubernetesObject>> =>
    (opts.namespace
      ? await custom.listNamespacedCustomObject({ ...projects, namespace: opts.namespace })
      : await custom.listClusterCustomObject(projects)) as KubernetesListObject<KubernetesObject>;
  const informer = new Informer<KubernetesObject>({
    name: 'gateway-projects',
    kubeConfig: opts.kubeConfig,
    path: collectionPath('Project', opts.namespace),
    list,
    logger: opts.logger,
  });
  // client-node types metadata timestamps as Date; Projects arrive as JSON, read through ProjectLike.
  return {
    get synced() {
      return informer.synced;
    },
    get: (namespace, name) => informer.get(namespace, name) as ProjectLike | undefined,
    list: (namespace) => informer.list(namespace) as readonly ProjectLike[],
    start: (signal) => informer.start(signal),
    waitForSync: () => informer.waitForSync(),
  };
}
