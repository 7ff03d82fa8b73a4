// The informers the controllers share: our four kinds, plus the core/batch objects we create or read
// (child batch Jobs and their pods, job env Secrets, script ConfigMaps). One namespace, or all.
import type { KubernetesListObject, KubernetesObject, V1ConfigMap, V1Secret } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { BrigadeKind } from '../api/constants.ts';
import { LABELS } from '../api/constants.ts';
import type { KubeClients } from '../kube/clients.ts';
import type { TokenBucket } from '../kube/rate-limiter.ts';
import type { KindTypes } from '../kube/custom-objects.ts';
import { collectionPath, resourceOf } from '../kube/custom-objects.ts';
import type { Clock } from './runtime/clock.ts';
import { Informer, trimmed } from './runtime/informer.ts';
import { internStrings } from './string-pool.ts';
import { cachedBatchJob, cachedPod } from './cached-objects.ts';
import type { CachedBatchJob, CachedPod } from './cached-objects.ts';

/** Label on objects the operator creates for its own bookkeeping (env Secrets, log ConfigMaps). */
export const COMPONENT = { jobEnv: 'job-env', jobLog: 'job-log' } as const;

export interface Caches {
  projects: Informer<KindTypes['Project'] & KubernetesObject>;
  events: Informer<KindTypes['Event'] & KubernetesObject>;
  builds: Informer<KindTypes['Build'] & KubernetesObject>;
  jobs: Informer<KindTypes['Job'] & KubernetesObject>;
  /** Only what the Job controller reads of them (see cached-objects.ts). */
  batchJobs: Informer<CachedBatchJob>;
  pods: Informer<CachedPod>;
  /** ConfigMaps that may hold scripts: every ConfigMap except our job logs (those are large). */
  configMaps: Informer<V1ConfigMap>;
  /** Only the env Secrets the operator creates for jobs; project Secrets are read on demand, never cached. */
  jobSecrets: Informer<V1Secret>;
}

export interface CachesOptions {
  clients: KubeClients;
  namespace?: string;
  logger: Logger;
  clock?: Clock;
  onRestart?: (informer: string) => void;
  onRelist?: (informer: string) => void;
  /** Rate limit of watch connects (the lists go through `clients`, limited on their own). */
  limiter?: TokenBucket;
}

type Lister<T extends KubernetesObject> = () => Promise<KubernetesListObject<T>>;

/** Secondary indexes of the caches (see Informer.addIndex); values are "namespace/name" or uids. */
export const INDEX = {
  /** builds, events, jobs: "namespace/project". */
  project: 'project',
  /** jobs: "namespace/build". */
  build: 'build',
  /** pods: the uids of their owners (the batch Job). */
  owner: 'owner',
  /** projects: "namespace/configmap" the script is read from. */
  configMap: 'configMap',
} as const;

export const nsKey = (namespace: string | undefined, name: string): string => `${namespace ?? ''}/${name}`;

export function createCaches(o: CachesOptions): Caches {
  const caches = createInformers(o);
  caches.builds.addIndex(INDEX.project, (b) => [nsKey(b.metadata.namespace, b.spec.project)]);
  caches.events.addIndex(INDEX.project, (e) => [nsKey(e.metadata.namespace, e.spec.project)]);
  caches.jobs.addIndex(INDEX.project, (j) => [nsKey(j.metadata.namespace, j.spec.project)]);
  caches.jobs.addIndex(INDEX.build, (j) => [nsKey(j.metadata.namespace, j.spec.build)]);
  caches.pods.addIndex(INDEX.owner, (p) => (p.metadata?.ownerReferences ?? []).map((r) => r.uid));
  caches.projects.addIndex(INDEX.configMap, (p) => {
    const name = p.spec.scriptFrom?.configMapKeyRef?.name ?? p.spec.scriptFrom?.configMap?.name;
    return name ? [nsKey(p.metadata.namespace, name)] : [];
  });
  return caches;
}

function createInformers(o: CachesOptions): Caches {
  const ns = o.namespace;
  const { core, batch } = o.clients;
  const make = <T extends KubernetesObject>(
    name: string,
    path: string,
    list: Lister<T>,
    labelSelector?: string,
    keep?: (obj: T) => T,
  ): Informer<T> =>
    new Informer<T>({
      name,
      kubeConfig: o.clients.kubeConfig,
      path,
      list,
      labelSelector,
      ...(keep ? { keep } : {}),
      logger: o.logger,
      clock: o.clock,
      onRestart: o.onRestart,
      onRelist: o.onRelist,
      limiter: o.limiter,
    });
  const corePath = (plural: string): string => (ns ? `/api/v1/namespaces/${ns}/${plural}` : `/api/v1/${plural}`);
  const jobSel = LABELS.job;
  const cmSel = `${LABELS.component}!=${COMPONENT.jobLog}`;
  const secretSel = `${LABELS.component}=${COMPONENT.jobEnv}`;
  return {
    projects: custom(o, 'Project'),
    events: custom(o, 'Event'),
    builds: custom(o, 'Build'),
    jobs: custom(o, 'Job'),
    batchJobs: make<CachedBatchJob>(
      'batch-jobs',
      ns ? `/apis/batch/v1/namespaces/${ns}/jobs` : '/apis/batch/v1/jobs',
      () =>
        ns
          ? batch.listNamespacedJob({ namespace: ns, labelSelector: jobSel })
          : batch.listJobForAllNamespaces({ labelSelector: jobSel }),
      jobSel,
      cachedBatchJob,
    ),
    pods: make<CachedPod>(
      'pods',
      corePath('pods'),
      () =>
        ns
          ? core.listNamespacedPod({ namespace: ns, labelSelector: jobSel })
          : core.listPodForAllNamespaces({ labelSelector: jobSel }),
      jobSel,
      cachedPod,
    ),
    configMaps: make<V1ConfigMap>(
      'configmaps',
      corePath('configmaps'),
      () =>
        ns
          ? core.listNamespacedConfigMap({ namespace: ns, labelSelector: cmSel })
          : core.listConfigMapForAllNamespaces({ labelSelector: cmSel }),
      cmSel,
    ),
    jobSecrets: make<V1Secret>(
      'job-secrets',
      corePath('secrets'),
      () =>
        ns
          ? core.listNamespacedSecret({ namespace: ns, labelSelector: secretSel })
          : core.listSecretForAllNamespaces({ labelSelector: secretSel }),
      secretSel,
    ),
  };
}

function custom<K extends BrigadeKind>(o: CachesOptions, kind: K): Informer<KindTypes[K] & KubernetesObject> {
  const api = o.clients.custom;
  const ns = o.namespace;
  const list = async (): Promise<KubernetesListObject<KindTypes[K] & KubernetesObject>> =>
    (ns
      ? await api.listNamespacedCustomObject({ ...resourceOf(kind), namespace: ns })
      : await api.listClusterCustomObject(resourceOf(kind))) as KubernetesListObject<KindTypes[K] & KubernetesObject>;
  return new Informer({
    name: resourceOf(kind).plural,
    kubeConfig: o.clients.kubeConfig,
    path: collectionPath(kind, ns),
    list,
    // Our own kinds whole (the controllers read their specs), with one copy of each repeated string:
    // twenty Job CRs of a build repeat its name, uid, project, image and mount paths.
    keep: (obj) => internStrings(trimmed(obj)),
    logger: o.logger,
    clock: o.clock,
    onRestart: o.onRestart,
    onRelist: o.onRelist,
    limiter: o.limiter,
  });
}

export function allCaches(c: Caches): Informer<KubernetesObject>[] {
  return Object.values(c) as Informer<KubernetesObject>[];
}
