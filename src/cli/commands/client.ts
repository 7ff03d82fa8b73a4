// The cluster operations the brig-style commands need, over @kubernetes/client-node: read Projects,
// Builds and Job CRs, create Events, cancel Builds, watch, and read pod logs.
import { CoreV1Api, CustomObjectsApi, Log, PatchStrategy, setHeaderOptions, type KubeConfig } from '@kubernetes/client-node';
import { PassThrough } from 'node:stream';
import { GROUP, KINDS, LABELS, VERSION } from '../../api/constants.ts';
import { listAndWatch, type Change } from './watch.ts';
import { CommandError } from './options.ts';
import type { BuildObject, EventObject, JobObject, ProjectObject } from './resources.ts';

type Plural = (typeof KINDS)[keyof typeof KINDS]['plural'];

function statusCode(err: unknown): number | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

/** The API server's own message, which names what was wrong (validation, conflicts...). */
function apiMessage(err: unknown): string {
  const body = (err as { body?: unknown } | null)?.body;
  try {
    const parsed = typeof body === 'string' ? JSON.parse(body) : body;
    if (parsed && typeof parsed.message === 'string') return parsed.message;
  } catch {
    // Not JSON: fall through to the error's own message.
  }
  return err instanceof Error ? err.message : String(err);
}

export class BrigadeClient {
  readonly kubeConfig: KubeConfig;
  readonly namespace: string;
  private readonly custom: CustomObjectsApi;
  private readonly core: CoreV1Api;

  constructor(opts: { kubeConfig: KubeConfig; namespace: string }) {
    this.kubeConfig = opts.kubeConfig;
    this.namespace = opts.namespace;
    this.custom = opts.kubeConfig.makeApiClient(CustomObjectsApi);
    this.core = opts.kubeConfig.makeApiClient(CoreV1Api);
  }

  private async get<T>(plural: Plural, name: string): Promise<T | undefined> {
    try {
      return (await this.custom.getNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: this.namespace, plural, name })) as T;
    } catch (err) {
      if (statusCode(err) === 404) return undefined;
      throw new CommandError(`reading ${plural} ${this.namespace}/${name}: ${apiMessage(err)}`, { cause: err });
    }
  }

  private async list<T>(plural: Plural, selectors: { labelSelector?: string; fieldSelector?: string } = {}): Promise<{ items: T[]; resourceVersion: string }> {
    try {
      const list = (await this.custom.listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: this.namespace, plural, ...selectors })) as {
        items?: T[]; metadata?: { resourceVersion?: string };
      };
      return { items: list.items ?? [], resourceVersion: list.metadata?.resourceVersion ?? '' };
    } catch (err) {
      if (statusCode(err) === 404) throw new CommandError(`the ${plural}.${GROUP} resource is not installed in this cluster (are the CRDs applied?)`, { cause: err });
      throw new CommandError(`listing ${plural} in ${this.namespace}: ${apiMessage(err)}`, { cause: err });
    }
  }

  getProject(name: string): Promise<ProjectObject | undefined> { return this.get('projects', name); }
  getBuild(name: string): Promise<BuildObject | undefined> { return this.get('builds', name); }
  getEvent(name: string): Promise<EventObject | undefined> { return this.get('events', name); }

  async listProjects(): Promise<ProjectObject[]> { return (await this.list<ProjectObject>('projects')).items; }
  async listBuilds(project?: string): Promise<BuildObject[]> {
    return (await this.list<BuildObject>('builds', { labelSelector: project ? `${LABELS.project}=${project}` : undefined })).items;
  }
  async listJobs(build: string): Promise<JobObject[]> { return (await this.list<JobObject>('jobs', { labelSelector: `${LABELS.build}=${build}` })).items; }

  async createEvent(event: EventObject): Promise<EventObject> {
    try {
      return (await this.custom.createNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: this.namespace, plural: 'events', body: event })) as EventObject;
    } catch (err) {
      throw new CommandError(`creating the event: ${apiMessage(err)}`, { cause: err });
    }
  }

  async cancelBuild(name: string): Promise<BuildObject> {
    try {
      return (await this.custom.patchNamespacedCustomObject(
        { group: GROUP, version: VERSION, namespace: this.namespace, plural: 'builds', name, body: { spec: { cancel: true } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      )) as BuildObject;
    } catch (err) {
      if (statusCode(err) === 404) throw new CommandError(`build ${this.namespace}/${name} not found`, { cause: err });
      throw new CommandError(`cancelling build ${name}: ${apiMessage(err)}`, { cause: err });
    }
  }

  private collection(plural: Plural): string {
    return `/apis/${GROUP}/${VERSION}/namespaces/${this.namespace}/${plural}`;
  }

  /** One object of a kind, as it changes (current state first). */
  watchOne<T extends { metadata?: { resourceVersion?: string } }>(plural: Plural, name: string, signal: AbortSignal): AsyncGenerator<Change<T>> {
    const fieldSelector = `metadata.name=${name}`;
    return listAndWatch<T>({
      kubeConfig: this.kubeConfig, path: this.collection(plural), fieldSelector, signal,
      list: () => this.list<T>(plural, { fieldSelector }),
    });
  }

  watchJobs(build: string, signal: AbortSignal): AsyncGenerator<Change<JobObject>> {
    const labelSelector = `${LABELS.build}=${build}`;
    return listAndWatch<JobObject>({
      kubeConfig: this.kubeConfig, path: this.collection('jobs'), labelSelector, signal,
      list: () => this.list<JobObject>('jobs', { labelSelector }),
    });
  }

  /** The pod's log as text; undefined when the pod (or its log) is gone. */
  async podLog(pod: string): Promise<string | undefined> {
    try {
      return await this.core.readNamespacedPodLog({ namespace: this.namespace, name: pod });
    } catch (err) {
      if (statusCode(err) === 404 || statusCode(err) === 400) return undefined;
      throw new CommandError(`reading the log of pod ${pod}: ${apiMessage(err)}`, { cause: err });
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
      throw new CommandError(`reading pod ${pod}: ${apiMessage(err)}`, { cause: err });
    }
    const out = new PassThrough();
    try {
      const controller = await new Log(this.kubeConfig).log(this.namespace, pod, container ?? '', out, { follow: true });
      signal.addEventListener('abort', () => { controller.abort(); out.end(); }, { once: true });
    } catch (err) {
      if (statusCode(err) === 404 || statusCode(err) === 400) return undefined;
      throw new CommandError(`following the log of pod ${pod}: ${apiMessage(err)}`, { cause: err });
    }
    return out;
  }
}
