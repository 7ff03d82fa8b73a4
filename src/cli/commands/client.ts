// The cluster operations the brig-style commands need, over @kubernetes/client-node: read Projects,
// Builds and Job CRs, create Events, cancel Builds, watch, and read pod logs.
import {
  Log,
  PatchStrategy,
  setHeaderOptions,
  type CoreV1Api,
  type CustomObjectsApi,
  type KubeConfig,
  type V1Secret,
} from '@kubernetes/client-node';
import { PassThrough, type Readable } from 'node:stream';
import { GROUP, KINDS, LABELS, MANAGED_BY, VERSION } from '../../api/constants.ts';
import {
  apiMessage,
  apiStatusCode,
  BrigadeObjects,
  collectionPath,
  KubeApiError,
  newKubeClients,
  RerunRefusedError,
  requestRerun,
} from '../../kube/index.ts';
import { ProjectSecretMissingError, readProjectSecrets } from '../../controller/shared/project-secrets.ts';
import { readKeptJobLog, type KeptLog } from '../../controller/shared/kept-log.ts';
import type { LogArchive } from '../../archive/index.ts';
import { listAndWatch, type Change } from './watch.ts';
import { CommandError } from './options.ts';
import type { BuildObject, EventObject, JobObject, ProjectObject } from './resources.ts';

type Plural = (typeof KINDS)[keyof typeof KINDS]['plural'];

/** What a list or watch of each plural returns. */
interface ObjectOfPlural {
  projects: ProjectObject;
  events: EventObject;
  builds: BuildObject;
  jobs: JobObject;
}

function kindOf(plural: Plural): keyof typeof KINDS {
  const found = (Object.keys(KINDS) as Array<keyof typeof KINDS>).find((k) => KINDS[k].plural === plural);
  if (!found) throw new TypeError(`unknown plural ${plural}`);
  return found;
}

const statusCode = apiStatusCode;

/** The field manager of what the CLI applies (kubectl shows it in managedFields). */
const FIELD_MANAGER = 'brigade-operator-cli';
const serverSideApply = setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply);

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
  /** The operator's log archive, when the user gave this client access to it. */
  readonly archive: LogArchive | undefined;

  constructor(opts: { kubeConfig: KubeConfig; namespace: string; archive?: LogArchive }) {
    this.kubeConfig = opts.kubeConfig;
    this.namespace = opts.namespace;
    this.archive = opts.archive;
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
  private async list<P extends Plural>(
    plural: P,
    selectors: { labelSelector?: string; fieldSelector?: string } = {},
  ): Promise<{ items: ObjectOfPlural[P][]; resourceVersion: string }> {
    try {
      const list = (await this.custom.listNamespacedCustomObject({
        group: GROUP,
        version: VERSION,
        namespace: this.namespace,
        plural,
        ...selectors,
      })) as {
        items?: ObjectOfPlural[P][];
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
    return (await this.list('projects')).items;
  }
  async listBuilds(project?: string): Promise<BuildObject[]> {
    return (await this.list('builds', { labelSelector: project ? `${LABELS.project}=${project}` : undefined })).items;
  }
  async listJobs(build: string): Promise<JobObject[]> {
    return (await this.list('jobs', { labelSelector: `${LABELS.build}=${build}` })).items;
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

  /** Asks for a rerun of a finished build; the new Build (its name is generated). */
  async rerunBuild(name: string, options: { all?: boolean }): Promise<BuildObject> {
    try {
      return await requestRerun(this.objects, this.namespace, name, options);
    } catch (err) {
      if (err instanceof RerunRefusedError) throw new CommandError(`cannot rerun: ${err.message}`, { cause: err });
      throw failed(`creating the rerun of build ${name}`, err);
    }
  }

  /** One object of a kind, as it changes (current state first). */
  watchOne<P extends Plural>(plural: P, name: string, signal: AbortSignal): AsyncGenerator<Change<ObjectOfPlural[P]>> {
    const fieldSelector = `metadata.name=${name}`;
    return listAndWatch<ObjectOfPlural[P]>({
      kubeConfig: this.kubeConfig,
      path: collectionPath(kindOf(plural), this.namespace),
      fieldSelector,
      signal,
      list: () => this.list(plural, { fieldSelector }),
    });
  }

  watchJobs(build: string, signal: AbortSignal): AsyncGenerator<Change<JobObject>> {
    const labelSelector = `${LABELS.build}=${build}`;
    return listAndWatch<JobObject>({
      kubeConfig: this.kubeConfig,
      path: collectionPath('Job', this.namespace),
      labelSelector,
      signal,
      list: () => this.list('jobs', { labelSelector }),
    });
  }

  /** The pod's log as text (with timestamps when asked); undefined when the pod (or its log) is gone. */
  async podLog(pod: string, opts: { timestamps?: boolean } = {}): Promise<string | undefined> {
    try {
      return await this.core.readNamespacedPodLog({
        namespace: this.namespace,
        name: pod,
        ...(opts.timestamps ? { timestamps: true } : {}),
      });
    } catch (err) {
      if (statusCode(err) === 404 || statusCode(err) === 400) return undefined;
      throw failed(`reading the log of pod ${pod}`, err);
    }
  }

  /**
   * The log the operator kept for a finished job (bounded, secret values redacted): its status tail,
   * its ConfigMaps, or the log archive when this client has one and the ConfigMaps are gone.
   * Without access to the ConfigMaps, the status tail.
   */
  async keptJobLog(job: JobObject): Promise<KeptLog> {
    try {
      return await readKeptJobLog({ core: this.core, ...(this.archive ? { archive: this.archive } : {}) }, job);
    } catch (err) {
      if (statusCode(err) === 403)
        return { text: job.status?.logTail ?? '', from: 'tail', truncated: job.status?.log?.truncated === true };
      throw failed(`reading the kept log of job ${job.metadata.name}`, err);
    }
  }

  /**
   * The values of the project's Secret, to redact them from what the commands print (as the operator
   * redacts them from what it stores); `unreadable` says why they could not be read.
   */
  async projectSecretValues(project: ProjectObject): Promise<{ values: string[] } | { unreadable: string }> {
    try {
      return { values: Object.values(await readProjectSecrets(this.core, project)) };
    } catch (err) {
      // No Secret at all: nothing to redact (the build fails on it anyway, and says so).
      if (err instanceof ProjectSecretMissingError) return { values: [] };
      return { unreadable: `cannot read the project's Secret ${project.spec.secretRef?.name}: ${apiMessage(err)}` };
    }
  }

  /** The pod's first container: the job's, or undefined when the pod is gone. */
  async podState(pod: string): Promise<{ container: string; ended: boolean } | undefined> {
    try {
      const found = await this.core.readNamespacedPod({ namespace: this.namespace, name: pod });
      const container = found.spec?.containers[0]?.name ?? '';
      const phase = found.status?.phase;
      const terminated = found.status?.containerStatuses?.find((c) => c.name === container)?.state?.terminated;
      return { container, ended: phase === 'Succeeded' || phase === 'Failed' || terminated !== undefined };
    } catch (err) {
      if (statusCode(err) === 404) return undefined;
      throw failed(`reading pod ${pod}`, err);
    }
  }

  /**
   * Opens a follow of a container's log with timestamps; undefined when the pod or container has no
   * log (yet or any more). The stream ends when the container ends, the connection drops, or the
   * signal aborts; it never emits an error.
   */
  async openPodLog(pod: string, container: string, signal: AbortSignal): Promise<Readable | undefined> {
    const out = new PassThrough();
    let source: Readable | undefined;
    const close = (): void => {
      source?.unpipe(out);
      source?.destroy();
      out.end();
    };
    // client-node pipes the response into `out` but leaves the response without an 'error' listener:
    // a cancelled or dropped stream crashed the process (Unhandled 'error' event ... AbortError).
    out.on('pipe', (src: Readable) => {
      source = src;
      src.on('error', close);
      if (signal.aborted) close();
    });
    const onAbort = (): void => {
      close();
    };
    signal.addEventListener('abort', onAbort, { once: true });
    out.on('close', () => {
      signal.removeEventListener('abort', onAbort);
    });
    try {
      const controller = await new Log(this.kubeConfig).log(this.namespace, pod, container, out, {
        follow: true,
        timestamps: true,
      });
      if (signal.aborted) controller.abort();
      else
        signal.addEventListener(
          'abort',
          () => {
            controller.abort();
          },
          { once: true },
        );
    } catch (err) {
      signal.removeEventListener('abort', onAbort);
      out.end();
      if (statusCode(err) === 404 || statusCode(err) === 400) return undefined;
      throw failed(`following the log of pod ${pod}`, err);
    }
    return out;
  }

  /** Creates or updates (server-side apply, like kubectl apply --server-side) a Project. */
  async applyProject(project: ProjectObject): Promise<ProjectObject> {
    const name = project.metadata.name ?? '';
    try {
      return (await this.custom.patchNamespacedCustomObject(
        {
          group: GROUP,
          version: VERSION,
          namespace: this.namespace,
          plural: KINDS.Project.plural,
          name,
          body: project,
          fieldManager: FIELD_MANAGER,
          force: true,
        },
        serverSideApply,
      )) as ProjectObject;
    } catch (err) {
      throw failed(`applying Project ${this.namespace}/${name}`, err);
    }
  }

  /** Creates or updates a Secret (server-side apply); the error never carries its values. */
  async applySecret(secret: V1Secret): Promise<void> {
    const name = secret.metadata?.name ?? '';
    try {
      await this.core.patchNamespacedSecret(
        { namespace: this.namespace, name, body: secret, fieldManager: FIELD_MANAGER, force: true },
        serverSideApply,
      );
    } catch (err) {
      throw new CommandError(`applying Secret ${this.namespace}/${name}: ${apiMessage(err).slice(0, 300)}`);
    }
  }

  /** Deletes a Project; false when it was not there. */
  async deleteProject(name: string): Promise<boolean> {
    try {
      return await this.objects.delete('Project', this.namespace, name);
    } catch (err) {
      throw failed(`deleting Project ${this.namespace}/${name}`, err);
    }
  }

  /** Deletes a Secret when this tool made it for the project (labelled so); the names of those deleted. */
  async deleteProjectSecrets(project: string): Promise<string[]> {
    try {
      const list = await this.core.listNamespacedSecret({
        namespace: this.namespace,
        labelSelector: `${LABELS.project}=${project},${LABELS.managedBy}=${MANAGED_BY}`,
      });
      const names = list.items.map((s) => s.metadata?.name ?? '').filter(Boolean);
      for (const name of names) await this.core.deleteNamespacedSecret({ namespace: this.namespace, name });
      return names;
    } catch (err) {
      throw failed(`deleting the Secrets of project ${project}`, err);
    }
  }
}
