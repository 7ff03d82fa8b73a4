// End-to-end harness: the operator started in-process against the test ground (test/ground/ground.ts:
// the simulator by default, the real local control plane with BRIGADE_TEST_GROUND=cluster), with the
// CRDs applied by the real kubectl. Every test works in `cluster.namespace`.
import type { CustomObjectsApi } from '@kubernetes/client-node';
import pino from 'pino';
import type { Logger } from 'pino';
import type { Simulator } from '../../src/sim/index.ts';
import { startOperator } from '../../src/operator.ts';
import type { OperatorOptions, RunningOperator } from '../../src/operator.ts';
import { newKubeClients } from '../../src/kube/clients.ts';
import type { KubeClients } from '../../src/kube/clients.ts';
import { BrigadeObjects } from '../../src/kube/custom-objects.ts';
import { kubectl, runTool } from '../helpers/tools.ts';
import { startGround, type Ground, type GroundKind } from '../ground/ground.ts';

export interface Cluster {
  ground: GroundKind;
  /** The simulator, on the simulator ground only. */
  sim?: Simulator;
  namespace: string;
  /** Where the operator keeps its Lease: the test namespace on the simulator, brigade-system on the cluster. */
  operatorNamespace: string;
  kubeconfig: string;
  clients: KubeClients;
  objects: BrigadeObjects;
  custom: CustomObjectsApi;
  kubectl: (...args: string[]) => Promise<string>;
  apply: (yaml: string) => Promise<string>;
  operatorKubeConfig: Ground['operatorKubeConfig'];
  stop: () => Promise<void>;
}

export async function startCluster(): Promise<Cluster> {
  const ground = await startGround();
  const clients = newKubeClients(ground.kubeConfig);
  const run = (...args: string[]): Promise<string> => kubectl(ground.kubeconfigPath, ...args);
  return {
    ground: ground.kind,
    ...(ground.sim ? { sim: ground.sim } : {}),
    namespace: ground.namespace,
    operatorNamespace: ground.operatorNamespace,
    kubeconfig: ground.kubeconfigPath,
    clients,
    objects: new BrigadeObjects(clients.custom),
    custom: clients.custom,
    kubectl: run,
    apply: (yaml) => applyYaml(ground.kubeconfigPath, yaml),
    operatorKubeConfig: () => ground.operatorKubeConfig(),
    stop: () => ground.stop(),
  };
}

async function applyYaml(kubeconfig: string, yaml: string): Promise<string> {
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
  const running = await startOperator({
    kubeConfig: await cluster.operatorKubeConfig(),
    namespace: cluster.namespace,
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
