// IntakeCluster over the Kubernetes API, through the kube layer's typed helpers.
import type { KubeConfig } from '@kubernetes/client-node';
import {
  BrigadeObjects,
  isInvalid,
  isNotFound,
  KubeApiError,
  newKubeClients,
  resourceOf,
  type KubeClients,
} from '../kube/index.ts';
import type { IntakeCluster } from './cluster.ts';
import { refuse } from './errors.ts';

/** An API call failed for a reason other than "not found" / "already exists": the gateway answers 503. */
export class ClusterError extends Error {
  constructor(message: string, opts: { cause: unknown }) {
    super(message, opts);
    this.name = 'ClusterError';
  }
}

function unavailable(what: string, err: unknown): ClusterError {
  return new ClusterError(`${what} failed`, { cause: err });
}

/** The gateway's cluster access over the API; takes the host's clients when it has them. */
export function kubeIntakeCluster(kube: KubeConfig | KubeClients): IntakeCluster {
  const clients = 'core' in kube ? kube : newKubeClients(kube);
  const objects = new BrigadeObjects(clients.custom);
  return {
    async getProject(namespace, name) {
      try {
        return await objects.get('Project', namespace, name);
      } catch (err) {
        throw unavailable(`reading project ${namespace}/${name}`, err);
      }
    },
    async listProjects(namespace) {
      try {
        return await objects.list('Project', namespace);
      } catch (err) {
        throw unavailable('listing projects', err);
      }
    },
    async readSecretKey(namespace, ref) {
      try {
        const secret = await clients.core.readNamespacedSecret({ namespace, name: ref.name });
        const encoded = secret.data?.[ref.key];
        return encoded === undefined ? undefined : Buffer.from(encoded, 'base64').toString('utf8');
      } catch (err) {
        if (isNotFound(err)) return undefined;
        // The cause is an API error about the Secret's name, never its content.
        throw unavailable(`reading secret ${namespace}/${ref.name}`, err);
      }
    },
    async createEvent(event) {
      try {
        const { existed } = await objects.create('Event', event);
        return existed ? 'exists' : 'created';
      } catch (err) {
        // 422: the API server's validation refused the object (a field over its schema bound).
        const cause = err instanceof KubeApiError ? err.cause : err;
        if (isInvalid(cause))
          throw refuse.badRequest(`the event was refused by the API server: ${(err as Error).message}`, err);
        throw unavailable(`creating event ${event.metadata.namespace}/${event.metadata.name}`, err);
      }
    },
    async eventCreated(namespace, name) {
      try {
        const event = await objects.get('Event', namespace, name);
        const created = event?.metadata.creationTimestamp;
        return created === undefined ? undefined : new Date(created);
      } catch (err) {
        throw unavailable(`reading event ${namespace}/${name}`, err);
      }
    },
    async ping(namespace) {
      try {
        const projects = resourceOf('Project');
        if (namespace) await clients.custom.listNamespacedCustomObject({ ...projects, namespace, limit: 1 });
        else await clients.custom.listClusterCustomObject({ ...projects, limit: 1 });
      } catch (err) {
        throw unavailable('listing projects (readiness)', err);
      }
    },
  };
}
