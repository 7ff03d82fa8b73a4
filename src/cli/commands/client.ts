// The cluster operations the brig-style commands need, over @kubernetes/client-node: read Projects,
// Builds and Job CRs, create Events, cancel Builds, watch, and read pod logs.
import { Log, type CoreV1Api, type CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { PassThrough } from 'node:stream';
import { GROUP, KINDS, LABELS, VERSION } from '../../api/constants.ts';
import {
  apiMessage,
  apiStatusCode,
  BrigadeObjects,
  collectionPath,
  KubeApiError,
  newKubeClients,
} from '../../kube/index.ts';
import { listAndWatch, type Change } from './watch.ts';
import { CommandError } from './options.ts';
import type { BuildObject, EventObject, JobObject, ProjectObject } from './resources.ts';

type Plural = (typeof KINDS)[keyof typeof KINDS]['plural'];

function kindOf(plural: Plural): keyof typeof KINDS {
  const found = (Object.keys(KINDS) as Array<keyof typeof KINDS>).find((k) => KINDS[k].plural === plural);
  if (!found) throw new TypeError(`unknown plural ${plural}`);
  return found;
}

const statusCode = apiStatusCode;

/** Turns a kube-layer failure into the one-line message a command prints. */
function failed(what: string, err: unknown): CommandError {
  const cause = err instanceof KubeApiError ? err.cause : err;
  return new CommandError(`${what}: ${apiMessage(cause)}`, { cause: err });
}

export class BrigadeClient {
  readonly kubeConfig: KubeConfig;
  readonly namespace: string;
  private readonly custom: CustomObjectsApi;
  private readonly core: CoreV1Api;
  private readonly objects: BrigadeObjects;

  constructor(opts: { kubeConfig: KubeConfig; namespace: string }) {
    this.kubeConfig = opts.kubeConfig;
    this.namespace = opts.namespace;
    const clients = newKubeClients(opts.kubeConfig);
    this.custom = clients.custom;
    this.core = clients.core;
    this.objects = new BrigadeObjects(clients.custom);
  }

  private async get<K extends 'Project' | 'Event' | 'Build'>(kind: K, name: string) {
    try {
      return await this.objects.get(kind, this.namespace, name);
    } catch (err) {
      throw failed(`reading ${kind} ${this.namespace}/${name}`, err);
    }
  }

  /** A list with its resourceVersion (for watching from it) and field selectors, which the kube layer's list lacks. */
  private async list<T>(
    plural: Plural,
    selectors: { labelSelector?: string; fieldSelector?: string } = {},
  ): Promise<{ items: T[]; resourceVersion: string }> {
    try {
      const list = (await this.custom.listNamespacedCustomObject({
        group: GROUP,
        version: VERSION,
        namespace: this.namespace,
        plural,
        ...selectors,
      })) as {
        items?: T[];
        metadata?: { resourceVersion?: string };
      };
      return { items: list.items ?? [], resourceVersion: list.metadata?.resourceVersion ?? '' };
    } catch (err) {
      if (statusCode(err) === 404)
        throw new CommandError(
          `the ${plural}.${GROUP} resource is not installed in this cluster (are the CRDs applied?)`,
          { cause: err },
        );
      throw failed(`listing ${plural} in ${this.namespace}`, err);
    }
  }

  getProject(name: string): Promise<ProjectObject | undefined> {
    return this.get('Project', name);
  }
  getBuild(name: string): Promise<BuildObject | undefined> {
    return this.get('Build', name);
  }
  getEvent(name: string): Promise<EventObject | undefined> {
    return this.get('Event', name);
  }

  async listProjects(): Promise<ProjectObject[]> {
    return (await this.list<ProjectObject>('projects')).items;
  }
  async listBuilds(project?: string): Promise<BuildObject[]> {
    return (
      await this.list<BuildObject>('builds', { labelSelector: project ? `${LABELS.project}=${project}` : undefined })
    ).items;
  }
  async listJobs(build: string): Promise<JobObject[]> {
    return (await this.list<JobObject>('jobs', { labelSelector: `${LABELS.build}=${build}` })).items;
  }

  async createEvent(event: EventObject): Promise<EventObject> {
    try {
      return (await this.objects.create('Event', event)).object;
    } catch (err) {
      throw failed('creating the event', err);
    }
  }

  async cancelBuild(name: string): Promise<BuildObject> {
    try {
      return await this.objects.patch('Build', this.namespace, name, { spec: { cancel: true } });
    } catch (err) {
      if (err instanceof KubeApiError && err.code === 404)
        throw new CommandError(`build ${this.namespace}/${name} not found`, { cause: err });
      throw failed(`cancelling build ${name}`, err);
    }
  }

  /** One object of a kind, as it changes (current state first). */
  watchOne<T extends { metadata?: { resourceVersion?: string } }>(
    plural: Plural,
    name: string,
    signal: AbortSignal,
  ): AsyncGenerator<Change<T>> {
    const fieldSelector = `metadata.name=${name}`;
    return listAndWatch<T>({
      kubeConfig: this.kubeConfig,
      path: collectionPath(kindOf(plural), this.namespace),
      fieldSelector,
      signal,
      list: () => this.list<T>(plural, { fieldSelector }),
    });
  }

  watchJobs(build: string, signal: AbortSignal): AsyncGenerator<Change<JobObject>> {
    const labelSelector = `${LABELS.build}=${build}`;
    return listAndWatch<JobObject>({
      kubeConfig: this.kubeConfig,
      path: collectionPath('Job', this.namespace),
      labelSelector,
      signal,
      list: () => this.list<JobObject>('jobs', { labelSelector }),
    });
  }

  /** The pod's log as text; undefined when the pod (or its log) is gone. */
  async podLog(pod: string): Promise<string | undefined> {
    try {
      return await this.core.readNamespacedPodLog({ namespace: this.namespace, name: pod });
    } catch (err) {
      if (statusCode(err) === 404 || statusCode(err) === 400) return undefined;
      throw failed(`reading the log of pod ${pod}`, err);
    }
  }

  /** Follows a pod's log as chunks until the container ends or the signal aborts; undefined when the pod is gone. */
  async followPodLog(pod: string, signal: AbortSignal): Promise<AsyncIterable<Buffer> | undefined> {
    let container: string | undefined;
    try {
      const found = await this.core.readNamespacedPod({ namespace: this.namespace, name: pod });
      container = found.spec?.containers?.[0]?.name;
    } catch (err) {
      if (statusCode(err) === 404) return undefined;
      throw failed(`reading pod ${pod}`, err);
    }
    const out = new PassThrough();
    try {
      const controller = await new Log(this.kubeConfig).log(this.namespace, pod, container ?? '', out, {
        follow: true,
      });
      signal.addEventListener(
        'abort',
        () => {
          controller.abort();
          out.end();
        },
        { once: true },
      );
    } catch (err) {
      if (statusCode(err) === 404 || statusCode(err) === 400) return undefined;
      throw failed(`following the log of pod ${pod}`, err);
    }
    return out;
  }
}
