// Stopping the jobs of a cancelled or timed-out build: mark each running Job CR Cancelled, then delete
// its child batch Job (its pod goes with it), so waiting scripts and the summary see the end.
import { API_VERSION } from '../../api/constants.ts';
import type { Build, JobCR } from '../../api/types.ts';
import type { ControllerDeps } from '../shared/deps.ts';
import { deleteChildJob, stoppedChildStillThere } from '../shared/stopped-child.ts';
import { childJobs } from './children.ts';
import type { Ending } from './state.ts';
import { isTerminalJob } from './state.ts';
import { formatDuration } from '../../util/text.ts';

/**
 * Stops what still runs and returns the build's Job CRs as they are afterwards (the cache may not
 * have the Cancelled writes yet; the summary written next must).
 */
export async function stopChildJobs(deps: ControllerDeps, build: Build, ending: Ending): Promise<JobCR[]> {
  const jobs: JobCR[] = [];
  for (const job of childJobs(deps, build)) {
    if (!isTerminalJob(job)) jobs.push((await stopJob(deps, job, ending)) ?? job);
    else {
      // Cancelled before an operator restart, its child not deleted yet: finish the stop.
      if (stoppedChildStillThere(deps, job)) await deleteChildJob(deps, job);
      jobs.push(job);
    }
  }
  return jobs;
}

/**
 * The Cancelled status first, the delete second: the pod a delete kills fails, and a Job reconcile
 * seeing that failure before the Cancelled write would record the job as Failed (its write is
 * conditional, so once Cancelled is in, that write loses).
 */
async function stopJob(deps: ControllerDeps, job: JobCR, ending: Ending): Promise<JobCR | undefined> {
  const namespace = job.metadata.namespace ?? '';
  const reason = ending.phase === 'TimedOut' ? 'BuildTimedOut' : 'BuildCancelled';
  const now = new Date(deps.clock.now());
  const updated = await deps.objects.updateStatus('Job', namespace, job.metadata.name ?? '', (current) => {
    if (isTerminalJob(current)) return undefined;
    const start = Date.parse(current.status?.startTime ?? '');
    return {
      ...current.status,
      phase: 'Cancelled',
      reason,
      message: `the build ${ending.phase === 'TimedOut' ? 'timed out' : 'was cancelled'}; the job was stopped`,
      completionTime: now.toISOString(),
      ...(Number.isNaN(start) ? {} : { duration: formatDuration(now.getTime() - start) }),
    };
  });
  await deleteChildJob(deps, updated ?? job);
  if (updated)
    await deps.recorder.warning(
      { apiVersion: API_VERSION, kind: 'Job', metadata: updated.metadata },
      'JobCancelled',
      `stopped: ${reason}`,
    );
  return updated;
}
