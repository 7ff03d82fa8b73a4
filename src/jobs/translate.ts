// Job CR -> child batch/v1 Job (plus the PVCs it mounts), or a refusal. Pure: no I/O, no clock.
import type {
  V1Container,
  V1EnvVar,
  V1Job,
  V1LocalObjectReference,
  V1PodSpec,
  V1ResourceRequirements,
} from '@kubernetes/client-node';
import { childJobName } from '../api/names.ts';
import type { EnvVar, JobCR } from '../api/types.ts';
import { mountsServiceAccountToken } from './access.ts';
import { containerCommand } from './command.ts';
import { effectiveJob } from './effective.ts';
import type { EffectiveJob } from './effective.ts';
import { operatorLabels, ownedBy } from './objects.ts';
import { resolvePlacement, schedulingFor } from './placement.ts';
import type { Placement } from './placement.ts';
import { fullNodeFeatures, refusalFor } from './refusals.ts';
import { INLINE_CLONE_SCRIPT, cloneInitContainer, sourcePlan } from './source.ts';
import type { SourcePlan } from './source.ts';
import type { RequiredClaim, TranslateInput, TranslateResult } from './types.ts';
import { podVolumes } from './volumes.ts';

/** Name of the job container in the pod (logs are read from it). */
export const JOB_CONTAINER = 'job';
/** Annotations on the child Job and pod. */
export const ANNOTATIONS = {
  jobName: 'brigade.sh/job-name',
  placement: 'brigade.sh/placement',
} as const;

function containerEnv(plan: SourcePlan, env: readonly EnvVar[] | undefined): V1EnvVar[] {
  // Source variables first: a job's own variable of the same name comes later and wins.
  const own = (env ?? []).map((e): V1EnvVar =>
    e.valueFrom ? { name: e.name, valueFrom: structuredClone(e.valueFrom) } : { name: e.name, value: e.value ?? '' },
  );
  return [...(plan.mode === 'inline' ? plan.env : []), ...own];
}

function resourceRequirements(eff: EffectiveJob): V1ResourceRequirements | undefined {
  const { requests, limits } = eff.resources;
  const out: V1ResourceRequirements = {};
  if (Object.keys(requests).length > 0) out.requests = { ...requests };
  if (Object.keys(limits).length > 0) out.limits = { ...limits };
  return Object.keys(out).length > 0 ? out : undefined;
}

function jobContainer(eff: EffectiveJob, plan: SourcePlan, mounts: V1Container['volumeMounts']): V1Container {
  const resources = resourceRequirements(eff);
  const env = containerEnv(plan, eff.spec.env);
  return {
    name: JOB_CONTAINER,
    image: eff.image,
    imagePullPolicy: eff.imagePullPolicy,
    ...containerCommand(eff, plan.mode === 'inline' ? INLINE_CLONE_SCRIPT : undefined),
    ...(env.length > 0 ? { env } : {}),
    ...(mounts && mounts.length > 0 ? { volumeMounts: mounts } : {}),
    ...(resources ? { resources } : {}),
    ...(eff.spec.privileged ? { securityContext: { privileged: true } } : {}),
  };
}

function podSpec(
  eff: EffectiveJob,
  input: TranslateInput,
  placement: Placement,
): { spec: V1PodSpec; claims: RequiredClaim[] } {
  const plan = sourcePlan(eff, input.project, input.build, placement === 'regular');
  const vols = podVolumes(eff, input.project, input.build, plan);
  const pullSecrets: V1LocalObjectReference[] = eff.imagePullSecrets.map((name) => ({ name }));
  const spec: V1PodSpec = {
    restartPolicy: 'Never',
    // A job pod gets no API token unless the project's policy allows it, whichever account it runs as.
    ...(eff.serviceAccountName ? { serviceAccountName: eff.serviceAccountName } : {}),
    automountServiceAccountToken: mountsServiceAccountToken(input.project),
    ...(pullSecrets.length > 0 ? { imagePullSecrets: pullSecrets } : {}),
    ...schedulingFor(eff.host, placement),
    ...(plan.mode === 'init-container' ? { initContainers: [cloneInitContainer(plan, eff)] } : {}),
    containers: [jobContainer(eff, plan, vols.mounts)],
    ...(vols.volumes.length > 0 ? { volumes: vols.volumes } : {}),
  };
  return { spec, claims: vols.claims };
}

function podLabels(job: JobCR, name: string): Record<string, string> {
  const own = job.spec.labels ?? {};
  return { ...own, ...operatorLabels({ project: job.spec.project, build: job.spec.build, job: name }, 'job') };
}

/**
 * The child batch/v1 Job for a Job CR, with the project's jobDefaults merged under the job's own
 * settings, or a refusal that says which policy field or virtual-node limit stands in the way.
 */
export function translateJob(input: TranslateInput): TranslateResult {
  const { job, project } = input;
  const name = job.metadata.name;
  if (!name) return { refused: true, reason: 'InvalidJob', message: 'the Job resource has no metadata.name' };
  const eff = effectiveJob(job, project);
  const placement = resolvePlacement(eff.host, fullNodeFeatures(eff, project).length > 0);
  const refusal = refusalFor(eff, project, placement);
  if (refusal) return refusal;
  const { spec, claims } = podSpec(eff, input, placement);
  const labels = podLabels(job, name);
  const annotations = {
    ...job.spec.annotations,
    [ANNOTATIONS.jobName]: job.spec.name,
    [ANNOTATIONS.placement]: placement,
  };
  const owner = ownedBy('Job', job.metadata);
  const batchJob: V1Job = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: childJobName(name),
      namespace: job.metadata.namespace,
      labels: { ...labels },
      annotations: { [ANNOTATIONS.jobName]: job.spec.name, [ANNOTATIONS.placement]: placement },
      ...(owner ? { ownerReferences: owner } : {}),
    },
    spec: {
      backoffLimit: 0,
      activeDeadlineSeconds: eff.timeoutSeconds,
      ttlSecondsAfterFinished: eff.ttlSecondsAfterFinished,
      template: { metadata: { labels, annotations }, spec },
    },
  };
  return { refused: false, batchJob, claims, placement };
}
