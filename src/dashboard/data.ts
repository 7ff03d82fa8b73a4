// The watched caches the dashboard reads: the operator's own informers when the operator serves it,
// or informers of the dashboard's own, with the user's credentials, when `brigade-operator dashboard`
// serves it. Either way every page is computed from a cache that a watch keeps current; nothing polls.
import type { KubernetesObject, V1Node } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { INDEX, nsKey } from '../controller/caches.ts';
import { Informer } from '../controller/runtime/informer.ts';
import { collectionPath, resourceOf, type KindTypes } from '../kube/custom-objects.ts';
import type { KubeClients } from '../kube/clients.ts';
import { apiMessage, apiStatusCode } from '../kube/errors.ts';
import type { Build, JobCR, Project } from '../api/types.ts';
import type { NodeLabels } from './views.ts';

type Cached<T> = T & KubernetesObject;

export interface DashboardData {
  projects: Informer<Cached<Project>>;
  builds: Informer<Cached<Build>>;
  jobs: Informer<Cached<JobCR>>;
  /** Node labels, when the nodes can be read; otherwise where a job ran is inferred from its placement. */
  nodes?: Informer<V1Node>;
}

export const buildsOfProject = (d: DashboardData, namespace: string, project: string): Build[] =>
  d.builds.byIndex(INDEX.project, nsKey(namespace, project));

export const jobsOfBuild = (d: DashboardData, namespace: string, build: string): JobCR[] =>
  d.jobs.byIndex(INDEX.build, nsKey(namespace, build));

export function nodeLabels(d: DashboardData): NodeLabels | undefined {
  const nodes = d.nodes;
  if (!nodes?.synced) return undefined;
  return (name) => nodes.get(undefined, name)?.metadata?.labels ?? {};
}

export interface OwnData {
  data: DashboardData;
  /** Runs the informers until the signal aborts. */
  start(signal: AbortSignal): Promise<void>;
  /** Resolves once the Brigade caches hold their first list. */
  synced(): Promise<void>;
}

/**
 * Informers for the dashboard alone (the CLI mode), in one namespace or all. Nodes are watched only
 * when the credentials may list them (a tenant often may not); a refusal is said once, not retried.
 */
export async function ownData(o: { clients: KubeClients; namespace?: string; logger: Logger }): Promise<OwnData> {
  const { clients, namespace: ns, logger } = o;
  const custom = <K extends 'Project' | 'Build' | 'Job'>(kind: K): Informer<Cached<KindTypes[K]>> =>
    new Informer<Cached<KindTypes[K]>>({
      name: resourceOf(kind).plural,
      kubeConfig: clients.kubeConfig,
      path: collectionPath(kind, ns),
      list: async () =>
        (ns
          ? await clients.custom.listNamespacedCustomObject({ ...resourceOf(kind), namespace: ns })
          : await clients.custom.listClusterCustomObject(resourceOf(kind))) as never,
      logger,
    });
  const data: DashboardData = { projects: custom('Project'), builds: custom('Build'), jobs: custom('Job') };
  data.builds.addIndex(INDEX.project, (b) => [nsKey(b.metadata.namespace, b.spec.project)]);
  data.jobs.addIndex(INDEX.build, (j) => [nsKey(j.metadata.namespace, j.spec.build)]);
  if (await mayListNodes(clients, logger))
    data.nodes = new Informer<V1Node>({
      name: 'nodes',
      kubeConfig: clients.kubeConfig,
      path: '/api/v1/nodes',
      list: () => clients.core.listNode(),
      logger,
    });
  const informers: { start(signal: AbortSignal): Promise<void> }[] = [data.projects, data.builds, data.jobs];
  if (data.nodes) informers.push(data.nodes);
  return {
    data,
    start: async (signal) => {
      await Promise.all(informers.map((i) => i.start(signal)));
    },
    synced: async () => {
      await Promise.all([data.projects, data.builds, data.jobs].map((i) => i.waitForSync()));
    },
  };
}

/** One list of one node tells whether the nodes are readable; only a refusal means "no". */
export async function mayListNodes(clients: KubeClients, logger: Logger): Promise<boolean> {
  try {
    await clients.core.listNode({ limit: 1 });
    return true;
  } catch (err) {
    const code = apiStatusCode(err);
    if (code !== 403 && code !== 401) throw err;
    logger.info(
      { reason: apiMessage(err) },
      'nodes cannot be listed: the dashboard tells virtual-kubelet jobs from their placement',
    );
    return false;
  }
}
