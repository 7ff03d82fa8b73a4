// The web dashboard, in its two modes:
//  - operatorDashboard: served by the operator (`run --dashboard-port`), over the operator's own
//    informer caches; read-only unless actions are enabled, and then only for users an
//    authenticating proxy names and Kubernetes RBAC allows (SubjectAccessReview).
//  - userDashboard: served by `brigade-operator dashboard` on the user's machine, with informers of
//    its own and the user's own kubeconfig credentials, like `kubectl proxy`.
import type { KubeConfig, V1Node } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { Caches } from '../controller/caches.ts';
import { Informer } from '../controller/runtime/informer.ts';
import { newKubeClients } from '../kube/clients.ts';
import type { KubeClients } from '../kube/clients.ts';
import { BrigadeObjects } from '../kube/custom-objects.ts';
import { requestRerun, RerunRefusedError } from '../kube/rerun.ts';
import {
  ActionRefused,
  ownCredentialActions,
  reviewedActions,
  subjectAccessReview,
  type RequestRerun,
} from './actions.ts';
import { mayListNodes, ownData, type DashboardData } from './data.ts';
import { jobLogs } from './logs.ts';
import { startDashboard, type ProxyIdentity, type RunningDashboard } from './server.ts';

export type { RunningDashboard, ProxyIdentity } from './server.ts';
export { AssetsMissingError } from './assets.ts';

export interface ServeOptions {
  port?: number;
  host?: string;
  logger: Logger;
  signal: AbortSignal;
  /** Host names served besides localhost (e.g. the Ingress host). */
  allowedHosts?: readonly string[];
  /** Where the built front end is (default dist/dashboard of this package). */
  assetsDir?: string;
}

export interface OperatorDashboardOptions extends ServeOptions {
  kubeConfig: KubeConfig;
  caches: Pick<Caches, 'projects' | 'builds' | 'jobs'>;
  /** Enables cancel (and rerun) for the users this proxy header names; read-only when unset. */
  actions?: ProxyIdentity;
}

export async function operatorDashboard(o: OperatorDashboardOptions): Promise<RunningDashboard> {
  const clients = newKubeClients(o.kubeConfig);
  const data: DashboardData = { projects: o.caches.projects, builds: o.caches.builds, jobs: o.caches.jobs };
  const nodes = await nodeInformer(clients, o.logger, o.signal);
  if (nodes) data.nodes = nodes;
  const objects = new BrigadeObjects(clients.custom);
  return serve(o, {
    data,
    logs: jobLogs({ kubeConfig: o.kubeConfig, core: clients.core }),
    ...(o.actions
      ? {
          actions: reviewedActions({ objects, review: subjectAccessReview(o.kubeConfig), rerun: rerunWith(objects) }),
          identity: o.actions,
        }
      : {}),
  });
}

export interface UserDashboardOptions extends ServeOptions {
  kubeConfig: KubeConfig;
  /** One namespace, or all when unset. */
  namespace?: string;
  /** Enables cancel (and rerun), with the user's own credentials. */
  actions: boolean;
  /** The session token of the printed URL. */
  token: string;
}

export async function userDashboard(o: UserDashboardOptions): Promise<RunningDashboard> {
  const clients = newKubeClients(o.kubeConfig);
  const objects = new BrigadeObjects(clients.custom);
  const own = await ownData({ clients, namespace: o.namespace, logger: o.logger });
  const running = own.start(o.signal);
  running.catch((err: unknown) => {
    o.logger.error({ err }, 'dashboard informers stopped');
  });
  await Promise.race([own.synced(), running]);
  return serve(o, {
    data: own.data,
    logs: jobLogs({ kubeConfig: o.kubeConfig, core: clients.core }),
    token: o.token,
    ...(o.actions ? { actions: ownCredentialActions({ objects, rerun: rerunWith(objects) }) } : {}),
  });
}

/** A rerun as `brigade-operator rerun` asks for it (a Build with spec.rerunOf), made with `objects`' credentials. */
function rerunWith(objects: BrigadeObjects): RequestRerun {
  return async (a) => {
    try {
      const build = await requestRerun(objects, a.namespace, a.build, { all: a.all });
      return build.metadata.name ?? '';
    } catch (err) {
      // Not finished yet, or gone: the page says why.
      if (err instanceof RerunRefusedError) throw new ActionRefused(409, err.message);
      throw err;
    }
  };
}

async function serve(
  o: ServeOptions,
  parts: Pick<Parameters<typeof startDashboard>[0], 'data' | 'logs' | 'actions' | 'identity' | 'token'>,
): Promise<RunningDashboard> {
  const running = await startDashboard({
    ...parts,
    port: o.port,
    host: o.host,
    logger: o.logger,
    allowedHosts: o.allowedHosts,
    assetsDir: o.assetsDir,
  });
  o.signal.addEventListener('abort', () => void running.close(), { once: true });
  return running;
}

/** A watch of the nodes (their labels tell the virtual-kubelet node) when the credentials allow it. */
async function nodeInformer(
  clients: KubeClients,
  logger: Logger,
  signal: AbortSignal,
): Promise<Informer<V1Node> | undefined> {
  if (!(await mayListNodes(clients, logger))) return undefined;
  const nodes = new Informer<V1Node>({
    name: 'nodes',
    kubeConfig: clients.kubeConfig,
    path: '/api/v1/nodes',
    list: () => clients.core.listNode(),
    logger,
  });
  nodes.start(signal).catch((err: unknown) => {
    logger.error({ err }, 'dashboard node informer stopped');
  });
  return nodes;
}
