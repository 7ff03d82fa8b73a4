// startLocalCluster: a real Kubernetes control plane on this machine for tests and `brigade-operator
// cluster` / `dev --ground cluster`. Upstream etcd, kube-apiserver, kube-controller-manager and
// kube-scheduler (built from source by binaries.ts) run as separate processes on free loopback ports,
// with one virtual-kubelet-based node agent serving the nodes `node-1` and `virtual-kubelet`, whose
// containers run with runc from a local image store (images.ts). See docs/real-cluster.md.
import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { ensureBinaries, type BuildOptions } from './binaries.ts';
import { createBootstrapObjects } from './bootstrap.ts';
import { runToCompletion } from './command-runner.ts';
import {
  AUDIT_POLICY,
  NODE_NAMES,
  PORT_NAMES,
  apiServerArgs,
  apiServerURL,
  controllerManagerArgs,
  etcdArgs,
  layoutOf,
  nodeAgentConfig,
  pkiArgs,
  schedulerArgs,
  schedulerConfig,
  type Layout,
  type Ports,
} from './components.ts';
import { probe, type ClientTls } from './https-probe.ts';
import { ensureImages } from './images.ts';
import { unmountLeftovers } from './leftover-mounts.ts';
import { freePorts } from './ports.ts';
import { ProcessGroup, type ComponentExitedError } from './processes.ts';

export interface LocalClusterOptions {
  /** Holds certificates, etcd data, node state, component logs and `kubeconfig`; emptied first. */
  dir: string;
  onProgress?: (line: string) => void;
  signal?: AbortSignal;
  /** How long the components may take to become ready (default 180 s). */
  readyTimeoutMs?: number;
}

export interface LocalCluster {
  dir: string;
  /** cluster-admin kubeconfig (`DIR/kubeconfig`). */
  kubeconfigPath: string;
  apiServerURL: string;
  logDir: string;
  /** The API server's audit log (JSON lines, metadata level, service-account requests only). */
  auditLog: string;
  /** The store the node agent runs images from. */
  imageStore: string;
  /** Rejects when a component exits while the cluster runs. */
  failure: Promise<never>;
  stop(): Promise<void>;
}

export async function startLocalCluster(opts: LocalClusterOptions): Promise<LocalCluster> {
  const progress = opts.onProgress ?? (() => undefined);
  const build: BuildOptions = { onProgress: progress, ...(opts.signal ? { signal: opts.signal } : {}) };
  const binaries = await ensureBinaries(build);
  const images = await ensureImages(build);

  const layout = layoutOf(opts.dir);
  await unmountLeftovers(opts.dir);
  await rm(opts.dir, { recursive: true, force: true });
  for (const d of [layout.pki, layout.logs, layout.etcdData, layout.nodeState, layout.hostPathVolumes])
    await mkdir(d, { recursive: true });
  const ports = (await freePorts(PORT_NAMES)) as unknown as Ports;
  await runToCompletion(binaries.kubeground, pkiArgs(layout, ports), { cwd: opts.dir });

  let rejectFailure!: (err: ComponentExitedError) => void;
  const failure = new Promise<never>((_, reject) => {
    rejectFailure = reject;
  });
  failure.catch(() => undefined); // observed through waits and by callers that care
  const group = new ProcessGroup(layout.logs, (err) => {
    rejectFailure(err);
  });
  const stop = async (): Promise<void> => {
    await group.stop();
    await unmountLeftovers(opts.dir);
  };
  const deadline = Date.now() + (opts.readyTimeoutMs ?? 180_000);
  const wait = (what: string, check: () => Promise<boolean>): Promise<void> =>
    waitUntil(what, check, deadline, failure, opts.signal);

  try {
    progress('starting etcd');
    group.start('etcd', binaries.kubeground, etcdArgs(layout, ports));
    await wait('etcd /health', async () => (await probe(`http://127.0.0.1:${ports.etcdClient}/health`)).status === 200);

    progress('starting kube-apiserver');
    await writeFile(join(layout.dir, 'audit-policy.yaml'), AUDIT_POLICY);
    group.start('kube-apiserver', binaries.kubeground, apiServerArgs(layout, ports));
    const tls = await adminTls(layout);
    await wait(
      'kube-apiserver /readyz',
      async () => (await probe(`${apiServerURL(ports)}/readyz`, tls)).status === 200,
    );

    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(join(layout.pki, 'admin.kubeconfig'));
    await createBootstrapObjects(kubeConfig);

    progress('starting kube-controller-manager and kube-scheduler');
    group.start('kube-controller-manager', binaries.kubeground, controllerManagerArgs(layout, ports));
    await writeFile(join(layout.dir, 'scheduler.yaml'), schedulerConfig(layout));
    group.start('kube-scheduler', binaries.kubeground, schedulerArgs(layout, ports));

    progress('starting the node agent (node-1, virtual-kubelet)');
    const agentConfig = join(layout.dir, 'nodeagent.json');
    await writeFile(agentConfig, JSON.stringify(nodeAgentConfig(layout, ports, images), null, 2));
    // Through `kubeground exec`, which arms the parent-death signal the node agent itself knows nothing of.
    group.start('nodeagent', binaries.kubeground, ['exec', binaries.nodeagent, '--config', agentConfig], 'SIGTERM');

    const core = kubeConfig.makeApiClient(CoreV1Api);
    await wait('nodes node-1 and virtual-kubelet Ready', () => nodesReady(core));
    await wait('the default ServiceAccount', () =>
      core.readNamespacedServiceAccount({ name: 'default', namespace: 'default' }).then(
        () => true,
        () => false,
      ),
    );

    const kubeconfigPath = join(layout.dir, 'kubeconfig');
    await copyFile(join(layout.pki, 'admin.kubeconfig'), kubeconfigPath);
    return {
      dir: layout.dir,
      kubeconfigPath,
      apiServerURL: apiServerURL(ports),
      logDir: layout.logs,
      auditLog: join(layout.logs, 'audit.log'),
      imageStore: images.store,
      failure,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

async function adminTls(l: Layout): Promise<ClientTls> {
  const [ca, cert, key] = await Promise.all(['ca.crt', 'admin.crt', 'admin.key'].map((f) => readFile(join(l.pki, f))));
  return { ca: ca, cert: cert, key: key };
}

async function nodesReady(core: CoreV1Api): Promise<boolean> {
  const nodes = await core.listNode().catch(() => undefined);
  if (!nodes) return false;
  return NODE_NAMES.every((name) =>
    nodes.items.some(
      (n) => n.metadata?.name === name && n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
    ),
  );
}

const POLL_MS = 250;

/**
 * Polls check until it holds. Start-up only: nothing to watch yet (the API server may not even
 * listen). Fails at the deadline with what was awaited, or as soon as a component exits.
 */
async function waitUntil(
  what: string,
  check: () => Promise<boolean>,
  deadline: number,
  failure: Promise<never>,
  signal?: AbortSignal,
): Promise<void> {
  let lastError: unknown;
  for (;;) {
    signal?.throwIfAborted();
    try {
      if (await Promise.race([check(), failure])) return;
    } catch (err) {
      if ((err as Error).name === 'ComponentExitedError') throw err;
      lastError = err;
    }
    if (Date.now() > deadline) {
      const why = lastError instanceof Error ? `: ${lastError.message}` : '';
      throw new Error(`timed out waiting for ${what}${why}`);
    }
    await Promise.race([new Promise((r) => setTimeout(r, POLL_MS)), failure]);
  }
}
