// The ground a test runs on, chosen by one setting, BRIGADE_TEST_GROUND:
//   sim      (default) the project's Kubernetes API simulator, one per test file, namespace `default`;
//   cluster  the real local control plane (src/localcluster) that test/ground/run-cluster.ts started
//            once for the run; each test file gets a namespace of its own, deleted afterwards.
// The same assertions must hold on both. On the real ground the operator runs as its ServiceAccount
// with exactly the RBAC of config/rbac (a token from the TokenRequest API), so a missing permission
// fails a test.
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { dump, load } from 'js-yaml';
import { startSimulator, type Simulator } from '../../src/sim/index.ts';
import { ROOT, kubectl } from '../helpers/tools.ts';
import { waitFor } from '../helpers/wait.ts';

export type GroundKind = 'sim' | 'cluster';

export const OPERATOR_NAMESPACE = 'brigade-system';
export const OPERATOR_SERVICE_ACCOUNT = 'brigade-operator';

export function groundKind(env: NodeJS.ProcessEnv = process.env): GroundKind {
  const kind = env['BRIGADE_TEST_GROUND'] ?? 'sim';
  if (kind !== 'sim' && kind !== 'cluster') throw new Error(`BRIGADE_TEST_GROUND=${kind}: want sim or cluster`);
  return kind;
}

/** Set by run-cluster.ts: the admin kubeconfig of the running local cluster. */
export const CLUSTER_KUBECONFIG_ENV = 'BRIGADE_TEST_CLUSTER_KUBECONFIG';

export interface Ground {
  kind: GroundKind;
  /** The namespace the test works in (the context namespace of kubeconfigPath). */
  namespace: string;
  /** An admin kubeconfig whose context namespace is `namespace`, for kubectl and test clients. */
  kubeconfigPath: string;
  kubeConfig: KubeConfig;
  /** Where the operator's own objects (its leader-election Lease) live: `brigade-system` on the cluster. */
  operatorNamespace: string;
  /** Credentials the operator runs with: the test's admin on the simulator, its ServiceAccount on the cluster. */
  operatorKubeConfig(): Promise<KubeConfig>;
  /** The simulator, when the ground is one; tests of simulator-only behaviour check it. */
  sim?: Simulator;
  stop(): Promise<void>;
}

export interface GroundOptions {
  /** Simulator only: false starts the API server alone (no nodes, no pods run). */
  workloads?: boolean;
  /** Simulator only: a namespace to create and work in instead of `default`. */
  namespace?: string;
  /** Install the CRDs with kubectl (default true). The cluster runner installs them once. */
  crds?: boolean;
}

export async function startGround(opts: GroundOptions = {}): Promise<Ground> {
  return groundKind() === 'cluster' ? joinCluster() : startSimGround(opts);
}

async function kubeconfigWithNamespace(source: string, namespace: string, target: string): Promise<void> {
  const config = load(await readFile(source, 'utf8')) as { contexts: Array<{ context: Record<string, unknown> }> };
  for (const c of config.contexts) c.context['namespace'] = namespace;
  await writeFile(target, dump(config), { mode: 0o600 });
}

function loadKubeConfig(path: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(path);
  return kc;
}

async function startSimGround(opts: GroundOptions): Promise<Ground> {
  const sim = await startSimulator({ workloads: opts.workloads ?? true });
  try {
    const namespace = opts.namespace ?? 'default';
    const kubeconfigPath = `${sim.kubeconfigPath}.test`;
    await kubeconfigWithNamespace(sim.kubeconfigPath, namespace, kubeconfigPath);
    const kubeConfig = loadKubeConfig(kubeconfigPath);
    if (namespace !== 'default')
      await kubeConfig.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: namespace } } });
    if (opts.crds !== false) await installCrds(kubeconfigPath);
    return {
      kind: 'sim',
      namespace,
      operatorNamespace: namespace,
      kubeconfigPath,
      kubeConfig,
      operatorKubeConfig: () => Promise.resolve(kubeConfig),
      sim,
      stop: () => sim.stop(),
    };
  } catch (err) {
    await sim.stop();
    throw err;
  }
}

export async function installCrds(kubeconfigPath: string): Promise<void> {
  await kubectl(
    kubeconfigPath,
    'apply',
    '--server-side',
    '--force-conflicts',
    '-k',
    process.env['E2E_CRDS_DIR'] ?? join(ROOT, 'crds'),
  );
  await kubectl(kubeconfigPath, 'wait', '--for=condition=Established', 'crd', '--all', '--timeout=60s');
}

async function joinCluster(): Promise<Ground> {
  const adminKubeconfig = process.env[CLUSTER_KUBECONFIG_ENV];
  if (!adminKubeconfig)
    throw new Error(
      `BRIGADE_TEST_GROUND=cluster needs ${CLUSTER_KUBECONFIG_ENV}: run the tests through test/ground/run-cluster.ts`,
    );
  const namespace = `t-${randomBytes(4).toString('hex')}`;
  const dir = await mkdtemp(join(tmpdir(), 'brigade-ground-'));
  const kubeconfigPath = join(dir, 'kubeconfig');
  await kubeconfigWithNamespace(adminKubeconfig, namespace, kubeconfigPath);
  const kubeConfig = loadKubeConfig(kubeconfigPath);
  const core = kubeConfig.makeApiClient(CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: namespace } } });
  // Pods are refused until the controller manager has created the namespace's default ServiceAccount.
  await waitFor(`the default ServiceAccount of ${namespace}`, () =>
    core.readNamespacedServiceAccount({ name: 'default', namespace }).then(
      () => true,
      () => undefined,
    ),
  );
  return {
    kind: 'cluster',
    namespace,
    operatorNamespace: OPERATOR_NAMESPACE,
    kubeconfigPath,
    kubeConfig,
    operatorKubeConfig: () => serviceAccountKubeConfig(kubeConfig),
    stop: async () => {
      // BRIGADE_TEST_KEEP_NAMESPACE=1 leaves the namespace for a look with kubectl after a failure.
      if (process.env['BRIGADE_TEST_KEEP_NAMESPACE'] === '1')
        process.stderr.write(`test ground: kept namespace ${namespace}\n`);
      else {
        await releaseProjects(kubeconfigPath);
        await core.deleteNamespace({ name: namespace }).catch(() => undefined);
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The test's operator has stopped, so nothing would remove the Projects' finalizer and the namespace
 * would stay Terminating: remove it as docs/operations.md tells users to when the operator is gone.
 */
async function releaseProjects(kubeconfigPath: string): Promise<void> {
  const names = await kubectl(kubeconfigPath, 'get', 'projects.brigade.sh', '-o', 'name').catch(() => '');
  for (const name of names.split('\n').filter(Boolean))
    await kubectl(kubeconfigPath, 'patch', name, '--type=merge', '-p', '{"metadata":{"finalizers":null}}').catch(
      () => '',
    );
}

/** A kubeconfig that authenticates as the operator's ServiceAccount, with a fresh bound token. */
async function serviceAccountKubeConfig(admin: KubeConfig): Promise<KubeConfig> {
  const auth = admin.makeApiClient(CoreV1Api);
  const request = await auth.createNamespacedServiceAccountToken({
    name: OPERATOR_SERVICE_ACCOUNT,
    namespace: OPERATOR_NAMESPACE,
    body: { spec: { audiences: [], expirationSeconds: 24 * 3600 } },
  });
  const token = request.status?.token;
  if (!token) throw new Error('the TokenRequest for the operator ServiceAccount returned no token');
  const cluster = admin.getCurrentCluster();
  if (!cluster) throw new Error('the admin kubeconfig has no current cluster');
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [cluster],
    users: [{ name: OPERATOR_SERVICE_ACCOUNT, token }],
    contexts: [{ name: 'operator', cluster: cluster.name, user: OPERATOR_SERVICE_ACCOUNT }],
    currentContext: 'operator',
  });
  return kc;
}
