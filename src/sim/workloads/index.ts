// The simulator's workloads: scheduler, batch/v1 Job controller and kubelet, all driven by store
// watches. startWorkloads registers the nodes, starts the three controllers and returns the pod logs
// the API server serves at pods/{name}/log.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { SimNodeSpec, SimStore, StartWorkloads, Workloads, WorkloadsOptions } from '../types.ts';
import { JobController } from './job-controller.ts';
import { GVR } from './kube-types.ts';
import { Kubelet } from './kubelet.ts';
import { LogStore } from './logs.ts';
import { DEFAULT_NODES, buildNode, nodeIP } from './nodes.ts';
import { isAlreadyExists } from './queue.ts';
import { Scheduler } from './scheduler.ts';
import { VolumeBinder } from './volume-binder.ts';

export { LogRequestError } from './logs.ts';
export { DEFAULT_NODES } from './nodes.ts';

/** Knobs for tests and dev mode beyond the shared contract. */
export interface WorkloadsTuning {
  /** Delay before a container's nth restart; default 10 s doubling to 5 min, like CrashLoopBackOff. */
  restartDelayMs?: (restarts: number) => number;
  /** Where unexpected controller errors go; default: one line on stderr. */
  onError?: (err: unknown, component: string, key: string) => void;
  now?: () => Date;
}

function registerNodes(store: SimStore, nodes: SimNodeSpec[], now: Date): void {
  nodes.forEach((spec, index) => {
    try {
      store.create(GVR.nodes, buildNode(spec, index, now));
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
    }
  });
}

function defaultOnError(err: unknown, component: string, key: string): void {
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`sim ${component}: ${key}: ${message}\n`);
}

export const startWorkloads: StartWorkloads = async (opts: WorkloadsOptions & WorkloadsTuning): Promise<Workloads> => {
  const { store } = opts;
  const nodes = opts.nodes ?? DEFAULT_NODES;
  const ownDataDir = opts.dataDir === undefined;
  const dataDir = opts.dataDir ?? (await mkdtemp(path.join(tmpdir(), 'brigade-sim-')));
  const now = opts.now ?? ((): Date => new Date());
  const report = opts.onError ?? defaultOnError;
  const onError =
    (component: string) =>
    (err: unknown, key: string): void => {
      report(err, component, key);
    };

  registerNodes(store, nodes, now());
  const logs = new LogStore({ store });
  const scheduler = new Scheduler({ store, now, onError: onError('scheduler') });
  const binder = new VolumeBinder({ store, onError: onError('volume-binder') });
  const jobs = new JobController({ store, now, onError: onError('job-controller') });
  const kubelet = new Kubelet({
    store,
    logs,
    dataDir,
    now,
    restartDelayMs: opts.restartDelayMs,
    nodes: nodes.map((n, i) => ({
      name: n.name,
      ip: nodeIP(i),
      virtualKubeletProvider: n.virtualKubeletProvider ?? false,
    })),
    onError: onError('kubelet'),
  });
  binder.start();
  kubelet.start();
  jobs.start();
  scheduler.start();

  let stopped: Promise<void> | undefined;
  const stop = async (): Promise<void> => {
    await Promise.all([scheduler.stop(), binder.stop(), jobs.stop(), kubelet.stop()]);
    if (ownDataDir) await rm(dataDir, { recursive: true, force: true });
  };
  return {
    logs,
    stop: () => (stopped ??= stop()),
  };
};
