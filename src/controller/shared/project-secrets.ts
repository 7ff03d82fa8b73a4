// The values of a Project's Secret (spec.secretRef): they become project.secrets in the script and
// are redacted from everything the operator stores. Read on demand and never cached by an informer,
// so the operator holds only the Secrets of projects that are building.
import type { CoreV1Api } from '@kubernetes/client-node';
import type { Project } from '../../api/types.ts';
import { KubeApiError, isNotFound } from '../../kube/errors.ts';

export class ProjectSecretMissingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProjectSecretMissingError';
  }
}

/** Decoded key -> value; {} when the project names no Secret. Throws ProjectSecretMissingError when it is absent. */
export async function readProjectSecrets(core: CoreV1Api, project: Project): Promise<Record<string, string>> {
  const name = project.spec.secretRef?.name;
  if (!name) return {};
  const namespace = project.metadata.namespace ?? '';
  try {
    const secret = await core.readNamespacedSecret({ namespace, name });
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(secret.data ?? {})) out[k] = Buffer.from(v, 'base64').toString('utf8');
    for (const [k, v] of Object.entries(secret.stringData ?? {})) out[k] = v;
    return out;
  } catch (err) {
    if (isNotFound(err)) throw new ProjectSecretMissingError(`the project's Secret ${name} does not exist`);
    // The error names the Secret, never its content.
    throw new KubeApiError(`read Secret ${namespace}/${name}`, { cause: err });
  }
}
