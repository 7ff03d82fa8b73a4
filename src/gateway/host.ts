// Hosting the gateway inside a long-running process (`gateway`, `run`, `dev`): one place that wires
// the cluster access, the Project cache and shutdown, so the three commands cannot drift apart.
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { ProjectCache } from './cluster.ts';
import { kubeIntakeCluster } from './kube-cluster.ts';
import { projectInformer } from './project-informer.ts';
import { startGateway, type GatewayLimits } from './server.ts';

export interface HostedGatewayOptions {
  kubeConfig: KubeConfig;
  logger: Logger;
  port: number;
  host: string;
  /** The gateway's own namespace (the v02 CloudEvents path and, without allNamespaces, GitHub lookups). */
  namespace: string;
  /** Look Projects up in every namespace (the operator watches all of them). */
  allNamespaces: boolean;
  /**
   * A Project cache already kept by the process (the operator's informer); without one the gateway
   * watches Projects itself until `signal` aborts.
   */
  projectCache?: ProjectCache;
  signal: AbortSignal;
  exposeMetrics?: boolean;
  limits?: Partial<GatewayLimits>;
}

export interface HostedGateway {
  url: string;
  /** Stops accepting, waits for requests in flight and for the gateway's own Project watch, if any. */
  stop(): Promise<void>;
}

export async function hostGateway(opts: HostedGatewayOptions): Promise<HostedGateway> {
  let projectCache = opts.projectCache;
  let watching: Promise<void> | undefined;
  if (!projectCache) {
    const own = projectInformer({
      kubeConfig: opts.kubeConfig,
      namespace: opts.allNamespaces ? undefined : opts.namespace,
      logger: opts.logger,
    });
    watching = own.start(opts.signal);
    projectCache = own;
  }
  const gateway = await startGateway({
    cluster: kubeIntakeCluster(opts.kubeConfig),
    projectCache,
    logger: opts.logger,
    port: opts.port,
    host: opts.host,
    namespace: opts.namespace,
    allNamespaces: opts.allNamespaces,
    exposeMetrics: opts.exposeMetrics ?? false,
    limits: opts.limits ?? {},
  });
  return {
    url: gateway.url,
    stop: async () => {
      await gateway.stop();
      await watching;
    },
  };
}
