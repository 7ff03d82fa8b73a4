// Pure decisions of the batch/v1 Job controller: given a Job and the pods it owns, what status it
// should have, which pods to create or delete, which events to record and when to look again.
// Conditions follow Kubernetes 1.35: SuccessCriteriaMet then Complete, FailureTarget then Failed,
// the terminal condition being added only once no pod of the Job is still running or terminating.

import { findCondition, isConditionTrue, rfc3339, setCondition } from './conditions.ts';
import { isPodTerminal, type Condition, type JobObject, type JobStatus, type Pod } from './kube-types.ts';

export const DEFAULT_BACKOFF_LIMIT = 6;

export interface JobEventSpec {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

export interface JobDecision {
  status: JobStatus;
  createPods: number;
  deletePods: string[];
  events: JobEventSpec[];
  /** Look again after this many ms (the active deadline). */
  requeueAfterMs?: number;
  /** The Job finished and its TTL ran out: delete it (background propagation). */
  deleteJob?: boolean;
  /** The Job finished: delete it after this many ms. */
  ttlAfterMs?: number;
}

export interface JobInput {
  job: JobObject;
  /** The pods whose controller ownerReference is this Job. */
  pods: Pod[];
  now: Date;
  /** Pods of this Job deleted while still running, which count as failed (no tracking finalizers here). */
  lostPods?: number;
}

const REASONS = {
  completions: { reason: 'CompletionsReached', message: 'Reached expected number of succeeded pods' },
  backoff: { reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' },
  deadline: { reason: 'DeadlineExceeded', message: 'Job was active longer than specified deadline' },
} as const;

export function isJobFinished(job: JobObject): boolean {
  return isConditionTrue(job.status?.conditions, 'Complete') || isConditionTrue(job.status?.conditions, 'Failed');
}

/** When the Job reached Complete or Failed. */
export function jobFinishTime(job: JobObject): Date | undefined {
  const cond = [
    findCondition(job.status?.conditions, 'Complete'),
    findCondition(job.status?.conditions, 'Failed'),
  ].find((c) => c?.status === 'True');
  const at = job.status?.completionTime ?? cond?.lastTransitionTime;
  return at ? new Date(at) : undefined;
}

function ttlDecision(job: JobObject, now: Date): Pick<JobDecision, 'deleteJob' | 'ttlAfterMs'> {
  const ttl = job.spec.ttlSecondsAfterFinished;
  const finished = jobFinishTime(job);
  if (ttl === undefined || ttl === null || !finished) return {};
  const due = finished.getTime() + ttl * 1000;
  return due <= now.getTime() ? { deleteJob: true } : { ttlAfterMs: due - now.getTime() };
}

function isReady(pod: Pod): boolean {
  return isConditionTrue(pod.status?.conditions, 'Ready');
}

interface PodCounts {
  active: Pod[];
  terminating: number;
  succeeded: number;
  failed: number;
  ready: number;
}

function countPods(input: JobInput): PodCounts {
  const status = input.job.status ?? {};
  const active = input.pods.filter((p) => !isPodTerminal(p) && !p.metadata.deletionTimestamp);
  const terminating = input.pods.filter((p) => !isPodTerminal(p) && p.metadata.deletionTimestamp).length;
  const succeededNow = input.pods.filter((p) => p.status?.phase === 'Succeeded').length;
  const failedNow = input.pods.filter((p) => p.status?.phase === 'Failed').length + (input.lostPods ?? 0);
  // Counts never go down: pods of a running Job may be garbage-collected or deleted by hand.
  return {
    active,
    terminating,
    succeeded: Math.max(status.succeeded ?? 0, succeededNow),
    failed: Math.max(status.failed ?? 0, failedNow),
    ready: active.filter(isReady).length,
  };
}

function withCondition(
  conditions: Condition[] | undefined,
  type: string,
  status: 'True' | 'False',
  why: { reason: string; message: string },
  now: Date,
): Condition[] {
  // Job conditions carry lastProbeTime as well, unlike pod conditions.
  return setCondition(
    conditions,
    { type, status, reason: why.reason, message: why.message, lastProbeTime: rfc3339(now) },
    now,
  );
}

/** Which interim condition the Job reaches now, if any: success first, then backoff, then deadline. */
function interimTarget(
  input: JobInput,
  counts: PodCounts,
  startTime: Date,
): { type: string; why: { reason: string; message: string } } | undefined {
  const spec = input.job.spec;
  if (counts.succeeded >= (spec.completions ?? 1)) return { type: 'SuccessCriteriaMet', why: REASONS.completions };
  if (counts.failed > (spec.backoffLimit ?? DEFAULT_BACKOFF_LIMIT))
    return { type: 'FailureTarget', why: REASONS.backoff };
  const deadline = spec.activeDeadlineSeconds;
  if (deadline !== undefined && input.now.getTime() >= startTime.getTime() + deadline * 1000)
    return { type: 'FailureTarget', why: REASONS.deadline };
  return undefined;
}

function baseStatus(input: JobInput, counts: PodCounts): JobStatus {
  const status: JobStatus = { ...input.job.status };
  for (const field of ['active', 'succeeded', 'failed'] as const) delete status[field];
  if (counts.active.length > 0) status.active = counts.active.length;
  if (counts.succeeded > 0) status.succeeded = counts.succeeded;
  if (counts.failed > 0) status.failed = counts.failed;
  status.terminating = counts.terminating;
  status.ready = counts.ready;
  return status;
}

function suspendDecision(input: JobInput, counts: PodCounts): JobDecision {
  const status = baseStatus(input, counts);
  const events: JobEventSpec[] = [];
  if (!isConditionTrue(status.conditions, 'Suspended')) {
    status.conditions = withCondition(
      status.conditions,
      'Suspended',
      'True',
      { reason: 'JobSuspended', message: 'Job suspended' },
      input.now,
    );
    events.push({ type: 'Normal', reason: 'Suspended', message: 'Job suspended' });
  }
  return { status, createPods: 0, deletePods: counts.active.map((p) => p.metadata.name ?? ''), events };
}

export function decideJob(input: JobInput): JobDecision {
  const { job, now } = input;
  if (isJobFinished(job))
    return { status: job.status ?? {}, createPods: 0, deletePods: [], events: [], ...ttlDecision(job, now) };
  const counts = countPods(input);
  if (job.spec.suspend) return suspendDecision(input, counts);
  const status = baseStatus(input, counts);
  const events: JobEventSpec[] = [];
  if (isConditionTrue(status.conditions, 'Suspended')) {
    status.conditions = withCondition(
      status.conditions,
      'Suspended',
      'False',
      { reason: 'JobResumed', message: 'Job resumed' },
      now,
    );
    status.startTime = rfc3339(now);
    events.push({ type: 'Normal', reason: 'Resumed', message: 'Job resumed' });
  }
  status.startTime ??= rfc3339(now);
  const startTime = new Date(status.startTime);

  let target = ['SuccessCriteriaMet', 'FailureTarget']
    .map((type) => findCondition(status.conditions, type))
    .find((c) => c?.status === 'True');
  const decision: JobDecision = { status, createPods: 0, deletePods: [], events };
  if (!target) {
    const next = interimTarget(input, counts, startTime);
    if (next) {
      status.conditions = withCondition(status.conditions, next.type, 'True', next.why, now);
      target = findCondition(status.conditions, next.type);
      if (next.type === 'FailureTarget') {
        // Running pods are killed and, as upstream, counted as failed.
        status.failed = counts.failed + counts.active.length;
        events.push({ type: 'Warning', reason: next.why.reason, message: next.why.message });
      }
    }
  }
  if (target) return finishDecision(decision, counts, target, now);
  return scaleDecision(input, decision, counts, startTime);
}

function scaleDecision(input: JobInput, decision: JobDecision, counts: PodCounts, startTime: Date): JobDecision {
  const spec = input.job.spec;
  const remaining = (spec.completions ?? 1) - counts.succeeded;
  const wanted = Math.min(spec.parallelism ?? 1, remaining);
  decision.createPods = Math.max(0, wanted - counts.active.length - counts.terminating);
  if (spec.activeDeadlineSeconds !== undefined) {
    decision.requeueAfterMs = Math.max(
      0,
      startTime.getTime() + spec.activeDeadlineSeconds * 1000 - input.now.getTime(),
    );
  }
  return decision;
}

function finishDecision(decision: JobDecision, counts: PodCounts, target: Condition, now: Date): JobDecision {
  const { status } = decision;
  decision.deletePods = counts.active.map((p) => p.metadata.name ?? '');
  const stillRunning = counts.active.length + counts.terminating;
  if (stillRunning > 0) return decision;
  const why = { reason: target.reason ?? '', message: target.message ?? '' };
  if (target.type === 'SuccessCriteriaMet') {
    status.conditions = withCondition(status.conditions, 'Complete', 'True', why, now);
    status.completionTime = rfc3339(now);
    decision.events.push({ type: 'Normal', reason: 'Completed', message: 'Job completed' });
  } else {
    status.conditions = withCondition(status.conditions, 'Failed', 'True', why, now);
  }
  delete status.active;
  return decision;
}

const NAME_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** Five characters from the alphabet the apiserver uses for generateName suffixes. */
export function randomSuffix(random: () => number = Math.random): string {
  let out = '';
  for (let i = 0; i < 5; i++) out += NAME_ALPHABET[Math.floor(random() * NAME_ALPHABET.length)];
  return out;
}

/** The pod a Job creates from its template: `<job>-<5 chars>`, lookup labels, controller ownerReference. */
export function podForJob(job: JobObject, suffix: string): Pod {
  const jobName = job.metadata.name ?? '';
  const uid = job.metadata.uid ?? '';
  const template = job.spec.template;
  const labels = {
    ...template.metadata?.labels,
    'batch.kubernetes.io/controller-uid': uid,
    'batch.kubernetes.io/job-name': jobName,
    'controller-uid': uid,
    'job-name': jobName,
  };
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `${jobName.slice(0, 58)}-${suffix}`,
      namespace: job.metadata.namespace,
      labels,
      ...(template.metadata?.annotations ? { annotations: { ...template.metadata.annotations } } : {}),
      ownerReferences: [
        { apiVersion: 'batch/v1', kind: 'Job', name: jobName, uid, controller: true, blockOwnerDeletion: true },
      ],
    },
    spec: structuredClone(template.spec),
  };
}
