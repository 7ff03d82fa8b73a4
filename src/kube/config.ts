// Loading the kubeconfig: an explicit file, else $KUBECONFIG / ~/.kube/config, else the in-cluster
// service account when running in a pod.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';

export interface LoadKubeConfigOptions {
  /** Path of a kubeconfig file; when unset, $KUBECONFIG, ~/.kube/config, then in-cluster. */
  kubeconfig?: string;
  /** Context to use instead of the file's current-context. */
  context?: string;
  /** Environment to read KUBERNETES_SERVICE_HOST / KUBECONFIG from (tests inject one). */
  env?: NodeJS.ProcessEnv;
}

export class KubeConfigError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'KubeConfigError';
  }
}

/** A loaded KubeConfig; throws KubeConfigError when nothing usable is found. */
export function loadKubeConfig(options: LoadKubeConfigOptions = {}): KubeConfig {
  const env = options.env ?? process.env;
  const kc = new KubeConfig();
  const file = options.kubeconfig ?? firstExistingKubeconfig(env);
  try {
    if (file) kc.loadFromFile(file);
    else if (env.KUBERNETES_SERVICE_HOST) kc.loadFromCluster();
    else throw new KubeConfigError('no kubeconfig found: pass --kubeconfig, set KUBECONFIG, or run in a pod');
  } catch (err) {
    if (err instanceof KubeConfigError) throw err;
    throw new KubeConfigError(`cannot load kubeconfig ${file ?? '(in-cluster)'}`, { cause: err });
  }
  if (options.context) {
    if (!kc.getContextObject(options.context))
      throw new KubeConfigError(`kubeconfig has no context "${options.context}"`);
    kc.setCurrentContext(options.context);
  }
  if (!kc.getCurrentCluster()) throw new KubeConfigError('the kubeconfig names no current cluster');
  return kc;
}

function firstExistingKubeconfig(env: NodeJS.ProcessEnv): string | undefined {
  // KUBECONFIG may list several files; like kubectl we take the first that exists.
  const fromEnv = (env.KUBECONFIG ?? '').split(':').filter((p) => p && existsSync(p));
  if (fromEnv.length > 0) return fromEnv[0];
  const home = join(env.HOME ?? homedir(), '.kube', 'config');
  return existsSync(home) ? home : undefined;
}

/** The namespace of the current context (or of the in-cluster service account), default "default". */
export function currentNamespace(kc: KubeConfig): string {
  const ctx = kc.getContextObject(kc.getCurrentContext());
  return ctx?.namespace || 'default';
}
