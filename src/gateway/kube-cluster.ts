// IntakeCluster over the Kubernetes API with @kubernetes/client-node.
import { CoreV1Api, CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { GROUP, KINDS, VERSION } from '../api/constants.ts';
import type { IntakeCluster } from './cluster.ts';
import { refuse } from './errors.ts';
import type { ProjectLike } from './project-intake.ts';

/** An API call failed for a reason other than "not found" / "already exists". */
export class ClusterError extends Error {
  constructor(message: string, opts: { cause: unknown }) {
    super(message, opts);
    this.name = 'ClusterError';
  }
}

function apiMessage(err: unknown): string {
  const body = (err as { body?: unknown } | null)?.body;
  try {
    const parsed = typeof body === 'string' ? JSON.parse(body) : body;
    if (parsed && typeof parsed.message === 'string') return parsed.message;
  } catch {
    // Not a JSON Status: use a generic message rather than the raw body.
  }
  return 'invalid';
}

function statusCode(err: unknown): number | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

const projects = { group: GROUP, version: VERSION, plural: KINDS.Project.plural };
const events = { group: GROUP, version: VERSION, plural: KINDS.Event.plural };

export function kubeIntakeCluster(kubeConfig: KubeConfig): IntakeCluster {
  const custom = kubeConfig.makeApiClient(CustomObjectsApi);
  const core = kubeConfig.makeApiClient(CoreV1Api);
  return {
    async getProject(namespace, name) {
      try {
        return (await custom.getNamespacedCustomObject({ ...projects, namespace, name })) as ProjectLike;
      } catch (err) {
        if (statusCode(err) === 404) return undefined;
        throw new ClusterError(`reading project ${namespace}/${name} failed`, { cause: err });
      }
    },
    async listProjects(namespace) {
      try {
        const list = namespace
          ? await custom.listNamespacedCustomObject({ ...projects, namespace })
          : await custom.listClusterCustomObject(projects);
        return ((list as { items?: ProjectLike[] }).items ?? []);
      } catch (err) {
        throw new ClusterError('listing projects failed', { cause: err });
      }
    },
    async readSecretKey(namespace, ref) {
      try {
        const secret = await core.readNamespacedSecret({ namespace, name: ref.name });
        const encoded = secret.data?.[ref.key];
        return encoded === undefined ? undefined : Buffer.from(encoded, 'base64').toString('utf8');
      } catch (err) {
        if (statusCode(err) === 404) return undefined;
        // The cause is an API error about the Secret's name, never its content.
        throw new ClusterError(`reading secret ${namespace}/${ref.name} failed`, { cause: err });
      }
    },
    async createEvent(event) {
      try {
        await custom.createNamespacedCustomObject({ ...events, namespace: event.metadata.namespace, body: event });
        return 'created';
      } catch (err) {
        if (statusCode(err) === 409) return 'exists';
        // 422: the API server's validation refused the object (a field over its schema bound).
        if (statusCode(err) === 422) throw refuse.badRequest(`the event was refused by the API server: ${apiMessage(err)}`, err);
        throw new ClusterError(`creating event ${event.metadata.namespace}/${event.metadata.name} failed`, { cause: err });
      }
    },
    async ping(namespace) {
      try {
        if (namespace) await custom.listNamespacedCustomObject({ ...projects, namespace, limit: 1 });
        else await custom.listClusterCustomObject({ ...projects, limit: 1 });
      } catch (err) {
        throw new ClusterError('the API server does not answer', { cause: err });
      }
    },
  };
}
