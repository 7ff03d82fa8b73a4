// Test ground for the gateway and CLI integration tests (test/ground/ground.ts: the simulator, or the
// real local control plane with BRIGADE_TEST_GROUND=cluster) with the brigade.sh CRDs installed and a
// namespace, plus helpers to seed Projects and Secrets.
import { KubeConfig, type CoreV1Api } from '@kubernetes/client-node';
import type { Project } from '../../src/api/types.ts';
import { BrigadeObjects, newKubeClients } from '../../src/kube/index.ts';
import type { Simulator } from '../../src/sim/index.ts';
import { startGround } from '../ground/ground.ts';
import { waitFor } from '../helpers/wait.ts';

export { waitFor };

export interface TestCluster {
  /** The simulator, on the simulator ground only. */
  sim?: Simulator;
  /** An admin client configuration with the test namespace as the context's namespace. */
  kubeConfig: KubeConfig;
  /** A kubeconfig file for the CLI commands, with the test namespace as the context's namespace. */
  kubeconfigPath: string;
  /** What the operator runs with: its ServiceAccount on the real ground. */
  operatorKubeConfig(): Promise<KubeConfig>;
  objects: BrigadeObjects;
  core: CoreV1Api;
  namespace: string;
  stop(): Promise<void>;
}

/** On the simulator, `workloads: false` leaves out nodes and pods and `namespace` names the namespace. */
export async function startTestCluster(opts: { namespace?: string; workloads?: boolean } = {}): Promise<TestCluster> {
  const ground = await startGround({ namespace: opts.namespace ?? 'ci', workloads: opts.workloads ?? false });
  try {
    const clients = newKubeClients(ground.kubeConfig);
    const objects = new BrigadeObjects(clients.custom);
    // CRDs are served once established; wait until a list answers.
    await waitFor('the Project CRD to be served', async () =>
      (await objects.list('Project', ground.namespace).then(
        () => true,
        () => false,
      ))
        ? true
        : undefined,
    );
    return {
      ...(ground.sim ? { sim: ground.sim } : {}),
      kubeConfig: ground.kubeConfig,
      kubeconfigPath: ground.kubeconfigPath,
      operatorKubeConfig: () => ground.operatorKubeConfig(),
      objects,
      core: clients.core,
      namespace: ground.namespace,
      stop: () => ground.stop(),
    };
  } catch (err) {
    await ground.stop();
    throw err;
  }
}

export async function createSecret(cluster: TestCluster, name: string, data: Record<string, string>): Promise<void> {
  const encoded = Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')]));
  await cluster.core.createNamespacedSecret({
    namespace: cluster.namespace,
    body: { metadata: { name }, data: encoded },
  });
}

export async function createProject(cluster: TestCluster, name: string, spec: Project['spec']): Promise<Project> {
  const { object } = await cluster.objects.create('Project', {
    apiVersion: 'brigade.sh/v1alpha1',
    kind: 'Project',
    metadata: { name, namespace: cluster.namespace },
    spec,
  });
  return object;
}
