// Job reconcile: translate the Job CR and create its child batch Job (with env Secret and PVCs), then
// follow the batch Job and its pod; when it ends, keep the log and record the result.
import type { CachedBatchJob, CachedPod } from '../cached-objects.ts';
import { API_VERSION, LABELS } from '../../api/constants.ts';
import { jobSecretName } from '../../api/names.ts';
import type { Build, JobCR, JobStatus, Project } from '../../api/types.ts';
import { JOB_CONTAINER } from '../../jobs/index.ts';
import type { Translation } from '../../jobs/types.ts';
import { KubeApiError, isAlreadyExists, isNotFound } from '../../kube/errors.ts';
import { tail } from '../../util/text.ts';
import type { Request, Result } from '../runtime/controller.ts';
import { keyOf } from '../runtime/controller.ts';
import type { ControllerDeps } from '../shared/deps.ts';
import { readJobSecretValues } from '../shared/project-secrets.ts';
import { INDEX } from '../caches.ts';
import type { LastWritten } from '../shared/last-written.ts';
import { jobLogCap } from '../shared/log-bounds.ts';
import { childJobNameOf, knownChildJob } from '../shared/child-job.ts';
import { deleteChildJob, stoppedChildStillThere } from '../shared/stopped-child.ts';
import { archiveJobLog, needsArchive } from './archive.ts';
import { keepJobLog, readJobLog } from './logs.ts';
import type { JobLog, KeptLogPlace } from './logs.ts';
import { setCondition } from '../../api/conditions.ts';
import { reuseResult } from './reuse.ts';
import type { JobSlots } from './slots.ts';
import { isTerminalPhase, jobStatusChanged, observeJob, statusFor } from './state.ts';
import type { Observation } from './state.ts';

/** What a job's end is told with (log line and Events), kept until it is told. */
export interface JobEnd {
  obs: Observation;
  /** Whether the job's pod ran (a log was read or found unavailable). */
  ran: boolean;
  logUnavailable?: string;
}

export interface JobRuntime {
  slots: JobSlots;
  /**
   * Job CR keys whose child this process created (or first found) and told (JobCreated), until the
   * status records the child: a reconcile before the batch Job cache catches up does not create it
   * again, and the creation is told once.
   */
  createdHere: Set<string>;
  /** Job CR key -> an end whose terminal write was sent but whose Events are not recorded (reply lost). */
  unannouncedEnds: Map<string, JobEnd>;
  /** The Job CRs as this controller's own last status writes returned them, while the cache lags. */
  written: LastWritten<JobCR>;
}

/**
 * The one status write of a step: a conditional merge patch of what changed on top of `job` (the
 * freshest view: the cache's, or our own last write while the cache has not caught up), remembered
 * until the cache has it. No read first; a 409 means someone else changed the job, and the reconcile
 * starts over.
 */
async function write(deps: ControllerDeps, rt: JobRuntime, job: JobCR, status: JobStatus): Promise<void> {
  const out = await deps.objects.writeStatus('Job', job, status);
  rt.written.record(job, out, deps.caches.jobs.get(job.metadata.namespace, job.metadata.name ?? ''));
}

export async function reconcileJob(deps: ControllerDeps, rt: JobRuntime, req: Request): Promise<Result | undefined> {
  const { slots } = rt;
  const job = rt.written.fresh(deps.caches.jobs.get(req.namespace, req.name));
  if (job) await tellUntold(deps, rt, job);
  const key = keyOf(req.namespace, req.name);
  if (!job || job.metadata.deletionTimestamp || isTerminalPhase(job.status?.phase)) {
    slots.release(req);
    rt.createdHere.delete(key);
    if (job && stoppedChildStillThere(deps, job)) await deleteChildJob(deps, job);
    if (job) await archiveIfNeeded(deps, job);
    else {
      rt.unannouncedEnds.delete(key);
      rt.written.forget(req.namespace, req.name);
    }
    return;
  }
  const build = deps.caches.builds.get(req.namespace, job.spec.build) as Build | undefined;
  if (!build) return; // the Job CR goes with its Build (garbage collection)
  const project = deps.caches.projects.get(req.namespace, job.spec.project) as Project | undefined;
  if (!project) {
    await finish(
      deps,
      rt,
      job,
      { phase: 'Failed', reason: 'ProjectNotFound', message: `project ${job.spec.project} does not exist` },
      [],
    );
    return;
  }
  const child = childOf(deps, rt, job, key);
  if (child === undefined) await create(deps, rt, job, build, project);
  else return follow(deps, rt, job, project, child);
  return undefined;
}

/** The child batch Job's name: recorded, cached, or created here and not cached yet; undefined: none. */
function childOf(deps: ControllerDeps, rt: JobRuntime, job: JobCR, key: string): string | undefined {
  if (job.status?.jobName) rt.createdHere.delete(key);
  return knownChildJob(deps, job) ?? (rt.createdHere.has(key) ? childJobNameOf(job) : undefined);
}

/**
 * The Events of writes that landed with their reply lost, once the cache shows them (best effort
 * across operator restarts: the status is the record).
 */
async function tellUntold(deps: ControllerDeps, rt: JobRuntime, job: JobCR): Promise<void> {
  const key = keyOf(job.metadata.namespace, job.metadata.name ?? '');
  const ended = rt.unannouncedEnds.get(key);
  if (isTerminalPhase(job.status?.phase) && ended) {
    rt.unannouncedEnds.delete(key);
    await announceJobEnd(deps, job, ended);
  }
}

/** A finished job's kept log still to copy to the log archive (after its terminal status, level-triggered). */
async function archiveIfNeeded(deps: ControllerDeps, job: JobCR): Promise<void> {
  if (!job.metadata.deletionTimestamp && needsArchive(deps, job)) await archiveJobLog(deps, job);
}

async function create(deps: ControllerDeps, rt: JobRuntime, job: JobCR, build: Build, project: Project): Promise<void> {
  if (await reuseResult(deps, job)) return;
  const result = deps.translate({ job, project, build });
  if (result.refused) {
    await finish(deps, rt, job, { phase: 'Failed', reason: result.reason, message: result.message }, []);
    return;
  }
  if (!envSecretReady(deps, job)) return; // the job-secrets informer re-enqueues when it appears
  if (!rt.slots.acquire(job, project))
    return setStatus(deps, rt, job, {
      phase: 'Pending',
      reason: 'Queued',
      message: 'waiting for a slot (project policy.maxConcurrentJobs)',
    });
  await createChildren(deps, result);
  // No status write here: the first one with something to say (the pod running, unschedulable, or
  // the end) records the child too. One API write less per job.
  const name = result.batchJob.metadata?.name ?? '';
  rt.createdHere.add(keyOf(job.metadata.namespace, job.metadata.name ?? ''));
  deps.logger.info({ ...fields(job), batchJob: name, placement: result.placement }, 'job created');
  if (allJobEvents(deps))
    await deps.recorder.normal(ref(job), 'JobCreated', `created batch Job ${name} (placement ${result.placement})`);
}

function envSecretReady(deps: ControllerDeps, job: JobCR): boolean {
  const secret = jobSecretName(job.metadata.name ?? '');
  const needs = job.spec.env?.some((e) => e.valueFrom?.secretKeyRef?.name === secret) ?? false;
  return !needs || deps.caches.jobSecrets.get(job.metadata.namespace, secret) !== undefined;
}

async function createChildren(deps: ControllerDeps, t: Translation): Promise<void> {
  const namespace = t.batchJob.metadata?.namespace ?? '';
  for (const { claim } of t.claims) {
    await createIgnoringExisting(`PVC ${claim.metadata?.name}`, () =>
      deps.clients.core.createNamespacedPersistentVolumeClaim({ namespace, body: claim }),
    );
  }
  await createIgnoringExisting(`batch Job ${t.batchJob.metadata?.name}`, () =>
    deps.clients.batch.createNamespacedJob({ namespace, body: t.batchJob }),
  );
}

async function createIgnoringExisting(what: string, create: () => Promise<unknown>): Promise<void> {
  try {
    await create();
  } catch (err) {
    if (!isAlreadyExists(err)) throw new KubeApiError(`create ${what}`, { cause: err });
  }
}

async function follow(
  deps: ControllerDeps,
  rt: JobRuntime,
  job: JobCR,
  project: Project,
  child: string,
): Promise<Result | undefined> {
  await tellFoundChild(deps, rt, job, child);
  const batchJob = await childJob(deps, job, child);
  const { pod, obs } = await observeChild(deps, job, child, batchJob);
  if (isTerminalPhase(obs.phase)) {
    await finish(deps, rt, job, obs, await readJobSecretValues(deps.clients.core, project, job), {
      pod,
      maxLogBytes: jobLogCap(deps, project),
    });
    return undefined;
  }
  const before = job.status?.phase;
  const delay = pendingWriteDelay(deps, job, batchJob, obs);
  if (delay === 0) return undefined;
  if (delay !== undefined) return { requeueAfterMs: delay };
  await setStatus(deps, rt, job, obs);
  if (obs.phase === 'Running' && before !== 'Running' && allJobEvents(deps))
    await deps.recorder.normal(ref(job), 'JobStarted', `pod ${obs.podName ?? ''} running on ${obs.nodeName ?? '?'}`);
  if (obs.reason === 'Unschedulable' && job.status?.reason !== 'Unschedulable')
    await deps.recorder.warning(ref(job), 'Unschedulable', obs.message ?? '');
  return undefined;
}

/** What the child and its pod say; the pod from the API only when the job would end without it. */
async function observeChild(
  deps: ControllerDeps,
  job: JobCR,
  child: string,
  batchJob: CachedBatchJob | undefined,
): Promise<{ pod: CachedPod | undefined; obs: Observation }> {
  const observe = (pod: CachedPod | undefined): Observation => ({
    ...observeJob({ batchJob, pod, container: JOB_CONTAINER, now: now(deps) }),
    jobName: child,
  });
  const cached = newestPod(deps, batchJob);
  const obs = observe(cached);
  if (cached || !isTerminalPhase(obs.phase)) return { pod: cached, obs };
  const pod = await podFromApi(deps, job, child, batchJob);
  return pod ? { pod, obs: observe(pod) } : { pod, obs };
}

/**
 * A child this process did not create and the status does not record yet: the create's reply was
 * lost and the retry found it, or the operator restarted between the two. Told now, once.
 */
async function tellFoundChild(deps: ControllerDeps, rt: JobRuntime, job: JobCR, child: string): Promise<void> {
  const key = keyOf(job.metadata.namespace, job.metadata.name ?? '');
  if (job.status?.jobName || rt.createdHere.has(key)) return;
  rt.createdHere.add(key);
  if (allJobEvents(deps)) await deps.recorder.normal(ref(job), 'JobCreated', `created batch Job ${child}`);
}

/** The child from the cache; when the cache does not have it (yet), the API decides whether it is gone. */
async function childJob(deps: ControllerDeps, job: JobCR, name: string): Promise<CachedBatchJob | undefined> {
  const namespace = job.metadata.namespace ?? '';
  const cached = deps.caches.batchJobs.get(namespace, name);
  if (cached) return cached;
  try {
    return await deps.clients.batch.readNamespacedJob({ namespace, name });
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw new KubeApiError(`read batch Job ${namespace}/${name}`, { cause: err });
  }
}

/**
 * The pod, from the API, of a batch Job that has started one when the pod cache does not know it
 * (its watch is reconnecting): a job must not be finished as if no pod had run, without its log.
 * Asked only when the job would end without it: while it runs, the pod's own watch event brings the
 * next step, and a list then would be a read per job whenever the batch Job's update came first.
 */
async function podFromApi(
  deps: ControllerDeps,
  job: JobCR,
  child: string,
  batchJob: CachedBatchJob | undefined,
): Promise<CachedPod | undefined> {
  const s = batchJob?.status;
  const uid = batchJob?.metadata?.uid;
  if (!s || !uid || (s.active ?? 0) + (s.succeeded ?? 0) + (s.failed ?? 0) === 0) return undefined;
  const namespace = job.metadata.namespace ?? '';
  try {
    const list = await deps.clients.core.listNamespacedPod({
      namespace,
      labelSelector: `${LABELS.job}=${job.metadata.name ?? ''}`,
    });
    return newest(list.items.filter((p) => p.metadata?.ownerReferences?.some((r) => r.uid === uid)));
  } catch (err) {
    throw new KubeApiError(`list the pods of batch Job ${namespace}/${child}`, { cause: err });
  }
}

/** The most recently created pod (timestamps are strings from the cache, Dates from the typed client). */
function newest(pods: CachedPod[]): CachedPod | undefined {
  const created = (p: CachedPod): number => new Date(p.metadata?.creationTimestamp ?? 0).getTime();
  return pods.sort((a, b) => created(b) - created(a))[0];
}

function newestPod(deps: ControllerDeps, batchJob: CachedBatchJob | undefined): CachedPod | undefined {
  const uid = batchJob?.metadata?.uid;
  if (!uid) return undefined;
  return newest(deps.caches.pods.byIndex(INDEX.owner, uid));
}

/**
 * Terminal: keep the log (once), hand it to this process's Build session, then write the final
 * status; the Build's runJob resolves on it.
 */
async function finish(
  deps: ControllerDeps,
  rt: JobRuntime,
  job: JobCR,
  obs: Observation,
  secrets: readonly string[],
  from?: { pod: CachedPod | undefined; maxLogBytes: number },
): Promise<void> {
  const { log, place } = await keepLog(deps, job, obs, secrets, from);
  const status = terminalStatus(deps, job, obs, log, place);
  const key = keyOf(job.metadata.namespace, job.metadata.name ?? '');
  const ending: JobEnd = {
    obs,
    ran: log !== undefined,
    ...(log?.kind === 'unavailable' ? { logUnavailable: log.why } : {}),
  };
  rt.unannouncedEnds.set(key, ending);
  // Conditional on the version the decision was made from. A write whose reply was lost meets 409 on
  // its retry; so does one that lost to a cancel: either way the reconcile starts over, sees the
  // terminal phase, and tellUntold() announces the end if it was ours.
  await write(deps, rt, job, status);
  rt.unannouncedEnds.delete(key);
  await announceJobEnd(deps, job, ending);
}

/** Reads, keeps and hands over the log of a job whose pod ran (nothing for one that never had a pod). */
async function keepLog(
  deps: ControllerDeps,
  job: JobCR,
  obs: Observation,
  secrets: readonly string[],
  from: { pod: CachedPod | undefined; maxLogBytes: number } | undefined,
): Promise<{ log?: JobLog; place?: KeptLogPlace }> {
  if (obs.podName === undefined || !from?.pod) return {};
  const log = await readJobLog(deps, job, from.pod, secrets, from.maxLogBytes);
  if (log.kind !== 'read') return { log };
  const place = await keepJobLog(deps, job, log);
  deps.keptLogs?.put(job.metadata.uid ?? '', log.text);
  return { log, place };
}

function terminalStatus(
  deps: ControllerDeps,
  job: JobCR,
  obs: Observation,
  log: JobLog | undefined,
  place: KeptLogPlace | undefined,
): JobStatus {
  const base = statusFor(job, { ...obs, completionTime: obs.completionTime ?? now(deps).toISOString() }, now(deps));
  return {
    ...base,
    ...(log?.kind === 'read' ? { logTail: tail(log.text, deps.settings.logTailChars) } : {}),
    ...(place ? { log: place } : {}),
    ...(log ? { conditions: setCondition(base.conditions, logCondition(log), now(deps)) } : {}),
  };
}

async function announceJobEnd(deps: ControllerDeps, job: JobCR, end: JobEnd): Promise<void> {
  const { obs } = end;
  if (end.logUnavailable !== undefined) await deps.recorder.warning(ref(job), 'JobLogUnavailable', end.logUnavailable);
  deps.logger.info(
    { ...fields(job), phase: obs.phase, reason: obs.reason, exitCode: obs.exitCode, node: obs.nodeName },
    'job ended',
  );
  await recordJobEnd(deps, job, obs, end.ran);
}

async function recordJobEnd(deps: ControllerDeps, job: JobCR, obs: Observation, ran: boolean): Promise<void> {
  const msg = `${obs.reason ?? obs.phase}${obs.message ? `: ${obs.message}` : ''}`;
  if (obs.phase === 'Succeeded') {
    if (allJobEvents(deps)) await deps.recorder.normal(ref(job), 'JobSucceeded', `exit code ${obs.exitCode ?? 0}`);
  } else if (
    obs.reason &&
    !ran &&
    obs.phase === 'Failed' &&
    ['PolicyViolation', 'UnsupportedOnVirtualNode', 'InvalidJob'].includes(obs.reason)
  )
    await deps.recorder.warning(ref(job), 'JobRefused', msg);
  else await deps.recorder.warning(ref(job), obs.phase === 'TimedOut' ? 'JobTimedOut' : 'JobFailed', msg);
}

/** LogKept: whether the job's log was read and kept, or why it could not be. */
function logCondition(log: JobLog): { type: string; status: 'True' | 'False'; reason: string; message: string } {
  return log.kind === 'read'
    ? { type: 'LogKept', status: 'True', reason: 'Kept', message: 'the pod log is kept with the job' }
    : { type: 'LogKept', status: 'False', reason: 'LogUnavailable', message: log.why.slice(0, 1024) };
}

/**
 * The pod of a Pending job is on its way (scheduled, its containers being made): nothing a user acts
 * on, so no status write for each step; the next one (Running, or a reason such as ImagePullBackOff)
 * carries the pod, node and start time. A write per step would be two more API writes per job.
 */
const ROUTINE_PENDING = new Set([undefined, 'Created', 'ContainerCreating', 'PodInitializing']);
/**
 * How long a just-created job stays without a status while its pod is on its way. Most pods run
 * within it, and their first write says Running; one that takes longer (an image pull, a volume
 * that never mounts) is shown Pending, so no job sits without a phase for long.
 */
const QUIET_START_MS = 5_000;

/**
 * Whether a Pending observation is written: undefined, yes; 0, no (the status already says as
 * much); more, not yet: look again in that many milliseconds.
 */
function pendingWriteDelay(
  deps: ControllerDeps,
  job: JobCR,
  batchJob: CachedBatchJob | undefined,
  obs: Observation,
): number | undefined {
  if (obs.phase !== 'Pending' || !ROUTINE_PENDING.has(obs.reason)) return undefined;
  const s = job.status;
  if (s?.phase === 'Pending' && s.reason !== 'Queued') return 0;
  if (s?.phase !== undefined) return undefined; // Queued: that wait is over
  const created = new Date(batchJob?.metadata?.creationTimestamp ?? job.metadata.creationTimestamp ?? 0).getTime();
  const left = created + QUIET_START_MS - deps.clock.now();
  return left > 0 ? Math.ceil(left) : undefined;
}

async function setStatus(deps: ControllerDeps, rt: JobRuntime, job: JobCR, obs: Observation): Promise<void> {
  const status = statusFor(job, obs, now(deps));
  if (!jobStatusChanged(job.status, status)) return;
  await write(deps, rt, job, status);
}

/** Whether the Normal Events of a job are written too (setting jobEvents; warnings always are). */
const allJobEvents = (deps: ControllerDeps): boolean => (deps.settings.jobEvents ?? 'all') === 'all';

const fields = (job: JobCR): Record<string, string | undefined> => ({
  project: job.spec.project,
  build: job.spec.build,
  job: job.spec.name,
});
const now = (deps: ControllerDeps): Date => new Date(deps.clock.now());
const ref = (job: JobCR): { apiVersion: string; kind: string; metadata: JobCR['metadata'] } => ({
  apiVersion: API_VERSION,
  kind: 'Job',
  metadata: job.metadata,
});
