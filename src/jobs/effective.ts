// The job's settings with the project's jobDefaults merged underneath: the job's own value wins,
// maps are merged key by key, lists (pull secrets, tolerations) are concatenated.
import { DEFAULTS } from '../api/defaults.ts';
import { jobSecretName } from '../api/names.ts';
import type { Host, JobCR, JobDefaults, JobSpec, Project, Resources, Toleration } from '../api/types.ts';

export interface EffectiveHost {
  name?: string;
  os?: Host['os'];
  nodeSelector: Record<string, string>;
  tolerations: Toleration[];
  placement: NonNullable<Host['placement']>;
}

export interface EffectiveJob {
  spec: JobSpec;
  /** The Secret holding the job's env values taken from project secrets (see jobs/env). */
  envSecretName: string;
  image?: string;
  imagePullPolicy: 'Always' | 'IfNotPresent' | 'Never';
  imagePullSecrets: string[];
  serviceAccountName?: string;
  resources: { requests: Record<string, string>; limits: Record<string, string> };
  host: EffectiveHost;
  timeoutSeconds: number;
  ttlSecondsAfterFinished: number;
  shell: NonNullable<JobSpec['shell']>;
  mountPath: string;
  useSource: boolean;
}

function mergeResources(defaults: Resources | undefined, own: Resources | undefined): EffectiveJob['resources'] {
  return {
    requests: { ...defaults?.requests, ...own?.requests },
    limits: { ...defaults?.limits, ...own?.limits },
  };
}

/** The project's tolerations, then the job's own. */
function mergeTolerations(defaults: Host | undefined, own: Host | undefined): EffectiveHost['tolerations'] {
  return [...(defaults?.tolerations ?? []), ...(own?.tolerations ?? [])];
}

function mergeHost(defaults: Host | undefined, own: Host | undefined): EffectiveHost {
  return {
    name: own?.name ?? defaults?.name,
    os: own?.os ?? defaults?.os,
    nodeSelector: { ...defaults?.nodeSelector, ...own?.nodeSelector },
    tolerations: mergeTolerations(defaults, own),
    placement: own?.placement ?? defaults?.placement ?? 'regular',
  };
}

/**
 * Brigade 1's rule: `imageForcePull` pulls always, anything else IfNotPresent (never Kubernetes'
 * own default, Always for untagged and `:latest` images), unless the job or project chose a policy.
 */
function pullPolicy(spec: JobSpec, project: Project): NonNullable<EffectiveJob['imagePullPolicy']> {
  if (spec.imageForcePull) return 'Always';
  return spec.imagePullPolicy ?? project.spec.jobDefaults?.imagePullPolicy ?? 'IfNotPresent';
}

/** The project's pull secrets and the job's own, each once. */
function mergePullSecrets(defaults: JobDefaults | undefined, spec: JobSpec): EffectiveJob['imagePullSecrets'] {
  return [...new Set([...(defaults?.imagePullSecrets ?? []), ...(spec.imagePullSecrets ?? [])])];
}

function timeoutSeconds(defaults: JobDefaults | undefined, spec: JobSpec): EffectiveJob['timeoutSeconds'] {
  return spec.timeoutSeconds ?? defaults?.timeoutSeconds ?? DEFAULTS.jobTimeoutSeconds;
}

export function effectiveJob(job: JobCR, project: Project): EffectiveJob {
  const spec = job.spec;
  const defaults = project.spec.jobDefaults;
  return {
    spec,
    envSecretName: jobSecretName(job.metadata.name ?? ''),
    image: spec.image ?? defaults?.image,
    imagePullPolicy: pullPolicy(spec, project),
    imagePullSecrets: mergePullSecrets(defaults, spec),
    serviceAccountName: spec.serviceAccountName ?? defaults?.serviceAccountName,
    resources: mergeResources(defaults?.resources, spec.resources),
    host: mergeHost(defaults?.host, spec.host),
    timeoutSeconds: timeoutSeconds(defaults, spec),
    ttlSecondsAfterFinished: defaults?.ttlSecondsAfterFinished ?? DEFAULTS.ttlSecondsAfterFinished,
    shell: spec.shell ?? DEFAULTS.shell,
    mountPath: spec.mountPath ?? DEFAULTS.mountPath,
    useSource: spec.useSource ?? true,
  };
}
