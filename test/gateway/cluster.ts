// Test ground for the gateway and CLI integration tests: the simulator with the brigade.sh CRDs
// installed and a namespace, plus helpers to seed Projects and Secrets.
import { readFile, writeFile } from 'node:fs/promises';
import { ApiextensionsV1Api, CoreV1Api, KubeConfig, type V1CustomResourceDefinition } from '@kubernetes/client-node';
import { dump, load } from 'js-yaml';
import { crdManifests } from '../../src/api/crds.ts';
import type { Project } from '../../src/api/types.ts';
import { BrigadeObjects, newKubeClients } from '../../src/kube/index.ts';
import { startSimulator, type Simulator } from '../../src/sim/index.ts';

export interface TestCluster {
  sim: Simulator;
  kubeConfig: KubeConfig;
  /** A kubeconfig file for the CLI commands, with the test namespace as the context's namespace. */
  kubeconfigPath: string;
  objects: BrigadeObjects;
  core: CoreV1Api;
  namespace: string;
  stop(): Promise<void>;
}

import { waitFor } from '../helpers/wait.ts';

export { waitFor };

/** The simulator's kubeconfig (already fit for client-node) with the given namespace as the context's. */
async function clientReadyKubeconfig(path: string, namespace: string): Promise<string> {
  const config = load(await readFile(path, 'utf8')) as { contexts: Array<{ context: Record<string, unknown> }> };
  for (const c of config.contexts) c.context.namespace = namespace;
  return dump(config);
}

export async function startTestCluster(opts: { namespace?: string; workloads?: boolean } = {}): Promise<TestCluster> {
  const sim = await startSimulator({ workloads: opts.workloads ?? false });
  try {
    const namespace = opts.namespace ?? 'ci';
    const kubeconfigPath = `${sim.kubeconfigPath}.cli`;
    await writeFile(kubeconfigPath, await clientReadyKubeconfig(sim.kubeconfigPath, namespace), { mode: 0o600 });
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(kubeconfigPath);
    const clients = newKubeClients(kubeConfig);
    const apiext = kubeConfig.makeApiClient(ApiextensionsV1Api);
    for (const crd of crdManifests()) await apiext.createCustomResourceDefinition({ body: crd as unknown as V1CustomResourceDefinition });
    await clients.core.createNamespace({ body: { metadata: { name: namespace } } });
    const objects = new BrigadeObjects(clients.custom);
    // CRDs are served once established; wait until a list answers.
    await waitFor('the Project CRD to be served', async () => ((await objects.list('Project', namespace).then(() => true, () => false)) ? true : undefined));
    return { sim, kubeConfig, kubeconfigPath, objects, core: clients.core, namespace, stop: () => sim.stop() };
  } catch (err) {
    await sim.stop();
    throw err;
  }
}

export async function createSecret(cluster: TestCluster, name: string, data: Record<string, string>): Promise<void> {
  // `data` (base64) rather than stringData: the simulator does not (yet) fold stringData into data.
  const encoded = Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')]));
  await cluster.core.createNamespacedSecret({ namespace: cluster.namespace, body: { metadata: { name }, data: encoded } });
}

export async function createProject(cluster: TestCluster, name: string, spec: Project['spec']): Promise<Project> {
  const { object } = await cluster.objects.create('Project', {
    apiVersion: 'brigade.sh/v1alpha1', kind: 'Project', metadata: { name, namespace: cluster.namespace }, spec,
  });
  return object;
}
