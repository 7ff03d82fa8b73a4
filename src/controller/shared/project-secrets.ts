// The values of a Project's Secret (spec.secretRef): they become project.secrets in the script and
// are redacted from everything the operator stores. Read on demand and never cached by an informer,
// so the operator holds only the Secrets of projects that are building.
import type { CoreV1Api, V1Secret } from '@kubernetes/client-node';
import { jobSecretName } from '../../api/names.ts';
import type { JobCR, Project } from '../../api/types.ts';
import { secretsOfVolume } from '../../jobs/index.ts';
import { KubeApiError, isNotFound } from '../../kube/errors.ts';

export class ProjectSecretMissingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProjectSecretMissingError';
  }
}

function decoded(secret: V1Secret): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(secret.data ?? {})) out[k] = Buffer.from(v, 'base64').toString('utf8');
  for (const [k, v] of Object.entries(secret.stringData ?? {})) out[k] = v;
  return out;
}

/** Decoded key -> value; {} when the project names no Secret. Throws ProjectSecretMissingError when it is absent. */
export async function readProjectSecrets(core: CoreV1Api, project: Project): Promise<Record<string, string>> {
  const name = project.spec.secretRef?.name;
  if (!name) return {};
  const namespace = project.metadata.namespace ?? '';
  try {
    return decoded(await core.readNamespacedSecret({ namespace, name }));
  } catch (err) {
    if (isNotFound(err)) throw new ProjectSecretMissingError(`the project's Secret ${name} does not exist`);
    // The error names the Secret, never its content.
    throw new KubeApiError(`read Secret ${namespace}/${name}`, { cause: err });
  }
}

/**
 * The Secrets besides the project's own that a job reads (env secretKeyRef, secret volumes and
 * projected sources, volume credentials): the policy allowed them, so their values are as visible to
 * the job as the project's, and are redacted from its log the same way.
 */
export function extraSecretsOf(job: JobCR, project: Project): string[] {
  const names = new Set<string>();
  for (const env of job.spec.env ?? []) {
    const name = env.valueFrom?.secretKeyRef?.name;
    if (name) names.add(name);
  }
  for (const volume of job.spec.volumes ?? []) for (const name of secretsOfVolume(volume)) names.add(name);
  names.delete(project.spec.secretRef?.name ?? '');
  names.delete(jobSecretName(job.metadata.name ?? ''));
  return [...names].sort();
}

/** Every secret value the job can see: the project's Secret and the extra Secrets it reads. */
export async function readJobSecretValues(core: CoreV1Api, project: Project, job: JobCR): Promise<string[]> {
  const values = Object.values(await readProjectSecrets(core, project));
  const namespace = project.metadata.namespace ?? '';
  for (const name of extraSecretsOf(job, project)) {
    try {
      values.push(...Object.values(decoded(await core.readNamespacedSecret({ namespace, name }))));
    } catch (err) {
      // A Secret that does not exist gave the job nothing to print.
      if (!isNotFound(err)) throw new KubeApiError(`read Secret ${namespace}/${name}`, { cause: err });
    }
  }
  return values;
}
