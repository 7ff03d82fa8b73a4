// End-to-end harness: the simulator (real HTTP API server, scheduler, Job controller, kubelet), the
// CRDs applied with the real kubectl, and the operator started in-process against it.
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import type { CustomObjectsApi } from '@kubernetes/client-node';
import pino from 'pino';
import type { Logger } from 'pino';
import { startSimulator } from '../../src/sim/index.ts';
import type { Simulator } from '../../src/sim/index.ts';
import { startOperator } from '../../src/operator.ts';
import type { OperatorOptions, RunningOperator } from '../../src/operator.ts';
import { newKubeClients } from '../../src/kube/clients.ts';
import type { KubeClients } from '../../src/kube/clients.ts';
import { BrigadeObjects } from '../../src/kube/custom-objects.ts';
import { ROOT, kubectl } from '../helpers/tools.ts';

export interface Cluster {
  sim: Simulator;
  kubeconfig: string;
  clients: KubeClients;
  objects: BrigadeObjects;
  custom: CustomObjectsApi;
  kubectl: (...args: string[]) => Promise<string>;
  apply: (yaml: string) => Promise<string>;
  stop: () => Promise<void>;
}

export async function startCluster(): Promise<Cluster> {
  const sim = await startSimulator();
  const kc = new KubeConfig();
  kc.loadFromFile(sim.kubeconfigPath);
  const clients = newKubeClients(kc);
  const run = (...args: string[]): Promise<string> => kubectl(sim.kubeconfigPath, ...args);
  try {
    await run('apply', '-k', process.env['E2E_CRDS_DIR'] ?? join(ROOT, 'crds'));
    await run('wait', '--for=condition=Established', 'crd', '--all', '--timeout=30s');
  } catch (err) {
    await sim.stop();
    throw err;
  }
  return {
    sim,
    kubeconfig: sim.kubeconfigPath,
    clients,
    objects: new BrigadeObjects(clients.custom),
    custom: clients.custom,
    kubectl: run,
    apply: (yaml) => applyYaml(sim.kubeconfigPath, yaml),
    stop: () => sim.stop(),
  };
}

async function applyYaml(kubeconfig: string, yaml: string): Promise<string> {
  const { runTool } = await import('../helpers/tools.ts');
  const r = await runTool('kubectl', ['--kubeconfig', kubeconfig, 'apply', '-f', '-'], { input: yaml });
  if (r.code !== 0) throw new Error(`kubectl apply failed: ${r.stderr}`);
  return r.stdout;
}

export interface OperatorHandle {
  running: RunningOperator;
  stop: () => Promise<void>;
}

export function testLogger(): Logger {
  return pino({ level: process.env['E2E_LOG'] ?? 'silent' });
}

export async function runOperator(cluster: Cluster, extra: Partial<OperatorOptions> = {}): Promise<OperatorHandle> {
  const ac = new AbortController();
  const kc = new KubeConfig();
  kc.loadFromFile(cluster.kubeconfig);
  const running = await startOperator({
    kubeConfig: kc,
    namespace: 'default',
    logger: testLogger(),
    signal: ac.signal,
    settings: { eventProjectGraceMs: 1500 },
    ...extra,
  });
  await running.started;
  return {
    running,
    stop: async () => {
      ac.abort();
      await running.done;
    },
  };
}

import { waitFor } from '../helpers/wait.ts';

export { waitFor };
