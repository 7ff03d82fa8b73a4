// Stopping the jobs of a cancelled or timed-out build: delete each running child batch Job (its pod
// goes with it) and mark the Job CR Cancelled, so waiting scripts and the summary see the end.
import { API_VERSION } from '../../api/constants.ts';
import { childJobName } from '../../api/names.ts';
import type { Build, JobCR } from '../../api/types.ts';
import { KubeApiError, isNotFound } from '../../kube/errors.ts';
import type { ControllerDeps } from '../shared/deps.ts';
import { childJobs } from './children.ts';
import type { Ending } from './state.ts';
import { isTerminalJob } from './state.ts';
import { formatDuration } from '../../util/text.ts';

export async function stopChildJobs(deps: ControllerDeps, build: Build, ending: Ending): Promise<void> {
  const running = childJobs(deps, build).filter((j) => !isTerminalJob(j));
  for (const job of running) await stopJob(deps, job, ending);
}

async function stopJob(deps: ControllerDeps, job: JobCR, ending: Ending): Promise<void> {
  const namespace = job.metadata.namespace ?? '';
  const name = job.status?.jobName ?? childJobName(job.metadata.name ?? '');
  try {
    await deps.clients.batch.deleteNamespacedJob({ namespace, name, propagationPolicy: 'Background' });
  } catch (err) {
    if (!isNotFound(err)) throw new KubeApiError(`delete batch Job ${namespace}/${name}`, { cause: err });
  }
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
  if (updated)
    await deps.recorder.warning(
      { apiVersion: API_VERSION, kind: 'Job', metadata: updated.metadata },
      'JobCancelled',
      `stopped: ${reason}`,
    );
}
