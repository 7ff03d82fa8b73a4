// Turning the script's JobRequest into a Job CR (pure). Env values that contain a project secret
// value are moved into a Secret owned by the Job CR and referenced with secretKeyRef, so no secret
// value is ever written into the Job CR, the batch Job or the pod spec.
import { API_VERSION, KINDS, LABELS, MANAGED_BY } from '../../api/constants.ts';
import { SHELLS } from '../../api/defaults.ts';
import type { Shell } from '../../api/defaults.ts';
import { jobCrName, jobSecretName, labelSafeName } from '../../api/names.ts';
import type { Build, EnvVar, JobCR, JobSpec, Project } from '../../api/types.ts';
import type { JobEnvValue, JobRequest } from '../../script/index.ts';
import { MIN_REDACTED_LENGTH } from '../../util/redact.ts';

export interface SplitEnv {
  env: EnvVar[];
  /** Secret key -> value, for the job's env Secret; empty when no value came from a secret. */
  secretData: Record<string, string>;
}

const SECRET_KEY_RE = /^[-._a-zA-Z0-9]+$/;

export function splitEnv(env: Record<string, JobEnvValue>, secretValues: readonly string[], secretName: string): SplitEnv {
  const out: EnvVar[] = [];
  const secretData: Record<string, string> = {};
  const meaningful = secretValues.filter((v) => v.length >= MIN_REDACTED_LENGTH);
  Object.entries(env).forEach(([name, value], i) => {
    if (typeof value !== 'string') return void out.push({ name, valueFrom: value });
    if (!meaningful.some((s) => value.includes(s))) return void out.push({ name, value });
    const key = SECRET_KEY_RE.test(name) ? name : `env-${i}`;
    secretData[key] = value;
    out.push({ name, valueFrom: { secretKeyRef: { name: secretName, key } } });
  });
  return { env: out, secretData };
}

function definedOnly<T extends Record<string, unknown>>(obj: T): Partial<T> {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined && v !== '')) as Partial<T>;
}

function shellOf(shell: string): Shell | undefined {
  return (SHELLS as readonly string[]).includes(shell) ? (shell as Shell) : undefined;
}

export function jobSpecFor(build: Build, project: Project, req: JobRequest, env: EnvVar[]): JobSpec {
  // A script that chose no image gets the project's default image, when it has one.
  const image = req.imageDefaulted && project.spec.jobDefaults?.image ? undefined : req.image;
  const requests = definedOnly(req.resourceRequests) as Record<string, string>;
  const limits = definedOnly(req.resourceLimits) as Record<string, string>;
  const os = req.host.os === 'linux' || req.host.os === 'windows' ? req.host.os : undefined;
  return {
    project: build.spec.project,
    build: build.metadata.name ?? '',
    name: req.name,
    ...(image ? { image } : {}),
    imageForcePull: req.imageForcePull,
    ...(req.imagePullSecrets.length ? { imagePullSecrets: req.imagePullSecrets } : {}),
    ...(req.tasks.length ? { tasks: req.tasks } : {}),
    ...(shellOf(req.shell) ? { shell: shellOf(req.shell) } : {}),
    ...(req.args.length ? { args: req.args } : {}),
    ...(env.length ? { env } : {}),
    mountPath: req.mountPath,
    useSource: req.useSource && project.spec.repo !== undefined,
    timeoutSeconds: Math.max(1, Math.ceil(req.timeout / 1000)),
    privileged: req.privileged,
    ...(req.host.name || os || Object.keys(req.host.nodeSelector).length
      ? { host: { ...(req.host.name ? { name: req.host.name } : {}), ...(os ? { os } : {}), ...(Object.keys(req.host.nodeSelector).length ? { nodeSelector: req.host.nodeSelector } : {}) } }
      : {}),
    docker: req.docker,
    cache: req.cache,
    storage: req.storage,
    ...(req.serviceAccount ? { serviceAccountName: req.serviceAccount } : {}),
    ...(Object.keys(req.annotations).length ? { annotations: req.annotations } : {}),
    ...(Object.keys(requests).length || Object.keys(limits).length
      ? { resources: { ...(Object.keys(requests).length ? { requests } : {}), ...(Object.keys(limits).length ? { limits } : {}) } }
      : {}),
    ...(req.volumes.length ? { volumes: req.volumes as Record<string, unknown>[] } : {}),
    ...(req.volumeMounts.length ? { volumeMounts: req.volumeMounts as Record<string, unknown>[] } : {}),
  } as JobSpec;
}

/** The Job CR for the job `req.name` of `build`, with the env already split. */
export function jobCrFor(build: Build, project: Project, req: JobRequest, secretValues: readonly string[]): { job: JobCR; secretData: Record<string, string> } {
  const buildName = build.metadata.name ?? '';
  const name = jobCrName(buildName, req.name);
  const { env, secretData } = splitEnv(req.env, secretValues, jobSecretName(name));
  const job: JobCR = {
    apiVersion: API_VERSION,
    kind: 'Job',
    metadata: {
      name,
      namespace: build.metadata.namespace,
      labels: {
        [LABELS.project]: labelSafeName(build.spec.project),
        [LABELS.build]: labelSafeName(buildName),
        [LABELS.job]: name,
        [LABELS.managedBy]: MANAGED_BY,
      },
      ownerReferences: [{ apiVersion: API_VERSION, kind: KINDS.Build.kind, name: buildName, uid: build.metadata.uid ?? '', controller: true, blockOwnerDeletion: true }],
    },
    spec: jobSpecFor(build, project, req, env),
  };
  return { job, secretData };
}
