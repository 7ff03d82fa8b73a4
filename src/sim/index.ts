// startSimulator: the in-memory Kubernetes API server, a kubeconfig for it, and the workloads
// (scheduler, batch Job controller, kubelet). Used by tests and dev mode only.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bootstrap, SimulatorStore, startApiServer } from './apiserver/index.ts';
import { writeKubeconfig } from './kubeconfig.ts';
import type { ServedRequest } from './apiserver/index.ts';
import type { SimNodeSpec, SimStore, Workloads } from './types.ts';
import { startWorkloads } from './workloads/index.ts';

export { SimApiError, SimulatorStore } from './apiserver/index.ts';
export type { ServedRequest } from './apiserver/index.ts';

export interface SimulatorOptions {
  /** API server port; 0 or absent for any free port. */
  port?: number;
  /** Where to write the kubeconfig; a temporary file (removed by stop) when absent. */
  kubeconfigPath?: string;
  /** Nodes to register; absent means the workloads' defaults. */
  nodes?: SimNodeSpec[];
  /** Where pod volumes and logs live; a temporary directory when absent. */
  dataDir?: string;
  /** Changes kept per resource for watch resumption; older resourceVersions get 410 Gone. */
  watchHistory?: number;
  /** Interval of watch BOOKMARK events (default 15 s). */
  bookmarkIntervalMs?: number;
  /** false: the API server alone (no nodes, no scheduling, no pods running). Default true. */
  workloads?: boolean;
  /** Receives one line per HTTP request; `BRIGADE_SIM_LOG_REQUESTS=1` logs them to stderr. */
  logRequest?: (line: string) => void;
  /** Told about every answered request (method, path, status, user agent): the benchmarks count them. */
  onRequest?: (request: ServedRequest) => void;
}

export interface Simulator {
  url: string;
  kubeconfigPath: string;
  store: SimStore & SimulatorStore;
  /** Ends every open watch stream, as an API server restart or a load balancer timeout would; returns how many. */
  dropWatches(): number;
  /** Number of watch streams open over HTTP. */
  openWatches(): number;
  stop(): Promise<void>;
}

function requestLogger(opts: SimulatorOptions): ((line: string) => void) | undefined {
  if (opts.logRequest) return opts.logRequest;
  if (process.env['BRIGADE_SIM_LOG_REQUESTS'] === '1') return (line) => process.stderr.write(`sim: ${line}\n`);
  return undefined;
}

export async function startSimulator(opts: SimulatorOptions = {}): Promise<Simulator> {
  const store = new SimulatorStore({ ...(opts.watchHistory ? { watchHistory: opts.watchHistory } : {}) });
  bootstrap(store);
  const logRequest = requestLogger(opts);
  const server = await startApiServer({
    store: store.api,
    ...(opts.port !== undefined ? { port: opts.port } : {}),
    ...(opts.bookmarkIntervalMs ? { bookmarkIntervalMs: opts.bookmarkIntervalMs } : {}),
    ...(logRequest ? { logRequest } : {}),
    ...(opts.onRequest ? { onRequest: opts.onRequest } : {}),
  });
  let tempDir: string | undefined;
  let workloads: Workloads | undefined;
  let stopping: Promise<void> | undefined;
  // Idempotent: tests often stop in both a test and an after() hook.
  const cleanUp = (): Promise<void> => {
    stopping ??= (async () => {
      await workloads?.stop();
      store.stop();
      await server.stop();
      if (tempDir) await rm(tempDir, { recursive: true, force: true });
    })();
    return stopping;
  };
  try {
    let kubeconfigPath = opts.kubeconfigPath;
    if (!kubeconfigPath) {
      tempDir = await mkdtemp(join(tmpdir(), 'brigade-sim-'));
      kubeconfigPath = join(tempDir, 'kubeconfig');
    }
    await writeKubeconfig(kubeconfigPath, server.url);
    if (opts.workloads !== false) {
      workloads = await startWorkloads({
        store,
        ...(opts.nodes ? { nodes: opts.nodes } : {}),
        ...(opts.dataDir ? { dataDir: opts.dataDir } : {}),
      });
      server.setPodLogs(workloads.logs);
    }
    return {
      url: server.url,
      kubeconfigPath,
      store,
      dropWatches: () => server.dropWatches(),
      openWatches: () => server.openWatches(),
      stop: cleanUp,
    };
  } catch (err) {
    await cleanUp();
    throw err;
  }
}
