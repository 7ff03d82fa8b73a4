// Keeping project secret values out of custom resources. A script writes `env: { TOKEN:
// project.secrets.token }`: by then the value is a plain string, so the operator recognises it by
// content. Any env value that contains a value of the project's Secret goes into a Secret owned by
// the Job CR, and the Job CR's env entry references it; only plain values stay inline.
import type { V1Secret } from '@kubernetes/client-node';
import { jobSecretName } from '../api/names.ts';
import type { EnvVar, ObjectMeta } from '../api/types.ts';
import { createRedactor } from '../util/redact.ts';
import { operatorLabels, ownedBy } from './objects.ts';

export interface SplitEnvInput {
  /** The env the script gave the job, name -> value. */
  env: Record<string, string>;
  /** Values of the project's Secret (the strings project.secrets exposes). */
  secretValues: Iterable<string>;
  /** Name of the Job CR the env belongs to (the Secret is named after it). */
  jobCrName: string;
}

export interface SplitEnv {
  /** Env entries for the Job CR spec: plain values inline, the rest as secretKeyRef. */
  env: EnvVar[];
  /** Data of the job's env Secret (variable name -> value); empty when nothing is secret. */
  secretData: Record<string, string>;
  /** Name of that Secret (jobSecretName(jobCrName)). */
  secretName: string;
}

export function splitJobEnv(input: SplitEnvInput): SplitEnv {
  // The redaction rule decides what holds a secret (also its base64 and URL-encoded forms).
  const secrets = createRedactor(input.secretValues);
  const secretName = jobSecretName(input.jobCrName);
  const env: EnvVar[] = [];
  const secretData: Record<string, string> = {};
  for (const [name, value] of Object.entries(input.env)) {
    if (secrets.contains(value)) {
      secretData[name] = value;
      env.push({ name, valueFrom: { secretKeyRef: { name: secretName, key: name } } });
    } else {
      env.push({ name, value });
    }
  }
  return { env, secretData, secretName };
}

export interface JobEnvSecretInput {
  /** Metadata of the Job CR (name, namespace; uid makes it the owner). */
  jobCr: ObjectMeta;
  project: string;
  build: string;
  data: Record<string, string>;
}

/** The Secret holding a job's secret env values, owned by its Job CR so GC removes it with the job. */
export function jobEnvSecret(input: JobEnvSecretInput): V1Secret {
  const name = input.jobCr.name ?? '';
  const owner = ownedBy('Job', input.jobCr);
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'Opaque',
    metadata: {
      name: jobSecretName(name),
      namespace: input.jobCr.namespace,
      labels: operatorLabels({ project: input.project, build: input.build, job: name }, 'job-env'),
      ...(owner ? { ownerReferences: owner } : {}),
    },
    stringData: { ...input.data },
  };
}
