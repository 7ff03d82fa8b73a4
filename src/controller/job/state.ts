// Pure decisions of the Job controller: what the child batch Job and its pod say about the job.
import type { V1ContainerStateTerminated } from '@kubernetes/client-node';
import type { CachedBatchJob, CachedContainerStatus, CachedPod } from '../cached-objects.ts';
import { setCondition } from '../../api/conditions.ts';
import type { JobCR, JobPhase, JobStatus } from '../../api/types.ts';
import { formatDuration } from '../../util/text.ts';

export interface Observation {
  phase: JobPhase;
  reason?: string;
  message?: string;
  podName?: string;
  nodeName?: string;
  exitCode?: number;
  startTime?: string;
  completionTime?: string;
  /** The child batch Job: recorded with the first status write after it is created. */
  jobName?: string;
}

export const TERMINAL: readonly JobPhase[] = ['Succeeded', 'Failed', 'TimedOut', 'Cancelled'];
export const isTerminalPhase = (phase: JobPhase | undefined): boolean =>
  phase !== undefined && TERMINAL.includes(phase);

const iso = (d: Date | string | undefined): string | undefined =>
  d === undefined ? undefined : new Date(d).toISOString();

function jobContainer(pod: CachedPod | undefined, container: string): CachedContainerStatus | undefined {
  const statuses = pod?.status?.containerStatuses ?? [];
  return statuses.find((c) => c.name === container) ?? statuses[0];
}

function jobCondition(
  batchJob: CachedBatchJob,
  ...types: string[]
): { reason?: string; message?: string; lastTransitionTime?: Date } | undefined {
  for (const type of types) {
    const found = batchJob.status?.conditions?.find((c) => c.type === type && c.status === 'True');
    if (found) return found;
  }
  return undefined;
}

export interface ObserveInput {
  batchJob: CachedBatchJob | undefined;
  pod: CachedPod | undefined;
  container: string;
  now: Date;
}

/** The job's state from its child batch Job and pod (the newest one, when there are several). */
export function observeJob(input: ObserveInput): Observation {
  const { batchJob, pod, now } = input;
  const c = jobContainer(pod, input.container);
  const terminated = c?.state?.terminated;
  const base = baseObservation(pod, c);
  if (!batchJob)
    return {
      ...base,
      phase: 'Failed',
      reason: 'ChildJobMissing',
      message: 'the batch/v1 Job was deleted before the job finished',
      completionTime: now.toISOString(),
    };
  return endedObservation(base, batchJob, pod, terminated, now) ?? unfinishedObservation(base, pod, c);
}

/** What the pod says whatever the phase: its name, node, start time and the job container's exit code. */
function baseObservation(pod: CachedPod | undefined, c: CachedContainerStatus | undefined): Observation {
  const terminated = c?.state?.terminated;
  return {
    phase: 'Pending',
    ...(pod?.metadata?.name ? { podName: pod.metadata.name } : {}),
    ...(pod?.spec?.nodeName ? { nodeName: pod.spec.nodeName } : {}),
    ...(terminated ? { exitCode: terminated.exitCode } : {}),
    ...(startOf(c, pod) ? { startTime: startOf(c, pod) } : {}),
  };
}

/** The terminal observation (timed out, failed, succeeded), or undefined while the job still runs. */
function endedObservation(
  base: Observation,
  batchJob: CachedBatchJob,
  pod: CachedPod | undefined,
  terminated: V1ContainerStateTerminated | undefined,
  now: Date,
): Observation | undefined {
  // Since Kubernetes 1.31 the Job controller sets FailureTarget (SuccessCriteriaMet) the moment the
  // outcome is decided and Failed (Complete) only once every pod has terminated, which for a job past
  // its deadline is after the pod's termination grace period: the outcome is the earlier condition.
  const deadline = jobCondition(batchJob, 'Failed', 'FailureTarget');
  const end = endOf(batchJob, terminated, deadline, now);
  if (deadline?.reason === 'DeadlineExceeded')
    return {
      ...base,
      phase: 'TimedOut',
      reason: 'DeadlineExceeded',
      message: deadline.message ?? 'the job ran past its timeout',
      completionTime: end,
    };
  if (pod?.status?.phase === 'Failed' || deadline)
    return { ...base, ...failure(pod, terminated, deadline), phase: 'Failed', completionTime: end };
  if (pod?.status?.phase === 'Succeeded' || jobCondition(batchJob, 'Complete', 'SuccessCriteriaMet'))
    return { ...base, phase: 'Succeeded', reason: 'Completed', completionTime: end };
  return undefined;
}

/** When the job ended: the container's finish, else the batch Job's completion, else the deadline's condition. */
function endOf(
  batchJob: CachedBatchJob,
  terminated: V1ContainerStateTerminated | undefined,
  deadline: { lastTransitionTime?: Date } | undefined,
  now: Date,
): string {
  return (
    iso(terminated?.finishedAt) ??
    iso(batchJob.status?.completionTime) ??
    iso(deadline?.lastTransitionTime) ??
    now.toISOString()
  );
}

/** A job not finished yet: running, or pending with the reason the pod gives (unschedulable, waiting). */
function unfinishedObservation(
  base: Observation,
  pod: CachedPod | undefined,
  c: CachedContainerStatus | undefined,
): Observation {
  if (pod?.status?.phase === 'Running') return { ...base, phase: 'Running' };
  const unschedulable = pod?.status?.conditions?.find((x) => x.type === 'PodScheduled' && x.status === 'False');
  if (unschedulable)
    return { ...base, reason: unschedulable.reason ?? 'Unschedulable', message: unschedulable.message ?? '' };
  const waiting = c?.state?.waiting;
  if (waiting?.reason) return { ...base, reason: waiting.reason, message: waiting.message ?? '' };
  return base;
}

function startOf(c: CachedContainerStatus | undefined, pod: CachedPod | undefined): string | undefined {
  return iso(c?.state?.terminated?.startedAt) ?? iso(c?.state?.running?.startedAt) ?? iso(pod?.status?.startTime);
}

/** The init container (e.g. the source clone) that failed, when the pod never got to the job container. */
export function failedInitContainer(pod: CachedPod | undefined): { name: string; exitCode: number } | undefined {
  for (const status of pod?.status?.initContainerStatuses ?? []) {
    const t = status.state?.terminated;
    if (t && t.exitCode !== 0) return { name: status.name, exitCode: t.exitCode };
  }
  return undefined;
}

function failure(
  pod: CachedPod | undefined,
  terminated: { exitCode: number; reason?: string; message?: string } | undefined,
  cond: { reason?: string; message?: string } | undefined,
): { reason: string; message: string } {
  const init = terminated ? undefined : failedInitContainer(pod);
  if (init)
    return {
      reason: 'InitContainerFailed',
      message: `init container "${init.name}" exited with code ${init.exitCode} before the job container started`,
    };
  return { reason: failureReason(pod, terminated, cond), message: failureMessage(pod, terminated, cond) };
}

function failureReason(
  pod: CachedPod | undefined,
  terminated: { exitCode: number } | undefined,
  cond: { reason?: string } | undefined,
): string {
  return pod?.status?.reason ?? (terminated ? 'Error' : cond?.reason) ?? 'Failed';
}

function failureMessage(
  pod: CachedPod | undefined,
  terminated: { exitCode: number; message?: string } | undefined,
  cond: { message?: string } | undefined,
): string {
  return (
    pod?.status?.message ??
    terminated?.message ??
    (terminated ? `the job container exited with code ${terminated.exitCode}` : cond?.message) ??
    'the job failed'
  );
}

/** The Job CR status for an observation (the log tail is added by the caller when terminal). */
export function statusFor(job: JobCR, obs: Observation, now: Date): JobStatus {
  const start = Date.parse(obs.startTime ?? job.status?.startTime ?? '');
  const end = Date.parse(obs.completionTime ?? '');
  // Only a finished job has a duration: a status is written on changes, so a "so far" value would go stale.
  const duration = Number.isNaN(start) || Number.isNaN(end) ? undefined : formatDuration(end - start);
  const terminal = isTerminalPhase(obs.phase);
  const condition = terminal
    ? {
        type: 'Succeeded',
        status: obs.phase === 'Succeeded' ? ('True' as const) : ('False' as const),
        reason: obs.reason ?? obs.phase,
        message: (obs.message ?? '').slice(0, 1024),
      }
    : { type: 'Succeeded', status: 'Unknown' as const, reason: obs.phase };
  const status: JobStatus = {
    ...job.status,
    observedGeneration: job.metadata.generation,
    ...obs,
    conditions: setCondition(job.status?.conditions, condition, now),
  };
  if (!obs.reason) delete status.reason;
  if (!obs.message) delete status.message;
  if (duration) status.duration = duration;
  else delete status.duration;
  return status;
}

export function jobStatusChanged(before: JobStatus | undefined, after: JobStatus): boolean {
  return JSON.stringify(before) !== JSON.stringify(after);
}

/** Whether a not-yet-created job may create its child now under policy.maxConcurrentJobs. */
export function jobSlotFree(active: number, maxConcurrent: number | undefined): boolean {
  return maxConcurrent === undefined || active < maxConcurrent;
}
