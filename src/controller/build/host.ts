// The ScriptHost of a build session: runJob creates the Job CR (or attaches to the one this build
// already has: replay never runs a job twice) and resolves when the Job controller records a
// terminal phase, with the job's kept log.
import { ArchiveUnavailableError } from '../../archive/index.ts';
import { API_VERSION } from '../../api/constants.ts';
import { DEFAULTS } from '../../api/defaults.ts';
import { jobCrName, jobSecretName as jobEnvSecretName } from '../../api/names.ts';
import { JOB_CONTAINER, jobEnvSecret } from '../../jobs/index.ts';
import type { Build, JobCR, Project } from '../../api/types.ts';
import { apiMessage, isAlreadyExists, isNotFound, isTransient, KubeApiError } from '../../kube/errors.ts';
import { retryTransient } from '../../kube/retry.ts';
import type { JobOutcome, JobRequest, ReplayRecord } from '../../script/index.ts';
import { redact } from '../../util/redact.ts';
import { utf8Bytes } from '../../util/text.ts';
import { capLog, jobLogCap, withoutCutEnd } from '../shared/log-bounds.ts';
import type { ControllerDeps } from '../shared/deps.ts';
import { readJobSecretValues } from '../shared/project-secrets.ts';
import { readKeptJobLog } from '../shared/kept-log.ts';
import { InlineSecretError } from './inline-secrets.ts';
import { jobCrFor } from './job-request.ts';
import { JobAbortedError } from './job-waiters.ts';
import type { JobWaiters } from './job-waiters.ts';
import { reuseRefusal } from './reuse.ts';
import { isTerminalJob } from './state.ts';

export interface HostContext {
  deps: ControllerDeps;
  build: Build;
  project: Project;
  secrets: Record<string, string>;
  waiters: JobWaiters;
  signal: AbortSignal;
  /** Tells the Build controller that its jobs changed (summary). */
  touch: () => void;
  /** The script waits on a job that is not finished (or starts one): a replay has caught up. */
  live?: () => void;
}

/** The ScriptHost parts the controller provides (the session adds log). */
export function hostFor(ctx: HostContext): {
  runJob: (req: JobRequest, opts?: { signal?: AbortSignal }) => Promise<JobOutcome>;
  jobLogs: (name: string) => Promise<string>;
  recordReplay: (record: ReplayRecord) => Promise<void>;
} {
  return { runJob: runJobHost(ctx), jobLogs: jobLogsHost(ctx), recordReplay: recordReplayHost(ctx) };
}

/**
 * Keeps the script's clock readings in the Build status before a job that may depend on them is
 * created (the engine awaits this): a replay then returns the same readings, and a job named after
 * Date.now() attaches to the Job resource that exists. A merge patch of status.replay only.
 */
export function recordReplayHost(ctx: HostContext): (record: ReplayRecord) => Promise<void> {
  return async (record) => {
    const clock = record.clock.slice(0, DEFAULTS.replayClockValues);
    await untilDone(ctx, 'keep the clock readings of the script', () =>
      ctx.deps.objects.patchStatus('Build', ctx.build.metadata.namespace ?? '', ctx.build.metadata.name ?? '', {
        replay: { clock },
      }),
    );
  };
}

/**
 * job.logs() of a job still running: the pod's log so far (redacted, bounded like the kept log);
 * the kept log once the job ended; '' before it has a pod.
 */
export function jobLogsHost(ctx: HostContext): (jobName: string) => Promise<string> {
  return (jobName) =>
    untilDone(ctx, `read the log of job ${jobName}`, async () => {
      const namespace = ctx.build.metadata.namespace ?? '';
      const name = jobCrName(ctx.build.metadata.name ?? '', jobName);
      const job =
        (ctx.deps.caches.jobs.get(namespace, name) as JobCR | undefined) ??
        (await ctx.deps.objects.get('Job', namespace, name));
      if (!job) return '';
      if (isTerminalJob(job)) return keptLog(ctx.deps, job);
      const podName = job.status?.podName;
      if (!podName) return '';
      const cap = jobLogCap(ctx.deps, ctx.project);
      try {
        const raw = await ctx.deps.clients.core.readNamespacedPodLog({
          namespace,
          name: podName,
          container: JOB_CONTAINER,
          limitBytes: cap * 2,
        });
        const secrets = await readJobSecretValues(ctx.deps.clients.core, ctx.project, job);
        const cutByRead = utf8Bytes(raw) >= cap * 2;
        return capLog(redact(cutByRead ? withoutCutEnd(raw, secrets) : raw, secrets), cap, cutByRead).text;
      } catch (err) {
        if (isTransient(err)) throw err; // read again
        // Not started yet, or the pod is gone: what the status recorded is all there is for now.
        if (!isNotFound(err))
          ctx.deps.logger.debug({ job: name, err: apiMessage(err) }, 'could not read a running job log');
        return job.status?.logTail ?? '';
      }
    });
}

export function runJobHost(
  ctx: HostContext,
): (req: JobRequest, opts?: { signal?: AbortSignal }) => Promise<JobOutcome> {
  return async (req, opts) => {
    // A stopped session (cancel, timeout, operator shutdown) must not start anything new; an
    // evaluation replaced by a replay stops waiting (the replay asks again and attaches).
    // The engine aborts the evaluation's signal when the session's aborts too (the session ends), so
    // one signal is enough (AbortSignal.any per call cost thousands of linked signals and weak refs).
    const signal = opts?.signal ?? ctx.signal;
    const call = { ...ctx, signal };
    if (signal.aborted)
      throw new JobAbortedError(`job ${req.name} not started: the build session was stopped`, {
        cause: signal.reason,
      });
    const { namespace, name } = await startJob(call, req);
    ctx.touch();
    return outcomeWhenEnded(call, namespace, name, req.name);
  };
}

/** Waits for the job's end, holding only names (thousands of builds wait here at once), then its result. */
async function outcomeWhenEnded(
  ctx: HostContext,
  namespace: string,
  name: string,
  jobName: string,
): Promise<JobOutcome> {
  const final = await ctx.waiters.wait(namespace, name, ctx.signal);
  return outcomeOf(final, await untilDone(ctx, `read the kept log of job ${jobName}`, () => keptLog(ctx.deps, final)));
}

/**
 * Creates the job's Job CR, or attaches to the one that exists. What is in the cluster decides, on
 * every attempt: the name is the job's, so a create whose reply was lost (or a job this build made
 * before a restart that the cache does not show yet) meets 409 AlreadyExists and the stored one is
 * used, never made twice. No read first: it would almost always answer 404.
 */
async function startJob(ctx: HostContext, req: JobRequest): Promise<{ namespace: string; name: string }> {
  const namespace = ctx.build.metadata.namespace ?? '';
  const name = jobCrName(ctx.build.metadata.name ?? '', req.name);
  const { job: wanted, secretData } = wantedJob(ctx, req);
  await untilDone(ctx, `start job ${req.name}`, async () => {
    const current =
      (ctx.deps.caches.jobs.get(namespace, name) as JobCR | undefined) ??
      (await ctx.deps.objects.create('Job', await reusing(ctx, req.name, wanted, secretData))).object;
    // The script waits on a job that is not finished (or starts one): a replay has caught up.
    if (!isTerminalJob(current)) ctx.live?.();
    // Also on replay: the operator may have stopped between creating the Job CR and its Secret.
    if (!isTerminalJob(current) && Object.keys(secretData).length > 0)
      await ensureEnvSecret(ctx.deps, current, secretData);
    return current;
  });
  return { namespace, name };
}

/**
 * In a rerun (spec.rerunOf without all), the job to create marked as reusing the original's result
 * when the original ran the same job (name and spec) and it succeeded: the Job controller then copies
 * that result instead of running it. Otherwise the job as wanted.
 */
async function reusing(
  ctx: HostContext,
  jobName: string,
  wanted: JobCR,
  secretData: Record<string, string>,
): Promise<JobCR> {
  const rerunOf = ctx.build.spec.rerunOf;
  if (!rerunOf || rerunOf.all === true) return wanted;
  const namespace = ctx.build.metadata.namespace ?? '';
  const name = jobCrName(rerunOf.build, jobName);
  const original =
    (ctx.deps.caches.jobs.get(namespace, name) as JobCR | undefined) ??
    (await ctx.deps.objects.get('Job', namespace, name));
  const refusal = reuseRefusal({
    wanted,
    secretData,
    original,
    originalSecretData: original ? envSecretValues(ctx.deps, original) : undefined,
  });
  if (refusal) {
    ctx.deps.logger.info({ build: ctx.build.metadata.name, job: jobName, why: refusal }, 'rerun: job runs again');
    return wanted;
  }
  return { ...wanted, spec: { ...wanted.spec, reusedFrom: { build: rerunOf.build, job: name } } };
}

/** The decoded values of a job's env Secret (from the cache of the operator's own Secrets), if it has one. */
function envSecretValues(deps: ControllerDeps, job: JobCR): Record<string, string> | undefined {
  const secret = deps.caches.jobSecrets.get(job.metadata.namespace, jobEnvSecretName(job.metadata.name ?? ''));
  if (!secret) return undefined;
  return Object.fromEntries(
    Object.entries(secret.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]),
  );
}

/**
 * The Job CR the request asks for. A request holding a secret value outside env is refused before
 * anything is stored: the script's run() rejects, and the Build gets a JobRefused Event.
 */
function wantedJob(ctx: HostContext, req: JobRequest): ReturnType<typeof jobCrFor> {
  try {
    return jobCrFor(ctx.build, ctx.project, req, ctx.secrets);
  } catch (err) {
    if (err instanceof InlineSecretError) {
      const obj = { apiVersion: API_VERSION, kind: 'Build', metadata: ctx.build.metadata };
      void ctx.deps.recorder.warning(obj, 'JobRefused', err.message);
    }
    throw err;
  }
}

/**
 * Runs `step` until it succeeds: transient API failures are retried with back-off for as long as the
 * session runs, so they never reach the script; a permanent one (a refusal, with the API's message)
 * does. A stopped session ends the wait with JobAbortedError.
 */
async function untilDone<T>(ctx: HostContext, what: string, step: () => Promise<T>): Promise<T> {
  try {
    return await retryTransient(step, {
      signal: ctx.signal,
      onRetry: (err, attempt, delayMs) => {
        ctx.deps.logger.debug(
          { build: ctx.build.metadata.name, attempt, retryInMs: delayMs, err: apiMessage(err) },
          `could not ${what} yet; retrying`,
        );
      },
    });
  } catch (err) {
    if (ctx.signal.aborted)
      throw new JobAbortedError(`${what}: the build session was stopped`, { cause: ctx.signal.reason });
    throw err;
  }
}

/**
 * Why the job did not succeed, as the script's error carries it after brigadier's own
 * "job NAME failed: " prefix: the phase when it is not plain Failed, then the status message.
 */
export function failureDetail(s: NonNullable<JobCR['status']>): string {
  const phase = s.phase === 'TimedOut' ? 'timed out' : s.phase === 'Cancelled' ? 'cancelled' : undefined;
  const why = s.message ?? s.reason;
  return [phase, why].filter((part): part is string => !!part).join(': ') || 'the job failed';
}

function outcomeOf(job: JobCR, log: string): JobOutcome {
  const s = job.status ?? {};
  const succeeded = s.phase === 'Succeeded';
  return {
    succeeded,
    log,
    ...(succeeded ? {} : { message: failureDetail(s) }),
    ...(s.podName ? { podName: s.podName } : {}),
  };
}

/**
 * The whole log the Job controller kept: handed over in this process when it just finished here,
 * else read from where the Job status says it is (its tail, ConfigMaps, the archive).
 */
export async function keptLog(deps: ControllerDeps, job: JobCR): Promise<string> {
  const handed = deps.keptLogs?.get(job.metadata.uid);
  if (handed !== undefined) return handed;
  try {
    const kept = await readKeptJobLog({ core: deps.clients.core, archive: deps.logArchive }, job);
    if (kept.from === 'tail')
      deps.logger.warn({ job: job.metadata.name }, 'the kept job log is gone; the script gets its status tail');
    return kept.text;
  } catch (err) {
    if (isTransient(err) || err instanceof ArchiveUnavailableError) throw err; // the caller reads again
    // Access refused or the like: logged, and the script still gets the tail rather than an error.
    deps.logger.warn(
      { job: job.metadata.name, err: err instanceof Error ? err.message : apiMessage(err) },
      'could not read the kept job log; using the status tail',
    );
    return job.status?.logTail ?? '';
  }
}

async function ensureEnvSecret(deps: ControllerDeps, job: JobCR, data: Record<string, string>): Promise<void> {
  const body = jobEnvSecret({ jobCr: job.metadata, project: job.spec.project, build: job.spec.build, data });
  const namespace = job.metadata.namespace ?? '';
  try {
    await deps.clients.core.createNamespacedSecret({ namespace, body });
  } catch (err) {
    if (!isAlreadyExists(err))
      throw new KubeApiError(`create Secret ${namespace}/${body.metadata?.name}`, { cause: err });
  }
}
