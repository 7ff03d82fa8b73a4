// A rerun's job marked spec.reusedFrom: instead of running, it takes the recorded result of the job
// that succeeded in the original build (its kept log, copied into this job's own kept log, so the
// rerun keeps it when the original is deleted; its exit code, pod and node), phase Succeeded, reason
// Reused. The log is kept before the terminal status, as for a job that ran. When the original job is
// gone or did not succeed after all, this job runs (its spec is the same).
import { API_VERSION } from '../../api/constants.ts';
import { setCondition } from '../../api/conditions.ts';
import type { JobCR } from '../../api/types.ts';
import { tail } from '../../util/text.ts';
import { keptLog } from '../build/host.ts';
import type { ControllerDeps } from '../shared/deps.ts';
import { keepJobLog } from './logs.ts';
import type { KeptLogPlace } from './logs.ts';
import { isTerminalPhase, statusFor } from './state.ts';

/** True when the job took the original's result (or already has), false when it must run. */
export async function reuseResult(deps: ControllerDeps, job: JobCR): Promise<boolean> {
  const from = job.spec.reusedFrom;
  if (!from) return false;
  const namespace = job.metadata.namespace ?? '';
  const source =
    (deps.caches.jobs.get(namespace, from.job) as JobCR | undefined) ??
    (await deps.objects.get('Job', namespace, from.job));
  const ref = { apiVersion: API_VERSION, kind: 'Job', metadata: job.metadata };
  if (source?.status?.phase !== 'Succeeded') {
    // Said once, on the first pass (a job that then waits for a slot passes here again).
    if (!job.status)
      await deps.recorder.warning(
        ref,
        'ReuseSourceGone',
        `job ${from.job} of build ${from.build} ${source ? `ended ${source.status?.phase ?? 'unfinished'}` : 'is gone'}; running the job`,
      );
    return false;
  }
  const { log, place } = await copyKeptLog(deps, source, job);
  const now = new Date(deps.clock.now());
  const message = `reused the result of job ${source.spec.name} of build ${from.build} (it succeeded with the same spec)`;
  const status = reusedStatus(job, source, { log, place, message, now, tailChars: deps.settings.logTailChars });
  const written = await deps.objects.updateStatus('Job', namespace, job.metadata.name ?? '', (current) =>
    isTerminalPhase(current.status?.phase) ? undefined : status,
  );
  if (written) await deps.recorder.normal(ref, 'JobReused', message);
  return true;
}

/** The original's kept log, kept as this job's own (tail alone, or ConfigMap parts) and handed to this process's build. */
async function copyKeptLog(
  deps: ControllerDeps,
  source: JobCR,
  job: JobCR,
): Promise<{ log: string; place: KeptLogPlace }> {
  const log = await keptLog(deps, source);
  const place = await keepJobLog(deps, job, { text: log, truncated: source.status?.log?.truncated === true });
  deps.keptLogs?.put(job.metadata.uid ?? '', log);
  return { log, place };
}

/** The status of a reused job: Succeeded now, reason and condition Reused, the source's exit code, pod, node and log. */
function reusedStatus(
  job: JobCR,
  source: JobCR,
  o: { log: string; place: KeptLogPlace; message: string; now: Date; tailChars: number },
): NonNullable<JobCR['status']> {
  const s = source.status ?? {};
  const at = o.now.toISOString();
  const base = statusFor(
    job,
    {
      phase: 'Succeeded',
      reason: 'Reused',
      message: o.message,
      ...(s.podName ? { podName: s.podName } : {}),
      ...(s.nodeName ? { nodeName: s.nodeName } : {}),
      ...(s.exitCode !== undefined ? { exitCode: s.exitCode } : {}),
      startTime: at,
      completionTime: at,
    },
    o.now,
  );
  const from = job.spec.reusedFrom;
  return {
    ...base,
    logTail: tail(o.log, o.tailChars),
    log: o.place,
    conditions: setCondition(
      base.conditions,
      {
        type: 'Reused',
        status: 'True',
        reason: 'Reused',
        message: `job ${from?.job ?? ''} of build ${from?.build ?? ''}`,
      },
      o.now,
    ),
  };
}
