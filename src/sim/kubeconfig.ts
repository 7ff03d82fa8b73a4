// Writes a kubeconfig for the simulator: one cluster `brigade-sim`, a user without credentials (the
// simulator does not authenticate), and a current context with namespace `default`.
// `insecure-skip-tls-verify` is set because @kubernetes/client-node 2.x refuses a plain http:// server
// without it (kubectl ignores it for http); the simulator only ever listens on loopback.

import { writeFile } from 'node:fs/promises';
import { dump } from 'js-yaml';

export const SIM_CLUSTER_NAME = 'brigade-sim';

export function kubeconfigFor(serverUrl: string): object {
  return {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: SIM_CLUSTER_NAME, cluster: { server: serverUrl, 'insecure-skip-tls-verify': true } }],
    users: [{ name: SIM_CLUSTER_NAME, user: {} }],
    contexts: [
      { name: SIM_CLUSTER_NAME, context: { cluster: SIM_CLUSTER_NAME, user: SIM_CLUSTER_NAME, namespace: 'default' } },
    ],
    'current-context': SIM_CLUSTER_NAME,
    preferences: {},
  };
}

export async function writeKubeconfig(path: string, serverUrl: string): Promise<void> {
  await writeFile(path, dump(kubeconfigFor(serverUrl)), { mode: 0o600 });
}
